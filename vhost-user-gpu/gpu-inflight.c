/* SPDX-License-Identifier: MIT */
/*
 * Requests that complete later (--virgl): a fenced request waits in the
 * library for its fence, and its chain goes back to the ring when the
 * library calls request_done(). The loop drives the renderer: its poll fd
 * (VGM_VIRGL_THREAD_SYNC: readable when a fence signalled) and a timer at
 * vgm_device_next_poll()'s deadline (the fd can be gone after a reset, and
 * the library asks to be polled by then anyway). While GET_VRING_BASE has
 * the control ring stopped, the renderer is not polled at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "gpu-private.h"
#include "log.h"

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * For tests only: VGM_TEST_INFLIGHT_HOLD_MS=N in the environment (read once,
 * by this program only): the renderer is not polled until N ms after the
 * last request went in flight, as with a slow GPU. llvmpipe does its work
 * inside the submit, so nothing else keeps a request in flight long enough
 * for a test to change the memory table, stop the ring or reset the device
 * under it.
 */
static uint64_t hold_from_env(void)
{
	const char *v = getenv("VGM_TEST_INFLIGHT_HOLD_MS");
	unsigned long ms = v ? strtoul(v, NULL, 10) : 0;

	if (ms)
		log_warn("VGM_TEST_INFLIGHT_HOLD_MS: requests in flight held %lu ms (tests only)", ms);
	return (uint64_t)ms * 1000000u;
}

/*
 * The control ring is stopped (GET_VRING_BASE) with requests still in
 * flight: nothing is answered until it starts again, as an answer writes
 * the chain's buffers and the used ring (vhost-user.rst: a stopped ring is
 * not processed at all; the front-end may be migrating it, or resetting
 * the guest, whose memory is then not ours to write).
 */
static bool paused(const struct gpu *g)
{
	return g->inflight && !g->q[VGM_QUEUE_CONTROL].started;
}

/* Until when the renderer is not polled (0: no hold). */
static uint64_t held_until(const struct gpu *g)
{
	return g->hold_ns && g->inflight ? g->last_added_ns + g->hold_ns : 0;
}

/* The timer goes off by the library's deadline (or the end of a test's
 * hold), or not at all when nothing is in flight. */
static void arm_deadline(struct gpu *g)
{
	uint64_t deadline, now;
	int us = 0;

	if (g->poll_timer.fd < 0)
		return;
	if (!paused(g) && vgm_device_next_poll(g->dev, &deadline) == 0) {
		if (held_until(g) > deadline)
			deadline = held_until(g);
		now = monotonic_ns();
		us = deadline > now ? (int)((deadline - now + 999) / 1000) : 1;
		if (us < 1)
			us = 1;
	}
	loop_timer_set(g->loop, &g->poll_timer, us);
}

/* Memory tables kept for the responses of requests in flight go once
 * none is. */
static void drop_retired(struct gpu *g)
{
	if (g->inflight)
		return;
	for (uint32_t i = 0; i < g->n_retired; i++)
		memtable_destroy(g->retired[i]);
	g->n_retired = 0;
}

/* Lets the library answer what completed, then tells the guest. */
static void poll_device(struct gpu *g)
{
	int err;

	if (paused(g)) {
		/* Readable, the poll fd would wake the loop for ever. */
		loop_unwatch(g->loop, &g->poll_fd);
		arm_deadline(g);
		return;
	}
	if (monotonic_ns() < held_until(g)) {
		arm_deadline(g);
		return;
	}
	err = vgm_device_poll(g->dev);
	if (err < 0)
		log_error("vgm_device_poll: %s", strerror(-err));
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++) {
		if (g->requests_done[i])
			queue_notify(&g->q[i]);
		g->requests_done[i] = false;
	}
	drop_retired(g);
	arm_deadline(g);
}

static void on_poll_fd(struct loop_watch *w, uint32_t events)
{
	(void)events;
	poll_device(w->ctx);
}

static void on_poll_timer(struct loop_watch *w, uint32_t events)
{
	(void)events;
	if (loop_timer_fired(w))
		poll_device(w->ctx);
}

/* The device's poll fd, when it has one (none after a reset). */
static int watch_poll_fd(struct gpu *g)
{
	int fd;

	g->poll_fd = (struct loop_watch){ .fd = -1, .cb = on_poll_fd, .ctx = g };
	if (vgm_device_get_poll_fd(g->dev, &fd) < 0)
		return 0;
	g->poll_fd.fd = fd;
	return loop_watch(g->loop, &g->poll_fd, EPOLLIN);
}

