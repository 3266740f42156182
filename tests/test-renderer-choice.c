/* SPDX-License-Identifier: MIT */
/*
 * Choosing the renderer in the device config: vgm_renderer_available(),
 * the config's renderer fields, one virgl device per process, and a virgl
 * device's calls from its own thread only.
 *
 * HAVE_VIRGL says whether the library was built with virglrenderer. The
 * tests that need virglrenderer running skip where EGL cannot run
 * surfaceless (no EGL vendor library).
 */
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <virtgpu-mem/virtgpu-mem.h>

#include "harness.h"

static const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = harness_no_translate };

static struct vgm_device_config config(uint32_t renderer, uint32_t flags)
{
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.ops = &ops,
		.renderer = renderer,
		.renderer_flags = flags,
	};

	return cfg;
}

static void test_renderer_2d_always_available(void **state)
{
	(void)state;
	assert_int_equal(vgm_renderer_available(VGM_RENDERER_2D), 0);
	assert_int_equal(vgm_renderer_available(2), -EINVAL);
}

/* Unknown renderers and flags are API misuse; nothing is made. */
static void test_renderer_bad_config_refused(void **state)
{
	struct vgm_device *dev = (struct vgm_device *)&dev;
	struct vgm_device_config cfg = config(2, 0);

	(void)state;
	assert_int_equal(vgm_device_new(&cfg, &dev), -EINVAL);
	cfg = config(VGM_RENDERER_2D, VGM_VIRGL_THREAD_SYNC);
	assert_int_equal(vgm_device_new(&cfg, &dev), -EINVAL);
	cfg = config(VGM_RENDERER_VIRGL, 1u << 1);
	assert_int_equal(vgm_device_new(&cfg, &dev), -EINVAL);
	cfg = config(VGM_RENDERER_2D, 0);
	cfg.reserved = 1;
	assert_int_equal(vgm_device_new(&cfg, &dev), -EINVAL);
	assert_ptr_equal(dev, (struct vgm_device *)&dev); /* untouched */
}

/* A caller of 0.2 (its config ends before max_table_pieces) gets the 2D
 * renderer. */
static void test_renderer_old_config_is_2d(void **state)
{
	struct vgm_device_config cfg = config(VGM_RENDERER_VIRGL, 0);
	struct vgm_device *dev;
	struct vgm_device *other;

	(void)state;
	cfg.size = offsetof(struct vgm_device_config, max_table_pieces);
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	cfg.size = sizeof(cfg);
	cfg.renderer = VGM_RENDERER_2D;
	assert_int_equal(vgm_device_new(&cfg, &other), 0); /* two 2D devices: fine */
	vgm_device_destroy(other);
	vgm_device_destroy(dev);
}

static void test_renderer_virgl_built_or_not(void **state)
{
	struct vgm_device_config cfg = config(VGM_RENDERER_VIRGL, 0);
	struct vgm_device *dev = NULL;
	int avail = vgm_renderer_available(VGM_RENDERER_VIRGL);

	(void)state;
#if HAVE_VIRGL
	assert_true(avail == 0 || avail == -ENODEV);
	if (avail == -ENODEV)
		assert_int_equal(vgm_device_new(&cfg, &dev), -ENODEV);
#else
	assert_int_equal(avail, -ENOTSUP);
	assert_int_equal(vgm_device_new(&cfg, &dev), -ENOTSUP);
	assert_null(dev);
#endif
}

static int count_driver(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *name = info->dlpi_name;
	size_t n = name ? strlen(name) : 0;

	(void)size;
	if (n > 7 && strcmp(name + n - 7, "_dri.so") == 0)
		(*(int *)arg)++;
	return 0;
}

/* Mesa DRI drivers (.../NAME_dri.so) in the process. */
static int gl_drivers_loaded(void)
{
	int n = 0;

	dl_iterate_phdr(count_driver, &n);
	return n;
}

/* The GL driver a virgl renderer loaded stays after the device is gone
 * (EGL would unload it; Mesa 22.3 then leaks what it allocated once per
 * load, and the next renderer loads it again), and a second device after
 * the first works. */
static void test_renderer_virgl_driver_kept(void **state)
{
	struct vgm_device_config cfg = config(VGM_RENDERER_VIRGL, 0);
	struct vgm_device *dev;

	(void)state;
	if (vgm_renderer_available(VGM_RENDERER_VIRGL) != 0)
		skip();
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_true(gl_drivers_loaded() > 0);
	vgm_device_destroy(dev);
	assert_true(gl_drivers_loaded() > 0);
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	vgm_device_destroy(dev);
	assert_true(gl_drivers_loaded() > 0);
}

struct other_thread {
	struct vgm_device *dev;
	int features_ret;
	int submit_ret;
};

static void *call_from_other_thread(void *arg)
{
	struct other_thread *t = arg;
	uint64_t offered;
	size_t written;

	t->features_ret = vgm_device_get_features(t->dev, &offered);
	t->submit_ret = vgm_device_submit(t->dev, VGM_QUEUE_CONTROL, NULL, 0, NULL, 0, &written);
	return NULL;
}

/* One virgl device per process; it answers only its own thread. */
static void test_renderer_virgl_one_per_process(void **state)
{
	struct vgm_device_config cfg = config(VGM_RENDERER_VIRGL, 0);
	struct vgm_device *dev, *second = NULL;
	struct other_thread t = { 0 };
	pthread_t th;
	uint64_t offered;

	(void)state;
	if (vgm_renderer_available(VGM_RENDERER_VIRGL) != 0)
		skip();
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_int_equal(vgm_renderer_available(VGM_RENDERER_VIRGL), -EBUSY);
	assert_int_equal(vgm_device_new(&cfg, &second), -EBUSY);
	assert_null(second);
	t.dev = dev;
	assert_int_equal(pthread_create(&th, NULL, call_from_other_thread, &t), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(t.features_ret, -EBUSY);
	assert_int_equal(t.submit_ret, -EBUSY);
	assert_int_equal(vgm_device_get_features(dev, &offered), 0);
	vgm_device_destroy(dev);
	assert_int_equal(vgm_renderer_available(VGM_RENDERER_VIRGL), 0);
	/* and once it is gone, another may be made */
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	vgm_device_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renderer_2d_always_available),
		cmocka_unit_test(test_renderer_bad_config_refused),
		cmocka_unit_test(test_renderer_old_config_is_2d),
		cmocka_unit_test(test_renderer_virgl_built_or_not),
		cmocka_unit_test(test_renderer_virgl_one_per_process),
		cmocka_unit_test(test_renderer_virgl_driver_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
