/* SPDX-License-Identifier: MIT */
/*
 * A range of a region as ranges of the files behind guest RAM, where the
 * host gave fds (memfd guest RAM): what a dma-buf of it is made of
 * (render/udmabuf.c). The items must be whole pages.
 */
#include "core-impl.h"

static bool add_item(struct file_item *items, int *n, int cap, int32_t fd, uint64_t offset,
		     uint64_t size)
{
	struct file_item *last = *n ? &items[*n - 1] : NULL;

	if (last && last->fd == fd && last->offset + last->size == offset) {
		last->size += size;
		return true;
	}
	if (*n == cap)
		return false;
	items[(*n)++] = (struct file_item){ fd, offset, size };
	return true;
}

static bool aligned(const struct file_item *items, int n, uint64_t page)
{
	for (int i = 0; i < n; i++) {
		if (items[i].offset % page || items[i].size % page)
			return false;
	}
	return true;
}

int region_file_items(const struct region *rg, uint64_t off, uint64_t len, uint64_t page,
		      struct file_item *items, int cap, uint64_t *lead)
{
	uint64_t start = off - off % page, end;
	int n = 0;

	if (!rg->fd_pos || len == 0 || __builtin_add_overflow(off, len, &end) || end > rg->size)
		return -1;
	if (end % page && (end += page - end % page) > rg->size)
		return -1; /* the last page is not all the region's */
	for (uint32_t i = region_piece(rg, start); start < end; i++) {
		uint64_t pos = rg->fd_pos[i], piece_end = rg->seg[i + 1].start;
		uint64_t size = (piece_end < end ? piece_end : end) - start;
		uint64_t at = (pos & ((1ull << FD_POS_SHIFT) - 1)) + (start - rg->seg[i].start);

		if (pos == FD_POS_NONE ||
		    !add_item(items, &n, cap, rg->fds[pos >> FD_POS_SHIFT], at, size))
			return -1;
		start += size;
	}
	*lead = off % page;
	return aligned(items, n, page) ? n : -1;
}
