/* SPDX-License-Identifier: MIT */
/*
 * render/udmabuf.c through the render layer's internal API: where
 * /dev/udmabuf is missing, making a dma-buf fails with -ENODEV, logged
 * once at info level, and the renderer remembers (test-cov-udmabuf stands
 * in for the device; the file ranges are test-region-file's).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "render/render-impl.h"
#include "stack.h"

static int setup(void **state)
{
	struct stack *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	stack_init(s, NULL, NULL);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	stack_fini(*state);
	free(*state);
	return 0;
}

/* A page of the file behind guest RAM, as region_file_items() lists it. */
static const struct file_item one_page = { .fd = 40, .offset = 0x1000, .size = 4096 };

static void test_udmabuf_create_absent(void **state)
{
	struct stack *f = *state;
	int fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		print_message("SKIP: /dev/udmabuf opens here: it is not absent\n");
		skip();
	}
	assert_int_equal(udmabuf_create(f->render, &one_page, 1), -ENODEV);
	assert_int_equal(count_logs(f->h, "no /dev/udmabuf", VGM_LOG_INFO), 1);
	assert_int_equal(count_logs(f->h, "scanouts go to the host as pixels", VGM_LOG_INFO), 1);
	/* Once: the renderer remembers. */
	assert_int_equal(udmabuf_create(f->render, &one_page, 1), -ENODEV);
	assert_int_equal(udmabuf_create(f->render, &one_page, 1), -ENODEV);
	assert_int_equal(f->h->nlogs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udmabuf_create_absent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
