/* SPDX-License-Identifier: MIT */
/*
 * Requests in flight (lib/cmd/inflight.c) with a renderer that completes
 * fences as virglrenderer does (tests/support/test-renderer.c): a fenced
 * request is answered only after the renderer's poll says its fence
 * completed; one completion for fence N answers every earlier request of
 * its timeline; completions arrive across submits; answers keep the order
 * of each timeline, error answers included, and timelines are independent;
 * unfenced requests are answered at once; a reset or destroy with requests
 * in flight answers them ERR_UNSPEC without fence_done, and the session
 * after a reset owes the old one nothing (its late fences answer nothing).
 *
 * The stack is built as the device builds it, the renderer swapped: the
 * harness's fake VMM (callbacks recorded), a core, a render object with
 * the test renderer, a dispatch.
 */
#include <stdlib.h>
#include <string.h>

#include "stack.h"
#include "test-renderer.h"

#define SLOTS 8
#define RESP_CAP 2048

struct fixture {
	struct stack s;
	struct harness *h;
	struct dispatch *d;
	struct test_renderer tr;
	uint8_t out[SLOTS][RESP_CAP]; /* each request's writable part, kept while in flight */
	struct iovec iov[SLOTS];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	test_renderer_init(&f->tr);
	stack_init(&f->s, &f->tr.ops, &f->tr);
	f->h = f->s.h;
	f->d = f->s.d;
	memset(f->out, 0xee, sizeof(f->out));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stack_fini(&f->s);
	free(f);
	return 0;
}

/* Submits r on the control queue into slot's buffer (the slot is its tag), freeing r. */
static enum dispatch_state submit_to(struct fixture *f, struct req *r, size_t slot,
				     size_t *written)
{
	struct iovec in = { r->buf, r->len };
	enum dispatch_state st;

	f->iov[slot] = (struct iovec){ f->out[slot], RESP_CAP };
	st = dispatch_submit(f->d, VGM_QUEUE_CONTROL, &in, 1, &f->iov[slot], 1,
			     (struct dispatch_tag){ .value = slot }, written);
	req_free(r);
	return st;
}

/* A fenced GET_DISPLAY_INFO: in flight, nothing written. */
static void submit_pending(struct fixture *f, size_t slot, uint64_t fence, uint32_t ctx, int ring)
{
	struct req r;
	size_t written = 1;

	req_display_info(&r);
	req_fence(&r, fence, ctx, ring);
	assert_int_equal(submit_to(f, &r, slot, &written), DISPATCH_PENDING);
	assert_int_equal(written, 0);
}

static uint32_t out_u32(const struct fixture *f, size_t slot, size_t off)
{
	return le32(f->out[slot] + off);
}

/* The answer in slot: type, and the fence echoed. */
static void assert_answer(const struct fixture *f, size_t slot, uint32_t type, uint64_t fence)
{
	assert_int_equal(out_u32(f, slot, 0), type);
	assert_int_equal(out_u32(f, slot, 4) & VGM_GPU_FLAG_FENCE, VGM_GPU_FLAG_FENCE);
	assert_int_equal(le64(f->out[slot] + 8), fence);
}

static void assert_unwritten(const struct fixture *f, size_t slot)
{
	for (size_t i = 0; i < RESP_CAP; i++)
		assert_int_equal(f->out[slot][i], 0xee);
}

/* The k-th fence_done since the start: its fence id. */
static uint64_t fence_event(const struct fixture *f, size_t k)
{
	size_t seen = 0;

	for (size_t i = 0; i < f->h->nevents; i++) {
		if (f->h->events[i].kind == EV_FENCE && seen++ == k)
			return f->h->events[i].fence_id;
	}
	fail_msg("no fence event %zu", k);
	return 0;
}

static void test_inflight_only_when_polled(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];

	submit_pending(f, 0, 7, 0, -1);
	assert_int_equal(dispatch_in_flight(f->d), 1);
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
	assert_unwritten(f, 0);
	/* The GPU has not finished: a poll answers nothing. */
	assert_int_equal(dispatch_poll(f->d, done, 4), 0);
	assert_int_equal(f->tr.polls, 1);
	test_renderer_finish(&f->tr, 0);
	/* Finished, but reported only when polled. */
	assert_unwritten(f, 0);
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 0);
	assert_int_equal(done[0].written, 408);
	assert_answer(f, 0, VGM_GPU_RESP_OK_DISPLAY_INFO, 7);
	assert_int_equal(fence_event(f, 0), 7);
	assert_int_equal(dispatch_in_flight(f->d), 0);
	assert_int_equal(dispatch_poll(f->d, done, 4), 0);
}

