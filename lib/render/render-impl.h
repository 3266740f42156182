/* SPDX-License-Identifier: MIT */
/*
 * What the files of the render layer share: its structs. Only lib/render/
 * and the render layer's own tests include this header.
 */
#ifndef VGM_RENDER_IMPL_H
#define VGM_RENDER_IMPL_H

#include "render.h"

/* What a scanout gives the host: the first pixel of the shown rectangle,
 * in a 2D image, in guest memory (a blob contiguous in the host's mapping)
 * or in a staging copy of it. */
struct view {
	const struct format_info *fmt;
	const uint8_t *data;
	uint32_t stride;
	uint8_t *staging;
	uint64_t staging_bytes;
	/* What the next staging copy starts as instead of guest memory: the
	 * pixels a restored state says the host was shown at the last flush. */
	uint8_t *pending;
	uint64_t pending_bytes;
};

struct render {
	struct core *core;
	struct host *host;
	struct logger *log;
	const struct renderer_ops *ops;
	void *ops_ctx;
	/* Transfers of this many bytes and more are streamed around the
	 * caches; 0: not chosen yet (copy_stream_threshold(), when a transfer
	 * first could need it). */
	uint64_t stream_min;
	int udmabuf_fd;	     /* /dev/udmabuf: -1 not opened yet, -2 absent */
	bool udmabuf_failed; /* an ioctl failed once (logged once) */
	uint32_t num_scanouts;
	struct view views[];
};

/* image.c: the 2D renderer's storage. */
enum core_verdict image_create(struct render *r, uint32_t id, const struct format_info *fmt,
			       uint32_t width, uint32_t height, struct resource **out);
uint8_t *image_pixels(struct render *r, struct resource *res, uint32_t x, uint32_t y,
		      uint32_t *stride);
/* A pixman image over the pixels, made when first needed; NULL if that fails. */
pixman_image_t *image_pixman(struct resource *res);
/* transfer.c */
void image_transfer(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect,
		    uint64_t src);
/* cursor.c */
bool image_cursor(struct render *r, struct resource *res, uint32_t *image);
/* The cursor image (ARGB8888, 64x64) from src's top left; false (nothing
 * written) when src is NULL or no memory. src stays the caller's. */
bool cursor_compose(pixman_image_t *src, uint32_t *image);

/* view.c */
void view_pixels(const struct view *v, const struct vgm_gpu_rect *rect, struct vgm_pixels *px);
/* Calls scanout_set with what the scanout shows. */
void view_announce(struct render *r, uint32_t idx, const struct vgm_gpu_rect *rect);
void view_release(struct render *r, struct view *v);
/* Takes the scanout's staging copy (if any) out of its view, its budget
 * given back. The caller frees it once the host has been told what the
 * scanout shows next: a display thread may read the pixels it was given
 * until that callback returns (virtgpu-mem.h, "Threads and pixels"). */
uint8_t *view_take_staging(struct render *r, uint32_t idx);
/* A 2D resource's view: a pointer into the renderer's storage; the core
 * shows it, the host is told. */
void view_show_2d(struct render *r, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect);

/* view-blob.c: a blob's view (staging or direct, a dma-buf offered). */
enum core_verdict view_show_blob(struct render *r, uint32_t idx, struct resource *res,
				 const struct vgm_gpu_rect *rect, const struct scanout_fb *fb);
/* Refreshes a blob's staging for part (scanout coordinates) from guest memory. */
void view_refresh(struct render *r, uint32_t idx, const struct vgm_rect *part);
/* A 2D view whose pixels the renderer keeps on the GPU: part (scanout
 * coordinates) read back where it points (renderer_ops.refresh_2d). */
void view_refresh_2d(struct render *r, uint32_t idx, const struct vgm_rect *part);

/* udmabuf.c: a dma-buf fd for the items through /dev/udmabuf, or -errno. */
int udmabuf_create(struct render *r, const struct file_item *items, int n);

/* virgl-ctx.c: a virgl device's contexts and what each has attached. */
struct vgl;
struct vgl_res;
struct vctx;
struct vlink;

struct vctxs {
	struct vgl *vgl;
	struct vctx **ctx; /* live contexts, unordered */
	uint32_t n, cap;
};

/* What a resource has of contexts: in its payload, zeroed when made. */
struct vres_links {
	struct vlink *links;
};

bool vctx_exists(const struct vctxs *t, uint32_t ctx_id);
/* vgl_ctx_create(): -ENOSPC (the limit of contexts), -ENOMEM, its errors. */
int vctx_create(struct vctxs *t, uint32_t ctx_id, uint32_t capset_id, const char *name,
		uint32_t name_len);
/* The context and its attachments go (their budget back to c); an
 * unknown id: nothing. */
void vctx_destroy(struct vctxs *t, struct core *c, uint32_t ctx_id);
/* Whether context ctx_id has the resource whose links are res attached. */
bool vctx_attached(const struct vres_links *res, uint32_t ctx_id);
/* Attaches resource vr (its links res) to context ctx_id, charged to c's
 * budget: -ENOMEM (no memory or no room), -EINVAL (no such context),
 * vgl_ctx_attach()'s errors. Attached already: 0, nothing done. */
int vctx_attach(struct vctxs *t, struct core *c, uint32_t ctx_id, struct vgl_res *vr,
		struct vres_links *res);
/* Detaches it (attached or not): vgl_ctx_detach()'s errors. */
int vctx_detach(struct vctxs *t, struct core *c, uint32_t ctx_id, struct vgl_res *vr,
		struct vres_links *res);
/* The resource goes: its attachments too (virglrenderer drops its own). */
void vctx_forget(struct core *c, struct vres_links *res);
/* Every context forgotten (reset), after the resources went: aborts if
 * one still has an attachment. */
void vctx_clear(struct vctxs *t);
/* vctx_clear() and the table freed (close). */
void vctx_fini(struct vctxs *t);

#endif /* VGM_RENDER_IMPL_H */
