/* SPDX-License-Identifier: MIT */
/*
 * Memory regions: storage made of guest pages. Every backing is a region:
 * MEMORY_CREATE makes one the guest names, ATTACH_BACKING an anonymous one.
 *
 * A region is mapped through the host once, when it is made, into a table
 * of host-contiguous pieces sorted by offset; region-read.c reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "core-impl.h"

struct builder {
	struct core *c;
	struct region *rg;
	uint32_t cap;	/* pieces the arrays have room for, sentinel excluded */
	uint32_t maps;	/* translate() results so far, against limits.table_pieces */
	uint64_t room;	/* what the budget has left: the arrays never pass it */
};

/* Bytes a piece costs in the arrays the table has, or is about to have. */
static uint64_t piece_bytes(const struct builder *b, bool with_fd_pos)
{
	return sizeof(struct region_seg) + (host_has_release(b->c->host) ? sizeof(void *) : 0) +
	       (with_fd_pos ? sizeof(uint64_t) : 0);
}

/* The sentinel and the fd list. */
static uint64_t fixed_bytes(uint32_t nfds)
{
	return sizeof(struct region_seg) + (uint64_t)nfds * sizeof(int32_t);
}

/* True when arrays with room for cap pieces and nfds fds stay within what
 * the budget has left. */
static bool fits(const struct builder *b, uint32_t cap, bool with_fd_pos, uint32_t nfds)
{
	return fixed_bytes(nfds) + (uint64_t)cap * piece_bytes(b, with_fd_pos) <= b->room;
}

/* The most pieces the arrays may have room for: what the budget has left,
 * and no more than the pieces one request may map. Every growth is held
 * to it, so a table never costs more than the budget has left while it is
 * built (issue 9: a table of 384 MiB was built, then refused, against a
 * budget of 1 MiB). */
static uint32_t cap_limit(const struct builder *b)
{
	uint64_t fixed = fixed_bytes(b->rg->nfds);
	uint64_t cap = b->room > fixed ? (b->room - fixed) / piece_bytes(b, b->rg->fd_pos != NULL)
				       : 0;

	return cap < b->c->limits.table_pieces ? (uint32_t)cap : b->c->limits.table_pieces;
}

static bool grow_array(void **arr, size_t elem, uint32_t cap)
{
	void *p;

	if (!*arr)
		return true;
	p = realloc(*arr, (size_t)cap * elem);
	if (!p)
		return false;
	*arr = p;
	return true;
}

/* The guest ranges and the pieces share an allocation, the ranges first
 * (they never change): one allocation for both, and the piece table's
 * resizing carries them along.
 *
 * A table made for SPARE_MIN bytes and more (4,096 scattered pages) is a
 * mapping of its own, kept spare when freed (spare.c), not malloc's: glibc
 * gives a freed large block back to the system, so each new table was
 * page-faulted in anew, 4 KiB at a time (4x the cost per entry of a small
 * table with eight alive, issue 14). A malloc block that grows stays one:
 * realloc moves its pages rather than copying them, so growing costs no
 * more than the larger table (test-request-peak). */
static size_t block_bytes(uint32_t nranges, uint32_t pieces)
{
	return (size_t)nranges * sizeof(struct guest_range) +
	       (size_t)pieces * sizeof(struct region_seg);
}

/* bytes: a mapping of its own (a spare one if there is, with what its
 * last table left in it) if large, else malloc's. *cap receives what the
 * block holds. */
static void *block_alloc(struct core *c, size_t bytes, bool *mapped, size_t *cap)
{
	*mapped = bytes >= SPARE_MIN;
	*cap = bytes;
	return *mapped ? spare_take(c, bytes, cap) : calloc(1, bytes);
}

static void block_free(struct core *c, struct region *rg)
{
	if (rg->block_mapped)
		spare_give(c, rg->ranges, rg->block_bytes);
	else
		free(rg->ranges);
}

