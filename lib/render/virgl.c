/* SPDX-License-Identifier: MIT */
/*
 * The virglrenderer adapter: see virgl.h for the contract.
 *
 * Facts about virglrenderer 0.10.4 (Debian 12, Mesa 22.3 llvmpipe, no GPU),
 * measured on a 2-core machine, that decide how this file works:
 * - virgl_renderer_init() needs USE_EGL | USE_SURFACELESS here (USE_EGL alone
 *   fails without a display). Where EGL has no vendor library (its client
 *   extensions are empty) it crashes the process (NULL dereference) rather
 *   than fail: checked before it is called. It takes 140-260 ms the first time in a
 *   process and 20-40 ms after a cleanup; a context 1-20 ms more.
 *   virglrenderer keeps its state in process globals (one renderer per
 *   process: hence the `in_use` marker below, the only global here) and
 *   makes its GL context current on the calling thread (hence the owner
 *   thread). Cleanup then init again works.
 * - Capsets: VIRGL version 1, 308 bytes; VIRGL2 version 2, 1376 bytes (the
 *   data depend on Mesa). VENUS (4) reports 156 bytes although Venus is not
 *   started without its flag: only VIRGL and VIRGL2 are listed.
 * - virgl_renderer_get_poll_fd() is -1 without THREAD_SYNC; with it, an
 *   eventfd that a sync thread makes readable when a fence signals, drained
 *   by virgl_renderer_poll(). virgl_renderer_reset() stops that thread and
 *   does not start it again: afterwards the fd never becomes readable (fences
 *   still complete when polled), so vgl_reset() withdraws the fd.
 * - Fences: create_fence(id) on the global timeline answers through
 *   write_fence(id) from inside virgl_renderer_poll(); consecutive fences are
 *   merged (three in a row: one callback, for the last). A global fence
 *   still completes after the context that did the work is destroyed.
 *   virgl_renderer_reset() frees pending fences without a callback.
 * - Error signs are mixed: context create, submit, transfers and resource
 *   create return +EINVAL, some paths -ENOMEM or -1: normalised below.
 *   A command virglrenderer refuses fails the submission (the commands
 *   before it have run). A command that fails, or a transfer naming a
 *   resource the context lacks, puts the context in error for good: it is
 *   refused (-EINVAL) from the next switch of GL context on; until then,
 *   while still current, it takes work. A command longer than the
 *   submission is dropped and the submission answers 0.
 * - Resource create with an id that exists replaces the old resource
 *   (virglrenderer's hash table destroys the old value): refused here.
 *   Context create with an existing id and the same capset answers 0.
 *   Attaching a resource to an unknown context does nothing, silently.
 * - virgl_renderer_resource_attach_iov() keeps the caller's array and writes
 *   guest memory through it later (read-backs, query results during poll,
 *   inline writes during SUBMIT_3D): the array is ours and lives until detach.
 * - virgl_renderer_get_fd_for_texture() aborts the process in surfaceless
 *   mode (libepoxy: no eglCreateImageKHR): a scanout reads back with a
 *   transfer into host memory (ctx 0, our own iovec) instead.
 *   virgl_renderer_resource_get_info() is not needed: each resource keeps
 *   its description here (and get_info asks EGL for a fourcc on each call).
 * - Rows: a texture without Y_0_TOP reads back bottom row first (OpenGL's
 *   order); with Y_0_TOP (CREATE_2D) top row first.
 * - One RESOURCE_CREATE_3D of an 8192x8192 B8G8R8A8 2D texture raises RSS
 *   by 256 MiB at once (with or without the render-target bind) and takes
 *   about 1 s of this thread; unref gives the 256 MiB back.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <EGL/egl.h>
#include <virgl/virglrenderer.h>
#include <virtgpu-mem/protocol.h>

#include "virgl-lib.h"
#include "virgl.h"

_Static_assert(sizeof(struct vgl_box) == 24, "struct vgl_box is virgl's struct virgl_box");

struct vgl_res {
	uint32_t id;
	struct vgl_res_desc desc;
	struct iovec *iov; /* the backing: our copy, passed to virglrenderer */
	uint32_t iov_cnt;
	uint64_t backing_size;
	struct vgl_res *prev, *next; /* the renderer's list, for reset and close */
};

