/* SPDX-License-Identifier: MIT */
/*
 * The virglrenderer adapter of the render layer: a thin, checked wrapper over
 * virglrenderer 0.10.x (libvirglrenderer, OpenGL on EGL, surfaceless).
 *
 * What it adds to virglrenderer's own API:
 * - one renderer per process, refused a second time (-EBUSY), and every call
 *   on the thread that opened it (virglrenderer makes its GL context current
 *   on the calling thread and keeps process-global state);
 * - resources as objects (struct vgl_res) that remember their description
 *   and their backing: the iovec array is copied and kept alive until it is
 *   detached, since virglrenderer keeps the pointer it is given and writes
 *   guest memory through it outside any call that names the resource;
 * - transfers checked against the resource and against the bytes of the
 *   backing before virglrenderer sees them (our own check, independent of
 *   virglrenderer's);
 * - SUBMIT_3D bytes copied into a private buffer, size checked;
 * - fences in a pull model: the adapter numbers virglrenderer's global fences
 *   itself (a 32-bit sequence; guest fence ids never reach virglrenderer) and
 *   vgl_poll() reports the highest sequence completed so far: a completion
 *   for sequence N completes every earlier one;
 * - one error convention: 0 or a negative errno (virglrenderer returns +22
 *   from some calls and -22 from others).
 *
 * Threads: every function taking a struct vgl must be called on the thread
 * that called vgl_open(); from any other thread it returns -EBUSY and does
 * nothing (vgl_capset_count() and vgl_capset_info() read what vgl_open()
 * stored and may be called from any thread). That thread's current GL
 * context is replaced by virglrenderer's.
 *
 * Lifetimes: a struct vgl_res belongs to the struct vgl that made it; it is
 * freed by vgl_res_unref(), vgl_reset() or vgl_close(). Memory a backing's
 * iovecs point to must stay valid until the backing is detached
 * (vgl_res_detach_backing(), vgl_res_unref(), vgl_reset(), vgl_close()).
 *
 * Include this header only from the render layer.
 */
#ifndef VGM_RENDER_VIRGL_H
#define VGM_RENDER_VIRGL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct vgl;	/* the process's renderer */
struct vgl_res; /* one resource of it */

/* vgl_open() flags */
#define VGL_THREAD_SYNC (1u << 0) /* a thread waits on fences: vgl_poll_fd() gives an fd */

/* Capset ids (virtio-gpu's VIRTIO_GPU_CAPSET_*): the ones this adapter offers. */
#define VGL_CAPSET_VIRGL 1u
#define VGL_CAPSET_VIRGL2 2u

/* The largest SUBMIT_3D command buffer accepted. Mesa's virgl driver flushes
 * its command buffers at about 260 KiB; this leaves room for others. */
#define VGL_SUBMIT_MAX (1u << 20)

/* The most iovecs one backing may have. */
#define VGL_BACKING_MAX_IOV (1u << 20)

/* Pipe texture targets (the `target` of RESOURCE_CREATE_3D). */
#define VGL_TARGET_BUFFER 0u
#define VGL_TARGET_1D 1u
#define VGL_TARGET_2D 2u
#define VGL_TARGET_3D 3u
#define VGL_TARGET_CUBE 4u
#define VGL_TARGET_RECT 5u
#define VGL_TARGET_1D_ARRAY 6u
#define VGL_TARGET_2D_ARRAY 7u
#define VGL_TARGET_CUBE_ARRAY 8u

/* Resource bind and flag bits used by the adapter itself. */
#define VGL_BIND_RENDER_TARGET (1u << 1)
#define VGL_RESOURCE_Y_0_TOP (1u << 0)

/* A capset the renderer offers. */
struct vgl_capset {
	uint32_t id;
	uint32_t max_version;
	uint32_t max_size; /* bytes of its data */
};

/* The fields of RESOURCE_CREATE_3D, as the guest sent them. */
struct vgl_res_desc {
	uint32_t target;
	uint32_t format; /* a virgl (gallium) format number */
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags;
};

/* A box of a resource, in pixels (x, w), rows (y, h) and layers or slices (z, d). */
struct vgl_box {
	uint32_t x, y, z;
	uint32_t w, h, d;
};

/* The fields of TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D (and of
 * TRANSFER_TO_HOST_2D: level, strides and z 0, d 1). A stride or layer_stride
 * of 0 means the level's own. offset is where the box starts in the backing. */
struct vgl_transfer {
	struct vgl_box box;
	uint32_t level;
	uint32_t stride;
	uint32_t layer_stride;
	uint64_t offset;
};

/* ---- the renderer --------------------------------------------------------- */

