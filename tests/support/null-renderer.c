/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include "null-renderer.h"

static uint32_t no_capsets(struct render *r)
{
	(void)r;
	return 0;
}

static int no_capset(struct render *r, uint32_t index, struct render_capset *out)
{
	(void)r;
	(void)index;
	(void)out;
	return -ENOENT;
}

static int no_fill(struct render *r, uint32_t id, uint32_t version, void *buf, size_t size)
{
	(void)r;
	(void)id;
	(void)version;
	(void)buf;
	(void)size;
	return -ENOENT;
}

/* Its one context, 1: live or not. */
static bool *live(struct render *r)
{
	return &((struct null_renderer *)render_ops_ctx(r))->ctx_live;
}

static bool ctx_exists(struct render *r, uint32_t ctx_id)
{
	return ctx_id == 1 && *live(r);
}

static int ctx_create(struct render *r, uint32_t ctx_id, uint32_t capset_id, const char *name,
		      uint32_t name_len)
{
	(void)ctx_id;
	(void)capset_id;
	(void)name;
	(void)name_len;
	*live(r) = true;
	return 0;
}

static void ctx_destroy(struct render *r, uint32_t ctx_id)
{
	(void)ctx_id;
	*live(r) = false;
}

static int ctx_attach(struct render *r, uint32_t ctx_id, struct resource *res, bool attach)
{
	(void)r;
	(void)ctx_id;
	(void)res;
	(void)attach;
	return 0;
}

/* Attachments are not kept: every resource counts as attached. */
static bool ctx_has(struct render *r, uint32_t ctx_id, struct resource *res)
{
	(void)r;
	(void)ctx_id;
	(void)res;
	return true;
}

static int null_transfer_check(struct render *r, struct resource *res,
		       const struct render_transfer_3d *t)
{
	(void)r;
	(void)res;
	(void)t;
	return 0;
}

static int transfer(struct render *r, uint32_t ctx_id, struct resource *res,
		    const struct render_transfer_3d *t)
{
	(void)ctx_id;
	return null_transfer_check(r, res, t);
}

static int null_submit(struct render *r, uint32_t ctx_id, const void *cmds, size_t size)
{
	(void)r;
	(void)ctx_id;
	(void)cmds;
	(void)size;
	return 0;
}

static const struct render_3d_ops null_3d = {
	.capset_count = no_capsets,
	.capset_info = no_capset,
	.capset_fill = no_fill,
	.ctx_exists = ctx_exists,
	.ctx_create = ctx_create,
	.ctx_destroy = ctx_destroy,
	.ctx_attach = ctx_attach,
	.ctx_has = ctx_has,
	.transfer_check = null_transfer_check,
	.transfer = transfer,
	.submit = null_submit,
};

void null_renderer_init(struct null_renderer *nr)
{
	*nr = (struct null_renderer){ .ops = render_2d_ops };
	nr->ops.d3 = &null_3d;
}
