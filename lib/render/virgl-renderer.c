/* SPDX-License-Identifier: MIT */
/*
 * The virgl renderer: a device's resources, contexts and fences in
 * virglrenderer, through the adapter (virgl.h), which checks what
 * virglrenderer would not (transfers against the resource and the
 * backing, resource ids, the thread).
 *
 * CREATE_2D resources are made in virglrenderer too (one source of truth
 * for their pixels, as 3D contexts draw into them): a 2D texture bound as a
 * render target, rows top first. What a scanout shows of one is a host
 * copy, read back from the GPU on SET_SCANOUT and RESOURCE_FLUSH (the
 * flushed rectangle only); the guest's backing is never written by it.
 * A CREATE_3D resource that is one 2D image of a 2D format (Mesa's GBM
 * framebuffers, shown through KMS) gets such a copy too.
 *
 * Fences: each fenced request hands the renderer its sequence number; it
 * issues one virgl global fence for it (its own 32-bit sequence, so guest
 * fence ids never reach virglrenderer) and reports the request's sequence
 * once virglrenderer says that fence completed. Global fences complete in
 * order after all the work before them, in every context, even a
 * destroyed one: a context's ring is served by them too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render-impl.h"
#include "virgl.h"

_Static_assert(RENDER_VIRGL_THREAD_SYNC == VGL_THREAD_SYNC, "one flag, two names");
_Static_assert(sizeof(struct vgm_gpu_box) == sizeof(struct vgl_box), "a box is a box");

/* A fence handed to virglrenderer for a request. */
struct vfence {
	struct render_timeline timeline;
	uint64_t seq;  /* the request's, in the dispatch's sequence */
	uint32_t vseq; /* virglrenderer's */
};

struct render_virgl {
	struct vgl *vgl;
	struct vctxs ctxs;
	struct vfence *fences; /* pending, in the order issued */
	size_t nfences, fence_cap;
};

/* A resource's payload. */
struct vres {
	struct render_virgl *v;
	struct vgl_res *vr;
	uint64_t charged; /* to the budget, as BUDGET_IMAGE */
	uint32_t *shadow; /* CREATE_2D: what scanouts show, read back (32 bpp) */
	uint32_t stride;
	uint32_t bpp;
	bool given; /* its backing went to virglrenderer (ATTACH_BACKING) */
	struct vres_links att; /* the contexts it is attached to */
};

static struct render_virgl *rv(struct render *r)
{
	return render_ops_ctx(r);
}

static struct vres *vres_of(struct resource *res)
{
	return resource_payload(res);
}

/* ---- resources ----------------------------------------------------------------- */

static void vres_destroy(struct core *c, struct resource *res, void *payload)
{
	struct vres *p = payload;

	(void)res;
	vctx_forget(c, &p->att);
	if (p->vr)
		vgl_res_unref(p->v->vgl, p->vr);
	free(p->shadow);
	budget_release(c, BUDGET_IMAGE, p->charged);
}

/* virglrenderer stops using the backing before its mappings go. */
static void vres_detach(struct core *c, struct resource *res, void *payload)
{
	struct vres *p = payload;

	(void)c;
	(void)res;
	if (p->vr)
		vgl_res_detach_backing(p->v->vgl, p->vr);
	p->given = false;
}

static const struct resource_ops vres_ops = { .destroy = vres_destroy, .detach = vres_detach };

/* A core resource with a payload charged bytes to the budget. */
static enum core_verdict vres_new(struct render *r, const struct resource_desc *d,
				  uint64_t bytes, struct resource **out)
{
	struct vres *p;
	enum core_verdict err = budget_charge(r->core, BUDGET_IMAGE, bytes);

	if (err)
		return err;
	err = resource_new(r->core, d, &vres_ops, sizeof(struct vres), out);
	if (err) {
		budget_release(r->core, BUDGET_IMAGE, bytes);
		return err;
	}
	p = vres_of(*out);
	p->v = rv(r);
	p->charged = bytes;
	return CORE_OK;
}

/* A resource that scanouts can show: format fmt, its host copy's size in
 * *bytes. @return false when that size does not fit. */
static bool shown_desc(struct resource_desc *d, const struct format_info *fmt, uint64_t *bytes)
{
	*bytes = (uint64_t)d->width * d->height * fmt->bpp;
	d->format = fmt->virtio;
	d->stride = d->width * fmt->bpp;
	return *bytes <= UINT64_MAX / 2 && (uint64_t)d->stride == (uint64_t)d->width * fmt->bpp;
}

/* The host copy scanouts show, charged with the resource. */
static bool give_shadow(struct vres *p, const struct resource_desc *d, const struct format_info *fmt)
{
	p->stride = d->stride;
	p->bpp = fmt->bpp;
	p->shadow = calloc(1, (size_t)d->stride * d->height);
	return p->shadow != NULL;
}

