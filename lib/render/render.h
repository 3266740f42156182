/* SPDX-License-Identifier: MIT */
/*
 * render: what a resource's pixels are and how they move. The formats
 * (virtio, DRM fourcc, pixman), the EDID of a virtual display, and the
 * renderer: a small interface (struct renderer_ops) whose first
 * implementation is the 2D renderer over pixman (render_2d_ops), behind
 * which the resource kinds act: a 2D resource's storage, transfers, what a
 * scanout shows (a pointer into an image, into guest memory, a staging
 * copy, or a dma-buf of guest memory through /dev/udmabuf), read back, the
 * cursor image. It also says when the work of a fenced request is done
 * (the 2D renderer: at once; a renderer that completes later says so when
 * polled).
 *
 * Uses util, wire and core.
 */
#ifndef VGM_RENDER_H
#define VGM_RENDER_H

#include <pixman.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ---- format.c: the 2D formats -------------------------------------------- */

struct format_info {
	uint32_t virtio;
	uint32_t fourcc;
	pixman_format_code_t pixman;
	uint32_t bpp; /* bytes per pixel */
	const char *name;
};

/* NULL for a format the library does not know. */
const struct format_info *format_from_virtio(uint32_t virtio_format);
/* NULL for a fourcc the library cannot produce. */
const struct format_info *format_from_fourcc(uint32_t fourcc);

/* ---- edid.c: the EDID of a virtual display ---------------------------------- */

#define EDID_BLOCK_SIZE 128
#define EDID_MAX_SIZE 1024 /* what a virtio-gpu GET_EDID response can carry */

/* Builds the EDID of a virtual display whose preferred mode is width x height at 60 Hz
 * (or the highest refresh <= 60 Hz whose pixel clock fits the descriptor).
 * scanout (0..15) makes the serial number distinct per display.
 * Writes the blocks into out and returns their length in bytes (a multiple of 128).
 *
 * The refresh rates tried are the conventional ones, 60, 50, 48, 30, 25, 24, 20, 15,
 * 12, 10, 6, 5, 4, 3, 2, 1 Hz, highest first. "Fits" means: the pixel clock fits a
 * detailed timing descriptor (655.35 MHz) when the mode is carried in one, and the
 * mode stays inside what the range limits descriptor can state (2550 MHz, 510 kHz).
 * So 3840x2160 and 8192x4320 keep 60 Hz, 4095x4095 gets 30 Hz (DTD clock) and
 * 16384x16384 6 Hz (range limits).
 *
 * width and height outside 1..16384 are clamped into it, scanout above 15 is
 * treated as 15. At most 3 blocks (384 bytes) are written; out's previous
 * contents do not matter.
 * Output depends only on the arguments. Pure function: safe from any thread.
 */
size_t edid_generate(uint32_t width, uint32_t height, uint32_t scanout,
		     uint8_t out[EDID_MAX_SIZE]);

/* True when buf/len is a plausible EDID: len a multiple of 128, 128..1024,
 * the 8-byte header, every block's checksum 0, extension count consistent
 * with len. Used to validate EDIDs the VMM supplies.
 *
 * NULL buf gives false. Reads only buf[0..len). Does not judge the contents of the
 * blocks beyond that. Pure function: safe from any thread.
 */
bool edid_valid(const uint8_t *buf, size_t len);

/* ---- the renderer ------------------------------------------------------------ */

struct render;

/* A fence timeline: the global one (ring false), or a context's ring. */
struct render_timeline {
	bool ring;
	uint8_t ring_idx;
	uint32_t ctx_id;
};

/* A fence the renderer completed: every earlier one of its timeline too. */
struct render_fence {
	struct render_timeline timeline;
	uint64_t seq;
};

/* What differs between renderers. Each gets the render object; a renderer
 * with state of its own finds it with render_ops_ctx(). */
