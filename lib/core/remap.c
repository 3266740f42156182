/* SPDX-License-Identifier: MIT */
/*
 * Regions whose host mappings go and come back. A region restored from a
 * saved state has its guest ranges and no mappings until the device
 * resumes; a region with a guest range the VMM says is no longer mapped
 * where it was gives its mappings back and is translated again, whole.
 * One that cannot be translated again stays without mappings: its backing
 * is lost (region_mapped() is false) until a later remap succeeds.
 */
#include <stdlib.h>
#include <string.h>

#include "core-impl.h"

/* The longest guest entry: a range is translated as entries of at most this. */
#define ENTRY_MAX UINT32_MAX

enum core_verdict region_restore(struct core *c, const struct guest_range *ranges, uint32_t n,
				 uint64_t size, uint32_t nentries, uint32_t granularity,
				 struct region **out)
{
	struct region *rg = calloc(1, sizeof(*rg));
	size_t bytes = (size_t)n * sizeof(*ranges) + sizeof(struct region_seg);
	uint8_t *block = calloc(1, bytes);

	if (!rg || !block) {
		free(rg);
		free(block);
		return CORE_NO_MEMORY;
	}
	rg->ranges = (struct guest_range *)(void *)block;
	rg->seg = (struct region_seg *)(void *)(block + (size_t)n * sizeof(*ranges));
	rg->block_bytes = bytes; /* malloc's: block_mapped is false */
	if (n)
		memcpy(rg->ranges, ranges, (size_t)n * sizeof(*ranges));
	rg->nranges = n;
	rg->refs = 1;
	rg->size = size;
	rg->nentries = nentries;
	rg->loaded_shift = granularity;
	rg->unmapped = true;
	c->backing_entries += nentries;
	c->nregions++;
	*out = rg;
	return CORE_OK;
}

bool region_mapped(const struct region *rg)
{
	return !rg->unmapped;
}

uint32_t region_entries(const struct region *rg)
{
	return rg->nentries;
}

uint32_t region_granularity(const struct region *rg)
{
	return rg->page_shift ? rg->page_shift : rg->loaded_shift;
}

uint64_t region_range_entries(const struct guest_range *r)
{
	return r->len ? (r->len - 1) / ENTRY_MAX + 1 : 1;
}

bool region_overlaps(const struct region *rg, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len < gpa ? UINT64_MAX : gpa + len;

	for (uint32_t i = 0; i < rg->nranges; i++) {
		const struct guest_range *r = &rg->ranges[i];

		if (r->len && r->addr < end && gpa < r->addr + r->len)
			return true;
	}
	return false;
}

/* The ranges as guest entries, as region_create() takes them: a range
 * longer than an entry can say is cut into several, which it joins again.
 * NULL: no memory, or more entries than a request has (a load refuses
 * those: never more than the entries the region was made from). */
static struct vgm_gpu_mem_entry *entries_of(const struct region *rg, uint32_t *n)
{
	struct vgm_gpu_mem_entry *e;
	uint64_t count = 0;

	for (uint32_t i = 0; i < rg->nranges; i++)
		count += region_range_entries(&rg->ranges[i]);
	if (count > UINT32_MAX)
		return NULL;
	e = calloc(count ? count : 1, sizeof(*e));
	*n = (uint32_t)count; /* no more than the entries it was made from */
	for (uint32_t i = 0, k = 0; e && i < rg->nranges; i++) {
		uint64_t addr = rg->ranges[i].addr, left = rg->ranges[i].len;

		do {
			uint32_t len = left > ENTRY_MAX ? ENTRY_MAX : (uint32_t)left;

			e[k++] = (struct vgm_gpu_mem_entry){ .addr = addr, .length = len };
			addr += len;
			left -= len;
		} while (left);
	}
	return e;
}

#define SWAP(a, b)                     \
	do {                           \
		__typeof__(a) t_ = (a); \
		(a) = (b);             \
		(b) = t_;              \
	} while (0)

/* a and b, made of the same ranges, trade their tables: the pieces, what
 * they map and what it is charged, and the block that holds them (malloc's
 * or a mapping of its own, spare.c). */
