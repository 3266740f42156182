/* SPDX-License-Identifier: MIT */
/*
 * Memory regions: storage made of guest pages. Every backing is a region:
 * MEMORY_CREATE makes one the guest names, ATTACH_BACKING an anonymous one.
 *
 * A region is mapped through the host once, when it is made, into a table
 * of host-contiguous pieces sorted by offset. Reads find their piece by
 * binary search, or in O(1) by walking on from where the previous read of
 * the same transfer ended, so a transfer is one pass over the bytes it moves.
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct builder {
	struct vgm_device *dev;
	struct region *rg;
	uint32_t cap; /* pieces the arrays have room for, sentinel excluded */
};

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

static bool grow_table(struct builder *b)
{
	struct region *rg = b->rg;
	uint32_t cap = b->cap * 2;
	struct region_seg *seg;

	if (cap <= b->cap)
		return false;
	seg = realloc(rg->seg, ((size_t)cap + 1) * sizeof(*seg));
	if (!seg)
		return false;
	rg->seg = seg;
	if (!grow_array((void **)&rg->cookies, sizeof(*rg->cookies), cap) ||
	    !grow_array((void **)&rg->fd_pos, sizeof(*rg->fd_pos), cap))
		return false;
	b->cap = cap;
	return true;
}

/* The slot of fd in the region's fd list, added if new; -1 when the list
 * cannot hold it. Guest RAM is usually one or a few memfds. */
static int fd_slot(struct region *rg, int fd)
{
	int32_t *fds;

	for (uint32_t i = 0; i < rg->nfds; i++) {
		if (rg->fds[i] == fd)
			return (int)i;
	}
	if (rg->nfds == 0xffff)
		return -1;
	fds = realloc(rg->fds, ((size_t)rg->nfds + 1) * sizeof(*fds));
	if (!fds)
		return -1;
	rg->fds = fds;
	rg->fds[rg->nfds] = fd;
	return (int)rg->nfds++;
}

/* Where the piece is in a file, or FD_POS_NONE. The first fd the host
 * gives starts the array; earlier pieces had none. */
static uint64_t fd_pos_of(struct builder *b, const struct vgm_guest_map *m)
{
	struct region *rg = b->rg;
	int slot;

	if (m->fd < 0 || rg->fd_lost)
		return FD_POS_NONE;
	slot = m->fd_offset >> FD_POS_SHIFT ? -1 : fd_slot(rg, m->fd);
	if (slot >= 0 && !rg->fd_pos) {
		rg->fd_pos = malloc((size_t)b->cap * sizeof(*rg->fd_pos));
		for (uint32_t i = 0; rg->fd_pos && i < rg->nseg; i++)
			rg->fd_pos[i] = FD_POS_NONE;
	}
	if (slot < 0 || !rg->fd_pos) {
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

static bool push_piece(struct builder *b, const struct vgm_guest_map *m, uint64_t start)
{
	struct region *rg = b->rg;
	uint64_t pos = fd_pos_of(b, m);

	if (rg->nseg && joins_last(rg, m, start, pos))
		return true;
	if (rg->nseg == b->cap && !grow_table(b))
		return false;
	rg->seg[rg->nseg] = (struct region_seg){ .start = start, .ptr = m->ptr };
	if (rg->cookies)
		rg->cookies[rg->nseg] = m->cookie;
	if (rg->fd_pos)
		rg->fd_pos[rg->nseg] = pos;
	rg->nseg++;
	return true;
}

static void release_pieces(struct vgm_device *dev, struct region *rg)
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

		dev->ops.release(dev->host, &m);
	}
}

/* Gives back a mapping that never joined the table. */
static void release_one(struct vgm_device *dev, const struct vgm_guest_map *m)
{
	if (dev->ops.release)
		dev->ops.release(dev->host, m);
}