static void point_into(struct region *rg, uint8_t *block, size_t cap, bool mapped)
{
	rg->ranges = (struct guest_range *)(void *)block;
	rg->seg = (struct region_seg *)(void *)(block + (size_t)rg->nranges * sizeof(*rg->ranges));
	rg->block_bytes = cap;
	rg->block_mapped = mapped;
}

/* The allocation, with room for pieces pieces. Pieces are written as they
 * are found, each setting the start of the next (the end marker): only the
 * first start is set here, so a spare mapping is not cleared again. */
static bool place_pieces(struct core *c, struct region *rg, uint32_t pieces)
{
	size_t cap;
	bool mapped;
	uint8_t *block = block_alloc(c, block_bytes(rg->nranges, pieces), &mapped, &cap);

	if (!block)
		return false;
	point_into(rg, block, cap, mapped);
	rg->seg[0].start = 0;
	return true;
}

/* Whether the block needs no resizing to hold bytes: the same size, or a
 * mapping that holds them without wasting much of it. */
static bool block_fits(const struct region *rg, size_t bytes)
{
	if (!rg->block_mapped)
		return bytes == rg->block_bytes;
	return bytes <= rg->block_bytes && spare_holds(rg->block_bytes, bytes);
}

/* Room for pieces pieces; false (nothing changed) when there is no memory.
 * A mapping is replaced by a block of the new size and the table copied
 * (it shrinks once, when it is made, and grows only when translate()
 * splits entries). */
static bool resize_pieces(struct core *c, struct region *rg, uint32_t pieces)
{
	size_t bytes = block_bytes(rg->nranges, pieces), cap = bytes;
	bool mapped = false;
	uint8_t *block;

	if (block_fits(rg, bytes))
		return true; /* scattered pages: as many pieces as entries */
	if (!rg->block_mapped) {
		block = realloc(rg->ranges, bytes);
	} else {
		block = block_alloc(c, bytes, &mapped, &cap);
		if (block) {
			memcpy(block, rg->ranges,
			       rg->block_bytes < bytes ? rg->block_bytes : bytes);
			block_free(c, rg);
		}
	}
	if (block)
		point_into(rg, block, cap, mapped);
	return block != NULL;
}

/* Doubles the room for pieces, or takes what the limits leave. */
static enum core_verdict grow_table(struct builder *b)
{
	struct region *rg = b->rg;
	uint32_t limit = cap_limit(b);
	uint32_t cap = b->cap > limit / 2 ? limit : b->cap * 2;

	if (cap <= b->cap)
		return CORE_OVER_BUDGET;
	if (!resize_pieces(b->c, rg, cap + 1))
		return CORE_NO_MEMORY;
	if (!grow_array((void **)&rg->cookies, sizeof(*rg->cookies), cap) ||
	    !grow_array((void **)&rg->fd_pos, sizeof(*rg->fd_pos), cap))
		return CORE_NO_MEMORY;
	b->cap = cap;
	return CORE_OK;
}

/* The slot of fd in the region's fd list, added if new; -1 when the list
 * cannot hold it (65,535 fds, no memory, or past the budget). Guest RAM
 * is usually one or a few memfds. */
static int fd_slot(struct builder *b, int fd)
{
	struct region *rg = b->rg;
	int32_t *fds;

	for (uint32_t i = 0; i < rg->nfds; i++) {
		if (rg->fds[i] == fd)
			return (int)i;
	}
	if (rg->nfds == 0xffff || !fits(b, b->cap, rg->fd_pos != NULL, rg->nfds + 1))
		return -1;
	fds = realloc(rg->fds, ((size_t)rg->nfds + 1) * sizeof(*fds));
	if (!fds)
		return -1;
	rg->fds = fds;
	rg->fds[rg->nfds] = fd;
	return (int)rg->nfds++;
}

/* The positions array, made when the first fd comes: earlier pieces had
 * none. False when there is no memory or no room in the budget. */
static bool add_fd_pos(struct builder *b)
{
	struct region *rg = b->rg;

	if (!fits(b, b->cap, true, rg->nfds))
		return false;
	rg->fd_pos = malloc((size_t)b->cap * sizeof(*rg->fd_pos));
	for (uint32_t i = 0; rg->fd_pos && i < rg->nseg; i++)
		rg->fd_pos[i] = FD_POS_NONE;
	return rg->fd_pos != NULL;
}