struct vgl {
	/* virglrenderer keeps a pointer to these callbacks until cleanup. */
	struct virgl_renderer_callbacks cbs;
	pthread_t owner;
	uint32_t flags;
	int poll_fd;
	uint32_t last_issued;	/* sequence of the last fence issued (0: none) */
	uint32_t completed;	/* highest sequence completed (0: none) */
	uint32_t ncapsets;
	struct vgl_capset capsets[2];
	struct vgl_res *resources;
};

/* virglrenderer's state is process-global: one renderer per process. */
static atomic_bool in_use;

/* virglrenderer's answers as 0 or a negative errno. `fallback` stands for
 * its bare -1 ("failed", no reason given). */
static int norm(int ret, int fallback)
{
	if (ret == -1)
		return -fallback;
	return ret > 0 ? -ret : ret;
}

static bool on_owner(const struct vgl *r)
{
	return pthread_equal(pthread_self(), r->owner);
}

/* The usual entry check: -EINVAL for no renderer, -EBUSY for another thread. */
static int enter(const struct vgl *r)
{
	if (!r)
		return -EINVAL;
	return on_owner(r) ? 0 : -EBUSY;
}

/* The loaded virglrenderer (virgl-lib.h). egl_surfaceless_usable() loads it
 * before vgl_probe() or vgl_open() goes on, so every later call finds it. */
static const struct virgl_lib *lib(void)
{
	return virgl_lib();
}

/* ---- the renderer --------------------------------------------------------- */

/* virglrenderer's write_fence: fences retire in order, so the latest callback
 * names the highest completed sequence. Runs inside virgl_renderer_poll() on
 * the owner thread (ASYNC_FENCE_CB is never asked for). */
static void on_fence(void *cookie, uint32_t seq)
{
	struct vgl *r = cookie;

	if (r->completed == 0 || (int32_t)(seq - r->completed) > 0)
		r->completed = seq;
}

static void list_capsets(struct vgl *r)
{
	static const uint32_t ids[] = { VGL_CAPSET_VIRGL, VGL_CAPSET_VIRGL2 };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct vgl_capset c = { .id = ids[i] };

		lib()->virgl_renderer_get_cap_set(c.id, &c.max_version, &c.max_size);
		if (c.max_version && c.max_size)
			r->capsets[r->ncapsets++] = c;
	}
}

/* Whether EGL's client extensions (space-separated) include `name`. */
static bool egl_client_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && (p = strstr(p, name)); p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* virglrenderer 0.10.4 in surfaceless mode dereferences a NULL GBM device
 * when EGL lacks EGL_EXT_platform_base (e.g. no EGL vendor library is
 * installed): the process crashes instead of init failing. So: ask EGL first. */
static bool egl_surfaceless_usable(void)
{
	const char *ext;

	if (!virgl_lib())
		return false; /* virglrenderer or EGL is not installed */
	ext = lib()->eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);

	return egl_client_has(ext, "EGL_EXT_platform_base") &&
	       egl_client_has(ext, "EGL_MESA_platform_surfaceless");
}

static int start(struct vgl *r)
{
	int flags = VIRGL_RENDERER_USE_EGL | VIRGL_RENDERER_USE_SURFACELESS, ret;

	if (!egl_surfaceless_usable())
		return -ENODEV;

	if (r->flags & VGL_THREAD_SYNC)
		flags |= VIRGL_RENDERER_THREAD_SYNC;
	r->cbs.version = 1;
	r->cbs.write_fence = on_fence;
	/* On failure virglrenderer has cleaned up after itself. */
	ret = norm(lib()->virgl_renderer_init(r, flags, &r->cbs), ENODEV);
	if (ret == 0)
		virgl_lib_pin_driver();
	return ret;
}

int vgl_probe(void)
{
	if (atomic_load(&in_use))
		return -EBUSY;
	return egl_surfaceless_usable() ? 0 : -ENODEV;
}

