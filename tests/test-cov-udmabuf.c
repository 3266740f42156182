/* SPDX-License-Identifier: MIT */
/*
 * Blob scanouts as dma-bufs, without a /dev/udmabuf: this program is linked
 * with -Wl,--wrap for open64, ioctl and calloc (tests/meson.build), so the
 * library's open("/dev/udmabuf") gets a stand-in (/dev/null), its
 * UDMABUF_CREATE_LIST is answered by tests/support/udmabuf-fake.c (a memfd,
 * or an error) after the list it passes is recorded, and the allocation of
 * that list can fail. Nothing in the library or its API knows.
 *
 * What is checked: the list the kernel would get (files, offsets, sizes:
 * whole pages), what the host gets (a dma-buf with the image's fourcc,
 * stride, offset and size, instead of pixels), and each way out to pixels
 * (no device, the ioctl refused, no memory), each logged once.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "udmabuf-fake.h"

#define FAKE_FD 77
#define W 64
#define H 64
#define STRIDE (W * 4)

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
	udmabuf_fake_reset(true);
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
	if (udmabuf_fake.ctl >= 0) {
		/* destroy closed the /dev/udmabuf it opened */
		assert_int_equal(fcntl(udmabuf_fake.ctl, F_GETFD), -1);
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
	assert_int_equal(udmabuf_fake.flags, UDMABUF_FLAGS_CLOEXEC);
	assert_int_equal(udmabuf_fake.count, f->b.n);
	for (uint32_t i = 0; i < f->b.n; i++) {
		assert_int_equal(udmabuf_fake.items[i].memfd, FAKE_FD);
		assert_int_equal(udmabuf_fake.items[i].offset, f->b.gpa[i] - RAM_BASE);
		assert_int_equal(udmabuf_fake.items[i].size, 4096);
	}
}

static void test_udmabuf_scanout_as_dmabuf(void **state)
{
	struct fixture *f = *state;
	const struct event *e;
	struct req r;

	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(udmabuf_fake.opens, 1);
	assert_int_equal(udmabuf_fake.ioctls, 1);
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
	assert_int_equal(udmabuf_fake.opens, 1);
	assert_int_equal(udmabuf_fake.ioctls, 2);
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

	udmabuf_fake.refuse = EINVAL;
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(udmabuf_fake.ioctls, 1);
	assert_int_equal(count_events(f->h, EV_SCANOUT_DMABUF), 0);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 1);
	assert_int_equal(count_logs(f->h, "UDMABUF_CREATE_LIST failed (-22)", VGM_LOG_INFO), 1);
	/* Tried again at the next one, but said once. */
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(udmabuf_fake.ioctls, 2);
	assert_int_equal(count_events(f->h, EV_SCANOUT_SET), 2);
	assert_int_equal(count_logs(f->h, "UDMABUF_CREATE_LIST failed", 0), 1);
}

static void test_udmabuf_absent(void **state)
{
	struct fixture *f = *state;

	udmabuf_fake.present = false;
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(show(f, 0, H), VGM_GPU_RESP_OK_NODATA);
	/* Looked for once; pixels both times. */
	assert_int_equal(udmabuf_fake.opens, 1);
	assert_int_equal(udmabuf_fake.ioctls, 0);
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
	udmabuf_fake.fail_calloc = true;
	assert_int_equal(vgm_device_submit(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written),
			 0);
	req_free(&r);
	f->h->resp_len = written;
	assert_int_equal(resp_u32(f->h, 0), VGM_GPU_RESP_OK_NODATA);
	assert_false(udmabuf_fake.fail_calloc); /* the list's was the one */
	assert_int_equal(udmabuf_fake.ioctls, 0);
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
