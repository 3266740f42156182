/* SPDX-License-Identifier: MIT */
/*
 * Scanouts: the display the VMM configured (connected, preferred size, its
 * own EDID) and what the guest shows on it (a rectangle of a resource, and
 * for a blob the image SET_SCANOUT_BLOB described). How the pixels reach
 * the host is the renderer's: the core tells it, through its hook, when a
 * scanout stops showing a resource.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core-impl.h"

void scanout_describe(const struct core *c, uint32_t idx, struct scanout_desc *d)
{
	const struct scanout *so = &c->scanouts[idx];

	*d = (struct scanout_desc){
		.enabled = so->enabled,
		.width = so->width,
		.height = so->height,
		.edid = so->edid,
		.edid_len = so->edid_len,
		.res = so->res,
		.rect = so->rect,
		.fb = so->fb,
	};
}

void scanout_set_display(struct core *c, uint32_t idx, bool enabled, uint32_t width,
			 uint32_t height)
{
	struct scanout *so = &c->scanouts[idx];

	so->enabled = enabled;
	if (width && height) {
		so->width = width;
		so->height = height;
	}
}

int scanout_set_edid(struct core *c, uint32_t idx, const uint8_t *edid, size_t len)
{
	uint8_t *copy = NULL;

	if (edid) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, edid, len);
	}
	scanout_adopt_edid(c, idx, copy, len);
	return 0;
}

void scanout_adopt_edid(struct core *c, uint32_t idx, uint8_t *edid, size_t len)
{
	struct scanout *so = &c->scanouts[idx];

	free(so->edid);
	so->edid = edid;
	so->edid_len = edid ? len : 0;
}

void scanout_forget(struct core *c, uint32_t idx)
{
	struct scanout *so = &c->scanouts[idx];

	if (!so->res)
		return;
	so->res->scanout_mask &= ~(1u << idx);
	if (c->hooks && c->hooks->scanout_cleared)
		c->hooks->scanout_cleared(c->hooks_ctx, idx);
	so->res = NULL;
	so->rect = (struct vgm_gpu_rect){ 0, 0, 0, 0 };
	so->fb = (struct scanout_fb){ 0 };
}

void scanout_show(struct core *c, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect, const struct scanout_fb *fb)
{
	struct scanout *so = &c->scanouts[idx];

	scanout_forget(c, idx);
	so->res = res;
	so->rect = *rect;
	so->fb = fb ? *fb : (struct scanout_fb){ 0 };
	res->scanout_mask |= 1u << idx;
}

void scanout_hide(struct core *c, uint32_t idx)
{
	if (!c->scanouts[idx].res)
		return;
	/* The host first: its display thread may read the pixels until the
	 * callback returns, and forgetting frees a staging copy. */
	host_scanout_disable(c->host, idx);
	scanout_forget(c, idx);
}

uint32_t scanout_showing(const struct core *c, uint32_t id)
{
	uint32_t mask = 0;

	for (uint32_t i = 0; i < c->num_scanouts; i++) {
		const struct resource *res = c->scanouts[i].res;

		mask |= (uint32_t)(res && res->id == id) << i;
	}
	return mask;
}

void scanout_drop(struct core *c, uint32_t idx)
{
	scanout_forget(c, idx);
}