int vgl_open(uint32_t flags, struct vgl **out)
{
	struct vgl *r;
	int ret;

	if (!out || (flags & ~VGL_THREAD_SYNC))
		return -EINVAL;
	if (atomic_exchange(&in_use, true))
		return -EBUSY;
	r = calloc(1, sizeof(*r));
	if (!r) {
		atomic_store(&in_use, false);
		return -ENOMEM;
	}
	r->owner = pthread_self();
	r->flags = flags;
	ret = start(r);
	if (ret < 0) {
		free(r);
		atomic_store(&in_use, false);
		return ret;
	}
	r->poll_fd = lib()->virgl_renderer_get_poll_fd();
	list_capsets(r);
	*out = r;
	return 0;
}

static void res_free(struct vgl *r, struct vgl_res *res);

static void free_resources(struct vgl *r)
{
	while (r->resources)
		res_free(r, r->resources);
}

int vgl_close(struct vgl *r)
{
	if (!r)
		return 0;
	if (!on_owner(r))
		return -EBUSY;
	free_resources(r);
	lib()->virgl_renderer_cleanup(r);
	free(r);
	atomic_store(&in_use, false);
	return 0;
}

int vgl_reset(struct vgl *r)
{
	int ret = enter(r);

	if (ret)
		return ret;
	free_resources(r);
	lib()->virgl_renderer_reset();
	r->completed = r->last_issued;
	/* The reset stopped virglrenderer's sync thread for good. */
	r->poll_fd = -1;
	return 0;
}

/* ---- capsets -------------------------------------------------------------- */

uint32_t vgl_capset_count(const struct vgl *r)
{
	return r ? r->ncapsets : 0;
}

int vgl_capset_info(const struct vgl *r, uint32_t index, struct vgl_capset *out)
{
	if (!r || !out)
		return -EINVAL;
	if (index >= r->ncapsets)
		return -ENOENT;
	*out = r->capsets[index];
	return 0;
}

static const struct vgl_capset *find_capset(const struct vgl *r, uint32_t id)
{
	for (uint32_t i = 0; i < r->ncapsets; i++) {
		if (r->capsets[i].id == id)
			return &r->capsets[i];
	}
	return NULL;
}

int vgl_capset_fill(struct vgl *r, uint32_t id, uint32_t version, void *buf, size_t size)
{
	const struct vgl_capset *c;
	int ret = enter(r);

	if (ret)
		return ret;
	if (!buf)
		return -EINVAL;
	c = find_capset(r, id);
	if (!c)
		return -ENOENT;
	if (version > c->max_version)
		return -EINVAL;
	if (size < c->max_size)
		return -ENOSPC;
	memset(buf, 0, c->max_size);
	lib()->virgl_renderer_fill_caps(id, version, buf);
	return 0;
}

/* ---- contexts ------------------------------------------------------------- */

int vgl_ctx_create(struct vgl *r, uint32_t ctx_id, uint32_t capset_id, const char *name,
		   uint32_t name_len)
{
	char copy[64] = { 0 };
	int ret = enter(r);

	if (ret)
		return ret;
	if (ctx_id == 0 || (!name && name_len))
		return -EINVAL;
	if (capset_id && !find_capset(r, capset_id))
		return -EINVAL;
	/* Our own NUL-terminated copy: virglrenderer gets a bounded name. */
	name_len = name_len < sizeof(copy) - 1 ? name_len : (uint32_t)sizeof(copy) - 1;
	if (name_len)
		memcpy(copy, name, name_len);
	if (capset_id == 0)
		return norm(lib()->virgl_renderer_context_create(ctx_id, name_len, copy), EINVAL);
	return norm(lib()->virgl_renderer_context_create_with_flags(ctx_id, capset_id, name_len, copy),
		    EINVAL);
}

int vgl_ctx_destroy(struct vgl *r, uint32_t ctx_id)
{
	int ret = enter(r);

	if (ret)
		return ret;
	if (ctx_id == 0)
		return -EINVAL;
	lib()->virgl_renderer_context_destroy(ctx_id);
	return 0;
}

static int ctx_res_check(const struct vgl *r, uint32_t ctx_id, const struct vgl_res *res)
{
	int ret = enter(r);

	if (ret)
		return ret;
	return ctx_id == 0 || !res ? -EINVAL : 0;
}

