/* SPDX-License-Identifier: MIT */
/*
 * Calls back into a device from inside its own callbacks (issue 9, fault
 * 5): each was a use after free before the library refused them. Now every
 * public call on the device returns -EBUSY there, logged as API misuse,
 * and changes nothing; vgm_device_destroy() is refused the same way and the
 * device stays valid. test-reentry-all makes every call from every
 * callback; these are the cases that crashed, one by one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM

/* What one callback does when it runs (the first time only). */
struct reentry {
	const char *when;
	int (*act)(struct harness *h, struct reentry *r);
	struct harness *target; /* the device to call, if not the caller's */
	int ret;
	unsigned acted;
	size_t logs_after; /* log lines when the call came back */
	size_t written;	   /* vgm_device_submit()'s, from act_submit_unref */
};

static void on_callback(struct harness *h, const char *callback)
{
	struct reentry *r = h->on_callback_data;

	if (r->acted || strcmp(callback, r->when) != 0)
		return;
	r->acted++;
	r->ret = r->act(r->target ? r->target : h, r);
	r->logs_after = h->nlogs;
}

static void arm(struct harness *h, struct reentry *r)
{
	h->on_callback = on_callback;
	h->on_callback_data = r;
}

static int act_reset(struct harness *h, struct reentry *r)
{
	(void)r;
	return vgm_device_reset(h->dev);
}

static int act_destroy(struct harness *h, struct reentry *r)
{
	(void)r;
	vgm_device_destroy(h->dev);
	return 0;
}

/* RESOURCE_UNREF of resource 1, straight through the API. */
static int act_submit_unref(struct harness *h, struct reentry *r)
{
	struct req q;
	uint8_t resp[64];
	int ret;

	r->written = 77;
	req_unref(&q, 1);
	ret = vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, &(struct iovec){ q.buf, q.len }, 1,
				&(struct iovec){ resp, sizeof(resp) }, 1, &r->written);
	req_free(&q);
	return ret;
}

static int act_reset_twice(struct harness *h, struct reentry *r)
{
	int first = vgm_device_reset(h->dev);

	(void)r;
	return first == vgm_device_reset(h->dev) ? first : 0;
}

/* The call was made once, refused (destroy returns nothing: the log line
 * says it), and logged once as API misuse naming the function; the device
 * still works. */
static void assert_refused(struct harness *h, struct reentry *r, const char *fn)
{
	struct vgm_stats st = { .size = sizeof(st) };
	char needle[128];

	assert_int_equal(r->acted, 1);
	if (r->act != act_destroy)
		assert_int_equal(r->ret, -EBUSY);
	snprintf(needle, sizeof(needle), "API misuse: %s called from inside a callback", fn);
	assert_int_equal(count_logs(h, needle, VGM_LOG_ERROR), 1);
	h->nlogs = 0;
	h->on_callback = NULL;
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
}

/* Standard dialect, two scanouts, release(). */
static int setup(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = 2,
				  .with_release = true };

	*state = harness_new(&o);
	return 0;
}

/* RESOURCE_FLUSH of a 64x64 resource 1, backed by 4 pages, on scanouts 0
 * and 1 (the flush goes on to the second after the first one's callback),
 * with r armed; asserts it was refused and the resource is as it was. */
static void flush_shown(struct harness *h, struct reentry *r, const char *fn)
{
	struct backing b;
	struct req q;

	make_backed(h, 1, FMT, 64, 64, &b, 4096);
	show_resource(h, 0, 1, 64, 64);
	show_resource(h, 1, 1, 64, 64);
	arm(h, r);
	req_flush(&q, 1, 0, 0, 64, 64);
	assert_int_equal(submit(h, &q), VGM_GPU_RESP_OK_NODATA);
	assert_refused(h, r, fn);
	assert_int_equal(resource_info(h, 1).scanout_mask, 3);
	assert_int_equal(h->live_maps, 4);
	backing_free(&b);
}

/* ATTACH_BACKING of 4 pages to a new resource 1 with r armed; asserts it
 * was refused and the attach went through. */
static void attach_new(struct harness *h, struct reentry *r, const char *fn)
{
	struct backing b;
	struct req q;

	make_resource(h, 1, FMT, 64, 64);
	backing_make(h, &b, 64 * 64 * 4, 4096);
	arm(h, r);
	req_attach_backing(&q, 1, &b);
	assert_int_equal(submit(h, &q), VGM_GPU_RESP_OK_NODATA);
	assert_refused(h, r, fn);
	assert_int_equal(resource_info(h, 1).backed, 1);
	assert_int_equal(h->live_maps, 4);
	backing_free(&b);
}

/* A scanout_update callback that resets the device: the flush went on
 * with the resource freed under it. */
static void test_reentry_reset_from_scanout_update(void **state)
{
	struct reentry r = { .when = "scanout_update", .act = act_reset };

	flush_shown(*state, &r, "vgm_device_reset");
}