int gpu_inflight_init(struct gpu *g)
{
	int err;

	g->poll_fd = (struct loop_watch){ .fd = -1 };
	g->poll_timer = (struct loop_watch){ .fd = -1 };
	if (!g->cfg.virgl)
		return 0;
	g->hold_ns = hold_from_env();
	err = loop_timer_init(&g->poll_timer, on_poll_timer, g);
	if (err == 0)
		err = watch_poll_fd(g);
	return err;
}

void gpu_inflight_stop(struct gpu *g)
{
	/* The poll fd is the device's: unwatched, not closed. */
	loop_unwatch(g->loop, &g->poll_fd);
	g->poll_fd.fd = -1;
	if (g->poll_timer.fd >= 0) {
		loop_unwatch(g->loop, &g->poll_timer);
		close(g->poll_timer.fd);
		g->poll_timer.fd = -1;
	}
}

void gpu_inflight_fini(struct gpu *g)
{
	g->inflight = 0;
	drop_retired(g);
}

void gpu_inflight_reset(struct gpu *g)
{
	if (!g->cfg.virgl)
		return;
	if (watch_poll_fd(g) < 0)
		log_warn("renderer's poll fd not watched after reset: polled by its deadline");
	drop_retired(g);
	arm_deadline(g);
}

void gpu_inflight_added(struct gpu *g)
{
	g->inflight++;
	g->last_added_ns = monotonic_ns();
	arm_deadline(g);
}

/*
 * Whether an answer goes to the guest now: its chain belongs to a live
 * ring. A reset answers what was in flight: those chains belonged to the
 * rings before it, and the guest may use their buffers again already, so
 * not a byte of the response is written (gpu-bounce.c).
 */
static bool answer_goes_in(const struct gpu *g, uint32_t qi, uint16_t head)
{
	const struct queue *q = &g->q[qi];

	if (g->resetting || !vring_ready(&q->vr))
		return false;
	/* Not polled while the control ring is stopped (paused()), so only
	 * a cursor chain could come here: it has no answer to wait for. */
	if (!q->started) {
		log_warn("ring %u stopped: answer of chain %u dropped", qi, head);
		return false;
	}
	return true;
}

void gpu_request_done(void *host, uint64_t tag, size_t written)
{
	struct gpu *g = host;
	uint32_t qi, len = written > UINT32_MAX ? 0 : (uint32_t)written;
	uint16_t head;
	bool live;

	if (g->inflight)
		g->inflight--;
	g->answered_later++;
	if (!gpu_bounce_chain(&g->bounces, tag, &qi, &head)) {
		log_error("request_done: tag 0x%llx names no request", (unsigned long long)tag);
		return;
	}
	/* The recorder reads the response where the library wrote it, before
	 * the slot is given back. */
	if (g->rec.done)
		g->rec.done(g->rec.ctx, tag, written);
	live = answer_goes_in(g, qi, head);
	gpu_bounce_give(&g->bounces, tag, written, live);
	if (!live)
		return;
	vring_push(&g->q[qi].vr, head, len);
	g->requests_done[qi] = true;
}

void gpu_inflight_started(struct gpu *g, uint32_t qi)
{
	if (!g->cfg.virgl || qi != VGM_QUEUE_CONTROL)
		return;
	if (!g->poll_fd.added && watch_poll_fd(g) < 0)
		log_warn("renderer's poll fd not watched again: polled by its deadline");
	/* What completed while the ring was stopped is answered now. */
	poll_device(g);
}

/* How long GET_VRING_BASE waits for the renderer at most: a fence of a
 * guest's frame takes milliseconds; one stuck for longer is left behind
 * (answered when the ring starts again, or cancelled by a reset). */
#define DRAIN_MS 2000u

void gpu_inflight_drain(struct gpu *g)
{
	const struct timespec step = { 0, 1000000 };
	uint64_t start = monotonic_ns(), now = start;

	if (paused(g))
		return; /* the control ring stopped first: nothing to drain into */
	/* Time, not steps: each poll may take a while (a loaded host, a
	 * sanitizer), and 2000 steps then took far longer than 2 s. */
	while (g->inflight && now - start < DRAIN_MS * 1000000ull) {
		poll_device(g);
		if (g->inflight)
			nanosleep(&step, NULL);
		now = monotonic_ns();
	}
	if (g->inflight)
		log_warn("ring stopped with %u requests still in flight after %u ms", g->inflight,
			 DRAIN_MS);
	else if (now != start)
		log_debug("ring stopped: requests in flight answered first (%llu ms)",
			  (unsigned long long)((now - start) / 1000000u));
}

int gpu_retire_table(struct gpu *g, struct memtable *mt)
{
	if (!mt)
		return 0;
	if (!g->inflight) {
		memtable_destroy(mt);
		return 0;
	}
	if (g->n_retired == GPU_RETIRED_TABLES)
		return -EBUSY;
	g->retired[g->n_retired++] = mt;
	return 0;
}