/* Where the piece is in a file, or FD_POS_NONE. */
static uint64_t fd_pos_of(struct builder *b, const struct vgm_guest_map *m)
{
	struct region *rg = b->rg;
	int slot;

	if (m->fd < 0 || rg->fd_lost)
		return FD_POS_NONE;
	slot = m->fd_offset >> FD_POS_SHIFT ? -1 : fd_slot(b, m->fd);
	if (slot < 0 || (!rg->fd_pos && !add_fd_pos(b))) {
		/* Pixels still work; only a dma-buf of this region will not. */
		free(rg->fd_pos);
		rg->fd_pos = NULL;
		rg->fd_lost = true;
		return FD_POS_NONE;
	}
	return (uint64_t)slot << FD_POS_SHIFT | m->fd_offset;
}

/* Pieces the host made contiguous, in memory and in its file, are one
 * piece: fewer to walk. A host with release() gets each mapping back. */
static bool joins_last(const struct region *rg, const struct vgm_guest_map *m, uint64_t start,
		       uint64_t pos)
{
	const struct region_seg *last = &rg->seg[rg->nseg - 1];
	uint64_t len = start - last->start;
	uint64_t prev;

	if (rg->cookies || (uintptr_t)last->ptr + len != (uintptr_t)m->ptr)
		return false;
	if (!rg->fd_pos)
		return true;
	/* Same file, and the offset goes on. Compared apart, because the sum
	 * of the packed values can carry into the slot, and FD_POS_NONE + len
	 * can wrap to a real position (both found by test-region). */
	prev = rg->fd_pos[rg->nseg - 1];
	return pos != FD_POS_NONE && prev != FD_POS_NONE &&
	       prev >> FD_POS_SHIFT == pos >> FD_POS_SHIFT && prev + len == pos;
}

static enum core_verdict push_piece(struct builder *b, const struct vgm_guest_map *m,
				    uint64_t start)
{
	struct region *rg = b->rg;
	uint64_t pos = fd_pos_of(b, m);
	enum core_verdict err;

	if (rg->nseg && joins_last(rg, m, start, pos))
		return CORE_OK;
	if (rg->nseg == b->cap && (err = grow_table(b)) != CORE_OK)
		return err;
	rg->seg[rg->nseg] = (struct region_seg){ .start = start, .ptr = m->ptr };
	if (rg->cookies)
		rg->cookies[rg->nseg] = m->cookie;
	if (rg->fd_pos)
		rg->fd_pos[rg->nseg] = pos;
	rg->nseg++;
	return CORE_OK;
}

static void release_pieces(struct core *c, struct region *rg)
{
	if (!rg->cookies)
		return;
	for (uint32_t i = 0; i < rg->nseg; i++) {
		uint64_t pos = rg->fd_pos ? rg->fd_pos[i] : FD_POS_NONE;
		struct vgm_guest_map m = {
			.ptr = rg->seg[i].ptr,
			.len = rg->seg[i + 1].start - rg->seg[i].start,
			.cookie = rg->cookies[i],
			.fd = pos == FD_POS_NONE ? -1 : rg->fds[pos >> FD_POS_SHIFT],
			.fd_offset = pos == FD_POS_NONE ? 0 : pos & ((1ull << FD_POS_SHIFT) - 1),
		};

		host_release(c->host, &m);
	}
}

/* Gives back a mapping that never joined the table. */
static void release_one(struct core *c, const struct vgm_guest_map *m)
{
	host_release(c->host, m);
}

/* Maps one guest entry, piece by piece as the host finds them contiguous.
 * Every translate() result counts against the pieces one request may map,
 * joined or not: a host may hand out a byte at a time. */
static enum core_verdict map_entry(struct builder *b, const struct vgm_gpu_mem_entry *e)
{
	struct core *c = b->c;
	uint64_t done = 0;
	enum core_verdict err;