struct renderer_ops {
	/* A 2D resource with zeroed storage, not yet in the core's table:
	 * CORE_OVER_BUDGET, CORE_NO_MEMORY. */
	enum core_verdict (*create_2d)(struct render *r, uint32_t id,
				       const struct format_info *fmt, uint32_t width,
				       uint32_t height, struct resource **out);
	/* TRANSFER_TO_HOST_2D: rect of the resource from its backing at src
	 * (checked inside the resource; a backing that ends early ends it). */
	void (*transfer_2d)(struct render *r, struct resource *res,
			    const struct vgm_gpu_rect *rect, uint64_t src);
	/* The first pixel of (x, y) of a 2D resource and its stride. */
	const uint8_t *(*pixels_2d)(struct render *r, struct resource *res, uint32_t x,
				    uint32_t y, uint32_t *stride);
	/* A 2D resource as a cursor: ARGB8888 into image. False (nothing
	 * written): no memory. */
	bool (*cursor_2d)(struct render *r, struct resource *res, uint32_t *image);
	/* The work of the seq-th fenced request of its timeline is handed
	 * over: true when it is done now, false when a later poll says so. */
	bool (*fence)(struct render *r, const struct render_timeline *t, uint64_t seq);
	/* Fences completed since the last poll, at most cap, into done: the
	 * renderer decides when (virglrenderer: only when polled). */
	size_t (*poll)(struct render *r, struct render_fence *done, size_t cap);
	/* An fd that becomes readable when a poll would find completions, or
	 * -1 (then the caller polls on a timer). NULL: none. */
	int (*poll_fd)(struct render *r);
	/* A renderer whose 2D pixels are not where pixels_2d() points (they
	 * are on the GPU) refreshes rect of them there: on SET_SCANOUT and
	 * RESOURCE_FLUSH. NULL: pixels_2d() is the storage itself. */
	void (*refresh_2d)(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect);
	/* The backing just attached to res is given to the renderer (which
	 * reads and writes it itself). False: no memory (the caller detaches).
	 * NULL: the renderer reads backings only in transfer_2d(). */
	bool (*attach_backing)(struct render *r, struct resource *res);
	/* The mappings of res's backing were given back and made again, or
	 * lost (region_mapped() false): the renderer forgets the addresses
	 * attach_backing() gave it and takes the new ones. False: it has
	 * none now (no memory). With attach_backing, or NULL. */
	bool (*backing_moved)(struct render *r, struct resource *res);
	/* 3D; NULL for a renderer without. */
	const struct render_3d_ops *d3;
};

/* A context's 3D resource, RESOURCE_CREATE_3D's fields. */
struct render_res_3d {
	uint32_t target, format, bind;
	uint32_t width, height, depth, array_size, last_level, nr_samples, flags;
};

/* TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D's fields. */
struct render_transfer_3d {
	struct vgm_gpu_box box;
	uint64_t offset;
	uint32_t level, stride, layer_stride;
	bool to_host;
};

/* A capset the renderer offers. */
struct render_capset {
	uint32_t id, max_version, max_size;
};

/* What a 3D renderer does. Each returns 0 or a negative errno, which the
 * cmd layer turns into the guest's answer; a failure changes nothing. */
struct render_3d_ops {
	uint32_t (*capset_count)(struct render *r);
	int (*capset_info)(struct render *r, uint32_t index, struct render_capset *out);
	/* Exactly max_size bytes into buf (size bytes): -EINVAL version above
	 * the max, -ENOENT no such capset. */
	int (*capset_fill)(struct render *r, uint32_t id, uint32_t version, void *buf,
			   size_t size);
	bool (*ctx_exists)(struct render *r, uint32_t ctx_id);
	/* -ENOSPC: the limit of contexts; -EINVAL: capset refused. */
	int (*ctx_create)(struct render *r, uint32_t ctx_id, uint32_t capset_id, const char *name,
			  uint32_t name_len);
	void (*ctx_destroy)(struct render *r, uint32_t ctx_id);
	/* CTX_ATTACH_RESOURCE (attach) or CTX_DETACH_RESOURCE: -ENOMEM no
	 * memory (or budget) for the attachment. */
	int (*ctx_attach)(struct render *r, uint32_t ctx_id, struct resource *res, bool attach);
	/* Pure: whether context ctx_id (which exists) has res attached. */
	bool (*ctx_has)(struct render *r, uint32_t ctx_id, struct resource *res);
	/* A resource as desc says, not yet in the core's table, its footprint
	 * charged to the budget: CORE_OVER_BUDGET, CORE_NO_MEMORY,
	 * CORE_OUTSIDE (a description the renderer refuses). */
	enum core_verdict (*create_3d)(struct render *r, uint32_t id,
				       const struct render_res_3d *desc, struct resource **out);
	/* Pure: whether the transfer fits the resource and its backing
	 * (-EINVAL fields, -ENOTSUP format, -EFAULT the backing). */
	int (*transfer_check)(struct render *r, struct resource *res,
			      const struct render_transfer_3d *t);
	int (*transfer)(struct render *r, uint32_t ctx_id, struct resource *res,
			const struct render_transfer_3d *t);
	/* size bytes of commands (a multiple of 4), in a buffer of the
	 * caller's that nobody else can see or change. */
	int (*submit)(struct render *r, uint32_t ctx_id, const void *cmds, size_t size);
	/* Forgets every context and drops every pending fence (they count as
	 * completed); after the core dropped its resources. */
	void (*reset)(struct render *r);
};

/* The 2D renderer, over pixman: its work is done when submit returns. */
extern const struct renderer_ops render_2d_ops;

/* Bytes a struct render for num_scanouts scanouts needs, built in place. */
size_t render_size(uint32_t num_scanouts);
/* Registers with the core (so a scanout's view goes with what it shows). */
void render_init(struct render *r, struct core *c, struct host *host, struct logger *log,
		 const struct renderer_ops *ops, void *ops_ctx);
/* Drops every view and closes /dev/udmabuf; the core is finished first. */
void render_fini(struct render *r);
void *render_ops_ctx(struct render *r);
/* The size from which transfers write with non-temporal stores
 * (vgm_device_config.stream_threshold); 0, as after render_init(): chosen
 * from the machine at the first transfer of COPY_STREAM_FLOOR or more. */
