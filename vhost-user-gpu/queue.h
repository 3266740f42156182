/* SPDX-License-Identifier: MIT */
/*
 * A virtqueue as vhost-user runs it: the ring, and the eventfds around it
 * (kick: the driver made buffers available; call: interrupt the driver;
 * err: tell the front-end the ring is broken), with the ring states of
 * vhost-user.rst: stopped/started and disabled/enabled.
 */
#ifndef VUGPU_QUEUE_H
#define VUGPU_QUEUE_H

#include <stdbool.h>

#include "loop.h"
#include "vring.h"

struct queue {
	struct vring vr;
	struct loop *loop;
	struct loop_watch kick; /* fd -1: none */
	int call_fd, err_fd;
	bool started, enabled;
	/* Called after a kick was consumed. */
	void (*on_kick)(void *ctx, struct queue *q);
	void *ctx;
};

void queue_init(struct queue *q, struct loop *loop, void (*on_kick)(void *ctx, struct queue *q),
		void *ctx);
/* Closes the eventfds and forgets the ring's setup. */
void queue_fini(struct queue *q);

/* Takes ownership of fd (-1 for none). A kick fd starts the queue, as
 * libvhost-user does: buffers made available before it are not missed.
 * @return 0 or -errno from epoll. */
int queue_set_kick(struct queue *q, int fd);
void queue_set_call(struct queue *q, int fd);
void queue_set_err(struct queue *q, int fd);

/* GET_VRING_BASE: the queue stops and its kick fd is closed. */
void queue_stop(struct queue *q);

/* Started, enabled and mapped: chains may be taken. */
bool queue_runnable(const struct queue *q);

/* Makes the loop come back to the queue: a kick of our own (none when the
 * kick fd is not an eventfd: then the next kick of the driver does). */
void queue_kick_again(struct queue *q);

/* After pushes: interrupts the driver if it wants one. */
void queue_notify(struct queue *q);
/* The ring is broken: tells the front-end through the err fd. */
void queue_signal_error(struct queue *q);

#endif
