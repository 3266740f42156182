/* SPDX-License-Identifier: MIT */
/*
 * Blob scanouts: the pixels are guest memory. Where the shown rectangle is
 * contiguous in the host's mapping the host gets a pointer into it; else
 * the library keeps a staging copy of the rectangle, refreshed at every
 * flush. A host that takes dma-bufs, with guest RAM in a file, gets one
 * through /dev/udmabuf instead: zero copies.
 */
#include <drm_fourcc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render-impl.h"

#define UDMABUF_MAX_ITEMS 1024 /* the kernel's default list_limit */

/* The bytes from the first pixel of the rectangle to its last. */
static uint64_t rect_first(const struct scanout_fb *fb, const struct format_info *fmt,
			   const struct vgm_gpu_rect *r)
{
	return fb->offset + (uint64_t)r->y * fb->stride + (uint64_t)r->x * fmt->bpp;
}

static uint64_t rect_span(const struct scanout_fb *fb, const struct format_info *fmt,
			  const struct vgm_gpu_rect *r)
{
	return (uint64_t)(r->height - 1) * fb->stride + (uint64_t)r->width * fmt->bpp;
}

/* Points the view at guest memory, or gives it a staging copy (not yet
 * charged: the scanout's current copy goes first). */
static enum core_verdict prepare_view(struct render *rd, struct view *view,
				      struct resource *res, const struct vgm_gpu_rect *r,
				      const struct scanout_fb *fb, uint64_t old)
{
	const struct format_info *fmt = view->fmt;
	const uint8_t *direct = region_span(resource_backing(res),
					    resource_backing_offset(res) + rect_first(fb, fmt, r),
					    rect_span(fb, fmt, r));
	uint64_t bytes = (uint64_t)r->width * r->height * fmt->bpp;

	/* Direct only where pixman takes the rows as they are: stride and first
	 * pixel 4-byte aligned. The guest picks both; a stride of 321 made
	 * pixman refuse the image in read_scanout (test-scanout-blob). */
	if (direct && fb->stride % 4 == 0 && (uintptr_t)direct % 4 == 0) {
		view->data = direct;
		view->stride = fb->stride;
		return CORE_OK;
	}
	/* The scanout's current copy goes when this one comes: don't count
	 * both, or flipping between two blobs near the budget would fail. */
	if (!budget_fits(rd->core, bytes > old ? bytes - old : 0) ||
	    !(view->staging = malloc((size_t)bytes)))
		return CORE_NO_MEMORY;
	view->staging_bytes = bytes;
	view->data = view->staging;
	view->stride = r->width * fmt->bpp;
	return CORE_OK;
}

/* The same image as a dma-buf, if the host takes them and the pages are
 * in files; false: the host gets pixels. */
static bool offer_dmabuf(struct render *rd, uint32_t idx, struct resource *res,
			 const struct vgm_gpu_rect *r, const struct scanout_fb *fb,
			 const struct format_info *fmt)
{
	struct file_item items[UDMABUF_MAX_ITEMS];
	uint64_t lead, len = (uint64_t)fb->stride * (r->y + r->height);
	long page = sysconf(_SC_PAGESIZE);
	int n, fd;

	if (!host_has_dmabuf(rd->host) || page <= 0)
		return false;
	n = region_file_items(resource_backing(res), resource_backing_offset(res) + fb->offset,
			      len, (uint64_t)page, items, UDMABUF_MAX_ITEMS, &lead);
	fd = n > 0 ? udmabuf_create(rd, items, n) : -1;
	if (fd < 0)
		return false;
	host_scanout_dmabuf(rd->host, idx, &(struct vgm_dmabuf){
		.fd = fd,
		.fourcc = fmt->fourcc,
		.modifier = DRM_FORMAT_MOD_LINEAR,
		.stride = fb->stride,
		.offset = lead,
		.size = lead + len,
		.width = fb->width,
		.height = r->y + r->height, /* the rows the buffer holds */
		.rect = { r->x, r->y, r->width, r->height },
	});
	return true;
}

