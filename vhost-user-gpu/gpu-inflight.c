/* SPDX-License-Identifier: MIT */
/*
 * Requests that complete later (--virgl): a fenced request waits in the
 * library for its fence, and its chain goes back to the ring when the
 * library calls request_done(). The loop drives the renderer: its poll fd
 * (VGM_VIRGL_THREAD_SYNC: readable when a fence signalled) and a timer at
 * vgm_device_next_poll()'s deadline (the fd can be gone after a reset, and
 * the library asks to be polled by then anyway).
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "gpu-private.h"
#include "log.h"

/* The tag given to the library: the queue above the descriptor head. */
uint64_t gpu_inflight_tag(uint32_t qi, uint16_t head)
{
	return (uint64_t)qi << 16 | head;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The timer goes off by the library's deadline, or not at all when
 * nothing is in flight. */
static void arm_deadline(struct gpu *g)
{
	uint64_t deadline, now;
	int us = 0;

	if (g->poll_timer.fd < 0)
		return;
	if (vgm_device_next_poll(g->dev, &deadline) == 0) {
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
	int err = vgm_device_poll(g->dev);

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
	err = loop_timer_init(&g->poll_timer, on_poll_timer, g);
	if (err == 0)
		err = watch_poll_fd(g);
	return err;
}

void gpu_inflight_fini(struct gpu *g)
{
	/* The poll fd is the device's: unwatched, not closed. */
	loop_unwatch(g->loop, &g->poll_fd);
	g->poll_fd.fd = -1;
	if (g->poll_timer.fd >= 0) {
		loop_unwatch(g->loop, &g->poll_timer);
		close(g->poll_timer.fd);
		g->poll_timer.fd = -1;
	}
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
	arm_deadline(g);
}

void gpu_request_done(void *host, uint64_t tag, size_t written)
{
	struct gpu *g = host;
	uint32_t qi = (uint32_t)(tag >> 16);
	struct queue *q = &g->q[qi < GPU_NUM_QUEUES ? qi : 0];

	if (g->inflight)
		g->inflight--;
	g->answered_later++;
	if (g->rec.done)
		g->rec.done(g->rec.ctx, tag, written);
	/* A reset answers what was in flight: those chains belonged to the
	 * rings before it and go nowhere. */
	if (g->resetting || qi >= GPU_NUM_QUEUES || !vring_ready(&q->vr))
		return;
	vring_push(&q->vr, (uint16_t)tag, written > UINT32_MAX ? 0 : (uint32_t)written);
	g->requests_done[qi] = true;
}

/* How long GET_VRING_BASE waits for the renderer at most: a fence of a
 * guest's frame takes milliseconds; one stuck for longer is left behind
 * (its chain then goes back later, or never after a reset). */
#define DRAIN_MS 2000u

void gpu_inflight_drain(struct gpu *g)
{
	const struct timespec step = { 0, 1000000 };
	uint32_t ms = 0;

	for (; g->inflight && ms < DRAIN_MS; ms++) {
		poll_device(g);
		if (g->inflight)
			nanosleep(&step, NULL);
	}
	if (g->inflight)
		log_warn("ring stopped with %u requests still in flight after %u ms", g->inflight,
			 DRAIN_MS);
	else if (ms)
		log_debug("ring stopped: requests in flight answered first (%u ms)", ms);
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