/* A scanout_update callback that submits RESOURCE_UNREF of the resource
 * being flushed. */
static void test_reentry_submit_from_scanout_update(void **state)
{
	struct reentry r = { .when = "scanout_update", .act = act_submit_unref };

	flush_shown(*state, &r, "vgm_device_submit");
	assert_int_equal(r.written, 77); /* outputs untouched */
}

/* A translate callback that destroys the device, in ATTACH_BACKING. */
static void test_reentry_destroy_from_translate(void **state)
{
	struct reentry r = { .when = "translate", .act = act_destroy };

	attach_new(*state, &r, "vgm_device_destroy");
}

/* A translate callback that resets the device: ATTACH_BACKING went on
 * with its resource freed. */
static void test_reentry_reset_from_translate(void **state)
{
	struct reentry r = { .when = "translate", .act = act_reset };

	attach_new(*state, &r, "vgm_device_reset");
}

/* A scanout_disable callback that destroys the device. */
static void test_reentry_destroy_from_scanout_disable(void **state)
{
	struct harness *h = *state;
	struct reentry r = { .when = "scanout_disable", .act = act_destroy };
	struct backing b;
	struct req q;

	make_backed(h, 1, FMT, 64, 64, &b, 4096);
	show_resource(h, 0, 1, 64, 64);
	arm(h, &r);
	req_set_scanout(&q, 0, 0, 0, 0, 0, 0);
	assert_int_equal(submit(h, &q), VGM_GPU_RESP_OK_NODATA);
	assert_refused(h, &r, "vgm_device_destroy");
	assert_int_equal(resource_info(h, 1).scanout_mask, 0);
	backing_free(&b);
}

/* A release callback that destroys the device, while DETACH_BACKING gives
 * the pages back. */
static void test_reentry_destroy_from_release(void **state)
{
	struct harness *h = *state;
	struct reentry r = { .when = "release", .act = act_destroy };
	struct backing b;
	struct req q;

	make_backed(h, 1, FMT, 64, 64, &b, 4096);
	arm(h, &r);
	req_detach_backing(&q, 1);
	assert_int_equal(submit(h, &q), VGM_GPU_RESP_OK_NODATA);
	assert_refused(h, &r, "vgm_device_destroy");
	assert_int_equal(resource_info(h, 1).backed, 0);
	assert_int_equal(h->live_maps, 0);
	backing_free(&b);
}

/* From inside the log callback a call is refused without a log line: one
 * would call the log callback again, and again. */
static void test_reentry_from_log_does_not_recurse(void **state)
{
	struct harness *h = *state;
	struct reentry r = { .when = "log", .act = act_reset_twice };
	struct req q;

	make_resource(h, 1, FMT, 64, 64);
	arm(h, &r);
	req_unref(&q, 2); /* a guest error: one log line */
	assert_int_equal(submit(h, &q), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(r.acted, 1);
	assert_int_equal(r.ret, -EBUSY);
	assert_int_equal(r.logs_after, 0); /* nothing logged from inside */
	assert_logged(h, "resource_id 2");
	h->on_callback = NULL;
	assert_int_equal(resource_info(h, 1).width, 64);
}

/* Another device may be used from inside a callback: the rule is per
 * device. */
static void test_reentry_other_device_allowed(void **state)
{
	struct harness *h = *state;
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = 2 };
	struct harness *other = harness_new(&o);
	struct reentry r = { .when = "scanout_update", .act = act_reset, .target = h };
	struct backing b;
	struct req q;

	make_resource(h, 1, FMT, 64, 64);
	make_backed(other, 1, FMT, 64, 64, &b, 4096);
	show_resource(other, 0, 1, 64, 64);
	show_resource(other, 1, 1, 64, 64);
	arm(other, &r);
	req_flush(&q, 1, 0, 0, 64, 64);
	assert_int_equal(submit(other, &q), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(r.acted, 1);
	assert_int_equal(r.ret, 0);
	assert_int_equal(count_logs(other, "API misuse", 0), 0);
	assert_int_equal(resource_info(other, 1).scanout_mask, 3);
	assert_int_equal(vgm_device_get_resource_info(h->dev, 1,
						      &(struct vgm_resource_info){ .size = 64 }),
			 -ENOENT); /* h was reset */
	other->on_callback = NULL;
	backing_free(&b);
	harness_free(other);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, harness_teardown)

/* An argument runs the tests whose names match it (cmocka's filter). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_reentry_reset_from_scanout_update),
		T(test_reentry_destroy_from_scanout_disable),
		T(test_reentry_destroy_from_release),
		T(test_reentry_destroy_from_translate),
		T(test_reentry_reset_from_translate),
		T(test_reentry_submit_from_scanout_update),
		T(test_reentry_from_log_does_not_recurse),
		T(test_reentry_other_device_allowed),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