enum core_verdict view_show_blob(struct render *r, uint32_t idx, struct resource *res,
				 const struct vgm_gpu_rect *rect, const struct scanout_fb *fb)
{
	struct view view = { .fmt = format_from_virtio(fb->format) };
	enum core_verdict err =
		prepare_view(r, &view, res, rect, fb, r->views[idx].staging_bytes);
	uint8_t *pending = r->views[idx].pending;
	uint64_t pending_bytes = r->views[idx].pending_bytes;
	uint8_t *old;

	if (err)
		return err;
	r->views[idx].pending = NULL; /* kept from the current view's release */
	old = view_take_staging(r, idx); /* freed once the host is told */
	scanout_show(r->core, idx, res, rect, fb); /* drops the current view */
	if (view.staging)
		budget_charge(r->core, BUDGET_IMAGE, view.staging_bytes); /* fits: see above */
	r->views[idx] = view;
	if (view.staging && pending && pending_bytes == view.staging_bytes) {
		memcpy(view.staging, pending, (size_t)pending_bytes);
	} else if (view.staging) {
		struct vgm_rect all = { 0, 0, rect->width, rect->height };

		view_refresh(r, idx, &all);
	}
	free(pending);
	if (!offer_dmabuf(r, idx, res, rect, fb, view.fmt))
		view_announce(r, idx, rect);
	free(old);
	return CORE_OK;
}

const uint8_t *render_staging(const struct render *r, uint32_t idx, uint64_t *bytes)
{
	const struct view *v = &r->views[idx];

	/* Loaded, not resumed: the copy waits as pending, and is still what
	 * the host was shown (scanout_forget() drops it with the blob). */
	if (!v->staging && v->pending) {
		*bytes = v->pending_bytes;
		return v->pending;
	}
	*bytes = v->staging_bytes;
	return v->staging;
}

void render_pend_staging(struct render *r, uint32_t idx, uint8_t *px, uint64_t bytes)
{
	free(r->views[idx].pending);
	r->views[idx].pending = px;
	r->views[idx].pending_bytes = bytes;
}

void view_refresh(struct render *rd, uint32_t idx, const struct vgm_rect *r)
{
	const struct view *v = &rd->views[idx];
	struct region_cursor cur = { 0 };
	struct scanout_desc so;
	struct region_rows rows;

	/* Checked first: no staging (a 2D resource, a direct blob view) means
	 * no pointer to compute, and arithmetic on NULL is undefined. */
	if (!v->staging)
		return;
	scanout_describe(rd->core, idx, &so);
	/* SET_SCANOUT_BLOB checked that every row lies inside the blob. */
	rows = (struct region_rows){
		.off = resource_backing_offset(so.res) + so.fb.offset +
		       (uint64_t)(so.rect.y + r->y) * so.fb.stride +
		       (uint64_t)(so.rect.x + r->x) * v->fmt->bpp,
		.stride = so.fb.stride,
		.len = (size_t)r->width * v->fmt->bpp,
		.count = r->height,
		.dst = v->staging + (size_t)r->y * v->stride + (size_t)r->x * v->fmt->bpp,
		.dst_stride = v->stride,
	};
	region_read_rows(resource_backing(so.res), &cur, &rows);
}

/* The budget is given back at once, as when the copy was freed here: the
 * old copy lives on only for the length of the library call. */
static uint8_t *take_staging(struct render *r, struct view *v)
{
	uint8_t *old = v->staging;

	if (old)
		budget_release(r->core, BUDGET_IMAGE, v->staging_bytes);
	v->staging = NULL;
	v->staging_bytes = 0;
	return old;
}

uint8_t *view_take_staging(struct render *r, uint32_t idx)
{
	return take_staging(r, &r->views[idx]);
}

void view_release(struct render *r, struct view *v)
{
	free(v->pending);
	v->pending = NULL;
	free(take_staging(r, v));
}
