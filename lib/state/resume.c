/* SPDX-License-Identifier: MIT */
/*
 * Guest memory mapped again: after a load (every region), and when the
 * VMM says a guest range moved (the regions with a range in it). A region
 * translate() refuses is lost (core/remap.c); a scanout that showed a blob
 * in it is disabled, one that showed a blob in a region mapped again is
 * shown again (its pointer, staging copy or dma-buf made anew), as a load
 * shows every scanout again; only then are the old mappings given back.
 * Then a resume tells the host the cursors and the UUIDs as the guest last
 * set them.
 */
#include "state-impl.h"

/* Shows again what scanout i shows, or stops showing it when its backing
 * is lost; only the scanouts whose blob lies in [gpa, gpa + len), and
 * every one when all is true (a resume: the host was never shown them, so
 * one that cannot be shown is forgotten without scanout_disable()). */
static void show_again(struct core *c, struct render *r, uint32_t i, uint64_t gpa, uint64_t len,
		       bool all)
{
	struct scanout_desc so;
	struct region *rg;
	bool blob;

	scanout_describe(c, i, &so);
	if (!so.res)
		return;
	blob = resource_pixels_in_backing(so.res);
	rg = resource_backing(so.res);
	if (!all && (!blob || !rg || (region_mapped(rg) && !region_overlaps(rg, gpa, len))))
		return;
	/* Lost, or no memory for a staging copy: it goes dark. */
	if ((blob && (!rg || !region_mapped(rg))) ||
	    render_show(r, i, so.res, &so.rect, blob ? &so.fb : NULL)) {
		if (all)
			scanout_drop(c, i);
		else
			scanout_hide(c, i);
	}
}

/* A renderer that keeps host addresses of backings (virglrenderer's
 * iovecs) is given the new ones of each backing moved; one it cannot take
 * (no memory) counts as lost, as the region would. */
static uint32_t backings_again(struct core *c, struct render *r)
{
	struct resource *res;
	uint32_t pos = 0, lost = 0;

	if (!render_keeps_backings(r))
		return 0;
	while ((res = resource_next(c, &pos))) {
		struct region *rg = resource_backing(res);

		if (rg && region_moved(c, rg) && !render_backing_moved(r, res))
			lost++; /* mapped again, so not counted by region_remap() */
	}
	return lost;
}

uint32_t state_unmap_guest(struct core *c, struct render *r, uint64_t gpa, uint64_t len)
{
	uint32_t lost = region_remap(c, gpa, len);

	lost += backings_again(c, r);
	for (uint32_t i = 0; i < core_num_scanouts(c); i++)
		show_again(c, r, i, gpa, len, false);
	region_release_old(c); /* nothing shows the old mappings now */
	return lost;
}

static void cursor_again(struct core *c, struct host *host, uint32_t i)
{
	struct cursor_desc cd;
	struct vgm_cursor cur;

	cursor_describe(c, i, &cd);
	if (!cd.visible)
		return;
	cur = (struct vgm_cursor){
		.pixels = cd.image,
		.hot_x = cd.hot_x,
		.hot_y = cd.hot_y,
		.x = cd.x,
		.y = cd.y,
	};
	host_cursor_set(host, i, &cur);
}

static void uuid_again(struct host *host, const struct resource *res)
{
	struct resource_desc d;

	resource_describe(res, &d);
	if (d.has_uuid)
		host_resource_uuid(host, d.id, d.uuid);
}

/* In the order of their ids, so two resumes of one state say the same;
 * without memory to sort them, in the table's order. */
static void uuids_again(struct core *c, struct host *host)
{
	struct resource *res;
	uint32_t pos = 0;
	struct walk w;

	if (walk_init(&w, c) == 0) {
		for (uint32_t i = 0; i < w.nresources; i++)
			uuid_again(host, w.resources[i]);
		walk_fini(&w);
		return;
	}
	while ((res = resource_next(c, &pos)))
		uuid_again(host, res);
}

uint32_t state_resume(struct core *c, struct render *r, struct host *host)
{
	uint32_t lost = region_remap(c, 0, UINT64_MAX);

	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		show_again(c, r, i, 0, UINT64_MAX, true);
		cursor_again(c, host, i);
	}
	region_release_old(c); /* the restored tables, which mapped nothing */
	uuids_again(c, host);
	return lost;
}