int vgl_ctx_attach(struct vgl *r, uint32_t ctx_id, struct vgl_res *res)
{
	int ret = ctx_res_check(r, ctx_id, res);

	if (ret)
		return ret;
	lib()->virgl_renderer_ctx_attach_resource((int)ctx_id, (int)res->id);
	return 0;
}

int vgl_ctx_detach(struct vgl *r, uint32_t ctx_id, struct vgl_res *res)
{
	int ret = ctx_res_check(r, ctx_id, res);

	if (ret)
		return ret;
	lib()->virgl_renderer_ctx_detach_resource((int)ctx_id, (int)res->id);
	return 0;
}

/* ---- resources ------------------------------------------------------------ */

static void link_res(struct vgl *r, struct vgl_res *res)
{
	res->next = r->resources;
	if (r->resources)
		r->resources->prev = res;
	r->resources = res;
}

static void unlink_res(struct vgl *r, struct vgl_res *res)
{
	if (res->prev)
		res->prev->next = res->next;
	else
		r->resources = res->next;
	if (res->next)
		res->next->prev = res->prev;
}

static int create(struct vgl *r, uint32_t id, const struct vgl_res_desc *d, struct vgl_res **out)
{
	struct virgl_renderer_resource_create_args args = {
		.handle = id, .target = d->target, .format = d->format, .bind = d->bind,
		.width = d->width, .height = d->height, .depth = d->depth,
		.array_size = d->array_size, .last_level = d->last_level,
		.nr_samples = d->nr_samples, .flags = d->flags,
	};
	struct vgl_res *res;
	int ret;

	/* Every resource carries its record as private data: a live id has one. */
	if (lib()->virgl_renderer_resource_get_priv(id))
		return -EEXIST;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	ret = norm(lib()->virgl_renderer_resource_create(&args, NULL, 0), EINVAL);
	if (ret < 0) {
		free(res);
		return ret;
	}
	res->id = id;
	res->desc = *d;
	lib()->virgl_renderer_resource_set_priv(id, res);
	link_res(r, res);
	*out = res;
	return 0;
}

int vgl_res_create_3d(struct vgl *r, uint32_t id, const struct vgl_res_desc *desc,
		      struct vgl_res **out)
{
	int ret = enter(r);

	if (ret)
		return ret;
	if (!desc || !out || id == 0)
		return -EINVAL;
	return create(r, id, desc, out);
}

static bool is_2d_format(uint32_t format)
{
	switch (format) {
	case VGM_GPU_FORMAT_B8G8R8A8_UNORM:
	case VGM_GPU_FORMAT_B8G8R8X8_UNORM:
	case VGM_GPU_FORMAT_A8R8G8B8_UNORM:
	case VGM_GPU_FORMAT_X8R8G8B8_UNORM:
	case VGM_GPU_FORMAT_R8G8B8A8_UNORM:
	case VGM_GPU_FORMAT_X8B8G8R8_UNORM:
	case VGM_GPU_FORMAT_A8B8G8R8_UNORM:
	case VGM_GPU_FORMAT_R8G8B8X8_UNORM:
		return true;
	default:
		return false;
	}
}

int vgl_res_create_2d(struct vgl *r, uint32_t id, uint32_t format, uint32_t width,
		      uint32_t height, struct vgl_res **out)
{
	/* What QEMU's virtio-gpu-gl makes for CREATE_2D: a 2D texture the
	 * guest's 3D driver can render to, rows top first. */
	const struct vgl_res_desc d = {
		.target = VGL_TARGET_2D, .format = format, .bind = VGL_BIND_RENDER_TARGET,
		.width = width, .height = height, .depth = 1, .array_size = 1,
		.flags = VGL_RESOURCE_Y_0_TOP,
	};
	int ret = enter(r);

	if (ret)
		return ret;
	if (!out || id == 0 || !is_2d_format(format))
		return -EINVAL;
	return create(r, id, &d, out);
}

uint32_t vgl_res_id(const struct vgl_res *res)
{
	return res->id;
}

const struct vgl_res_desc *vgl_res_desc(const struct vgl_res *res)
{
	return &res->desc;
}

/* Takes the backing away from virglrenderer, then frees our array. */
static void detach(struct vgl_res *res)
{
	if (!res->iov)
		return;
	lib()->virgl_renderer_resource_detach_iov((int)res->id, NULL, NULL);
	free(res->iov);
	res->iov = NULL;
	res->iov_cnt = 0;
	res->backing_size = 0;
}

