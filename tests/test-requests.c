/* SPDX-License-Identifier: MIT */
/*
 * Requests that complete later, through the public API: submit with a tag
 * (-EINPROGRESS), request_done() from inside vgm_device_poll(), the poll
 * fd and the deadline, the order on a fence timeline, vgm_device_submit()
 * that waits, and what reset and destroy do with requests in flight.
 *
 * The device renders with the test renderer (tests/support/test-renderer.c),
 * which completes fences as virglrenderer does: when the test says the GPU
 * finished, and only once polled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "test-renderer.h"

#define RESP_CAP 512
#define DISPLAY_INFO_SIZE 408u

struct fixture {
	struct test_renderer tr;
	struct harness *h;
	uint8_t out[4][RESP_CAP];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD };

	assert_non_null(f);
	test_renderer_init(&f->tr);
	o.renderer_ops = &f->tr.ops;
	o.renderer_ctx = &f->tr;
	f->h = harness_new(&o);
	memset(f->out, 0xee, sizeof(f->out));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	harness_free(f->h);
	free(f);
	return 0;
}

/* Submits r with tag slot into f->out[slot] (freeing r); the result. */
static int submit_tagged(struct fixture *f, struct req *r, size_t slot, size_t *written)
{
	struct iovec in = { r->buf, r->len };
	struct iovec out = { f->out[slot], RESP_CAP };
	int ret = vgm_device_submit_tagged(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, slot,
					   written);

	req_free(r);
	return ret;
}

/* A fenced GET_DISPLAY_INFO on the global timeline. */
static int submit_fenced(struct fixture *f, size_t slot, uint64_t fence)
{
	struct req r;
	size_t written = 1;
	int ret;

	req_display_info(&r);
	req_fence(&r, fence, 0, -1);
	ret = submit_tagged(f, &r, slot, &written);
	if (ret == -EINPROGRESS)
		assert_int_equal(written, 0);
	return ret;
}

static uint32_t out_type(const struct fixture *f, size_t slot)
{
	return le32(f->out[slot]);
}

/* The k-th request_done since the start. */
static const struct event *done_event(const struct harness *h, size_t k)
{
	size_t seen = 0;

	for (size_t i = 0; i < h->nevents; i++) {
		if (h->events[i].kind == EV_REQUEST_DONE && seen++ == k)
			return &h->events[i];
	}
	fail_msg("no request_done %zu", k);
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* In flight after submit, answered only from the poll once the GPU
 * finished: response, then fence_done, then request_done with the tag. */
static void test_requests_in_flight_until_polled(void **state)
{
	struct fixture *f = *state;
	uint64_t deadline, before = now_ns();

	assert_int_equal(submit_fenced(f, 1, 7), -EINPROGRESS);
	assert_int_equal(f->out[1][0], 0xee); /* nothing written yet */
	assert_int_equal(vgm_device_next_poll(f->h->dev, &deadline), 0);
	assert_true(deadline >= before + 10000000ull && deadline <= now_ns() + 10000000ull);
	assert_int_equal(vgm_device_poll(f->h->dev), 0); /* the GPU has not finished */
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 0);
	test_renderer_finish(&f->tr, 0);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 0); /* not without a poll */
	assert_int_equal(vgm_device_poll(f->h->dev), 0);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 1);
	assert_int_equal(done_event(f->h, 0)->tag, 1);
	assert_int_equal(done_event(f->h, 0)->written, DISPLAY_INFO_SIZE);
	assert_true(last_event(f->h, EV_FENCE)->seq < done_event(f->h, 0)->seq);
	assert_int_equal(last_event(f->h, EV_FENCE)->fence_id, 7);
	assert_int_equal(out_type(f, 1), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(vgm_device_next_poll(f->h->dev, &deadline), -ENOENT);
}

/* The library keeps a copy of the out array: the VMM's may go. */
static void test_requests_out_array_copied(void **state)
{
	struct fixture *f = *state;
	struct iovec *out = malloc(2 * sizeof(*out));
	struct iovec in;
	size_t written;
	struct req r;

	assert_non_null(out);
	out[0] = (struct iovec){ f->out[0], 24 };
	out[1] = (struct iovec){ f->out[2], RESP_CAP };
	req_display_info(&r);
	req_fence(&r, 3, 0, -1);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(vgm_device_submit_tagged(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, out, 2, 9,
						  &written),
			 -EINPROGRESS);
	req_free(&r);
	memset(out, 0, 2 * sizeof(*out));
	free(out);
	test_renderer_finish(&f->tr, 0);
	assert_int_equal(vgm_device_poll(f->h->dev), 0);
	assert_int_equal(done_event(f->h, 0)->written, DISPLAY_INFO_SIZE);
	assert_int_equal(out_type(f, 0), VGM_GPU_RESP_OK_DISPLAY_INFO);
	/* the body went on into the second element: pmodes[0]'s width, enabled */
	assert_int_equal(le32(f->out[2] + 8), 1024);
	assert_int_equal(le32(f->out[2] + 16), 1);
}

/* Unfenced requests are answered at once, even behind a pending fence;
 * a later fenced one, an error answer included, waits its turn. */
static void test_requests_timeline_order(void **state)
{
	struct fixture *f = *state;
	size_t written = 0;
	struct req r;

	assert_int_equal(submit_fenced(f, 0, 1), -EINPROGRESS);
	req_display_info(&r);
	assert_int_equal(submit_tagged(f, &r, 1, &written), 0);
	assert_int_equal(written, DISPLAY_INFO_SIZE);
	req_unref(&r, 99); /* an error answer, fenced */
	req_fence(&r, 2, 0, -1);
	assert_int_equal(submit_tagged(f, &r, 2, &written), -EINPROGRESS);
	assert_int_equal(written, 0);
	assert_int_equal(vgm_device_poll(f->h->dev), 0);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 0);
	test_renderer_finish(&f->tr, 0);
	assert_int_equal(vgm_device_poll(f->h->dev), 0);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 2);
	assert_int_equal(done_event(f->h, 0)->tag, 0);
	assert_int_equal(done_event(f->h, 1)->tag, 2);
	assert_int_equal(out_type(f, 2), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
}

