/* SPDX-License-Identifier: MIT */
/*
 * Reading a region: the bytes of its pieces in order, one pass over them.
 *
 * A read finds its piece by a shift (a guest's pages of one size), or by
 * searching on from where the previous read of the same transfer ended, so
 * consecutive rows cost O(1) to find.
 *
 * Prefetching. A guest's pieces are scattered pages: the hardware
 * prefetcher stops at the end of each and takes a few misses to find the
 * next, so a read asks for the start of the next piece while it copies
 * one; transfers of short rows (tiles), each a few lines in a page of its
 * own, ask for rows ahead with region_prefetch() (render/transfer.c).
 */
#include <string.h>

#include "core-impl.h"

/* What a read asks for of the piece after the one it copies: the start of
 * a page. The hardware prefetcher takes over once a piece is under way;
 * asking for more only keeps the CPU's queues busy (measured: 1.07-1.26x
 * faster than a whole page at 3840x2160, docs/benchmarks.md). */
#define PIECE_AHEAD 1024u
/* What region_prefetch() asks for at most: a page. */
#define PREFETCH_MAX 4096u
#define LINE 64u

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Asks the CPU for the lines of [p, p + n). */
static inline void prefetch_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += LINE)
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

	if (off >= rg->size || rg->unmapped)
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
		 * one is copied. */
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

	if (off >= rg->size || rg->unmapped)
		return;
	len = (size_t)min_u64(min_u64(len, rg->size - off), PREFETCH_MAX);
	i = find_piece(rg, cur->idx, off);
	while (len > 0) {
		size_t chunk = (size_t)min_u64(rg->seg[i + 1].start - off, len);

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

	if (len == 0 || __builtin_add_overflow(off, len, &end) || end > rg->size || rg->unmapped)
		return NULL;
	i = find_piece(rg, 0, off);
	if (end > rg->seg[i + 1].start)
		return NULL;
	return rg->seg[i].ptr + (off - rg->seg[i].start);
}
