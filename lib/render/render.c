/* SPDX-License-Identifier: MIT */
/*
 * The renderer behind a device: its ops (the 2D renderer's, or another's),
 * the views of the scanouts, and what a resource's kind decides, in one
 * place: a blob's pixels are its backing (nothing to transfer, its own
 * views), a 2D resource's are the renderer's storage.
 */
#include <unistd.h>

#include "render-impl.h"

static enum core_verdict create_2d(struct render *r, uint32_t id, const struct format_info *fmt,
				   uint32_t width, uint32_t height, struct resource **out)
{
	return image_create(r, id, fmt, width, height, out);
}

static const uint8_t *pixels_2d(struct render *r, struct resource *res, uint32_t x, uint32_t y,
				uint32_t *stride)
{
	return image_pixels(r, res, x, y, stride);
}

/* Its work is done before the request is answered. */
static bool fence_now(struct render *r, const struct render_timeline *t, uint64_t seq)
{
	(void)r;
	(void)t;
	(void)seq;
	return true;
}

static size_t poll_none(struct render *r, struct render_fence *done, size_t cap)
{
	(void)r;
	(void)done;
	(void)cap;
	return 0;
}

const struct renderer_ops render_2d_ops = {
	.create_2d = create_2d,
	.transfer_2d = image_transfer,
	.pixels_2d = pixels_2d,
	.cursor_2d = image_cursor,
	.fence = fence_now,
	.poll = poll_none,
};

size_t render_size(uint32_t num_scanouts)
{
	return place_round(sizeof(struct render) + num_scanouts * sizeof(struct view));
}

/* The core's hook: a scanout stopped showing its resource. */
static void view_cleared(void *ctx, uint32_t idx)
{
	struct render *r = ctx;

	view_release(r, &r->views[idx]);
	r->views[idx] = (struct view){ 0 };
}

static const struct core_hooks hooks = { .scanout_cleared = view_cleared };

void render_init(struct render *r, struct core *c, struct host *host, struct logger *log,
		 const struct renderer_ops *ops, void *ops_ctx)
{
	*r = (struct render){
		.core = c,
		.host = host,
		.log = log,
		.ops = ops,
		.ops_ctx = ops_ctx,
		.udmabuf_fd = -1,
		.num_scanouts = core_num_scanouts(c),
	};
	for (uint32_t i = 0; i < r->num_scanouts; i++)
		r->views[i] = (struct view){ 0 };
	core_set_hooks(c, &hooks, r);
}

void render_fini(struct render *r)
{
	for (uint32_t i = 0; i < r->num_scanouts; i++)
		view_release(r, &r->views[i]);
	if (r->udmabuf_fd >= 0)
		close(r->udmabuf_fd);
}

void *render_ops_ctx(struct render *r)
{
	return r->ops_ctx;
}

void render_set_stream_threshold(struct render *r, uint64_t bytes)
{
	r->stream_min = bytes;
}

uint64_t render_stream_threshold(const struct render *r)
{
	return r->stream_min;
}

enum core_verdict render_create_2d(struct render *r, uint32_t id, const struct format_info *fmt,
				   uint32_t width, uint32_t height, struct resource **out)
{
	return r->ops->create_2d(r, id, fmt, width, height, out);
}

void render_transfer(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect,
		     uint64_t offset)
{
	uint64_t src;

	/* A blob's pixels are guest memory already: nothing to copy. */
	if (resource_pixels_in_backing(res) || rect->width == 0 || rect->height == 0)
		return;
	/* An offset past the end of the address space is past the backing. */
	if (__builtin_add_overflow(resource_backing_offset(res), offset, &src))
		return;
	r->ops->transfer_2d(r, res, rect, src);
}

enum core_verdict render_show(struct render *r, uint32_t idx, struct resource *res,
			      const struct vgm_gpu_rect *rect, const struct scanout_fb *fb)
{
	if (resource_pixels_in_backing(res))
		return view_show_blob(r, idx, res, rect, fb);
	view_show_2d(r, idx, res, rect);
	return CORE_OK;
}

void render_flush(struct render *r, uint32_t idx, const struct vgm_rect *part)
{
	view_refresh(r, idx, part); /* a blob's staging copy; a 2D image is shown as it is */
	view_refresh_2d(r, idx, part); /* or read back from the GPU */
}

uint8_t *render_storage_2d(struct render *r, struct resource *res, uint32_t *stride)
{
	/* Only the 2D renderer's devices can be saved (vgm_device_can_save()). */
	return image_pixels(r, res, 0, 0, stride);
}

bool render_fence(struct render *r, const struct render_timeline *t, uint64_t seq)
{
	return r->ops->fence(r, t, seq);
}

size_t render_poll(struct render *r, struct render_fence *done, size_t cap)
{
	return r->ops->poll(r, done, cap);
}

const struct render_3d_ops *render_3d(struct render *r)
{
	return r->ops->d3;
}

bool render_attach_backing(struct render *r, struct resource *res)
{
	return r->ops->attach_backing ? r->ops->attach_backing(r, res) : true;
}

bool render_keeps_backings(const struct render *r)
{
	return r->ops->backing_moved != NULL;
}

bool render_backing_moved(struct render *r, struct resource *res)
{
	return r->ops->backing_moved ? r->ops->backing_moved(r, res) : true;
}

int render_poll_fd(struct render *r)
{
	return r->ops->poll_fd ? r->ops->poll_fd(r) : -1;
}