static enum core_verdict create_2d(struct render *r, uint32_t id, const struct format_info *fmt,
				   uint32_t width, uint32_t height, struct resource **out)
{
	struct resource_desc d = { .id = id, .kind = RESOURCE_2D, .width = width, .height = height };
	uint64_t bytes;
	enum core_verdict err;

	/* The texture and the host copy scanouts show. */
	if (!shown_desc(&d, fmt, &bytes))
		return CORE_OVER_BUDGET;
	err = vres_new(r, &d, 2 * bytes, out);
	if (err)
		return err;
	if (!give_shadow(vres_of(*out), &d, fmt) ||
	    vgl_res_create_2d(rv(r)->vgl, id, fmt->virtio, width, height, &vres_of(*out)->vr)) {
		resource_drop(r->core, *out);
		return CORE_NO_MEMORY;
	}
	return CORE_OK;
}

/* A 3D resource that is one 2D image of a scanout format (as Mesa's GBM
 * makes a KMS framebuffer; virgl's format numbers of these are
 * virtio-gpu's) is shown as a CREATE_2D one: a host copy read back on
 * SET_SCANOUT and RESOURCE_FLUSH. Any other has format 0, which
 * SET_SCANOUT and the cursor refuse. */
static const struct format_info *shown_format(const struct render_res_3d *s)
{
	if (s->target != VGL_TARGET_2D || s->depth != 1 || s->array_size != 1 ||
	    s->nr_samples > 1)
		return NULL;
	return format_from_virtio(s->format);
}

static enum core_verdict create_3d(struct render *r, uint32_t id, const struct render_res_3d *s,
				   struct resource **out)
{
	const struct vgl_res_desc vd = { s->target, s->format, s->bind, s->width,
					 s->height, s->depth, s->array_size, s->last_level,
					 s->nr_samples, s->flags };
	const struct format_info *fmt = shown_format(s);
	struct resource_desc d = { .id = id, .kind = RESOURCE_2D, .width = s->width,
				   .height = s->height };
	uint64_t bytes, shadow = 0;
	enum core_verdict err;

	if (vgl_res_footprint(&vd, &bytes))
		return CORE_OUTSIDE;
	if (fmt && (!shown_desc(&d, fmt, &shadow) || shadow > UINT64_MAX - bytes))
		return CORE_OVER_BUDGET;
	err = vres_new(r, &d, bytes + shadow, out);
	if (err)
		return err;
	if (fmt && !give_shadow(vres_of(*out), &d, fmt)) {
		resource_drop(r->core, *out);
		return CORE_NO_MEMORY;
	}
	if (vgl_res_create_3d(rv(r)->vgl, id, &vd, &vres_of(*out)->vr)) {
		resource_drop(r->core, *out);
		return CORE_OUTSIDE;
	}
	return CORE_OK;
}

static bool attach_backing(struct render *r, struct resource *res)
{
	struct region *rg = resource_backing(res);
	uint32_t n = region_pieces(rg, NULL);
	struct iovec *iov = calloc(n, sizeof(*iov));
	int ret;

	if (!iov)
		return false;
	region_pieces(rg, iov);
	/* The adapter copies the array and keeps it until detach. */
	ret = vgl_res_attach_backing(rv(r)->vgl, vres_of(res)->vr, iov, n);
	free(iov);
	if (ret)
		return false;
	vres_of(res)->given = true;
	return true;
}

/* The region's mappings were made again, or lost: virglrenderer's copy of
 * the old addresses goes before anything reads through it, and the new
 * ones are given. A blob's backing (no payload here) and one attached
 * without ATTACH_BACKING (ATTACH_MEMORY) never went to virglrenderer. A
 * lost backing stays given, so that a later remap gives it again. */
static bool backing_moved(struct render *r, struct resource *res)
{
	struct vres *p;

	if (resource_pixels_in_backing(res))
		return true;
	p = vres_of(res);
	if (!p->given)
		return true;
	vgl_res_detach_backing(rv(r)->vgl, p->vr);
	if (!region_mapped(resource_backing(res)) || attach_backing(r, res))
		return true;
	logger_msg(r->log, VGM_LOG_WARNING,
		   "resource_id %u: its backing, mapped again, cannot be given to virglrenderer "
		   "(no memory): lost",
		   resource_id(res));
	return false;
}

/* ---- 2D: transfers, what scanouts show, the cursor ------------------------------- */

static void transfer_2d(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect,
			uint64_t src)
{
	const struct vgl_transfer t = {
		.box = { rect->x, rect->y, 0, rect->width, rect->height, 1 },
		.offset = src,
	};
	int ret = vgl_transfer_to_host(rv(r)->vgl, 0, vres_of(res)->vr, &t);

	/* A backing shorter than the rect: virglrenderer copies nothing. */
	if (ret)
		logger_msg(r->log, VGM_LOG_WARNING,
			   "TRANSFER_TO_HOST_2D: resource_id %u: renderer refused (%d)",
			   resource_id(res), ret);
}

