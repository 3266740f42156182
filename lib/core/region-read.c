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
 * one; a rectangle of short rows (tiles), each a few lines in a page of
 * its own, asks for rows ahead (region_read_rows()).
 */
#include <string.h>

#include "core-impl.h"

/* What a read asks for of the piece after the one it copies: the start of
 * a page. The hardware prefetcher takes over once a piece is under way;
 * asking for more only keeps the CPU's queues busy (measured: 1.07-1.26x
 * faster than a whole page at 3840x2160, docs/benchmarks.md). */
#define PIECE_AHEAD 1024u
/* What a prefetch of a row asks for at most: a page. */
#define PREFETCH_MAX 4096u
#define LINE 64u
/* Rows shorter than this are asked for ROWS_AHEAD rows in advance: each
 * is a few lines in a page of its own, which the hardware prefetcher does
 * not foresee, so only requests made early keep several in flight.
 * Measured on 64x64 tiles, 1080p to 8K: 4 rows ahead 0.70x the speed of a
 * memcpy of the same pages, 8 0.80-0.90x, 12 0.86-0.97x, none 0.49-0.62x;
 * the first line of each row alone, 0.44-0.52x at 8K. */
#define SHORT_ROW 1024u
#define ROWS_AHEAD 12u

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

static inline void copy_bytes(const struct region_cursor *cur, uint8_t *dst, const uint8_t *src,
			      size_t n)
{
	if (cur->stream)
		copy_stream(dst, src, n);
	else
		memcpy(dst, src, n);
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
		copy_bytes(cur, out + done, rg->seg[i].ptr + (pos - rg->seg[i].start), chunk);
		done += chunk;
		if (done < len)
			i++;
	}
	cur->idx = i;
	return done;
}

/* Asks the CPU for [off, off + len) of the region, clipped to its end and
 * to a page; cur is only a hint where to look (not moved). */
static void region_prefetch(const struct region *rg, const struct region_cursor *cur,
			    uint64_t off, size_t len)
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

/* The host address of the row [off, off + len) when the pieces are pages
 * of one size (what guests send) and one of them holds it whole: found by
 * a shift, with no call, as rows of a few lines need (a 64x64 tile at 8K
 * is 64 rows in 64 pages). NULL otherwise. */
static inline const uint8_t *row_in_page(const struct region *rg, uint64_t off, size_t len)
{
	const struct region_seg *s;

	if (!rg->page_shift || off >= rg->size || len > rg->size - off)
		return NULL;
	s = &rg->seg[off >> rg->page_shift];
	if (off + len > s[1].start)
		return NULL;
	return s->ptr + (off - s->start);
}

static void prefetch_row(const struct region *rg, const struct region_cursor *cur, uint64_t off,
			 size_t len)
{
	const uint8_t *p = row_in_page(rg, off, len);

	if (p)
		prefetch_bytes(p, len);
	else
		region_prefetch(rg, cur, off, len);
}

/* Copies the row at off; returns the bytes copied. */
static size_t read_row(const struct region *rg, struct region_cursor *cur, uint64_t off,
		       uint8_t *dst, size_t len)
{
	const uint8_t *p = row_in_page(rg, off, len);

	if (!p)
		return region_read(rg, cur, off, dst, len);
	copy_bytes(cur, dst, p, len);
	return len;
}

/* The offset of the row k rows after the one at off; false past 2^64. */
static bool row_after(const struct region_rows *rows, uint64_t off, uint32_t k, uint64_t *out)
{
	uint64_t step;

	return !__builtin_mul_overflow(rows->stride, (uint64_t)k, &step) &&
	       !__builtin_add_overflow(off, step, out);
}

static void prefetch_ahead(const struct region *rg, const struct region_cursor *cur,
			   const struct region_rows *rows, uint64_t off, uint32_t k)
{
	uint64_t ahead;

	if (row_after(rows, off, k, &ahead))
		prefetch_row(rg, cur, ahead, rows->len);
}

/* Row by row; short rows ask for the row ROWS_AHEAD on before each, and
 * for the first ROWS_AHEAD before the first. */
static uint32_t read_each_row(const struct region *rg, struct region_cursor *cur,
			      const struct region_rows *rows)
{
	bool short_rows = rows->len < SHORT_ROW;
	uint64_t off = rows->off;
	uint8_t *dst = rows->dst;
	uint32_t h;

	for (h = 0; short_rows && h < ROWS_AHEAD && h < rows->count; h++)
		prefetch_ahead(rg, cur, rows, off, h);
	for (h = 0; h < rows->count; h++) {
		if (short_rows && h + ROWS_AHEAD < rows->count)
			prefetch_ahead(rg, cur, rows, off, ROWS_AHEAD);
		if (read_row(rg, cur, off, dst, rows->len) < rows->len)
			break;
		if (__builtin_add_overflow(off, rows->stride, &off))
			return h + 1;
		dst += rows->dst_stride;
	}
	return h;
}

uint32_t region_read_rows(const struct region *rg, struct region_cursor *cur,
			  const struct region_rows *rows)
{
	size_t total;

	if (rows->len == 0)
		return rows->count;
	if (rg->unmapped)
		return 0;
	if (rows->len == rows->stride && rows->dst_stride == rows->len &&
	    !__builtin_mul_overflow(rows->len, (size_t)rows->count, &total))
		return (uint32_t)(region_read(rg, cur, rows->off, rows->dst, total) / rows->len);
	return read_each_row(rg, cur, rows);
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
