/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "api/api.h"
#include "fake-3d-renderer.h"
#include "null-renderer.h"
#include "render/render.h"

#define FAKE_CAPSET_SIZE 64u
#define FAKE_MAX_CTX 64u
#define FAKE_TARGET_2D 2u
#define FAKE_MAX_FENCES 64u

struct fake {
	struct renderer_ops ops;
	struct render_3d_ops d3;
	uint64_t contexts; /* bit per live context id */
	struct render_fence pending[FAKE_MAX_FENCES];
	size_t npending;
};

/* One fake: one device at a time uses it. */
static struct fake fake;

/* Handed over, done by the next poll; at once when the table is full. */
static bool fence(struct render *r, const struct render_timeline *t, uint64_t seq)
{
	(void)r;
	if (fake.npending == FAKE_MAX_FENCES)
		return true;
	fake.pending[fake.npending++] = (struct render_fence){ *t, seq };
	return false;
}

static bool same(const struct render_timeline *a, const struct render_timeline *b)
{
	return a->ring == b->ring && a->ring_idx == b->ring_idx && a->ctx_id == b->ctx_id;
}

/* Everything pending is done: per timeline its last fence, once. */
static size_t poll(struct render *r, struct render_fence *done, size_t cap)
{
	size_t n = 0, kept = 0;

	(void)r;
	for (size_t i = fake.npending; i-- > 0;) {
		bool listed = false;

		for (size_t k = 0; k < n; k++)
			listed = listed || same(&done[k].timeline, &fake.pending[i].timeline);
		if (!listed && n < cap)
			done[n++] = fake.pending[i];
		else if (!listed)
			fake.pending[kept++] = fake.pending[i]; /* the next poll's */
	}
	fake.npending = kept;
	return n;
}

static uint32_t capset_count(struct render *r)
{
	(void)r;
	return 1;
}

static int capset_info(struct render *r, uint32_t index, struct render_capset *out)
{
	(void)r;
	if (index)
		return -ENOENT;
	*out = (struct render_capset){ 1, 1, FAKE_CAPSET_SIZE };
	return 0;
}

static int capset_fill(struct render *r, uint32_t id, uint32_t version, void *buf, size_t size)
{
	(void)r;
	if (id != 1)
		return -ENOENT;
	if (version > 1)
		return -EINVAL;
	memset(buf, 0x3d, size < FAKE_CAPSET_SIZE ? size : FAKE_CAPSET_SIZE);
	return 0;
}

static bool ctx_exists(struct render *r, uint32_t ctx_id)
{
	(void)r;
	return ctx_id < FAKE_MAX_CTX && (fake.contexts >> ctx_id & 1);
}

static int ctx_create(struct render *r, uint32_t ctx_id, uint32_t capset_id, const char *name,
		      uint32_t name_len)
{
	(void)r;
	(void)name;
	(void)name_len;
	if (ctx_id >= FAKE_MAX_CTX)
		return -ENOSPC;
	if (capset_id > 1)
		return -EINVAL;
	fake.contexts |= 1ull << ctx_id;
	return 0;
}

static void ctx_destroy(struct render *r, uint32_t ctx_id)
{
	(void)r;
	if (ctx_id < FAKE_MAX_CTX)
		fake.contexts &= ~(1ull << ctx_id);
}

static enum core_verdict create_3d(struct render *r, uint32_t id, const struct render_res_3d *d,
				   struct resource **out)
{
	if (d->target != FAKE_TARGET_2D || d->depth != 1 || d->array_size > 1 || d->last_level ||
	    d->width > 4096 || d->height > 4096)
		return CORE_OUTSIDE;
	return render_create_2d(r, id, format_from_virtio(VGM_GPU_FORMAT_B8G8R8A8_UNORM),
				d->width, d->height, out);
}

static int submit(struct render *r, uint32_t ctx_id, const void *cmds, size_t size)
{
	uint32_t first;

	(void)r;
	(void)ctx_id;
	if (size < 4)
		return 0;
	memcpy(&first, cmds, 4);
	return first == 0xdeadbeefu ? -EINVAL : 0;
}

static void reset(struct render *r)
{
	(void)r;
	fake.contexts = 0;
	fake.npending = 0;
}

int fake_3d_device_new(const struct vgm_device_config *cfg, struct vgm_device **out)
{
	struct null_renderer nr;

	fake = (struct fake){ .ops = render_2d_ops };
	fake.ops.fence = fence;
	fake.ops.poll = poll;
	null_renderer_init(&nr);
	fake.d3 = *nr.ops.d3;
	fake.d3.capset_count = capset_count;
	fake.d3.capset_info = capset_info;
	fake.d3.capset_fill = capset_fill;
	fake.d3.ctx_exists = ctx_exists;
	fake.d3.ctx_create = ctx_create;
	fake.d3.ctx_destroy = ctx_destroy;
	fake.d3.create_3d = create_3d;
	fake.d3.submit = submit;
	fake.d3.reset = reset;
	fake.ops.d3 = &fake.d3;
	return device_new(cfg, &fake.ops, &fake, out);
}
