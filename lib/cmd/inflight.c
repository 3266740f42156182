/* SPDX-License-Identifier: MIT */
/*
 * Requests in flight. A fenced request whose work the renderer has not
 * finished is answered later, when the renderer's poll says its fence
 * completed; one completion for fence N completes every earlier fence of
 * its timeline (virglrenderer reports the last one only). Answers keep the
 * order of the fences of each timeline (a context's ring, or the global
 * one): a request waits behind every earlier one of its timeline, done or
 * not, as the Linux driver expects (it signals every earlier fence when a
 * later one arrives). Timelines are independent of each other.
 *
 * The response is encoded when the request runs and kept here with the
 * caller's tag and writable elements; the answer writes it and tells the
 * host its fence is done.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd-impl.h"

static bool same_timeline(const struct render_timeline *a, const struct render_timeline *b)
{
	return a->ring == b->ring && a->ring_idx == b->ring_idx && a->ctx_id == b->ctx_id;
}

bool inflight_busy(const struct dispatch *d, const struct render_timeline *t)
{
	for (const struct pending *p = d->first; p; p = p->next) {
		if (same_timeline(&p->timeline, t))
			return true;
	}
	return false;
}

/* Bytes of a pending request with len bytes of response and out_cnt
 * elements; 0 on overflow. */
static size_t pending_size(size_t len, size_t out_cnt)
{
	size_t arr, total;

	if (__builtin_mul_overflow(out_cnt, sizeof(struct iovec), &arr) ||
	    __builtin_add_overflow(sizeof(struct pending) + len, arr, &total))
		return 0;
	return total;
}

bool inflight_add(struct dispatch *d, const struct cmd *c, const struct render_timeline *t,
		  uint64_t seq, bool done, const uint8_t *resp, size_t len, struct dispatch_tag tag,
		  const struct iovec *out, size_t out_cnt)
{
	size_t size = pending_size(len, out_cnt);
	struct pending *p = size ? malloc(size) : NULL;

	if (!p)
		return false;
	*p = (struct pending){
		.tag = tag,
		.name = cmd_name(c),
		.out = p->outv,
		.resp = (uint8_t *)(p->outv + out_cnt),
		.out_cnt = out_cnt,
		.timeline = *t,
		.seq = seq,
		.fence_id = c->hdr.fence_id,
		.ctx_id = c->hdr.ctx_id,
		.done = done,
		.len = len,
	};
	memcpy(p->resp, resp, len);
	if (out_cnt)
		memcpy(p->out, out, out_cnt * sizeof(*out));
	if (d->last)
		d->last->next = p;
	else
		d->first = p;
	d->last = p;
	d->in_flight++;
	return true;
}

size_t dispatch_in_flight(const struct dispatch *d)
{
	return d->in_flight;
}

/* Takes p (after prev, or the first) out of the queue. */
static void unlink_pending(struct dispatch *d, struct pending *prev, struct pending *p)
{
	if (prev)
		prev->next = p->next;
	else
		d->first = p->next;
	if (d->last == p)
		d->last = prev;
	d->in_flight--;
}

/* The renderer completed f: every request of its timeline up to it is done. */
static void complete_fence(struct dispatch *d, const struct render_fence *f)
{
	for (struct pending *p = d->first; p; p = p->next) {
		if (same_timeline(&p->timeline, &f->timeline) && p->seq <= f->seq)
			p->done = true;
	}
}

/* Whether a request of p's timeline came before p and is still in flight. */
static bool waits(const struct dispatch *d, const struct pending *p)
{
	for (const struct pending *q = d->first; q != p; q = q->next) {
		if (same_timeline(&q->timeline, &p->timeline))
			return true;
	}
	return false;
}

static void answer(struct dispatch *d, struct pending *p, struct dispatch_done *done)
{
	done->tag = p->tag;
	done->written = dispatch_answer(d, p->name, p->out, p->out_cnt, p->resp, p->len);
	core_fence_done(d->core, p->timeline.ring, p->fence_id);
	host_fence_done(d->host, p->ctx_id, p->timeline.ring_idx, p->fence_id);
}

size_t dispatch_poll(struct dispatch *d, struct dispatch_done *done, size_t cap)
{
	struct render_fence fences[16];
	struct pending *prev = NULL, *p = d->first;
	size_t n, answered = 0;

	do {
		n = render_poll(d->render, fences, ARRAY_SIZE(fences));
		for (size_t i = 0; i < n; i++)
			complete_fence(d, &fences[i]);
	} while (n == ARRAY_SIZE(fences));
	while (p && answered < cap) {
		struct pending *next = p->next;

		if (p->done && !waits(d, p)) {
			answer(d, p, &done[answered++]);
			unlink_pending(d, prev, p);
			free(p);
		} else {
			prev = p;
		}
		p = next;
	}
	return answered;
}

/* A reset or a destroy abandons the work in flight: each request gets
 * ERR_UNSPEC, its fence echoed so the guest's wait ends, and no
 * fence_done, because its work did not complete. (QEMU drops them without
 * an answer; a library answers, so the VMM gets every chain back.) */
static void cancel(struct dispatch *d, struct pending *p, struct dispatch_done *done)
{
	struct vgm_gpu_ctrl_hdr h;
	uint8_t bytes[WIRE_HDR_SIZE];
	struct writer w;

	wire_decode_hdr(p->resp, p->len, &h);
	h.type = VGM_GPU_RESP_ERR_UNSPEC;
	writer_init(&w, bytes, sizeof(bytes));
	wire_encode(wire_header(), &h, &w);
	done->tag = p->tag;
	done->written = dispatch_answer(d, p->name, p->out, p->out_cnt, bytes, w.pos);
}

size_t dispatch_cancel(struct dispatch *d, struct dispatch_done *done, size_t cap)
{
	size_t n = 0;

	while (d->first && n < cap) {
		struct pending *p = d->first;

		cancel(d, p, &done[n++]);
		unlink_pending(d, NULL, p);
		free(p);
	}
	return n;
}