/* Starts virglrenderer in this process (EGL, surfaceless: no window system,
 * no GPU needed; Mesa's llvmpipe serves when there is no GPU) and records the
 * calling thread as the one for every later call. flags: VGL_THREAD_SYNC or 0.
 * *out is set on success only.
 *
 * Errors: -EINVAL (out NULL, unknown flags), -EBUSY (a renderer is open in
 * this process), -ENOMEM, -ENODEV (virglrenderer could not start: EGL
 * without the surfaceless platform, or no usable OpenGL).
 */
int vgl_open(uint32_t flags, struct vgl **out);

/* Whether vgl_open() could succeed now, without starting virglrenderer:
 * 0, -EBUSY (a renderer is open in this process), -ENODEV (EGL cannot run
 * surfaceless here). Any thread. */
int vgl_probe(void);

/* Stops virglrenderer: every resource's backing is detached and the resource
 * freed, contexts destroyed, r freed; vgl_open() may then be called again.
 * NULL is a no-op (0). Errors: -EBUSY (not the opening thread; nothing done).
 */
int vgl_close(struct vgl *r);

/* Destroys every context and resource (backings detached first) and drops
 * pending fences; every fence issued so far counts as completed (vgl_poll()
 * reports the last one), since virglrenderer forgets them without a word.
 * Errors: -EINVAL (r NULL), -EBUSY (wrong thread).
 */
int vgl_reset(struct vgl *r);

/* ---- capsets -------------------------------------------------------------- */

/* How many capsets the renderer offers (VIRGL, VIRGL2 when virglrenderer has
 * them). r NULL: 0. Any thread. */
uint32_t vgl_capset_count(const struct vgl *r);

/* Capset number index (0 .. count - 1). Errors: -EINVAL (r or out NULL),
 * -ENOENT (index out of range). Any thread. */
int vgl_capset_info(const struct vgl *r, uint32_t index, struct vgl_capset *out);

/* Writes capset id's data for version into buf: exactly max_size bytes (the
 * bytes virglrenderer leaves alone are zero). Errors: -EINVAL (r or buf NULL,
 * version above the capset's max_version), -ENOENT (not a capset of this
 * renderer), -ENOSPC (size below max_size; buf untouched), -EBUSY (wrong thread).
 */
int vgl_capset_fill(struct vgl *r, uint32_t id, uint32_t version, void *buf, size_t size);

/* ---- contexts ------------------------------------------------------------- */

/* Creates 3D context ctx_id (not 0). capset_id 0: a context as without
 * CONTEXT_INIT (virglrenderer makes it a VIRGL2 context); else VGL_CAPSET_VIRGL
 * or VGL_CAPSET_VIRGL2 (CTX_CREATE's context_init). name: name_len bytes, a
 * debug name (NULL when name_len is 0), cut at 63 bytes.
 * virglrenderer answers 0 for an id that exists with the same capset (the old
 * context stays): the caller keeps the table of context ids.
 * Errors: -EINVAL (r NULL, ctx_id 0, other capset, name NULL with a length),
 * -ENOMEM, -EBUSY (wrong thread), other negative errnos from virglrenderer.
 */
int vgl_ctx_create(struct vgl *r, uint32_t ctx_id, uint32_t capset_id, const char *name,
		   uint32_t name_len);

/* Destroys a context: its resources are detached from it (not freed), its
 * per-context state is gone; global fences issued before still complete.
 * An unknown id is a no-op. Errors: -EINVAL (r NULL, ctx_id 0), -EBUSY.
 */
int vgl_ctx_destroy(struct vgl *r, uint32_t ctx_id);

/* Makes res usable by (detach: no longer by) context ctx_id. virglrenderer
 * ignores an unknown context without a word: the caller checks context ids.
 * Errors: -EINVAL (r or res NULL, ctx_id 0), -EBUSY.
 */
int vgl_ctx_attach(struct vgl *r, uint32_t ctx_id, struct vgl_res *res);
int vgl_ctx_detach(struct vgl *r, uint32_t ctx_id, struct vgl_res *res);

/* ---- resources ------------------------------------------------------------ */

/* RESOURCE_CREATE_3D: creates resource id (not 0) as desc says; *out is set on
 * success only. virglrenderer judges the description (target, format, sizes,
 * binds against what the GL can do).
 * Errors: -EINVAL (NULL argument, id 0, a description virglrenderer refuses),
 * -EEXIST (id is a live resource: virglrenderer would silently destroy it),
 * -ENOMEM, -EBUSY (wrong thread).
 */
int vgl_res_create_3d(struct vgl *r, uint32_t id, const struct vgl_res_desc *desc,
		      struct vgl_res **out);

/* RESOURCE_CREATE_2D on a 3D device: a 2D texture of format (a virtio-gpu 2D
 * format; their numbers are virgl's) bound as a render target, rows top first
 * (Y_0_TOP), so 3D contexts can draw into it and scanouts read it back.
 * Errors as vgl_res_create_3d().
 */