static const uint8_t *pixels_2d(struct render *r, struct resource *res, uint32_t x, uint32_t y,
				uint32_t *stride)
{
	struct vres *p = vres_of(res);

	(void)r;
	*stride = p->stride;
	return p->shadow ? (const uint8_t *)p->shadow + (size_t)y * p->stride + (size_t)x * p->bpp
			 : NULL;
}

static void refresh_2d(struct render *r, struct resource *res, const struct vgm_gpu_rect *rect)
{
	struct vres *p = vres_of(res);
	const struct vgl_box box = { rect->x, rect->y, 0, rect->width, rect->height, 1 };
	size_t at = (size_t)rect->y * p->stride + (size_t)rect->x * p->bpp;
	struct resource_desc d;
	size_t size;

	resource_describe(res, &d);
	size = (size_t)p->stride * d.height;
	if (p->shadow && rect->width && rect->height &&
	    vgl_read_rect(p->v->vgl, p->vr, &box, (uint8_t *)p->shadow + at, p->stride, size - at))
		logger_msg(r->log, VGM_LOG_WARNING, "resource_id %u: read back failed",
			   resource_id(res));
}

static bool cursor_2d(struct render *r, struct resource *res, uint32_t *image)
{
	struct vres *p = vres_of(res);
	struct resource_desc d;
	struct vgm_gpu_rect part = { 0, 0, VGM_CURSOR_SIZE, VGM_CURSOR_SIZE };
	pixman_image_t *src;
	bool ok;

	resource_describe(res, &d);
	if (!p->shadow)
		return false;
	if (d.width < part.width)
		part.width = d.width;
	if (d.height < part.height)
		part.height = d.height;
	refresh_2d(r, res, &part);
	src = pixman_image_create_bits(format_from_virtio(d.format)->pixman, (int)d.width,
				       (int)d.height, p->shadow, (int)p->stride);
	ok = cursor_compose(src, image);
	if (src)
		pixman_image_unref(src);
	return ok;
}

/* ---- fences ------------------------------------------------------------------------ */

static bool fence(struct render *r, const struct render_timeline *t, uint64_t seq)
{
	struct render_virgl *v = rv(r);
	uint32_t vseq;

	if (v->nfences == v->fence_cap) {
		size_t cap = v->fence_cap ? 2 * v->fence_cap : 16;
		struct vfence *f = realloc(v->fences, cap * sizeof(*f));

		if (!f) {
			logger_msg(r->log, VGM_LOG_ERROR, "no memory for a fence: answered now");
			return true;
		}
		v->fences = f;
		v->fence_cap = cap;
	}
	if (vgl_fence_create(v->vgl, &vseq)) {
		logger_msg(r->log, VGM_LOG_ERROR, "virglrenderer refused a fence: answered now");
		return true;
	}
	v->fences[v->nfences++] = (struct vfence){ *t, seq, vseq };
	return false;
}

/* Reports (and forgets) the fences virglrenderer completed, oldest first. */
static size_t poll(struct render *r, struct render_fence *done, size_t cap)
{
	struct render_virgl *v = rv(r);
	uint32_t completed;
	size_t n = 0;

	if (vgl_poll(v->vgl, &completed))
		return 0;
	while (n < cap && n < v->nfences && vgl_fence_done(completed, v->fences[n].vseq)) {
		done[n] = (struct render_fence){ v->fences[n].timeline, v->fences[n].seq };
		n++;
	}
	memmove(v->fences, v->fences + n, (v->nfences - n) * sizeof(*v->fences));
	v->nfences -= n;
	return n;
}

static int poll_fd(struct render *r)
{
	int fd = vgl_poll_fd(rv(r)->vgl);

	return fd >= 0 ? fd : -1;
}

/* ---- capsets and contexts ------------------------------------------------------------ */

static uint32_t capset_count(struct render *r)
{
	return vgl_capset_count(rv(r)->vgl);
}

static int capset_info(struct render *r, uint32_t index, struct render_capset *out)
{
	struct vgl_capset c;
	int ret = vgl_capset_info(rv(r)->vgl, index, &c);

	if (!ret)
		*out = (struct render_capset){ c.id, c.max_version, c.max_size };
	return ret;
}

static int capset_fill(struct render *r, uint32_t id, uint32_t version, void *buf, size_t size)
{
	return vgl_capset_fill(rv(r)->vgl, id, version, buf, size);
}

static bool ctx_exists(struct render *r, uint32_t ctx_id)
{
	return vctx_exists(&rv(r)->ctxs, ctx_id);
}

