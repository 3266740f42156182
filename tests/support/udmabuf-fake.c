/* SPDX-License-Identifier: MIT */
/* The stand-in for /dev/udmabuf: see udmabuf-fake.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "harness.h"
#include "udmabuf-fake.h"

struct udmabuf_fake udmabuf_fake;

void udmabuf_fake_reset(bool present)
{
	memset(&udmabuf_fake, 0, sizeof(udmabuf_fake));
	udmabuf_fake.ctl = -1;
	udmabuf_fake.present = present;
}

/* The build has _FILE_OFFSET_BITS=64: the library's open() is open64(). */
int __real_open64(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
void *__real_calloc(size_t n, size_t size);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);
void *__wrap_calloc(size_t n, size_t size);

int __wrap_open64(const char *path, int flags, ...)
{
	va_list ap;
	unsigned mode;

	va_start(ap, flags);
	mode = (flags & O_CREAT) ? va_arg(ap, unsigned) : 0;
	va_end(ap);
	if (strcmp(path, "/dev/udmabuf") != 0)
		return __real_open64(path, flags, mode);
	udmabuf_fake.opens++;
	if (!udmabuf_fake.present) {
		errno = ENOENT;
		return -1;
	}
	udmabuf_fake.ctl = __real_open64("/dev/null", O_RDWR | O_CLOEXEC);
	return udmabuf_fake.ctl;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	const struct udmabuf_create_list *list;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != udmabuf_fake.ctl || fd < 0 || request != UDMABUF_CREATE_LIST)
		return __real_ioctl(fd, request, arg);
	list = arg;
	udmabuf_fake.ioctls++;
	udmabuf_fake.flags = list->flags;
	udmabuf_fake.count = list->count;
	assert_true(udmabuf_fake.count <= UDMABUF_FAKE_MAX_ITEMS);
	memcpy(udmabuf_fake.items, list->list, udmabuf_fake.count * sizeof(udmabuf_fake.items[0]));
	if (udmabuf_fake.refuse) {
		errno = udmabuf_fake.refuse;
		return -1;
	}
	return memfd_create("fake-dmabuf", MFD_CLOEXEC);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (udmabuf_fake.fail_calloc) {
		udmabuf_fake.fail_calloc = false;
		return NULL;
	}
	return __real_calloc(n, size);
}
