/* SPDX-License-Identifier: MIT */
/*
 * virglrenderer is loaded when a virgl renderer is first asked for, not
 * when the library is (lib/render/virgl-lib.c): a VMM that makes only 2D
 * devices never maps it nor the libraries it pulls in. Linked against the
 * shared library, as a VMM is; whether virglrenderer is in the process is
 * asked of the dynamic loader (dlopen with RTLD_NOLOAD loads nothing).
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <cmocka.h>
#include <virtgpu-mem/virtgpu-mem.h>

#define VIRGL_SONAME "libvirglrenderer.so.1"

static bool virgl_in_process(void)
{
	void *h = dlopen(VIRGL_SONAME, RTLD_LAZY | RTLD_NOLOAD);

	if (!h)
		return false;
	dlclose(h); /* drops the reference NOLOAD took */
	return true;
}

static int translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -EFAULT; /* no guest RAM: the request below names none */
}

/* A 2D device made and used: GET_DISPLAY_INFO answered. */
static void use_2d_device(void)
{
	static const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = translate };
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_STANDARD,
		.num_scanouts = 1,
		.scanouts = { { .enabled = 1, .width = 640, .height = 480 } },
		.ops = &ops,
	};
	uint8_t req[24] = { (uint8_t)VGM_GPU_CMD_GET_DISPLAY_INFO,
			    (uint8_t)(VGM_GPU_CMD_GET_DISPLAY_INFO >> 8) };
	uint8_t resp[512];
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	struct vgm_device *dev = NULL;
	size_t written = 0;

	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_int_equal(vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written), 0);
	assert_int_equal(written, 24 + 16 * 24);
	vgm_device_destroy(dev);
}

/* Not at start, not for a 2D device; once the virgl renderer is asked
 * about, where the library has it and the system has virglrenderer. */
static void test_virgl_lib_loaded_on_demand(void **state)
{
	int ret;

	(void)state;
	assert_false(virgl_in_process());
	use_2d_device();
	assert_int_equal(vgm_renderer_available(VGM_RENDERER_2D), 0);
	assert_false(virgl_in_process());

	ret = vgm_renderer_available(VGM_RENDERER_VIRGL);
	if (!HAVE_VIRGL) {
		assert_int_equal(ret, -ENOTSUP);
		assert_false(virgl_in_process());
		return;
	}
	assert_true(ret == 0 || ret == -ENODEV);
	/* -ENODEV is also the answer where virglrenderer is not installed. */
	if (ret == 0)
		assert_true(virgl_in_process());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virgl_lib_loaded_on_demand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