static void swap_tables(struct region *a, struct region *b)
{
	SWAP(a->ranges, b->ranges);
	SWAP(a->seg, b->seg);
	SWAP(a->nseg, b->nseg);
	SWAP(a->cookies, b->cookies);
	SWAP(a->fd_pos, b->fd_pos);
	SWAP(a->fds, b->fds);
	SWAP(a->nfds, b->nfds);
	SWAP(a->fd_lost, b->fd_lost);
	SWAP(a->page_shift, b->page_shift);
	SWAP(a->table_bytes, b->table_bytes);
	SWAP(a->block_bytes, b->block_bytes);
	SWAP(a->block_mapped, b->block_mapped);
	SWAP(a->unmapped, b->unmapped);
}

/* A fresh region of rg's ranges, translated as the request that made rg
 * was. */
static enum core_verdict translate_again(struct core *c, const struct region *rg,
					 struct region **fresh)
{
	uint32_t n;
	struct vgm_gpu_mem_entry *e = entries_of(rg, &n);
	enum core_verdict err = e ? region_create(c, e, n, rg->size, fresh) : CORE_NO_MEMORY;

	free(e);
	return err;
}

/*
 * Translates rg again. Its old mappings are given back after the new ones
 * are made, by region_release_old(), once the caller has shown the
 * scanouts again: a display thread reads a blob's old pixels until
 * scanout_set() says otherwise. Where the budget cannot hold both tables,
 * the old one goes first. The old table becomes a region of its own,
 * which takes the counters fresh added with it.
 */
static enum core_verdict map_again(struct core *c, struct region *rg)
{
	struct region *fresh;
	enum core_verdict err = translate_again(c, rg, &fresh);

	rg->loaded_shift = 0; /* the host's pieces say from now on, or nothing: lost */
	if (err == CORE_OVER_BUDGET && !rg->unmapped) {
		region_unmap(c, rg);
		err = translate_again(c, rg, &fresh);
	}
	if (err) {
		region_unmap(c, rg);
		return err;
	}
	swap_tables(rg, fresh);
	fresh->old_next = c->old_tables;
	c->old_tables = fresh;
	return CORE_OK;
}

void region_release_old(struct core *c)
{
	while (c->old_tables) {
		struct region *old = c->old_tables;

		c->old_tables = old->old_next;
		region_unref(c, old); /* its mappings, if it has any, given back */
	}
}

static void log_lost(struct core *c, const struct region *rg, enum core_verdict err)
{
	static const char *const why[] = {
		[CORE_NO_MEMORY] = "no memory",
		[CORE_OVER_BUDGET] = "over the host-memory budget",
		[CORE_NOT_GUEST_RAM] = "translate() refused a range",
		[CORE_OVER_PIECES] = "more than max_table_pieces pieces",
	};
	const char *reason = (size_t)err < ARRAY_SIZE(why) && why[err] ? why[err] : "?";

	logger_msg(c->log, VGM_LOG_WARNING,
		   "a backing of %llu bytes at guest 0x%llx cannot be mapped again (%s): lost",
		   (unsigned long long)rg->size,
		   (unsigned long long)(rg->nranges ? rg->ranges[0].addr : 0), reason);
}

/* Once per region and remap: a region several resources share is
 * reached several times. */
static uint32_t remap_one(struct core *c, struct region *rg, uint64_t gpa, uint64_t len)
{
	enum core_verdict err;

	if (rg->mark == c->remap_epoch)
		return 0;
	rg->mark = c->remap_epoch;
	if (!rg->unmapped && !region_overlaps(rg, gpa, len))
		return 0;
	rg->moved = c->remap_epoch;
	err = map_again(c, rg);
	if (err)
		log_lost(c, rg, err);
	return err ? 1 : 0;
}

bool region_moved(const struct core *c, const struct region *rg)
{
	return rg->moved == c->remap_epoch;
}

uint32_t region_remap(struct core *c, uint64_t gpa, uint64_t len)
{
	uint32_t pos = 0, lost = 0;
	struct region *rg;
	struct resource *res;

	if (++c->remap_epoch == 0)
		c->remap_epoch = 1; /* 0 is the mark of a region never visited */
	while ((rg = idtable_next(&c->memory_ids, &pos)))
		lost += remap_one(c, rg, gpa, len);
	pos = 0;
	while ((res = idtable_next(&c->resources, &pos))) {
		if (res->backing)
			lost += remap_one(c, res->backing, gpa, len);
	}
	return lost;
}
