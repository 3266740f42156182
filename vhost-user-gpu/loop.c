/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "loop.h"

struct loop {
	int epfd;
	bool running;
};

int loop_new(struct loop **out)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int err = -errno;

		free(loop);
		return err;
	}
	loop->running = true;
	*out = loop;
	return 0;
}

void loop_destroy(struct loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop);
}

int loop_watch(struct loop *loop, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	int op = w->added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (epoll_ctl(loop->epfd, op, w->fd, &ev) < 0)
		return -errno;
	w->added = true;
	return 0;
}

void loop_unwatch(struct loop *loop, struct loop_watch *w)
{
	if (!w->added)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->added = false;
}

int loop_timer_init(struct loop_watch *w, void (*cb)(struct loop_watch *w, uint32_t events),
		    void *ctx)
{
	*w = (struct loop_watch){ .cb = cb, .ctx = ctx };
	w->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	return w->fd < 0 ? -errno : 0;
}

void loop_timer_set(struct loop *loop, struct loop_watch *w, int us)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000L },
	};

	timerfd_settime(w->fd, 0, &its, NULL);
	if (us)
		loop_watch(loop, w, EPOLLIN);
	else
		loop_unwatch(loop, w);
}

bool loop_timer_fired(struct loop_watch *w)
{
	uint64_t ticks;

	return !(read(w->fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN);
}

int loop_run_once(struct loop *loop, int timeout_ms)
{
	struct epoll_event ev;
	struct loop_watch *w;
	int n = epoll_wait(loop->epfd, &ev, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	w = ev.data.ptr;
	w->cb(w, ev.events);
	return 1;
}

void loop_quit(struct loop *loop)
{
	loop->running = false;
}

bool loop_running(const struct loop *loop)
{
	return loop->running;
}
