/* SPDX-License-Identifier: MIT */
/*
 * The event loop: epoll over the file descriptors the backend waits on (the
 * vhost-user socket, kick eventfds, the display socket, signals).
 *
 * One event is taken per wait, so a callback may remove or re-add any watch
 * (its own included) without a stale event for it still being queued.
 */
#ifndef VUGPU_LOOP_H
#define VUGPU_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

struct loop_watch {
	int fd;
	/* events: EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR as epoll reported them */
	void (*cb)(struct loop_watch *w, uint32_t events);
	void *ctx;
	bool added; /* set by the loop */
};

/* @return 0 or a negative errno. */
int loop_new(struct loop **out);
void loop_destroy(struct loop *loop);

/* Watches w->fd for events (EPOLLIN, EPOLLOUT); w must live until removed.
 * Adding a watch that is added changes its events. @return 0 or -errno. */
int loop_watch(struct loop *loop, struct loop_watch *w, uint32_t events);
/* Stops watching; no-op if w is not added. Call before closing w->fd. */
void loop_unwatch(struct loop *loop, struct loop_watch *w);

/* A one-shot timer is a watch on a timerfd: set up with loop_timer_init(),
 * armed with loop_timer_set() (watched while armed), closed by the owner
 * (loop_unwatch() first). Its callback calls loop_timer_fired() first. */
/* @return 0 or -errno of timerfd_create (w->fd is -1 then). */
int loop_timer_init(struct loop_watch *w, void (*cb)(struct loop_watch *w, uint32_t events),
		    void *ctx);
/* Expires once after us microseconds; 0 disarms. */
void loop_timer_set(struct loop *loop, struct loop_watch *w, int us);
/* Consumes the expiry. @return false for a stale event (nothing expired). */
bool loop_timer_fired(struct loop_watch *w);

/* Waits up to timeout_ms (-1: for ever, 0: not at all) for one event and
 * runs its callback. @return 1 when a callback ran, 0 when none did (the
 * time ran out, a signal interrupted), -errno when epoll fails. */
int loop_run_once(struct loop *loop, int timeout_ms);

/* Makes loop_running() false: the caller's loop ends. */
void loop_quit(struct loop *loop);
bool loop_running(const struct loop *loop);

#endif
