/* SPDX-License-Identifier: MIT */
/*
 * 3D contexts: CTX_CREATE, CTX_DESTROY, CTX_ATTACH_RESOURCE,
 * CTX_DETACH_RESOURCE. The renderer keeps the table of context ids (a
 * context is the renderer's object); every id is checked here before the
 * renderer is asked (virglrenderer ignores an unknown context silently).
 */
#include <errno.h>

#include "cmd-impl.h"

uint32_t cmd_check_ctx(struct dispatch *d, struct cmd *c, uint32_t ctx_id)
{
	const struct render_3d_ops *o = render_3d(d->render);

	if (!o)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no 3D renderer");
	if (ctx_id == 0 || !o->ctx_exists(d->render, ctx_id))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID,
				   "ctx_id %u is not a context", ctx_id);
	return 0;
}

/* The capset a context is made for: 0 without CONTEXT_INIT. */
static uint32_t ctx_capset(const struct dispatch *d, const struct cmd *c)
{
	if (!core_accepted(d->core, VGM_GPU_F_CONTEXT_INIT))
		return 0;
	return c->u.ctx_create.context_init & VGM_GPU_CONTEXT_INIT_CAPSET_ID_MASK;
}

static uint32_t validate_ctx_create(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_ctx_create *b = &c->u.ctx_create;
	const struct render_3d_ops *o = render_3d(d->render);
	uint32_t capset = ctx_capset(d, c);

	if (!o)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no 3D renderer");
	if (c->hdr.ctx_id == 0 || o->ctx_exists(d->render, c->hdr.ctx_id))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID,
				   "ctx_id %u is 0 or in use", c->hdr.ctx_id);
	if (b->nlen > sizeof(b->debug_name))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "nlen %u is above %zu", b->nlen, sizeof(b->debug_name));
	if (b->context_init & ~(core_accepted(d->core, VGM_GPU_F_CONTEXT_INIT)
					? VGM_GPU_CONTEXT_INIT_CAPSET_ID_MASK
					: 0u))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "context_init 0x%x: unknown bits", b->context_init);
	if (capset && capset != VGM_GPU_CAPSET_VIRGL && capset != VGM_GPU_CAPSET_VIRGL2)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "context_init: capset %u is not offered", capset);
	return 0;
}

static uint32_t exec_ctx_create(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_ctx_create *b = &c->u.ctx_create;
	int ret = render_3d(d->render)->ctx_create(d->render, c->hdr.ctx_id, ctx_capset(d, c),
						   b->debug_name, b->nlen);

	if (ret == -ENOSPC || ret == -ENOMEM)
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "ctx_id %u: no room for another context", c->hdr.ctx_id);
	if (ret)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "ctx_id %u: the renderer refused it (%d)", c->hdr.ctx_id, ret);
	return 0;
}

static uint32_t validate_ctx(struct dispatch *d, struct cmd *c)
{
	return cmd_check_ctx(d, c, c->hdr.ctx_id);
}

/* Work submitted before stays: fences issued for it still complete, so
 * requests in flight on the context's timelines are answered by poll. */
static uint32_t exec_ctx_destroy(struct dispatch *d, struct cmd *c)
{
	render_3d(d->render)->ctx_destroy(d->render, c->hdr.ctx_id);
	return 0;
}

static uint32_t validate_ctx_resource(struct dispatch *d, struct cmd *c)
{
	uint32_t err = cmd_check_ctx(d, c, c->hdr.ctx_id);

	return err ? err : cmd_find_resource(d, c, c->u.ctx_resource.resource_id);
}

static uint32_t ctx_resource(struct dispatch *d, struct cmd *c, bool attach)
{
	int ret = render_3d(d->render)->ctx_attach(d->render, c->hdr.ctx_id, c->res, attach);

	if (ret == -ENOMEM)
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory (or budget) to attach to ctx_id %u",
				   c->u.ctx_resource.resource_id, c->hdr.ctx_id);
	if (ret)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "resource_id %u: the renderer refused it (%d)",
				   c->u.ctx_resource.resource_id, ret);
	return 0;
}

static uint32_t exec_ctx_attach(struct dispatch *d, struct cmd *c)
{
	return ctx_resource(d, c, true);
}

static uint32_t exec_ctx_detach(struct dispatch *d, struct cmd *c)
{
	return ctx_resource(d, c, false);
}

const struct cmd_desc cmds_ctx[] = {
	{ VGM_GPU_CMD_CTX_CREATE, .validate = validate_ctx_create, .execute = exec_ctx_create },
	{ VGM_GPU_CMD_CTX_DESTROY, .validate = validate_ctx, .execute = exec_ctx_destroy },
	{ VGM_GPU_CMD_CTX_ATTACH_RESOURCE, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_ctx_resource, .execute = exec_ctx_attach },
	{ VGM_GPU_CMD_CTX_DETACH_RESOURCE, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_ctx_resource, .execute = exec_ctx_detach },
	{ 0 },
};