int vgl_res_create_2d(struct vgl *r, uint32_t id, uint32_t format, uint32_t width,
		      uint32_t height, struct vgl_res **out);

/* The resource's id and description. */
uint32_t vgl_res_id(const struct vgl_res *res);
const struct vgl_res_desc *vgl_res_desc(const struct vgl_res *res);

/* RESOURCE_UNREF: detaches the backing, destroys the resource in
 * virglrenderer (and in every context), frees res. NULL is a no-op.
 * Errors: -EBUSY (wrong thread; nothing done).
 */
int vgl_res_unref(struct vgl *r, struct vgl_res *res);

/* Gives res a backing: n (1 .. VGL_BACKING_MAX_IOV) host ranges, in order,
 * that are the resource's bytes in guest memory. The array is copied; the
 * memory it points to must stay valid until the backing is detached.
 * Errors: -EINVAL (NULL argument, n out of range, a range without memory,
 * a total above 2^63), -EBUSY (res has a backing; or wrong thread), -ENOMEM.
 */
int vgl_res_attach_backing(struct vgl *r, struct vgl_res *res, const struct iovec *iov,
			   uint32_t n);

/* Takes the backing away (virglrenderer stops using it before this returns).
 * No backing: 0. Errors: -EINVAL (NULL argument), -EBUSY (wrong thread).
 */
int vgl_res_detach_backing(struct vgl *r, struct vgl_res *res);

/* ---- transfers, commands, read-back ------------------------------------------ */

/* TRANSFER_TO_HOST_3D (backing -> resource) and TRANSFER_FROM_HOST_3D
 * (resource -> backing) through context ctx_id (0: the renderer's own; a
 * context must have res attached). Checked first: the level exists, the box
 * lies inside it, stride and layer_stride hold a row and a layer of the box,
 * the format's layout is known, and every byte the transfer can touch in the
 * backing, [offset, offset + extent), lies inside the backing (and below 2 GiB,
 * virglrenderer's and Mesa's arithmetic being 32-bit and signed).
 * A read-back of more than one layer into a backing in more than one piece
 * is refused (-EXDEV): virglrenderer 0.10.4 reads back the first layer into
 * a buffer of them all and copies them all, the others uninitialised.
 * Errors: -EINVAL (NULL argument, level, box or strides), -EOVERFLOW and
 * -ERANGE (as vgl_transfer_extent()), -ENOTSUP (a format whose layout the
 * adapter does not know: planar YUV), -EFAULT (no backing, or bytes outside
 * it), -EXDEV, -EBUSY (wrong thread), negative errnos from virglrenderer
 * (-EINVAL: e.g. res not attached to ctx_id, unknown context).
 */
int vgl_transfer_to_host(struct vgl *r, uint32_t ctx_id, struct vgl_res *res,
			 const struct vgl_transfer *t);
int vgl_transfer_from_host(struct vgl *r, uint32_t ctx_id, struct vgl_res *res,
			   const struct vgl_transfer *t);

/* SUBMIT_3D: runs size bytes of virgl commands in context ctx_id. The bytes
 * are copied first (virglrenderer reads each field more than once, so it
 * must never see memory the guest can change). When virglrenderer refuses a
 * command it answers -EINVAL and the commands before it have run. A command
 * that fails (rather than one it cannot decode) also puts the context in
 * error: virglrenderer refuses it (submissions, transfers through it) from
 * the next time another context's GL context is made current.
 * The adapter refuses, before virglrenderer sees any of them, commands
 * that hold a RESOURCE_INLINE_WRITE whose rows or layers reach past its
 * own data, or a COPY_TRANSFER3D whose rows or layers reach past the
 * buffer's backing (virglrenderer sizes both in 32 bits, where 2^32
 * wraps, and Mesa steps the rows at a signed stride), or that reads back
 * more than one layer into a buffer whose backing is in pieces (as
 * vgl_transfer_from_host()).
 * Errors: -EINVAL (r NULL, cmds NULL with a size, size not a multiple of 4,
 * ctx_id unknown, a command refused), -E2BIG (size above
 * VGL_SUBMIT_MAX), -ENOMEM, -EBUSY (wrong thread).
 */
int vgl_submit(struct vgl *r, uint32_t ctx_id, const void *cmds, size_t size);
/* vgl_submit() without the copy, for a caller whose buffer nobody else can
 * see or change while this runs (the library's own copy of the guest's
 * bytes): cmds 4-byte aligned (-EINVAL otherwise). Errors as vgl_submit(). */
int vgl_submit_private(struct vgl *r, uint32_t ctx_id, const void *cmds, size_t size);

