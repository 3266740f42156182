/* SPDX-License-Identifier: MIT */
/*
 * A virgl device's 3D contexts: their ids. virglrenderer answers 0 for an
 * id it already has and ignores an unknown one silently, so the renderer
 * keeps the table and the cmd layer asks it first.
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
};

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

void vctx_destroy(struct vctxs *t, uint32_t ctx_id)
{
	struct vctx **s = slot(t, ctx_id);

	if (!s)
		return;
	vgl_ctx_destroy(t->vgl, ctx_id);
	free(*s);
	*s = t->ctx[--t->n];
}

void vctx_clear(struct vctxs *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->ctx[i]);
	t->n = 0;
}

void vctx_fini(struct vctxs *t)
{
	vctx_clear(t);
	free(t->ctx);
	t->ctx = NULL;
	t->cap = 0;
}