	while (done < e->length) {
		uint64_t want = e->length - done;
		struct vgm_guest_map m = { .fd = -1 };
		uint64_t start = b->rg->seg[b->rg->nseg].start;

		if (b->maps == c->limits.table_pieces)
			return CORE_OVER_PIECES;
		if (host_translate(c->host, e->addr + done, want, &m) < 0)
			return CORE_NOT_GUEST_RAM;
		if (!m.ptr || m.len == 0 || m.len > want) {
			logger_msg(c->log, VGM_LOG_ERROR,
				   "translate(0x%llx, %llu) returned a bad mapping",
				   (unsigned long long)(e->addr + done), (unsigned long long)want);
			return CORE_NOT_GUEST_RAM; /* not a mapping: nothing to give back */
		}
		b->maps++;
		err = push_piece(b, &m, start);
		if (err) {
			release_one(c, &m);
			return err;
		}
		b->rg->seg[b->rg->nseg].start = start + m.len;
		done += m.len;
	}
	return CORE_OK;
}

/* Gives back what translation did not use. A failed shrink keeps the
 * larger array, which works as well. */
static uint64_t shrink(void **arr, size_t elem, uint32_t cap, uint32_t n)
{
	void *p;

	if (!*arr)
		return 0;
	if (n == 0) { /* realloc(p, 0) may free p: be explicit */
		free(*arr);
		*arr = NULL;
		return 0;
	}
	p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return (uint64_t)cap * elem;
	*arr = p;
	return (uint64_t)n * elem;
}

/* Sizes the arrays to the pieces made. They were held within the budget
 * while they grew: no check is left to make. */
static void settle(struct builder *b)
{
	struct region *rg = b->rg;
	uint64_t bytes = (uint64_t)(resize_pieces(b->c, rg, rg->nseg + 1) ? rg->nseg + 1 : b->cap + 1) *
			 sizeof(*rg->seg);

	bytes += shrink((void **)&rg->cookies, sizeof(*rg->cookies), b->cap, rg->nseg);
	bytes += shrink((void **)&rg->fd_pos, sizeof(*rg->fd_pos), b->cap, rg->nseg);
	bytes += (uint64_t)rg->nfds * sizeof(*rg->fds);
	rg->table_bytes = bytes;
}

static void region_free(struct core *c, struct region *rg)
{
	release_pieces(c, rg);
	block_free(c, rg); /* the ranges and the pieces */
	free(rg->cookies);
	free(rg->fd_pos);
	free(rg->fds);
	free(rg);
}

/* log2 of the pieces' length when all but the last are the same power of
 * two (>= 512 bytes) and the last is no longer, else 0. */
static uint32_t uniform_shift(const struct region *rg)
{
	uint64_t len = rg->nseg > 1 ? rg->seg[1].start : 0;
	uint32_t shift = len ? (uint32_t)__builtin_ctzll(len) : 0;

	if (shift < 9 || len != 1ull << shift ||
	    rg->seg[rg->nseg].start - rg->seg[rg->nseg - 1].start > len)
		return 0;
	for (uint32_t i = 1; i + 1 < rg->nseg; i++) {
		if (rg->seg[i + 1].start - rg->seg[i].start != len)
			return 0;
	}
	return shift;
}

/* Entries that continue the one before in guest memory make one range:
 * what the region keeps of them. */
static bool continues(const struct vgm_gpu_mem_entry *prev, const struct vgm_gpu_mem_entry *e)
{
	return prev->addr + prev->length == e->addr; /* validate() checked: no wrap */
}

static uint32_t count_ranges(const struct vgm_gpu_mem_entry *e, uint32_t n)
{
	uint32_t ranges = n ? 1 : 0;

	for (uint32_t i = 1; i < n; i++)
		ranges += !continues(&e[i - 1], &e[i]);
	return ranges;
}

static void keep_ranges(struct region *rg, const struct vgm_gpu_mem_entry *e, uint32_t n)
{
	struct guest_range *r = rg->ranges - 1;

	for (uint32_t i = 0; i < n; i++) {
		if (i && continues(&e[i - 1], &e[i]))
			r->len += e[i].length;
		else
			*++r = (struct guest_range){ e[i].addr, e[i].length };
	}
}