/* One completion for the last of three fences answers all three, in order. */
static void test_inflight_merged_completion(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];

	for (size_t i = 0; i < 3; i++)
		submit_pending(f, i, 10 + i, 0, -1);
	test_renderer_finish(&f->tr, 2);
	assert_int_equal(dispatch_poll(f->d, done, 4), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(done[i].tag.value, i);
		assert_answer(f, i, VGM_GPU_RESP_OK_DISPLAY_INFO, 10 + i);
		assert_int_equal(fence_event(f, i), 10 + i);
	}
}

/* Completions arrive across submits; a poll answers at most cap. */
static void test_inflight_across_submits(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];

	submit_pending(f, 0, 1, 0, -1);
	submit_pending(f, 1, 2, 0, -1);
	test_renderer_finish(&f->tr, 0);
	submit_pending(f, 2, 3, 0, -1);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 0);
	assert_unwritten(f, 1);
	test_renderer_finish(&f->tr, 2);
	assert_int_equal(dispatch_poll(f->d, done, 1), 1); /* room for one */
	assert_int_equal(done[0].tag.value, 1);
	assert_unwritten(f, 2);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 2);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(fence_event(f, i), i + 1);
}

/* Behind a request in flight: an unfenced one is answered at once; a fenced
 * one of the same timeline waits its turn, an error answer too (which never
 * reaches the renderer). */
static void test_inflight_order_of_a_timeline(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];
	size_t written = 0;
	struct req r;

	submit_pending(f, 0, 1, 0, -1);
	req_display_info(&r);
	assert_int_equal(submit_to(f, &r, 1, &written), DISPATCH_DONE);
	assert_int_equal(written, 408);
	req_unref(&r, 99); /* no such resource */
	req_fence(&r, 2, 0, -1);
	assert_int_equal(submit_to(f, &r, 2, &written), DISPATCH_PENDING);
	assert_logged(f->h, "resource_id 99 does not exist");
	assert_int_equal(f->tr.nfences, 1); /* the error did not reach the renderer */
	assert_int_equal(dispatch_poll(f->d, done, 4), 0);
	test_renderer_finish(&f->tr, 0);
	assert_int_equal(dispatch_poll(f->d, done, 4), 2);
	assert_int_equal(done[0].tag.value, 0);
	assert_int_equal(done[1].tag.value, 2);
	assert_int_equal(done[1].written, 24);
	assert_answer(f, 2, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, 2);
	assert_int_equal(fence_event(f, 0), 1);
	assert_int_equal(fence_event(f, 1), 2);
}

/* A context's rings and the global timeline do not wait for each other. */
static void test_inflight_timelines_independent(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];

	submit_pending(f, 0, 1, 3, 0);	/* ctx 3, ring 0 */
	submit_pending(f, 1, 1, 3, 1);	/* ctx 3, ring 1 */
	submit_pending(f, 2, 5, 0, -1); /* global */
	test_renderer_finish(&f->tr, 1);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 1);
	assert_int_equal(f->h->events[0].ctx_id, 3);
	assert_int_equal(f->h->events[0].ring_idx, 1);
	test_renderer_finish(&f->tr, 2);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 2);
	assert_unwritten(f, 0);
	assert_int_equal(dispatch_in_flight(f->d), 1);
}

/* A reset abandons the work in flight: every request is answered, in the
 * order they came, ERR_UNSPEC with its fence echoed, and no fence_done. */
static void test_inflight_reset_answers_pending(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];

	submit_pending(f, 0, 1, 0, -1);
	submit_pending(f, 1, 2, 3, 0);
	test_renderer_finish(&f->tr, 0); /* finished, not polled yet */
	assert_int_equal(dispatch_cancel(f->d, done, 1), 1);
	assert_int_equal(dispatch_cancel(f->d, done + 1, 4), 1);
	assert_int_equal(dispatch_cancel(f->d, done, 4), 0);
	core_reset(f->s.cf.core);
	assert_int_equal(done[0].tag.value, 0);
	assert_int_equal(done[1].tag.value, 1);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(done[i].written, 24);
		assert_answer(f, i, VGM_GPU_RESP_ERR_UNSPEC, i + 1);
	}
	assert_int_equal(out_u32(f, 1, 16), 3); /* ctx_id echoed */
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
	assert_int_equal(dispatch_in_flight(f->d), 0);
	assert_int_equal(dispatch_poll(f->d, done, 4), 0); /* the finished fence is gone with it */
}

/* What a device reset does after the cancel: nothing of the old session
 * is left to answer. The guest starts its fence ids again; the old
 * session's fences, finished late, neither answer nor hold up the new
 * session's requests, which are answered by their own fences only. */
