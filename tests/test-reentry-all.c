/* SPDX-License-Identifier: MIT */
/*
 * Every exported function that takes a device, called from inside every
 * callback of that device, returns -EBUSY (issue 9, fault 5), is logged
 * once as API misuse (not at all from inside the log callback, which would
 * recurse), and changes nothing: the device ends as a twin device does to
 * which the same requests were made without the calls.
 *
 * The functions and the callbacks are not listed here: tests/gen-api-calls.py
 * writes them at build time from lib/virtgpu-mem.map and the public header
 * (api-calls.h), so a function added later is called without editing this
 * test, and a callback added later fails it until it has a trigger below.
 * Outside a callback, every call must not be refused.
 *
 * scanout_dmabuf needs /dev/udmabuf: the program is linked with the
 * stand-in of tests/support/udmabuf-fake.c. request_done needs a request
 * that completes later: the device renders with the test renderer, whose
 * fences complete when polled (a fenced vgm_device_submit() waits for it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api-calls.h"
#include "harness.h"
#include "test-renderer.h"
#include "udmabuf-fake.h"

#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM
#define FAKE_FD 77

struct fixture {
	struct test_renderer tr;
	struct harness *h;
	struct backing b;
	uint32_t fired; /* the response to the request that made the callback */
};

/* ---- what makes each callback happen -------------------------------------------- */

static void resource(struct fixture *f)
{
	make_resource(f->h, 1, FMT, 64, 64);
}

static void backed(struct fixture *f)
{
	make_backed(f->h, 1, FMT, 64, 64, &f->b, 4096);
}

static void shown(struct fixture *f)
{
	backed(f);
	show_resource(f->h, 0, 1, 64, 64);
}

/* A 64x64 blob in 4 pages of the fake memfd. */
static void blob(struct fixture *f)
{
	struct req r;

	backing_make(f->h, &f->b, 64 * 64 * 4, 4096);
	req_create_blob(&r, 1, f->b.size, &f->b);
	expect_nodata(f->h, &r);
}

static void fire(struct fixture *f, struct req *r)
{
	f->fired = submit(f->h, r);
}

static void fire_attach(struct fixture *f)
{
	struct req r;

	backing_make(f->h, &f->b, 64 * 64 * 4, 4096);
	req_attach_backing(&r, 1, &f->b);
	fire(f, &r);
}

static void fire_detach(struct fixture *f)
{
	struct req r;

	req_detach_backing(&r, 1);
	fire(f, &r);
}

static void fire_fenced(struct fixture *f)
{
	struct req r;

	req_display_info(&r);
	req_fence(&r, 7, 0, -1);
	fire(f, &r);
}

/* In flight until polled: request_done from inside vgm_device_poll(). */
static void fire_request_done(struct fixture *f)
{
	struct req r;
	struct iovec in, out = { f->h->resp, sizeof(f->h->resp) };
	size_t written;

	req_display_info(&r);
	req_fence(&r, 8, 0, -1);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(vgm_device_submit_tagged(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1,
						  5, &written),
			 -EINPROGRESS);
	req_free(&r);
	f->fired = (uint32_t)vgm_device_poll(f->h->dev);
}

static void fire_display(struct fixture *f)
{
	f->fired = (uint32_t)vgm_device_set_display(f->h->dev, 0, true, 800, 600);
}

static void fire_show(struct fixture *f)
{
	struct req r;

	req_set_scanout(&r, 0, 1, 0, 0, 64, 64);
	fire(f, &r);
}

static void fire_hide(struct fixture *f)
{
	struct req r;

	req_set_scanout(&r, 0, 0, 0, 0, 0, 0);
	fire(f, &r);
}

static void fire_flush(struct fixture *f)
{
	struct req r;

	req_flush(&r, 1, 0, 0, 64, 64);
	fire(f, &r);
}

static void cursor(struct fixture *f, uint32_t id)
{
	struct req r;

	req_update_cursor(&r, 0, id, 10, 20, 1, 2);
	submit_cursor(f->h, &r);
}

static void fire_cursor_set(struct fixture *f)
{
	cursor(f, 1);
}