/* Reads the rectangle rect (z 0, d 1) of level 0 of res into host memory:
 * rows of rect.w pixels stride bytes apart (0: a row of the level), from
 * dst, which holds size bytes; top row first for a Y_0_TOP resource
 * (CREATE_2D), bottom row first otherwise (OpenGL's order). Never touches
 * the backing. res must not be a buffer.
 * This is how a 3D scanout is shown (virgl_renderer_get_fd_for_texture
 * crashes in surfaceless mode).
 * Errors: as vgl_transfer_from_host(), with dst/size as the backing.
 */
int vgl_read_rect(struct vgl *r, struct vgl_res *res, const struct vgl_box *rect, void *dst,
		  uint32_t stride, size_t size);

/* ---- fences --------------------------------------------------------------- */

/* Issues a fence after every command submitted so far, in every context; its
 * sequence number (never 0) is written to *seq. It completes, as seen by
 * vgl_poll(), once the work before it is done, even if the contexts that did
 * the work are destroyed meanwhile.
 * Errors: -EINVAL (NULL argument), -EBUSY (wrong thread), negative errnos
 * from virglrenderer. On error *seq is untouched and no sequence is used up.
 */
int vgl_fence_create(struct vgl *r, uint32_t *seq);

/* Lets virglrenderer retire finished fences and writes the highest sequence
 * completed so far to *completed (0: none yet). Pull model: completions are
 * found only by this call; nothing calls the caller back.
 * Errors: -EINVAL (NULL argument), -EBUSY (wrong thread).
 */
int vgl_poll(struct vgl *r, uint32_t *completed);

/* True when sequence seq is complete given what vgl_poll() reported
 * (sequence arithmetic: correct across the 32-bit wrap while fewer than 2^31
 * fences are pending). */
static inline bool vgl_fence_done(uint32_t completed, uint32_t seq)
{
	return completed != 0 && (int32_t)(completed - seq) >= 0;
}

/* An fd that becomes readable when a fence may have completed (call
 * vgl_poll(), which also drains it); only with VGL_THREAD_SYNC. The fd
 * belongs to virglrenderer: do not close it.
 * Errors: -EINVAL (r NULL), -ENOENT (none: poll on a timer instead).
 */
int vgl_poll_fd(const struct vgl *r);

/* ---- layouts (virgl-layout.c) ------------------------------------------------ */

/* How a virgl format lays out in memory: blocks of bw x bh pixels, bytes each. */
struct vgl_layout {
	uint8_t bytes;
	uint8_t bw;
	uint8_t bh;
};

/* The layout of virgl format `format`. false for formats without a single
 * block layout (planar YUV) and for numbers that are no format. */
bool vgl_format_layout(uint32_t format, struct vgl_layout *out);

/* The end of the bytes a transfer of a resource described by d can touch in
 * its backing, counted from the backing's first byte: the box's rows and
 * layers from t->offset, at the strides virglrenderer uses (a layer at
 * least stride x level height after the one before, whatever layer_stride
 * says), and for a buffer also the box's own bytes, [x, x + w) elements.
 * Empty box dimensions count as one. Pure: any thread.
 * Errors: -EINVAL (level above last_level, box outside the level, stride
 * below a row of the box, layer_stride below its rows), -EOVERFLOW (a
 * stride above 2^31 - 1 with more than one row, a layer_stride above it
 * with more than one layer), -ERANGE (a buffer's box, in
 * elements of its format, past its width in bytes), -ENOTSUP (format
 * without a layout), -EFAULT (the end passes 2^64).
 */
int vgl_transfer_extent(const struct vgl_res_desc *d, const struct vgl_transfer *t,
			uint64_t *end);
/* The same for a COPY_TRANSFER3D, whose rows and layers move through
 * another resource's backing (a staging buffer): the box's rows and layers
 * from t->offset only. A buffer's own bytes, [x, x + w) elements, lie in
 * the buffer d describes, which is checked against its width (-ERANGE),
 * not in the staging buffer. Pure: any thread. Errors as
 * vgl_transfer_extent(). */
int vgl_copy_extent(const struct vgl_res_desc *d, const struct vgl_transfer *t, uint64_t *end);

/* The bytes a resource described by d occupies: every level's blocks times
 * its slices or layers (a cube's 6 faces at least), times nr_samples when
 * above 1; what to charge to a host-memory budget before creating it (an
 * 8192x8192 B8G8R8A8 texture: 256 MiB, what llvmpipe allocates at once).
 * Pure: any thread.
 * Errors: -ENOTSUP (format without a layout), -EINVAL (last_level above
 * 31), -EOVERFLOW (more than 2^64 bytes).
 */
int vgl_res_footprint(const struct vgl_res_desc *d, uint64_t *bytes);

#endif /* VGM_RENDER_VIRGL_H */
