/* SPDX-License-Identifier: MIT */
/*
 * dma-bufs of guest memory through /dev/udmabuf: where the VMM's guest RAM
 * is a memfd, a range of a region is a list of (memfd, offset, size) items
 * (region_file_items()) that the kernel turns into one dma-buf, for
 * zero-copy display with KMS, EGL or Wayland.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "render-impl.h"

static int open_udmabuf(struct render *r)
{
	if (r->udmabuf_fd == -1) {
		r->udmabuf_fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		if (r->udmabuf_fd < 0) {
			logger_msg(r->log, VGM_LOG_INFO,
				   "no /dev/udmabuf (%d): scanouts go to the host as pixels", errno);
			r->udmabuf_fd = -2;
		}
	}
	return r->udmabuf_fd;
}

int udmabuf_create(struct render *r, const struct file_item *items, int n)
{
	struct udmabuf_create_list *list;
	int ctl = open_udmabuf(r), fd;

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
		if (!r->udmabuf_failed)
			logger_msg(r->log, VGM_LOG_INFO,
				   "UDMABUF_CREATE_LIST failed (%d): pixels instead", fd);
		r->udmabuf_failed = true;
	}
	free(list);
	return fd;
}