/* Maps one guest entry, piece by piece as the host finds them contiguous. */
static uint32_t map_entry(struct builder *b, const struct vgm_gpu_mem_entry *e)
{
	struct vgm_device *dev = b->dev;
	uint64_t done = 0;

	while (done < e->length) {
		uint64_t want = e->length - done;
		struct vgm_guest_map m = { .fd = -1 };
		uint64_t start = b->rg->seg[b->rg->nseg].start;

		if (dev->ops.translate(dev->host, e->addr + done, want, &m) < 0)
			return VGM_GPU_RESP_ERR_UNSPEC;
		if (!m.ptr || m.len == 0 || m.len > want) {
			dev_log(dev, VGM_LOG_ERROR, "translate(0x%llx, %llu) returned a bad mapping",
				(unsigned long long)(e->addr + done), (unsigned long long)want);
			return VGM_GPU_RESP_ERR_UNSPEC; /* not a mapping: nothing to give back */
		}
		if (!push_piece(b, &m, start)) {
			release_one(dev, &m);
			return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
		}
		b->rg->seg[b->rg->nseg].start = start + m.len;
		done += m.len;
	}
	return 0;
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

/* Sizes the arrays to the pieces made and checks them against the budget. */
static uint32_t settle(struct builder *b)
{
	struct region *rg = b->rg;
	uint64_t bytes = shrink((void **)&rg->seg, sizeof(*rg->seg), b->cap + 1, rg->nseg + 1);

	bytes += shrink((void **)&rg->cookies, sizeof(*rg->cookies), b->cap, rg->nseg);
	bytes += shrink((void **)&rg->fd_pos, sizeof(*rg->fd_pos), b->cap, rg->nseg);
	bytes += (uint64_t)rg->nfds * sizeof(*rg->fds);
	rg->table_bytes = bytes;
	return hostmem_fits(b->dev, bytes) ? 0 : VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
}

static void region_free(struct vgm_device *dev, struct region *rg)
{
	release_pieces(dev, rg);
	free(rg->seg);
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

uint32_t region_create(struct vgm_device *dev, const struct vgm_gpu_mem_entry *entries,
		       uint32_t n, uint64_t size, struct region **out)
{
	struct builder b = { .dev = dev, .cap = n ? n : 1 };
	uint32_t err = VGM_GPU_RESP_ERR_OUT_OF_MEMORY;

	/* Don't allocate a table the budget could never hold. */
	if (((uint64_t)b.cap + 1) * sizeof(struct region_seg) > dev->limits.host_memory)
		return err;
	b.rg = calloc(1, sizeof(*b.rg));
	if (!b.rg)
		return err;
	b.rg->seg = calloc((size_t)b.cap + 1, sizeof(*b.rg->seg));
	if (dev->ops.release)
		b.rg->cookies = calloc(b.cap, sizeof(*b.rg->cookies));
	if (!b.rg->seg || (dev->ops.release && !b.rg->cookies))
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		err = map_entry(&b, &entries[i]);
		if (err)
			goto fail;
	}
	if (b.rg->seg[b.rg->nseg].start != size)
		abort(); /* validate() checked that the entries add up */
	err = settle(&b);
	if (err)
		goto fail;
	b.rg->page_shift = uniform_shift(b.rg);
	b.rg->refs = 1;
	b.rg->size = size;
	b.rg->nentries = n;
	dev->table_bytes += b.rg->table_bytes;
	dev->backing_entries += n;
	dev->nregions++;
	*out = b.rg;
	return 0;
fail:
	region_free(dev, b.rg);
	return err;
}

void region_ref(struct region *rg)
{
	rg->refs++;
}

void region_unref(struct vgm_device *dev, struct region *rg)
{
	if (rg->refs == 0)
		abort();
	if (--rg->refs > 0)
		return;
	dev->table_bytes -= rg->table_bytes;
	dev->backing_entries -= rg->nentries;
	dev->nregions--;
	region_free(dev, rg);
}

/* What a read asks for of the piece after the one it copies: the start of
 * a page. The hardware prefetcher stops at each page's end and takes
 * over again once a piece is under way; asking for more only keeps the
 * CPU's queues busy (measured: 1.07-1.26x faster than a whole page at
 * 3840x2160, docs/benchmarks.md). */
#define PIECE_AHEAD 1024u
/* What region_prefetch() asks for at most. */
#define PREFETCH_MAX 4096u

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Asks the CPU for the lines of [p, p + n). */
static inline void prefetch_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 64)
		__builtin_prefetch(p + i, 0, 3);
}