static int ctx_create(struct render *r, uint32_t ctx_id, uint32_t capset_id, const char *name,
		      uint32_t name_len)
{
	return vctx_create(&rv(r)->ctxs, ctx_id, capset_id, name, name_len);
}

static void ctx_destroy(struct render *r, uint32_t ctx_id)
{
	vctx_destroy(&rv(r)->ctxs, r->core, ctx_id);
}

static int ctx_attach(struct render *r, uint32_t ctx_id, struct resource *res, bool attach)
{
	struct vres *p = vres_of(res);

	if (attach)
		return vctx_attach(&rv(r)->ctxs, r->core, ctx_id, p->vr, &p->att);
	return vctx_detach(&rv(r)->ctxs, r->core, ctx_id, p->vr, &p->att);
}

static bool ctx_has(struct render *r, uint32_t ctx_id, struct resource *res)
{
	(void)r;
	return vctx_attached(&vres_of(res)->att, ctx_id);
}

/* ---- 3D transfers and commands --------------------------------------------------------- */

static struct vgl_transfer vgl_transfer_of(const struct render_transfer_3d *t)
{
	return (struct vgl_transfer){
		.box = { t->box.x, t->box.y, t->box.z, t->box.w, t->box.h, t->box.d },
		.level = t->level,
		.stride = t->stride,
		.layer_stride = t->layer_stride,
		.offset = t->offset,
	};
}

static int transfer_check(struct render *r, struct resource *res,
			  const struct render_transfer_3d *t)
{
	const struct vgl_transfer vt = vgl_transfer_of(t);
	uint64_t end;
	int ret;

	(void)r;
	ret = vgl_transfer_extent(vgl_res_desc(vres_of(res)->vr), &vt, &end);
	if (ret)
		return ret;
	/* Every byte it can touch lies in the backing (the adapter checks again). */
	if (!resource_backing(res) || end > region_size(resource_backing(res)))
		return -EFAULT;
	/* The adapter refuses it too (vgl_transfer_from_host()). */
	if (!t->to_host && vt.box.d > 1 && region_pieces(resource_backing(res), NULL) > 1)
		return -EXDEV;
	return 0;
}

static int transfer(struct render *r, uint32_t ctx_id, struct resource *res,
		    const struct render_transfer_3d *t)
{
	const struct vgl_transfer vt = vgl_transfer_of(t);
	struct vgl_res *vr = vres_of(res)->vr;

	return t->to_host ? vgl_transfer_to_host(rv(r)->vgl, ctx_id, vr, &vt)
			  : vgl_transfer_from_host(rv(r)->vgl, ctx_id, vr, &vt);
}

static int submit(struct render *r, uint32_t ctx_id, const void *cmds, size_t size)
{
	return vgl_submit_private(rv(r)->vgl, ctx_id, cmds, size);
}

static void reset(struct render *r)
{
	struct render_virgl *v = rv(r);

	vgl_reset(v->vgl);
	vctx_clear(&v->ctxs);
	v->nfences = 0;
}

static const struct render_3d_ops virgl_3d = {
	.capset_count = capset_count,
	.capset_info = capset_info,
	.capset_fill = capset_fill,
	.ctx_exists = ctx_exists,
	.ctx_create = ctx_create,
	.ctx_destroy = ctx_destroy,
	.ctx_attach = ctx_attach,
	.ctx_has = ctx_has,
	.create_3d = create_3d,
	.transfer_check = transfer_check,
	.transfer = transfer,
	.submit = submit,
	.reset = reset,
};

static const struct renderer_ops virgl_ops = {
	.create_2d = create_2d,
	.transfer_2d = transfer_2d,
	.pixels_2d = pixels_2d,
	.cursor_2d = cursor_2d,
	.fence = fence,
	.poll = poll,
	.poll_fd = poll_fd,
	.refresh_2d = refresh_2d,
	.attach_backing = attach_backing,
	.backing_moved = backing_moved,
	.d3 = &virgl_3d,
};

uint32_t render_virgl_capsets(const struct render_virgl *v)
{
	return v ? vgl_capset_count(v->vgl) : 0;
}

const struct renderer_ops *render_virgl_ops(void)
{
	return &virgl_ops;
}

/* ---- the renderer ------------------------------------------------------------------ */

int render_virgl_probe(void)
{
	return vgl_probe();
}

int render_virgl_open(uint32_t flags, struct render_virgl **out)
{
	struct render_virgl *v;
	int ret;

	if (flags & ~RENDER_VIRGL_THREAD_SYNC)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = vgl_open(flags, &v->vgl);
	if (ret < 0) {
		free(v);
		return ret;
	}
	v->ctxs.vgl = v->vgl;
	*out = v;
	return 0;
}

void render_virgl_close(struct render_virgl *v)
{
	if (!v)
		return;
	vctx_fini(&v->ctxs);
	vgl_close(v->vgl);
	free(v->fences);
	free(v);
}