static void fire_cursor_hide(struct fixture *f)
{
	cursor(f, 0);
}

static void fire_cursor_move(struct fixture *f)
{
	struct req r;

	req_move_cursor(&r, 0, 30, 40);
	submit_cursor(f->h, &r);
}

static void fire_guest_error(struct fixture *f)
{
	struct req r;

	req_unref(&r, 9);
	fire(f, &r);
}

static void fire_uuid(struct fixture *f)
{
	struct req r;

	req_assign_uuid(&r, 1);
	fire(f, &r);
}

static void fire_show_blob(struct fixture *f)
{
	struct req r;

	req_set_scanout_blob(&r, 0, 1, FMT, 64, 64, 64 * 4, 0);
	fire(f, &r);
}

struct trigger {
	const char *callback;
	void (*prepare)(struct fixture *f); /* NULL: nothing */
	void (*fire)(struct fixture *f);
};

static const struct trigger triggers[] = {
	{ "translate", resource, fire_attach },
	{ "release", backed, fire_detach },
	{ "fence_done", NULL, fire_fenced },
	{ "config_changed", NULL, fire_display },
	{ "scanout_set", backed, fire_show },
	{ "scanout_disable", shown, fire_hide },
	{ "scanout_update", shown, fire_flush },
	{ "cursor_set", backed, fire_cursor_set },
	{ "cursor_move", NULL, fire_cursor_move },
	{ "cursor_hide", NULL, fire_cursor_hide },
	{ "log", NULL, fire_guest_error },
	{ "resource_uuid", backed, fire_uuid },
	{ "scanout_dmabuf", blob, fire_show_blob },
	{ "request_done", NULL, fire_request_done },
};

static const struct trigger *trigger_of(const char *callback)
{
	for (size_t i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		if (strcmp(triggers[i].callback, callback) == 0)
			return &triggers[i];
	}
	return NULL;
}

/* ---- the calls ---------------------------------------------------------------------- */

static size_t num_calls(void)
{
	size_t n = 0;

	while (api_calls[n].name)
		n++;
	return n;
}

/* Arguments that are valid where they can be. */
static void args_init(struct api_args *a)
{
	memset(a, 0, sizeof(*a));
	a->iov[0] = (struct iovec){ a->buf, sizeof(a->buf) };
	a->resource_info.size = sizeof(a->resource_info);
	a->scanout_info.size = sizeof(a->scanout_info);
	a->stats.size = sizeof(a->stats);
}

/* What one callback saw: the result of every call, the log lines before
 * and after them. */
struct sweep {
	const char *callback;
	bool done;
	int ret[64];
	size_t logs_before, logs_after;
};

static void sweep_calls(struct harness *h, const char *callback)
{
	struct sweep *s = h->on_callback_data;

	if (s->done || strcmp(callback, s->callback) != 0)
		return;
	s->done = true;
	s->logs_before = h->nlogs;
	for (size_t i = 0; api_calls[i].name; i++) {
		struct api_args a;

		args_init(&a);
		s->ret[i] = api_calls[i].call(h->dev, &a);
	}
	s->logs_after = h->nlogs;
}

/* ---- the device, with and without the calls ----------------------------------------- */

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .fake_fd = FAKE_FD, .with_dmabuf = true,
				  .flags = VGM_DEVICE_SAVEABLE };

	assert_non_null(f);
	test_renderer_init(&f->tr);
	f->tr.finish_when_polled = true;
	o.renderer_ops = &f->tr.ops;
	o.renderer_ctx = &f->tr;
	udmabuf_fake_reset(true);
	f->h = harness_new(&o);
	return f;
}

static void fixture_free(struct fixture *f)
{
	backing_free(&f->b);
	harness_free(f->h);
	free(f);
}

/* Everything a caller can see of the device and its callbacks; the UUID
 * bytes are random, whether there is one is compared. */
struct seen {
	struct snapshot snap;
	struct vgm_resource_info res;
	int has_res;
	size_t events[EV_REQUEST_DONE + 1];
	uint64_t translate_calls;
	uint32_t fired;
};

