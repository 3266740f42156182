/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "test-renderer.h"

static bool same(const struct render_timeline *a, const struct render_timeline *b)
{
	return a->ring == b->ring && a->ring_idx == b->ring_idx && a->ctx_id == b->ctx_id;
}

/* Handed over, never done at once. */
static bool fence_later(struct render *r, const struct render_timeline *t, uint64_t seq)
{
	struct test_renderer *tr = render_ops_ctx(r);

	assert_true(tr->nfences < TEST_RENDERER_MAX_FENCES);
	if (tr->nfences)
		assert_true(seq > tr->fences[tr->nfences - 1].seq); /* one sequence */
	tr->fences[tr->nfences++] = (struct test_fence){ .timeline = *t, .seq = seq };
	return false;
}

/* The fence of done[0..n) of t's timeline, or NULL. */
static const struct render_fence *listed(const struct render_fence *done, size_t n,
					 const struct render_timeline *t)
{
	for (size_t k = 0; k < n; k++) {
		if (same(&done[k].timeline, t))
			return &done[k];
	}
	return NULL;
}

/* Per timeline, its last finished fence not reported yet: once. */
static size_t poll_merged(struct render *r, struct render_fence *done, size_t cap)
{
	struct test_renderer *tr = render_ops_ctx(r);
	size_t n = 0;

	tr->polls++;
	for (size_t i = 0; tr->finish_when_polled && i < tr->nfences; i++)
		tr->fences[i].finished = true;
	for (size_t i = tr->nfences; i-- > 0 && n < cap;) {
		const struct test_fence *f = &tr->fences[i];

		if (f->finished && !f->reported && !listed(done, n, &f->timeline))
			done[n++] = (struct render_fence){ f->timeline, f->seq };
	}
	for (size_t i = 0; i < tr->nfences; i++) {
		const struct render_fence *last = listed(done, n, &tr->fences[i].timeline);

		if (last && tr->fences[i].seq <= last->seq)
			tr->fences[i].reported = true;
	}
	return n;
}

void test_renderer_init(struct test_renderer *tr)
{
	*tr = (struct test_renderer){ .ops = render_2d_ops };
	tr->ops.fence = fence_later;
	tr->ops.poll = poll_merged;
}

void test_renderer_finish(struct test_renderer *tr, size_t n)
{
	assert_true(n < tr->nfences);
	for (size_t i = 0; i <= n; i++) {
		if (same(&tr->fences[i].timeline, &tr->fences[n].timeline))
			tr->fences[i].finished = true;
	}
}
