/* SPDX-License-Identifier: MIT */
/*
 * cmd: the commands. The dispatch takes a request's bytes, finds its
 * command in the wire table, decodes it, runs the command family's shape
 * checks (validate) and its one core or render call (execute), and encodes
 * the response, in one place. A fenced request whose work the renderer has
 * not finished stays in flight: it is answered later, in order on its
 * fence timeline, when the renderer's poll says its fence completed (with
 * the 2D renderer, every request is answered before dispatch_submit()
 * returns).
 *
 * Uses util, wire, core and render.
 */
#ifndef VGM_CMD_H
#define VGM_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/core.h"
#include "render/render.h"

struct dispatch;

/* How dispatch_submit() left a request. */
enum dispatch_state {
	DISPATCH_DONE,	  /* answered: *written bytes in out */
	DISPATCH_PENDING, /* in flight: dispatch_poll() says when it is answered */
};

/* Who is told when a request is answered: the VMM, through its tag, or
 * (waited) the caller of dispatch_submit() itself, which waits for it. */
struct dispatch_tag {
	uint64_t value;
	bool waited;
};

/* A request answered after dispatch_submit() returned. */
struct dispatch_done {
	struct dispatch_tag tag; /* what the caller gave dispatch_submit() */
	size_t written;		 /* bytes of the response in its out elements */
};

/* Bytes a struct dispatch needs, built in place. */
size_t dispatch_size(void);
void dispatch_init(struct dispatch *d, struct core *c, struct render *r, struct host *host,
		   struct logger *log);
/* Answers every request in flight as dispatch_cancel() does, writing their
 * responses without telling anyone, and frees the dispatch's buffers. */
void dispatch_fini(struct dispatch *d);
/* At a device reset, after every request in flight was answered: frees
 * the buffer SUBMIT_3D copies commands into, so that a reset leaves
 * nothing the guest made the library hold (its bytes were charged to the
 * budget). */
void dispatch_reset(struct dispatch *d);

/* Processes one request: in/in_cnt the device-readable part of its
 * descriptor chain, out/out_cnt the device-writable part (the control
 * queue's; the cursor queue has none). DISPATCH_PENDING: the request is in
 * flight (its out array copied) and the memory out points to must stay
 * valid until it is answered; *written is 0. */
enum dispatch_state dispatch_submit(struct dispatch *d, enum vgm_queue queue,
				    const struct iovec *in, size_t in_cnt,
				    const struct iovec *out, size_t out_cnt, struct dispatch_tag tag,
				    size_t *written);
/* A hint that in/in_cnt is the next request of queue: the id table's lines
 * for the resource it names are asked for (prefetch.c). Reads the request's
 * type and resource_id only; changes nothing, logs nothing. Returns the id
 * hinted, 0 for none (no command of queue that looks a resource up, or
 * bytes short of its resource_id). */
uint32_t dispatch_prefetch(struct dispatch *d, enum vgm_queue queue, const struct iovec *in,
			   size_t in_cnt);
/* Asks the renderer which fences completed and answers the requests in
 * flight that can be now, in order on each timeline: at most cap, into
 * done. Returns how many. Each answer also calls the host's fence_done. */
size_t dispatch_poll(struct dispatch *d, struct dispatch_done *done, size_t cap);
/* Reset and destroy: answers requests in flight at once, at most cap, in
 * the order they came, each with ERR_UNSPEC (its fence echoed: the guest
 * is not left waiting), without fence_done (the work did not complete).
 * Returns how many; the caller calls again until 0. */
size_t dispatch_cancel(struct dispatch *d, struct dispatch_done *done, size_t cap);
/* Requests in flight. */
size_t dispatch_in_flight(const struct dispatch *d);

#endif /* VGM_CMD_H */
