/* SPDX-License-Identifier: MIT */
/*
 * Blob scanouts as dma-bufs, without a /dev/udmabuf: this program is linked
 * with -Wl,--wrap for open64, ioctl and calloc (tests/meson.build), so the
 * library's open("/dev/udmabuf") gets a stand-in (/dev/null), its
 * UDMABUF_CREATE_LIST is answered here (a memfd, or an error) after the
 * list it passes is recorded, and the allocation of that list can fail.
 * Nothing in the library or its API knows.
 *
 * What is checked: the list the kernel would get (files, offsets, sizes:
 * whole pages), what the host gets (a dma-buf with the image's fourcc,
 * stride, offset and size, instead of pixels), and each way out to pixels
 * (no device, the ioctl refused, no memory), each logged once.
 *
 * The wrappers cannot take a context, so their state is the one global of
 * this program.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#define FAKE_FD 77
#define W 64
#define H 64
#define STRIDE (W * 4)
#define MAX_ITEMS 16

static struct udmabuf_fake {
	bool present;	   /* open("/dev/udmabuf") works */
	int refuse;	   /* errno the ioctl fails with, 0: it works */
	bool fail_calloc;  /* the next calloc fails */
	int ctl;	   /* the fd open() gave, -1 none */
	unsigned opens;
	unsigned ioctls;
	uint32_t flags, count; /* the last list, and its items */
	struct udmabuf_create_item items[MAX_ITEMS];
} fake;

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
	fake.opens++;
	if (!fake.present) {
		errno = ENOENT;
		return -1;
	}
	fake.ctl = __real_open64("/dev/null", O_RDWR | O_CLOEXEC);
	return fake.ctl;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	const struct udmabuf_create_list *list;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake.ctl || fd < 0 || request != UDMABUF_CREATE_LIST)
		return __real_ioctl(fd, request, arg);
	list = arg;
	fake.ioctls++;
	fake.flags = list->flags;
	fake.count = list->count;
	assert_true(fake.count <= MAX_ITEMS);
	memcpy(fake.items, list->list, fake.count * sizeof(fake.items[0]));
	if (fake.refuse) {
		errno = fake.refuse;
		return -1;
	}
	return memfd_create("fake-dmabuf", MFD_CLOEXEC);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (fake.fail_calloc) {
		fake.fail_calloc = false;
		return NULL;
	}
	return __real_calloc(n, size);
}

struct fixture {
	struct harness *h;
	struct backing b;
};

/* A 64x64 blob in four pages scattered through guest RAM (a memfd, for
 * the harness's translate()), and a host that takes dma-bufs. */
static int setup(void **state)
{
	const struct harness_opts o = { .fake_fd = FAKE_FD, .with_dmabuf = true,
					.with_release = true };
	struct fixture *f = calloc(1, sizeof(*f));
	struct req r;

	assert_non_null(f);
	memset(&fake, 0, sizeof(fake));
	fake.ctl = -1;
	fake.present = true;
	f->h = harness_new(&o);
	backing_make(f->h, &f->b, (uint64_t)STRIDE * H, 4096);
	req_create_blob(&r, 1, f->b.size, &f->b);
	expect_nodata(f->h, &r);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	backing_free(&f->b);
	harness_free(f->h);
	if (fake.ctl >= 0) {
		/* destroy closed the /dev/udmabuf it opened */
		assert_int_equal(fcntl(fake.ctl, F_GETFD), -1);
		assert_int_equal(errno, EBADF);
	}
	free(f);
	return 0;
}

static uint32_t show(struct fixture *f, uint32_t offset, uint32_t height)
{
	struct req r;

	req_set_scanout_blob(&r, 0, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, W, height, STRIDE, offset);
	return submit(f->h, &r);
}

/* The list names the guest pages of the image, in order, in the memfd. */
static void assert_list_is_pages(const struct fixture *f)
{
	assert_int_equal(fake.flags, UDMABUF_FLAGS_CLOEXEC);
	assert_int_equal(fake.count, f->b.n);
	for (uint32_t i = 0; i < f->b.n; i++) {
		assert_int_equal(fake.items[i].memfd, FAKE_FD);
		assert_int_equal(fake.items[i].offset, f->b.gpa[i] - RAM_BASE);
		assert_int_equal(fake.items[i].size, 4096);
	}
}

