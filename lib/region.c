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
	uint32_t cap; /* pieces the table has room for, sentinel excluded */
};

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
	if (rg->maps) {
		struct region_map *maps = realloc(rg->maps, (size_t)cap * sizeof(*maps));

		if (!maps)
			return false;
		rg->maps = maps;
	}
	b->cap = cap;
	return true;
}

/* The host gave an fd or wants mappings back: from now on keep per-piece
 * details, and say that earlier pieces have none. */
static bool keep_maps(struct builder *b)
{
	struct region *rg = b->rg;

	rg->maps = malloc((size_t)b->cap * sizeof(*rg->maps));
	if (!rg->maps)
		return false;
	for (uint32_t i = 0; i < rg->nseg; i++)
		rg->maps[i] = (struct region_map){ .cookie = NULL, .fd = -1 };
	return true;
}

static bool push_piece(struct builder *b, const struct vgm_guest_map *m, uint64_t start)
{
	struct region *rg = b->rg;
	struct region_seg *last = rg->nseg ? &rg->seg[rg->nseg - 1] : NULL;

	/* A host with release() gets every mapping back as it was made. */
	if (!rg->maps && (m->fd >= 0 || b->dev->ops.release) && !keep_maps(b))
		return false;
	/* Pieces the host made contiguous are one piece: fewer to walk. */
	if (last && !rg->maps &&
	    (uintptr_t)last->ptr + (start - last->start) == (uintptr_t)m->ptr)
		return true;
	if (rg->nseg == b->cap && !grow_table(b))
		return false;
	rg->seg[rg->nseg] = (struct region_seg){ .start = start, .ptr = m->ptr };
	if (rg->maps) {
		rg->maps[rg->nseg] = (struct region_map){
			.cookie = m->cookie, .fd_offset = m->fd_offset, .fd = m->fd
		};
	}
	rg->nseg++;
	return true;
}

static void release_pieces(struct vgm_device *dev, struct region *rg)
{
	if (!dev->ops.release || !rg->maps)
		return;
	for (uint32_t i = 0; i < rg->nseg; i++) {
		struct vgm_guest_map m = {
			.ptr = rg->seg[i].ptr,
			.len = rg->seg[i + 1].start - rg->seg[i].start,
			.cookie = rg->maps[i].cookie,
			.fd = rg->maps[i].fd,
			.fd_offset = rg->maps[i].fd_offset,
		};

		dev->ops.release(dev->host, &m);
	}
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
			return VGM_GPU_RESP_ERR_UNSPEC;
		}
		if (!push_piece(b, &m, start))
			return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
		b->rg->seg[b->rg->nseg].start = start + m.len;
		done += m.len;
	}
	return 0;
}

/* Gives the table back what translation did not use; checks the budget. */
static uint32_t settle(struct builder *b)
{
	struct region *rg = b->rg;
	uint64_t bytes = ((uint64_t)rg->nseg + 1) * sizeof(struct region_seg);
	struct region_seg *seg = realloc(rg->seg, (size_t)bytes);

	if (seg)
		rg->seg = seg;
	else /* the shrink failed: the larger table works as well */
		bytes = ((uint64_t)b->cap + 1) * sizeof(struct region_seg);
	if (rg->maps)
		bytes += (uint64_t)b->cap * sizeof(struct region_map);
	rg->table_bytes = bytes;
	return hostmem_fits(b->dev, bytes) ? 0 : VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
}

static void region_free(struct vgm_device *dev, struct region *rg)
{
	release_pieces(dev, rg);
	free(rg->seg);
	free(rg->maps);
	free(rg);
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
	if (!b.rg->seg)
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

/* The piece holding off (< size). The reads of one transfer move forward,
 * so search from where the previous one ended: galloping ahead finds a
 * piece d places on in O(log d), the same or the next one in O(1). */
static uint32_t find_piece(const struct region *rg, uint32_t hint, uint64_t off)
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
		memcpy(out + done, rg->seg[i].ptr + (pos - rg->seg[i].start), chunk);
		done += chunk;
		if (done < len)
			i++;
	}
	cur->idx = i;
	return done;
}