static void res_free(struct vgl *r, struct vgl_res *res)
{
	detach(res);
	lib()->virgl_renderer_resource_set_priv(res->id, NULL);
	lib()->virgl_renderer_resource_unref(res->id);
	unlink_res(r, res);
	free(res);
}

int vgl_res_unref(struct vgl *r, struct vgl_res *res)
{
	if (!res)
		return 0;
	if (!r || !on_owner(r))
		return r ? -EBUSY : -EINVAL;
	res_free(r, res);
	return 0;
}

/* The total length of n ranges, each with memory; false if one has none or
 * the total passes 2^63. */
static bool backing_total(const struct iovec *iov, uint32_t n, uint64_t *total)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n; i++) {
		if ((!iov[i].iov_base && iov[i].iov_len) ||
		    __builtin_add_overflow(sum, iov[i].iov_len, &sum) || sum > INT64_MAX)
			return false;
	}
	*total = sum;
	return true;
}

int vgl_res_attach_backing(struct vgl *r, struct vgl_res *res, const struct iovec *iov,
			   uint32_t n)
{
	struct iovec *copy;
	uint64_t total;
	int ret = enter(r);

	if (ret)
		return ret;
	if (!res || !iov || n == 0 || n > VGL_BACKING_MAX_IOV || !backing_total(iov, n, &total))
		return -EINVAL;
	if (res->iov)
		return -EBUSY;
	copy = malloc(n * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, iov, n * sizeof(*copy));
	ret = norm(lib()->virgl_renderer_resource_attach_iov((int)res->id, copy, (int)n), EINVAL);
	if (ret < 0) {
		free(copy);
		return ret;
	}
	res->iov = copy;
	res->iov_cnt = n;
	res->backing_size = total;
	return 0;
}

int vgl_res_detach_backing(struct vgl *r, struct vgl_res *res)
{
	int ret = enter(r);

	if (ret)
		return ret;
	if (!res)
		return -EINVAL;
	detach(res);
	return 0;
}

/* What an extent function answered (0, or its error) and the end it gave,
 * held to size bytes and below 2^31 (virglrenderer and Mesa count in
 * signed 32 bits): -EFAULT past either. */
static int end_inside(int extent_ret, const uint64_t *end, uint64_t size)
{
	if (extent_ret)
		return extent_ret;
	return *end > size || *end > INT32_MAX ? -EFAULT : 0;
}

/*
 * The check that keeps a transfer inside the backing (or the host buffer of
 * a read-back), made before virglrenderer sees the transfer. virglrenderer
 * has its own, rewritten several times since 2015 (once after fuzzing); it
 * sizes in 32 bits and does not step layers the way it assumes.
 */
static int check_backing(const struct vgl_res *res, const struct vgl_transfer *t,
			 uint64_t size)
{
	uint64_t end;

	return end_inside(vgl_transfer_extent(&res->desc, t, &end), &end, size);
}

/* ---- transfers, commands, read-back ------------------------------------------ */

static int transfer_check(const struct vgl *r, const struct vgl_res *res,
			  const struct vgl_transfer *t)
{
	int ret = enter(r);

	if (ret)
		return ret;
	if (!res || !t)
		return -EINVAL;
	if (!res->iov)
		return -EFAULT;
	return check_backing(res, t, res->backing_size);
}

/* Both directions, through the backing (NULL iovecs: virglrenderer uses the
 * resource's, our array). */
static int transfer(struct vgl *r, uint32_t ctx_id, struct vgl_res *res,
		    const struct vgl_transfer *t, bool to_host)
{
	struct vgl_box box;
	int ret = transfer_check(r, res, t);

	if (ret)
		return ret;
	/* See vgl_transfer_from_host(). */
	if (!to_host && t->box.d > 1 && res->iov_cnt > 1)
		return -EXDEV;
	box = t->box;
	if (to_host)
		ret = lib()->virgl_renderer_transfer_write_iov(res->id, ctx_id, (int)t->level, t->stride,
							t->layer_stride, (struct virgl_box *)&box,
							t->offset, NULL, 0);
	else
		ret = lib()->virgl_renderer_transfer_read_iov(res->id, ctx_id, t->level, t->stride,
						       t->layer_stride, (struct virgl_box *)&box,
						       t->offset, NULL, 0);
	return norm(ret, EINVAL);
}