/* The piece holding off (< size), when the pieces are not all one size:
 * the reads of one transfer move forward, so search from where the
 * previous one ended: galloping ahead finds a piece d places on in
 * O(log d), the same or the next one in O(1). */
static uint32_t search_piece(const struct region *rg, uint32_t hint, uint64_t off)
{
	uint32_t lo = 0, hi = rg->nseg;

	if (hint < rg->nseg && rg->seg[hint].start <= off) {
		uint32_t step = 1;

		lo = hint;
		while (step < rg->nseg - lo && rg->seg[lo + step].start <= off) {
			lo += step;
			step *= 2;
		}
		hi = step < rg->nseg - lo ? lo + step : rg->nseg;
	}
	/* seg[lo].start <= off < seg[hi].start (seg[nseg].start is the size) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (rg->seg[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The piece holding off (< size). Pages of one size, what guests send, are
 * found by a shift, inline: transfers of short rows ask once a row. */
static inline uint32_t find_piece(const struct region *rg, uint32_t hint, uint64_t off)
{
	if (rg->page_shift)
		return (uint32_t)(off >> rg->page_shift);
	return search_piece(rg, hint, off);
}

size_t region_read(const struct region *rg, struct region_cursor *cur, uint64_t off, void *dst,
		   size_t len)
{
	uint8_t *out = dst;
	size_t done = 0;
	uint32_t i;

	if (off >= rg->size)
		return 0;
	if (len > rg->size - off)
		len = (size_t)(rg->size - off);
	i = find_piece(rg, cur->idx, off);
	while (done < len) {
		uint64_t pos = off + done;
		size_t chunk = (size_t)(rg->seg[i + 1].start - pos);

		if (chunk > len - done)
			chunk = len - done;
		/* The next piece is elsewhere: ask for its start while this
		 * one is copied (the hardware prefetcher stops at each page's
		 * end, and takes over again once a piece is under way). */
		if (done + chunk < len)
			prefetch_bytes(rg->seg[i + 1].ptr,
				       (size_t)min_u64(rg->seg[i + 2].start - rg->seg[i + 1].start,
						       min_u64(len - done - chunk, PIECE_AHEAD)));
		if (cur->stream)
			copy_stream(out + done, rg->seg[i].ptr + (pos - rg->seg[i].start), chunk);
		else
			memcpy(out + done, rg->seg[i].ptr + (pos - rg->seg[i].start), chunk);
		done += chunk;
		if (done < len)
			i++;
	}
	cur->idx = i;
	return done;
}

void region_prefetch(const struct region *rg, const struct region_cursor *cur, uint64_t off,
		     size_t len)
{
	uint32_t i;

	if (off >= rg->size)
		return;
	len = (size_t)min_u64(min_u64(len, rg->size - off), PREFETCH_MAX);
	i = find_piece(rg, cur->idx, off);
	while (len > 0) {
		size_t chunk = (size_t)(rg->seg[i + 1].start - off);

		if (chunk > len)
			chunk = len;
		prefetch_bytes(rg->seg[i].ptr + (off - rg->seg[i].start), chunk);
		off += chunk;
		len -= chunk;
		i++;
	}
}

uint32_t region_piece(const struct region *rg, uint64_t off)
{
	return find_piece(rg, 0, off);
}

const uint8_t *region_span(const struct region *rg, uint64_t off, uint64_t len)
{
	uint64_t end;
	uint32_t i;

	if (len == 0 || __builtin_add_overflow(off, len, &end) || end > rg->size)
		return NULL;
	i = find_piece(rg, 0, off);
	if (end > rg->seg[i + 1].start)
		return NULL;
	return rg->seg[i].ptr + (off - rg->seg[i].start);
}
