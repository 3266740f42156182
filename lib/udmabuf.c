/* SPDX-License-Identifier: MIT */
/*
 * dma-bufs of guest memory through /dev/udmabuf: where the VMM's guest RAM
 * is a memfd, a range of a region is a list of (memfd, offset, size) items
 * that the kernel turns into one dma-buf, for zero-copy display with KMS,
 * EGL or Wayland. The items must be whole pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "private.h"

static bool add_item(struct udmabuf_item *items, int *n, int cap, int32_t fd, uint64_t offset,
		     uint64_t size)
{
	struct udmabuf_item *last = *n ? &items[*n - 1] : NULL;

	if (last && last->fd == fd && last->offset + last->size == offset) {
		last->size += size;
		return true;
	}
	if (*n == cap)
		return false;
	items[(*n)++] = (struct udmabuf_item){ fd, offset, size };
	return true;
}

static bool aligned(const struct udmabuf_item *items, int n, uint64_t page)
{
	for (int i = 0; i < n; i++) {
		if (items[i].offset % page || items[i].size % page)
			return false;
	}
	return true;
}

int udmabuf_list(const struct region *rg, uint64_t off, uint64_t len, uint64_t page,
		 struct udmabuf_item *items, int cap, uint64_t *lead)
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

static int open_udmabuf(struct vgm_device *dev)
{
	if (dev->udmabuf_fd == -1) {
		dev->udmabuf_fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		if (dev->udmabuf_fd < 0) {
			logger_msg(dev->log, VGM_LOG_INFO, "no /dev/udmabuf (%d): scanouts go to the host as pixels",
				errno);
			dev->udmabuf_fd = -2;
		}
	}
	return dev->udmabuf_fd;
}

int udmabuf_create(struct vgm_device *dev, const struct udmabuf_item *items, int n)
{
	struct udmabuf_create_list *list;
	int ctl = open_udmabuf(dev), fd;

	if (ctl < 0)
		return -ENODEV;
	list = calloc(1, sizeof(*list) + (size_t)n * sizeof(list->list[0]));
	if (!list)
		return -ENOMEM;
	list->flags = UDMABUF_FLAGS_CLOEXEC;
	list->count = (uint32_t)n;
	for (int i = 0; i < n; i++)
		list->list[i] = (struct udmabuf_create_item){
			.memfd = (uint32_t)items[i].fd, .offset = items[i].offset, .size = items[i].size
		};
	fd = ioctl(ctl, UDMABUF_CREATE_LIST, list);
	if (fd < 0) {
		fd = -errno;
		/* Once: a guest flips pages often, and the cause (say, memfds
		 * without F_SEAL_SHRINK) rarely goes away. */
		if (!dev->udmabuf_failed)
			logger_msg(dev->log, VGM_LOG_INFO, "UDMABUF_CREATE_LIST failed (%d): pixels instead",
				fd);
		dev->udmabuf_failed = true;
	}
	free(list);
	return fd;
}