int vgl_transfer_to_host(struct vgl *r, uint32_t ctx_id, struct vgl_res *res,
			 const struct vgl_transfer *t)
{
	return transfer(r, ctx_id, res, t, true);
}

int vgl_transfer_from_host(struct vgl *r, uint32_t ctx_id, struct vgl_res *res,
			   const struct vgl_transfer *t)
{
	return transfer(r, ctx_id, res, t, false);
}

/* RESOURCE_INLINE_WRITE (virgl_protocol.h): after its header, the resource,
 * level, usage, stride, layer_stride and the box (x, y, z, w, h, d), then
 * the data. */
#define CCMD_INLINE_WRITE 9u
#define INLINE_WRITE_FIELDS 11u

/* Whether an inline write's rows and layers (at least a byte each) start
 * inside its data, in 64 bits. Strides of 2^31 and more that are used are
 * refused, as vgl_transfer_extent() refuses them; a stride of 0
 * virglrenderer makes the row's own, where its check holds. */
static bool inline_write_fits(const uint32_t *f, uint32_t len)
{
	uint64_t data = (uint64_t)(len - INLINE_WRITE_FIELDS) * 4;
	uint32_t stride = f[4], layer_stride = f[5], h = f[10], d = f[11];

	if ((h > 1 && stride > INT32_MAX) || (d > 1 && layer_stride > INT32_MAX))
		return false;
	return (uint64_t)(d ? d - 1 : 0) * layer_stride + (uint64_t)(h ? h - 1 : 0) * stride <
	       (data ? data : 1);
}

/* COPY_TRANSFER3D (virgl_protocol.h): after its header, a texture's
 * fields as RESOURCE_INLINE_WRITE's (resource, level, usage, stride,
 * layer_stride, box), then a buffer, the offset in it and the flags. In
 * either direction (flag bit 1: the texture read back into the buffer)
 * the rows move through the buffer's backing. */
#define CCMD_COPY_TRANSFER3D 45u
#define COPY_TRANSFER3D_FIELDS 14u
#define COPY_TRANSFER3D_READ_BACK 2u /* in its flags */

/* Whether a copy's rows and layers lie inside the buffer's backing, as a
 * TRANSFER_TO_HOST_3D's must lie inside the texture's own (vgl_copy_extent():
 * 64-bit sums, used strides of 2^31 and more refused). virglrenderer 0.10.4
 * checks them in 32 bits (check_iov_bounds() keeps the size as a GLuint,
 * where rows 2^32 apart wrap back inside), and Mesa steps rows at a signed
 * int stride: a stride of 2^31 had llvmpipe read host memory 2 GiB before
 * the backing. A read-back of several layers into a backing in pieces is
 * refused as vgl_transfer_from_host() refuses it: virglrenderer 0.10.4
 * takes the same path, and the layers after the first reached the guest
 * as uninitialised host heap. A resource the renderer does not know, or a
 * buffer without a backing, is virglrenderer's to refuse. */
static bool copy_fits(const uint32_t *f)
{
	const struct vgl_res *tex = lib()->virgl_renderer_resource_get_priv(f[1]);
	const struct vgl_res *buf = lib()->virgl_renderer_resource_get_priv(f[12]);
	const struct vgl_transfer t = {
		.box = { f[6], f[7], f[8], f[9], f[10], f[11] },
		.level = f[2],
		.stride = f[4],
		.layer_stride = f[5],
		.offset = f[13],
	};
	uint64_t end;

	if (!tex || !buf || !buf->iov)
		return true;
	if ((f[14] & COPY_TRANSFER3D_READ_BACK) && t.box.d > 1 && buf->iov_cnt > 1)
		return false;
	/* The rows lie in the buffer's backing; a buffer texture's own box
	 * [x, x + w) lies in the texture (vgl_copy_extent()). */
	return end_inside(vgl_copy_extent(&tex->desc, &t, &end), &end, buf->backing_size) == 0;
}