static void test_inflight_reset_then_new_session(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];

	submit_pending(f, 0, 1, 0, -1);
	submit_pending(f, 1, 1, 3, 0);
	while (dispatch_cancel(f->d, done, 4))
		continue;
	dispatch_reset(f->d);
	core_reset(f->s.cf.core);
	memset(f->out, 0xee, sizeof(f->out));
	/* The renderer reports the old fences only now. */
	test_renderer_finish(&f->tr, 0);
	test_renderer_finish(&f->tr, 1);
	submit_pending(f, 2, 1, 0, -1);
	submit_pending(f, 3, 1, 3, 0);
	assert_int_equal(dispatch_in_flight(f->d), 2);
	assert_int_equal(dispatch_poll(f->d, done, 4), 0);
	assert_unwritten(f, 0);
	assert_unwritten(f, 1);
	assert_unwritten(f, 2);
	assert_unwritten(f, 3);
	test_renderer_finish(&f->tr, 3);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 3);
	assert_answer(f, 3, VGM_GPU_RESP_OK_DISPLAY_INFO, 1);
	assert_unwritten(f, 2);
	test_renderer_finish(&f->tr, 2);
	assert_int_equal(dispatch_poll(f->d, done, 4), 1);
	assert_int_equal(done[0].tag.value, 2);
	assert_int_equal(count_events(f->h, EV_FENCE), 2); /* the new session's only */
	assert_int_equal(dispatch_in_flight(f->d), 0);
}

/* Destroying the dispatch with requests in flight answers them the same way. */
static void test_inflight_destroy_answers_pending(void **state)
{
	struct fixture *f = *state;

	submit_pending(f, 0, 4, 0, -1);
	dispatch_fini(f->d);
	dispatch_init(f->d, f->s.cf.core, f->s.render, f->s.cf.host, f->s.cf.log); /* teardown */
	assert_answer(f, 0, VGM_GPU_RESP_ERR_UNSPEC, 4);
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
}

/* Destroy with requests in flight in every state (waiting for the GPU,
 * finished but not polled, done behind an earlier one, on three
 * timelines): each gets its ERR_UNSPEC, no fence_done, and nothing is
 * left allocated (the valgrind and ASan runs of this test check that). */
static void test_inflight_destroy_frees_every_state(void **state)
{
	struct fixture *f = *state;
	struct dispatch_done done[4];
	struct req r;
	size_t written;

	submit_pending(f, 0, 1, 0, -1);
	submit_pending(f, 1, 2, 0, -1);
	submit_pending(f, 2, 1, 3, 0);
	req_unref(&r, 99); /* an error answer, done at once, waits behind slot 2 */
	req_fence(&r, 2, 3, 0);
	assert_int_equal(submit_to(f, &r, 3, &written), DISPATCH_PENDING);
	test_renderer_finish(&f->tr, 1); /* slots 0 and 1 finished, not polled */
	assert_int_equal(dispatch_in_flight(f->d), 4);
	dispatch_fini(f->d);
	dispatch_init(f->d, f->s.cf.core, f->s.render, f->s.cf.host, f->s.cf.log); /* teardown */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(out_u32(f, i, 0), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(count_events(f->h, EV_FENCE), 0);
	assert_int_equal(dispatch_in_flight(f->d), 0);
	assert_int_equal(dispatch_poll(f->d, done, 4), 0);
}

/* The 2D renderer's work is done at once: a fenced request is answered
 * before dispatch_submit() returns, and a poll has nothing to answer. */
static void test_inflight_2d_renderer_answers_at_once(void **state)
{
	struct stack s;
	struct dispatch_done done[4];
	struct iovec in, out;
	size_t written = 0;
	struct req r;

	(void)state;
	stack_init(&s, NULL, NULL);
	req_display_info(&r);
	req_fence(&r, 9, 0, -1);
	in = (struct iovec){ r.buf, r.len };
	out = (struct iovec){ s.h->resp, sizeof(s.h->resp) };
	assert_int_equal(dispatch_submit(s.d, VGM_QUEUE_CONTROL, &in, 1, &out, 1,
					 (struct dispatch_tag){ 0 }, &written),
			 DISPATCH_DONE);
	req_free(&r);
	assert_int_equal(written, 408);
	assert_int_equal(last_event(s.h, EV_FENCE)->fence_id, 9);
	assert_int_equal(dispatch_in_flight(s.d), 0);
	assert_int_equal(dispatch_poll(s.d, done, 4), 0);
	stack_fini(&s);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_inflight_only_when_polled),
		T(test_inflight_merged_completion),
		T(test_inflight_across_submits),
		T(test_inflight_order_of_a_timeline),
		T(test_inflight_timelines_independent),
		T(test_inflight_reset_answers_pending),
		T(test_inflight_reset_then_new_session),
		T(test_inflight_destroy_answers_pending),
		T(test_inflight_destroy_frees_every_state),
		cmocka_unit_test(test_inflight_2d_renderer_answers_at_once),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
