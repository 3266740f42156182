/* SPDX-License-Identifier: MIT */
/*
 * A virgl device's 3D contexts: their ids (virglrenderer answers 0 for an
 * id it already has and ignores an unknown one silently, so the renderer
 * keeps the table), and the resources attached to each.
 *
 * Attachments are mirrored here because virglrenderer cannot be asked: a
 * transfer through a context naming a resource the context lacks puts the
 * whole context in error there (every later submission of it refused),
 * so the cmd layer asks vctx_attached() first and refuses the transfer
 * instead. An attachment is one link on two lists, its context's and its
 * resource's, so that CTX_DESTROY and RESOURCE_UNREF drop theirs in the
 * time of their own links. Each link is charged to the host-memory
 * budget: the pairs a guest can make are contexts x resources, which the
 * count limits alone do not bound usefully.
 */
#include <errno.h>
#include <stdlib.h>

#include "render-impl.h"
#include "virgl.h"

/* Contexts one device may have: the Linux driver makes one per process
 * that opens the GPU. */
#define MAX_CONTEXTS 1024u

struct vctx {
	uint32_t id;
	struct vlink *links; /* the resources attached */
};

/* One resource attached to one context: on the context's list and on the
 * resource's, each `pprev` pointing at what points at the link. */
struct vlink {
	struct vctx *ctx;
	struct vlink *ctx_next, **ctx_pprev;
	struct vlink *res_next, **res_pprev;
};

/* What a link is charged: its bytes and malloc's, the same on every host
 * (so the traces' counters are). */
#define LINK_BYTES 64u
_Static_assert(sizeof(struct vlink) <= LINK_BYTES, "a link is charged at least its size");

static struct vctx **slot(const struct vctxs *t, uint32_t ctx_id)
{
	for (uint32_t i = 0; i < t->n; i++) {
		if (t->ctx[i]->id == ctx_id)
			return &t->ctx[i];
	}
	return NULL;
}

bool vctx_exists(const struct vctxs *t, uint32_t ctx_id)
{
	return slot(t, ctx_id) != NULL;
}

/* Room in the table for one more. */
static int room(struct vctxs *t)
{
	uint32_t cap = t->cap ? 2 * t->cap : 8;
	struct vctx **c;

	if (t->n == MAX_CONTEXTS)
		return -ENOSPC;
	if (t->n < t->cap)
		return 0;
	c = realloc(t->ctx, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	t->ctx = c;
	t->cap = cap;
	return 0;
}

int vctx_create(struct vctxs *t, uint32_t ctx_id, uint32_t capset_id, const char *name,
		uint32_t name_len)
{
	struct vctx *x;
	int ret = room(t);

	if (ret)
		return ret;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	ret = vgl_ctx_create(t->vgl, ctx_id, capset_id, name_len ? name : NULL, name_len);
	if (ret) {
		free(x);
		return ret;
	}
	x->id = ctx_id;
	t->ctx[t->n++] = x;
	return 0;
}

static void link_out(struct core *c, struct vlink *l)
{
	*l->ctx_pprev = l->ctx_next;
	if (l->ctx_next)
		l->ctx_next->ctx_pprev = l->ctx_pprev;
	*l->res_pprev = l->res_next;
	if (l->res_next)
		l->res_next->res_pprev = l->res_pprev;
	free(l);
	budget_release(c, BUDGET_IMAGE, LINK_BYTES);
}

void vctx_destroy(struct vctxs *t, struct core *c, uint32_t ctx_id)
{
	struct vctx **s = slot(t, ctx_id);

	if (!s)
		return;
	/* virglrenderer detaches them itself. */
	vgl_ctx_destroy(t->vgl, ctx_id);
	while ((*s)->links)
		link_out(c, (*s)->links);
	free(*s);
	*s = t->ctx[--t->n];
}

static struct vlink *find(struct vlink *links, uint32_t ctx_id)
{
	for (struct vlink *l = links; l; l = l->res_next) {
		if (l->ctx->id == ctx_id)
			return l;
	}
	return NULL;
}

bool vctx_attached(const struct vres_links *res, uint32_t ctx_id)
{
	return find(res->links, ctx_id) != NULL;
}

static void link_in(struct vlink *l, struct vctx *x, struct vres_links *res)
{
	l->ctx = x;
	l->ctx_next = x->links;
	l->ctx_pprev = &x->links;
	if (x->links)
		x->links->ctx_pprev = &l->ctx_next;
	x->links = l;
	l->res_next = res->links;
	l->res_pprev = &res->links;
	if (res->links)
		res->links->res_pprev = &l->res_next;
	res->links = l;
}

int vctx_attach(struct vctxs *t, struct core *c, uint32_t ctx_id, struct vgl_res *vr,
		struct vres_links *res)
{
	struct vctx **s = slot(t, ctx_id);
	struct vlink *l;
	int ret;

	if (!s)
		return -EINVAL;
	if (find(res->links, ctx_id))
		return 0;
	if (budget_charge(c, BUDGET_IMAGE, LINK_BYTES))
		return -ENOMEM;
	l = malloc(sizeof(*l));
	ret = l ? vgl_ctx_attach(t->vgl, ctx_id, vr) : -ENOMEM;
	if (ret) {
		free(l);
		budget_release(c, BUDGET_IMAGE, LINK_BYTES);
		return ret;
	}
	link_in(l, *s, res);
	return 0;
}

int vctx_detach(struct vctxs *t, struct core *c, uint32_t ctx_id, struct vgl_res *vr,
		struct vres_links *res)
{
	struct vlink *l = find(res->links, ctx_id);
	int ret = vgl_ctx_detach(t->vgl, ctx_id, vr);

	if (!ret && l)
		link_out(c, l);
	return ret;
}

void vctx_forget(struct core *c, struct vres_links *res)
{
	while (res->links)
		link_out(c, res->links);
}

void vctx_clear(struct vctxs *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		/* Each link is a resource's, and the resources went first. */
		if (t->ctx[i]->links)
			abort();
		free(t->ctx[i]);
	}
	t->n = 0;
}

void vctx_fini(struct vctxs *t)
{
	vctx_clear(t);
	free(t->ctx);
	t->ctx = NULL;
	t->cap = 0;
}
