/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "queue.h"

static void on_kick(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->ctx;
	uint64_t v;
	/* Consume the kick first: one arriving while we work wakes us again. */
	ssize_t r = read(q->kick.fd, &v, sizeof(v));

	(void)events;
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* A kick fd at its end (a pipe or socket whose writer went) or that
	 * cannot be read stays readable for ever: watched, it would spin. A
	 * later SET_VRING_KICK gives another. */
	if (r <= 0) {
		log_error("queue: its kick fd %s: no longer watched",
			  r ? strerror(errno) : "is at its end");
		loop_unwatch(q->loop, &q->kick);
	}
	q->started = true;
	q->on_kick(q->ctx, q);
}

void queue_init(struct queue *q, struct loop *loop, void (*kick)(void *ctx, struct queue *q),
		void *ctx)
{
	memset(q, 0, sizeof(*q));
	q->loop = loop;
	q->kick = (struct loop_watch){ .fd = -1, .cb = on_kick, .ctx = q };
	q->call_fd = -1;
	q->err_fd = -1;
	q->on_kick = kick;
	q->ctx = ctx;
}

/* The front-end's descriptors are read and written without waiting: an
 * eventfd never makes us wait, but what the front-end calls one may be a
 * pipe nobody reads (a lost interrupt beats a hung back-end). */
static void set_nonblocking(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void replace_fd(int *slot, int fd)
{
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
}

void queue_fini(struct queue *q)
{
	queue_stop(q);
	replace_fd(&q->call_fd, -1);
	replace_fd(&q->err_fd, -1);
	q->vr = (struct vring){ 0 };
	q->enabled = false;
}

void queue_stop(struct queue *q)
{
	loop_unwatch(q->loop, &q->kick);
	replace_fd(&q->kick.fd, -1);
	q->started = false;
}

int queue_set_kick(struct queue *q, int fd)
{
	int err;

	queue_stop(q);
	if (fd < 0) {
		/* Polling instead of kicks is not supported: the queue waits. */
		log_warn("queue: no kick eventfd given; the queue is not polled");
		return 0;
	}
	/* Usually set already (QEMU's eventfds are); a blocking read on a
	 * spurious wakeup would stall the whole backend. */
	set_nonblocking(fd);
	q->kick.fd = fd;
	err = loop_watch(q->loop, &q->kick, EPOLLIN);
	if (err < 0) {
		replace_fd(&q->kick.fd, -1);
		return err;
	}
	q->started = true;
	return 0;
}

void queue_set_call(struct queue *q, int fd)
{
	set_nonblocking(fd);
	replace_fd(&q->call_fd, fd);
}

void queue_set_err(struct queue *q, int fd)
{
	set_nonblocking(fd);
	replace_fd(&q->err_fd, fd);
}

bool queue_runnable(const struct queue *q)
{
	return q->started && q->enabled && vring_ready(&q->vr);
}

void queue_kick_again(struct queue *q)
{
	if (q->kick.fd >= 0)
		eventfd_write(q->kick.fd, 1);
}

void queue_notify(struct queue *q)
{
	if (q->call_fd >= 0 && vring_should_notify(&q->vr))
		eventfd_write(q->call_fd, 1);
}

void queue_signal_error(struct queue *q)
{
	if (q->err_fd >= 0)
		eventfd_write(q->err_fd, 1);
}