static void see(struct fixture *f, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	snapshot_take(f->h, &s->snap);
	s->res.size = sizeof(s->res);
	s->has_res = vgm_device_get_resource_info(f->h->dev, 1, &s->res);
	memset(s->res.uuid, 0, sizeof(s->res.uuid));
	for (int k = 0; k <= EV_REQUEST_DONE; k++)
		s->events[k] = count_events(f->h, (enum event_kind)k);
	s->translate_calls = f->h->translate_calls;
	s->fired = f->fired;
}

/* Prepares, then fires with the sweep armed (or not); what is seen after. */
static void run(const struct trigger *t, struct sweep *s, struct seen *after)
{
	struct fixture *f = fixture_new();

	if (t->prepare)
		t->prepare(f);
	f->h->on_callback = s ? sweep_calls : NULL;
	f->h->on_callback_data = s;
	t->fire(f);
	f->h->on_callback = NULL;
	see(f, after);
	if (s && !s->done)
		fail_msg("the trigger of %s did not make the callback", t->callback);
	if (s) {
		/* Each refused call logged once, none from inside the log callback. */
		for (size_t i = 0; api_calls[i].name; i++) {
			char needle[128];

			snprintf(needle, sizeof(needle), "API misuse: %s called from inside",
				 api_calls[i].name);
			assert_int_equal(count_logs(f->h, needle, VGM_LOG_ERROR),
					 strcmp(t->callback, "log") == 0 ? 0 : 1);
		}
	}
	f->h->nlogs = 0;
	fixture_free(f);
}

static void check_callback(const char *callback)
{
	const struct trigger *t = trigger_of(callback);
	struct sweep s = { .callback = callback };
	struct seen twin, hooked;

	if (!t)
		fail_msg("callback %s has no trigger in test-reentry-all.c", callback);
	run(t, NULL, &twin);
	run(t, &s, &hooked);
	for (size_t i = 0; api_calls[i].name; i++) {
		if (!api_calls[i].returns_void && s.ret[i] != -EBUSY)
			fail_msg("%s from inside %s returned %d, not -EBUSY", api_calls[i].name,
				 callback, s.ret[i]);
	}
	if (strcmp(callback, "log") == 0)
		assert_int_equal(s.logs_after, s.logs_before);
	assert_memory_equal(&hooked, &twin, sizeof(twin));
}

static void test_reentry_all_from_every_callback(void **state)
{
	(void)state;
	assert_true(num_calls() > 0 && num_calls() <= 64);
	for (size_t i = 0; api_callbacks[i]; i++)
		check_callback(api_callbacks[i]);
}

/* Outside a callback nothing is refused: the guard is not simply on. */
static void test_reentry_all_outside_callbacks(void **state)
{
	(void)state;
	for (size_t i = 0; api_calls[i].name; i++) {
		struct fixture *f;
		struct api_args a;
		int ret;

		if (api_calls[i].returns_void)
			continue; /* vgm_device_destroy: nothing to tell */
		f = fixture_new();
		shown(f);
		args_init(&a);
		ret = api_calls[i].call(f->h->dev, &a);
		if (ret == -EBUSY)
			fail_msg("%s refused outside a callback", api_calls[i].name);
		assert_int_equal(count_logs(f->h, "called from inside", 0), 0);
		f->h->nlogs = 0; /* some arguments are refused as API misuse */
		fixture_free(f);
	}
}

/* The generator's rule: exactly the functions without a device are left
 * out, and every exported function is one or the other. */
static void test_reentry_all_exempt_take_no_device(void **state)
{
	(void)state;
	for (size_t i = 0; api_exempt[i]; i++) {
		assert_true(strncmp(api_exempt[i], "vgm_", 4) == 0);
		for (size_t j = 0; api_calls[j].name; j++)
			assert_string_not_equal(api_exempt[i], api_calls[j].name);
	}
	assert_non_null(api_exempt[0]); /* vgm_version at least */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reentry_all_from_every_callback),
		cmocka_unit_test(test_reentry_all_outside_callbacks),
		cmocka_unit_test(test_reentry_all_exempt_take_no_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