/* vgm_device_submit() keeps its 0.1 contract: it returns with the
 * response written, polling meanwhile (a tagged request before it on its
 * timeline is answered on the way). */
static void test_requests_submit_waits(void **state)
{
	struct fixture *f = *state;
	struct iovec in, out = { f->out[3], RESP_CAP };
	size_t written = 0;
	struct req r;

	f->tr.finish_when_polled = true;
	assert_int_equal(submit_fenced(f, 0, 1), -EINPROGRESS);
	req_display_info(&r);
	req_fence(&r, 2, 0, -1);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(vgm_device_submit(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1,
					   &written),
			 0);
	req_free(&r);
	assert_int_equal(written, DISPLAY_INFO_SIZE);
	assert_int_equal(out_type(f, 3), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 1); /* the tagged one only */
	assert_int_equal(done_event(f->h, 0)->tag, 0);
	assert_int_equal(count_events(f->h, EV_FENCE), 2);
	assert_int_equal(last_event(f->h, EV_FENCE)->fence_id, 2);
}

/* Reset answers every request in flight, in order, ERR_UNSPEC with its
 * fence echoed, request_done called, fence_done not. */
static void test_requests_reset_answers_in_flight(void **state)
{
	struct fixture *f = *state;
	uint64_t deadline;

	assert_int_equal(submit_fenced(f, 0, 4), -EINPROGRESS);
	assert_int_equal(submit_fenced(f, 1, 5), -EINPROGRESS);
	assert_int_equal(vgm_device_reset(f->h->dev), 0);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(done_event(f->h, i)->tag, i);
		assert_int_equal(done_event(f->h, i)->written, 24);
		assert_int_equal(out_type(f, i), VGM_GPU_RESP_ERR_UNSPEC);
		assert_int_equal(le64(f->out[i] + 8), 4 + i);
	}
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
	assert_int_equal(vgm_device_next_poll(f->h->dev, &deadline), -ENOENT);
	test_renderer_finish(&f->tr, 1);
	assert_int_equal(vgm_device_poll(f->h->dev), 0); /* nothing more */
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 2);
}

/* Destroy writes the ERR_UNSPEC answers but calls nothing back. */
static void test_requests_destroy_calls_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(submit_fenced(f, 0, 6), -EINPROGRESS);
	vgm_device_destroy(f->h->dev);
	f->h->dev = NULL;
	assert_int_equal(out_type(f, 0), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(count_events(f->h, EV_REQUEST_DONE), 0);
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
}

/* With the 2D renderer nothing is ever in flight, and there is no fd. */
static void test_requests_2d_answers_at_once(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){ 0 });
	struct iovec in, out = { h->resp, sizeof(h->resp) };
	size_t written = 0;
	uint64_t deadline;
	struct req r;
	int fd;

	(void)state;
	req_display_info(&r);
	req_fence(&r, 1, 0, -1);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(vgm_device_submit_tagged(h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, 3,
						  &written),
			 0);
	req_free(&r);
	assert_int_equal(written, DISPLAY_INFO_SIZE);
	assert_int_equal(count_events(h, EV_FENCE), 1);
	assert_int_equal(count_events(h, EV_REQUEST_DONE), 0);
	assert_int_equal(vgm_device_get_poll_fd(h->dev, &fd), -ENOENT);
	assert_int_equal(vgm_device_next_poll(h->dev, &deadline), -ENOENT);
	assert_int_equal(vgm_device_poll(h->dev), 0);
	assert_int_equal(vgm_device_get_poll_fd(h->dev, NULL), -EINVAL);
	assert_int_equal(vgm_device_next_poll(h->dev, NULL), -EINVAL);
	assert_int_equal(vgm_device_poll(NULL), -EINVAL);
	harness_free(h);
}

/* Without request_done the VMM could never learn of an answer. The
 * refusal is host misuse, so it changes nothing: the device is still as
 * created, and a saved state loads into it. */
static void test_requests_tagged_needs_request_done(void **state)
{
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = harness_no_translate };
	struct vgm_device_config cfg = { .size = sizeof(cfg), .num_scanouts = 1, .ops = &ops,
					 .flags = VGM_DEVICE_SAVEABLE };
	uint8_t req[24] = { 0x00, 0x01 }, resp[24], saved[4096];
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	struct vgm_device *dev, *src;
	size_t written = 5, saved_len;

	(void)state;
	assert_int_equal(vgm_device_new(&cfg, &src), 0);
	assert_int_equal(vgm_device_save(src, saved, sizeof(saved), &saved_len), 0);
	vgm_device_destroy(src);
	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_int_equal(vgm_device_submit_tagged(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, 1,
						  &written),
			 -EINVAL);
	assert_int_equal(written, 5);
	assert_int_equal(vgm_device_load(dev, saved, saved_len), 0);
	vgm_device_destroy(dev);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_requests_in_flight_until_polled),
		T(test_requests_out_array_copied),
		T(test_requests_timeline_order),
		T(test_requests_submit_waits),
		T(test_requests_reset_answers_in_flight),
		T(test_requests_destroy_calls_nothing),
		cmocka_unit_test(test_requests_2d_answers_at_once),
		cmocka_unit_test(test_requests_tagged_needs_request_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