/* Every inline write of the commands fits its data and every copy its
 * buffer (a command cut short or of another kind is virglrenderer's to
 * refuse). */
static bool commands_fit(const uint32_t *w, size_t words)
{
	for (size_t i = 0; i < words;) {
		uint32_t len = w[i] >> 16, op = w[i] & 0xff;

		if (i + 1 + (size_t)len > words)
			break;
		if (op == CCMD_INLINE_WRITE && len >= INLINE_WRITE_FIELDS &&
		    !inline_write_fits(w + i, len))
			return false;
		if (op == CCMD_COPY_TRANSFER3D && len == COPY_TRANSFER3D_FIELDS &&
		    !copy_fits(w + i))
			return false;
		i += 1 + (size_t)len;
	}
	return true;
}

int vgl_submit_private(struct vgl *r, uint32_t ctx_id, const void *cmds, size_t size)
{
	static const uint32_t none;
	int ret = enter(r);

	if (ret)
		return ret;
	if ((!cmds && size) || size % 4 || ((uintptr_t)cmds & 3))
		return -EINVAL;
	if (size > VGL_SUBMIT_MAX)
		return -E2BIG;
	if (size && !commands_fit(cmds, size / 4))
		return -EINVAL;
	return norm(lib()->virgl_renderer_submit_cmd((void *)(uintptr_t)(size ? cmds : &none),
					      (int)ctx_id, (int)(size / 4)),
		    EINVAL);
}

int vgl_submit(struct vgl *r, uint32_t ctx_id, const void *cmds, size_t size)
{
	void *copy;
	int ret = enter(r);

	if (ret)
		return ret;
	if ((!cmds && size) || size % 4)
		return -EINVAL;
	if (size > VGL_SUBMIT_MAX)
		return -E2BIG;
	/* malloc's alignment suits every field virglrenderer reads. */
	copy = malloc(size ? size : 4);
	if (!copy)
		return -ENOMEM;
	if (size)
		memcpy(copy, cmds, size);
	ret = vgl_submit_private(r, ctx_id, copy, size);
	free(copy);
	return ret;
}

int vgl_read_rect(struct vgl *r, struct vgl_res *res, const struct vgl_box *rect, void *dst,
		  uint32_t stride, size_t size)
{
	const struct vgl_transfer t = {
		.box = { rect ? rect->x : 0, rect ? rect->y : 0, 0,
			 rect ? rect->w : 0, rect ? rect->h : 0, 1 },
		.stride = stride,
	};
	struct iovec iov = { dst, size };
	struct vgl_box box = t.box;
	int ret = enter(r);

	if (ret)
		return ret;
	if (!res || !rect || !dst || rect->z != 0 || rect->d != 1 ||
	    res->desc.target == VGL_TARGET_BUFFER)
		return -EINVAL;
	ret = check_backing(res, &t, size);
	if (ret)
		return ret;
	/* Context 0 and our own iovec: the guest's backing is not involved. */
	ret = lib()->virgl_renderer_transfer_read_iov(res->id, 0, 0, stride, 0, (struct virgl_box *)&box,
					       0, &iov, 1);
	return norm(ret, EINVAL);
}

/* ---- fences --------------------------------------------------------------- */

int vgl_fence_create(struct vgl *r, uint32_t *seq)
{
	uint32_t next;
	int ret = enter(r);

	if (ret)
		return ret;
	if (!seq)
		return -EINVAL;
	next = r->last_issued + 1;
	if (next == 0) /* 0 means "none": skipped when the sequence wraps */
		next = 1;
	/* virglrenderer takes an int and gives the same 32 bits back. */
	ret = norm(lib()->virgl_renderer_create_fence((int)next, 0), EINVAL);
	if (ret)
		return ret;
	r->last_issued = next;
	*seq = next;
	return 0;
}

int vgl_poll(struct vgl *r, uint32_t *completed)
{
	int ret = enter(r);

	if (ret)
		return ret;
	if (!completed)
		return -EINVAL;
	lib()->virgl_renderer_poll();
	*completed = r->completed;
	return 0;
}

int vgl_poll_fd(const struct vgl *r)
{
	if (!r)
		return -EINVAL;
	return r->poll_fd >= 0 ? r->poll_fd : -ENOENT;
}
