/* SPDX-License-Identifier: MIT */
/*
 * What a save walks, in an order that depends only on the state: the
 * resources by id; the regions named by the guest by memory id, then the
 * others in the order of the first resource that uses each. The core's
 * tables iterate in an order of their own (a seed per table), so without
 * this a state saved, loaded and saved again would not be the same bytes.
 */
#include <errno.h>
#include <stdlib.h>

#include "state-impl.h"

static int by_resource_id(const void *a, const void *b)
{
	uint32_t x = resource_id(*(struct resource *const *)a);
	uint32_t y = resource_id(*(struct resource *const *)b);

	return (x > y) - (x < y);
}

static int by_memory_id(const void *a, const void *b)
{
	uint32_t x = region_memory_id(*(struct region *const *)a);
	uint32_t y = region_memory_id(*(struct region *const *)b);

	return (x > y) - (x < y);
}

static int by_pointer(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct walk_ref *)a)->rg;
	uintptr_t y = (uintptr_t)((const struct walk_ref *)b)->rg;

	return (x > y) - (x < y);
}

/* The index of rg among the regions listed so far, or 0. */
static uint32_t lookup(const struct walk *w, uint32_t sorted, const struct region *rg)
{
	struct walk_ref key = { .rg = rg };
	const struct walk_ref *hit = bsearch(&key, w->refs, sorted, sizeof(key), by_pointer);

	for (uint32_t i = sorted; !hit && i < w->nrefs; i++) {
		if (w->refs[i].rg == rg)
			hit = &w->refs[i];
	}
	return hit ? hit->idx : 0;
}

static void add_region(struct walk *w, struct region *rg)
{
	w->regions[w->nregions++] = rg;
	w->refs[w->nrefs++] = (struct walk_ref){ .rg = rg, .idx = w->nregions };
}

/* The anonymous regions, and every resource's index of its region. A
 * region shared by several resources (its name dropped) is listed once:
 * the named ones are sorted for bsearch, the rest are few (one resource
 * each, unless a name was dropped while several used it). */
static void list_backings(struct walk *w)
{
	uint32_t sorted = w->nrefs;

	qsort(w->refs, sorted, sizeof(*w->refs), by_pointer);
	for (uint32_t i = 0; i < w->nresources; i++) {
		struct region *rg = resource_backing(w->resources[i]);

		w->backing[i] = 0;
		if (!rg)
			continue;
		w->backing[i] = lookup(w, sorted, rg);
		if (!w->backing[i]) {
			add_region(w, rg);
			w->backing[i] = w->nregions;
		}
	}
}

int walk_init(struct walk *w, const struct core *c)
{
	struct core_stats st;
	size_t nres, nmem;
	uint32_t pos = 0;
	void *obj;

	core_stats(c, &st);
	nres = st.resources;
	nmem = st.memory_ids;
	*w = (struct walk){ 0 };
	w->resources = calloc(nres + 1, sizeof(*w->resources));
	w->backing = calloc(nres + 1, sizeof(*w->backing));
	w->regions = calloc(nres + nmem + 1, sizeof(*w->regions));
	w->refs = calloc(nres + nmem + 1, sizeof(*w->refs));
	if (!w->resources || !w->backing || !w->regions || !w->refs) {
		walk_fini(w);
		return -ENOMEM;
	}
	while ((obj = resource_next(c, &pos)))
		w->resources[w->nresources++] = obj;
	qsort(w->resources, w->nresources, sizeof(*w->resources), by_resource_id);
	pos = 0;
	while ((obj = memory_next(c, &pos)))
		w->regions[w->nregions++] = obj;
	qsort(w->regions, w->nregions, sizeof(*w->regions), by_memory_id);
	for (uint32_t i = 0; i < w->nregions; i++)
		w->refs[w->nrefs++] = (struct walk_ref){ .rg = w->regions[i], .idx = i + 1 };
	list_backings(w);
	return 0;
}

void walk_fini(struct walk *w)
{
	free(w->resources);
	free(w->backing);
	free(w->regions);
	free(w->refs);
	*w = (struct walk){ 0 };
}