/* The table starts with room for every entry: refused at once, before any
 * translate(), when the entries alone are more than the limits allow. */
static enum core_verdict builder_init(struct builder *b, struct core *c,
				      const struct vgm_gpu_mem_entry *e, uint32_t n)
{
	*b = (struct builder){ .c = c, .cap = n ? n : 1, .room = budget_room(c) };
	if (b->cap > c->limits.table_pieces)
		return CORE_OVER_PIECES;
	if (!fits(b, b->cap, false, 0))
		return CORE_OVER_BUDGET;
	b->rg = calloc(1, sizeof(*b->rg));
	if (!b->rg)
		return CORE_NO_MEMORY;
	b->rg->nranges = count_ranges(e, n);
	if (place_pieces(c, b->rg, b->cap + 1))
		keep_ranges(b->rg, e, n);
	if (host_has_release(c->host))
		b->rg->cookies = calloc(b->cap, sizeof(*b->rg->cookies));
	if (!b->rg->seg || (host_has_release(c->host) && !b->rg->cookies))
		return CORE_NO_MEMORY;
	return CORE_OK;
}

enum core_verdict region_create(struct core *c, const struct vgm_gpu_mem_entry *entries,
				uint32_t n, uint64_t size, struct region **out)
{
	struct builder b;
	enum core_verdict err = builder_init(&b, c, entries, n);

	for (uint32_t i = 0; err == CORE_OK && i < n; i++)
		err = map_entry(&b, &entries[i]);
	if (err) {
		if (b.rg)
			region_free(c, b.rg);
		return err;
	}
	if (b.rg->seg[b.rg->nseg].start != size)
		abort(); /* validate() checked that the entries add up */
	settle(&b);
	b.rg->page_shift = uniform_shift(b.rg);
	b.rg->refs = 1;
	b.rg->size = size;
	b.rg->nentries = n;
	/* The table grew within what the budget had left: it fits. */
	if (budget_charge(c, BUDGET_TABLE, b.rg->table_bytes))
		abort();
	c->backing_entries += n;
	c->nregions++;
	*out = b.rg;
	return CORE_OK;
}

void region_ref(struct region *rg)
{
	rg->refs++;
}

void region_unref(struct core *c, struct region *rg)
{
	if (rg->refs == 0)
		abort();
	if (--rg->refs > 0)
		return;
	budget_release(c, BUDGET_TABLE, rg->table_bytes);
	c->backing_entries -= rg->nentries;
	c->nregions--;
	region_free(c, rg);
}

uint64_t region_size(const struct region *rg)
{
	return rg->size;
}

uint32_t region_memory_id(const struct region *rg)
{
	return rg->memory_id;
}

const struct guest_range *region_ranges(const struct region *rg, uint32_t *n)
{
	*n = rg->nranges;
	return rg->ranges;
}

uint32_t region_pieces(const struct region *rg, struct iovec *iov)
{
	for (uint32_t i = 0; iov && i < rg->nseg; i++) {
		uint64_t end = i + 1 < rg->nseg ? rg->seg[i + 1].start : rg->size;

		iov[i] = (struct iovec){ rg->seg[i].ptr, (size_t)(end - rg->seg[i].start) };
	}
	return rg->nseg;
}

void region_unmap(struct core *c, struct region *rg)
{
	if (rg->unmapped)
		return;
	release_pieces(c, rg);
	budget_release(c, BUDGET_TABLE, rg->table_bytes);
	free(rg->cookies);
	free(rg->fd_pos);
	free(rg->fds);
	resize_pieces(c, rg, 1); /* the ranges and a sentinel; a failed shrink keeps more */
	*rg->seg = (struct region_seg){ 0 };
	rg->cookies = NULL;
	rg->fd_pos = NULL;
	rg->fds = NULL;
	rg->nfds = 0;
	rg->fd_lost = false;
	rg->nseg = 0;
	rg->page_shift = 0;
	rg->table_bytes = 0;
	rg->unmapped = true;
}