static void test_udmabuf_scanout_as_dmabuf(void **state)
{
	struct fixture *f = *state;
	const struct event *e;
	struct req r;

	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(fake.opens, 1);
	assert_int_equal(fake.ioctls, 1);
	assert_list_is_pages(f);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 0);
	e = last_event(f->h, EV_SCANOUT_DMABUF);
	assert_non_null(e);
	assert_int_equal(e->scanout, 0);
	assert_int_equal(e->dmabuf.fourcc, DRM_FORMAT_XRGB8888);
	assert_int_equal(e->dmabuf.modifier, DRM_FORMAT_MOD_LINEAR);
	assert_int_equal(e->dmabuf.stride, STRIDE);
	assert_int_equal(e->dmabuf.offset, 0);
	assert_int_equal(e->dmabuf.size, (uint64_t)STRIDE * H);
	assert_int_equal(e->dmabuf.width, W);
	assert_int_equal(e->dmabuf.height, H);
	assert_int_equal(e->dmabuf.rect.width, W);
	assert_int_equal(e->dmabuf.rect.height, H);
	/* Flushes still come as rectangles. */
	req_flush(&r, 1, 0, 0, 8, 8);
	expect_nodata(f->h, &r);
	assert_int_equal(last_event(f->h, EV_SCANOUT_UPDATE)->rect.width, 8);
	/* The device opens /dev/udmabuf once. */
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(fake.opens, 1);
	assert_int_equal(fake.ioctls, 2);
}

/* An image one row into the blob: the dma-buf starts at its page, and the
 * host is told where the image starts in it. */
static void test_udmabuf_offset_inside_page(void **state)
{
	struct fixture *f = *state;
	const struct event *e;

	assert_int_equal(show(f, STRIDE, H - 1), VGM_GPU_RESP_OK_NODATA);
	assert_list_is_pages(f);
	e = last_event(f->h, EV_SCANOUT_DMABUF);
	assert_non_null(e);
	assert_int_equal(e->dmabuf.offset, STRIDE);
	assert_int_equal(e->dmabuf.size, (uint64_t)STRIDE * H);
	assert_int_equal(e->dmabuf.height, H - 1);
}

static void test_udmabuf_ioctl_refused(void **state)
{
	struct fixture *f = *state;

	fake.refuse = EINVAL;
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(fake.ioctls, 1);
	assert_int_equal(count_events(f->h, EV_SCANOUT_DMABUF), 0);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 1);
	assert_int_equal(count_logs(f->h, "UDMABUF_CREATE_LIST failed (-22)", VGM_LOG_INFO), 1);
	/* Tried again at the next one, but said once. */
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(fake.ioctls, 2);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 2);
	assert_int_equal(count_logs(f->h, "UDMABUF_CREATE_LIST failed", 0), 1);
}

static void test_udmabuf_absent(void **state)
{
	struct fixture *f = *state;

	fake.present = false;
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	/* Looked for once; pixels both times. */
	assert_int_equal(fake.opens, 1);
	assert_int_equal(fake.ioctls, 0);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 2);
	assert_int_equal(count_events(f->h, EV_SCANOUT_DMABUF), 0);
	assert_int_equal(count_logs(f->h, "no /dev/udmabuf", VGM_LOG_INFO), 1);
}

static void test_udmabuf_list_no_memory(void **state)
{
	struct fixture *f = *state;
	struct iovec in, out = { f->h->resp, sizeof(f->h->resp) };
	size_t written = 0;
	struct req r;

	/* Submitted here: the harness's submit() allocates too. */
	req_set_scanout_blob(&r, 0, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, W, H, STRIDE, 0);
	in = (struct iovec){ r.buf, r.len };
	fake.fail_calloc = true;
	assert_int_equal(vgm_device_submit(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written),
			 0);
	req_free(&r);
	f->h->resp_len = written;
	assert_int_equal(resp_u32(f->h, 0), VGM_GPU_RESP_OK_NODATA);
	assert_false(fake.fail_calloc); /* the list's was the one */
	assert_int_equal(fake.ioctls, 0);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 1);
	assert_int_equal(count_events(f->h, EV_SCANOUT_DMABUF), 0);
	/* The next one gets its dma-buf. */
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(count_events(f->h, EV_SCANOUT_DMABUF), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udmabuf_scanout_as_dmabuf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udmabuf_offset_inside_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udmabuf_ioctl_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udmabuf_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udmabuf_list_no_memory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