void render_set_stream_threshold(struct render *r, uint64_t bytes);
/* The size in force: 0 while it is still to be chosen. */
uint64_t render_stream_threshold(const struct render *r);

/* ---- what commands ask of the renderer ------------------------------------------ */

/* RESOURCE_CREATE_2D: render_2d_ops.create_2d and the like. */
enum core_verdict render_create_2d(struct render *r, uint32_t id, const struct format_info *fmt,
				   uint32_t width, uint32_t height, struct resource **out);
/* TRANSFER_TO_HOST_2D of rect at offset of the backing; nothing for a
 * resource whose pixels are its backing. */
void render_transfer(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect,
		     uint64_t offset);
/* SET_SCANOUT (fb NULL) or SET_SCANOUT_BLOB: the core shows rect of res on
 * the scanout, the host is told. CORE_NO_MEMORY (no room for a staging
 * copy): nothing changed. */
enum core_verdict render_show(struct render *r, uint32_t idx, struct resource *res,
			      const struct vgm_gpu_rect *rect, const struct scanout_fb *fb);
/* RESOURCE_FLUSH: part (scanout coordinates) of what the scanout shows
 * changed; a staging copy is refreshed. The host is the caller's to tell. */
void render_flush(struct render *r, uint32_t idx, const struct vgm_rect *part);
/* The resource as the cursor, into image (ARGB8888). False (nothing
 * written): no memory. */
bool render_cursor(struct render *r, struct resource *res, uint32_t *image);
/* What a scanout shows: -ENODATA when nothing. */
int render_pixels(struct render *r, uint32_t idx, struct vgm_pixels *px);
/* vgm_device_read_scanout(): 0, -EINVAL, -ENODATA, -ENOMEM. */
int render_read(struct render *r, uint32_t idx, uint32_t fourcc, void *dst, uint32_t dst_stride);
/* A 2D resource's storage, what a saved state holds of it: its first
 * pixel, rows *stride bytes apart, height rows in one block. */
uint8_t *render_storage_2d(struct render *r, struct resource *res, uint32_t *stride);
/* A blob scanout's staging copy: what the host was shown of it at the
 * last flush, or the copy render_pend_staging() keeps for the next view
 * (a loaded state not resumed yet); NULL when the scanout has none (it
 * shows guest memory itself, or a 2D image). */
const uint8_t *render_staging(const struct render *r, uint32_t idx, uint64_t *bytes);
/* What the scanout's next staging copy starts as, instead of guest memory
 * (a restored state): takes px (malloc'd, bytes long). Dropped when the
 * next view has no staging copy or one of another size. */
void render_pend_staging(struct render *r, uint32_t idx, uint8_t *px, uint64_t bytes);
/* The renderer's fence and poll (renderer_ops). */
bool render_fence(struct render *r, const struct render_timeline *t, uint64_t seq);
size_t render_poll(struct render *r, struct render_fence *done, size_t cap);
/* The renderer's poll fd, or -1. */
int render_poll_fd(struct render *r);
/* The renderer's 3D ops, NULL without 3D. */
const struct render_3d_ops *render_3d(struct render *r);
/* A backing was attached (renderer_ops.attach_backing): false, no memory. */
bool render_attach_backing(struct render *r, struct resource *res);
/* Whether the renderer keeps host addresses of backings (attach_backing). */
bool render_keeps_backings(const struct render *r);
/* res's backing moved (renderer_ops.backing_moved): false, the renderer
 * has no backing for it now. */
bool render_backing_moved(struct render *r, struct resource *res);

/* ---- the virgl renderer (virgl-renderer.c; virgl-none.c in a build ------------
 * ---- without virglrenderer, where every call answers -ENOTSUP) ------------- */

struct render_virgl;

/* The flag render_virgl_open() accepts: a thread waits on fences (a poll fd). */
#define RENDER_VIRGL_THREAD_SYNC (1u << 0)

/* Whether render_virgl_open() could succeed now: 0, -ENOTSUP (not
 * built), -ENODEV (EGL cannot run surfaceless), -EBUSY (one is open in
 * this process). Any thread. */
int render_virgl_probe(void);
/* Starts virglrenderer; the calling thread must make every later call.
 * flags: RENDER_VIRGL_THREAD_SYNC or 0. Errors: -ENOTSUP, -EINVAL
 * (flags), -EBUSY, -ENODEV, -ENOMEM. */
int render_virgl_open(uint32_t flags, struct render_virgl **out);
/* Stops it (after the core dropped its resources). NULL: nothing. */
void render_virgl_close(struct render_virgl *v);
/* How many capsets it offers (NULL: 0). */
uint32_t render_virgl_capsets(const struct render_virgl *v);
/* Its renderer ops (render_init()'s ops_ctx is v). */
const struct renderer_ops *render_virgl_ops(void);

#endif /* VGM_RENDER_H */
