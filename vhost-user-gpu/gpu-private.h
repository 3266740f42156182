/* SPDX-License-Identifier: MIT */
/*
 * What the gpu-*.c files share: the device's state, and the entry points
 * one part calls in another.
 *   gpu.c            set-up, as vhost-user messages drive it
 *   gpu-requests.c   running descriptor chains through the library
 *   gpu-callbacks.c  what the library and the display call back
 *   gpu-inflight.c   requests answered later (--virgl)
 *   gpu-bounce.c     responses written in host memory first
 */
#ifndef VUGPU_GPU_PRIVATE_H
#define VUGPU_GPU_PRIVATE_H

#include <sys/uio.h>

#include "display.h"
#include "gpu.h"
#include "queue.h"

/* Readable bytes of a request run from a copy while QEMU reads pixels
 * lent to it (gpu-requests.c): the largest command that may then run,
 * TRANSFER_TO_HOST_2D (56 bytes), and a little more. */
#define GPU_REQUEST_COPY 64
/* Command types counted per queue (by_type). */
#define GPU_COUNTED_TYPES 512u
/* Memory tables kept for requests in flight (gpu-inflight.c). */
#define GPU_RETIRED_TABLES 4

/*
 * Host copies of responses (gpu-bounce.c): slots, reused. Zeroed: none.
 * Slots at most: one per chain two full rings can hold (a guest that
 * offers a head again while it is in flight could ask for more). A free
 * slot keeps a buffer of GPU_BOUNCE_KEEP bytes at most (all responses but
 * GET_CAPSET's fit: GET_EDID's is 1056), and only GPU_BOUNCE_IDLE free
 * slots are kept (QEMU's control ring holds 256 chains).
 */
#define GPU_BOUNCE_SLOTS (2u * VRING_MAX_NUM)
#define GPU_BOUNCE_KEEP 2048u
#define GPU_BOUNCE_IDLE 256u
struct gpu_bounce;
struct gpu_bounces {
	struct gpu_bounce **slot; /* NULL: freed, its index on the hole list */
	uint32_t *next;		  /* per index: the next on its list + 1; 0: none */
	uint32_t n, cap;	  /* indexes used; room in slot[] and next[] */
	uint32_t free;		  /* the first free slot's index + 1; 0: none */
	uint32_t hole;		  /* the first index without a slot + 1; 0: none */
	uint32_t idle, busy;	  /* slots on the free list; slots requests hold */
	uint64_t allocs;	  /* allocations made, for the tests */
};

struct gpu {
	struct vgm_device *dev;
	struct loop *loop;
	struct memtable *mt; /* NULL until SET_MEM_TABLE */
	struct display *disp;
	struct queue q[GPU_NUM_QUEUES];
	struct gpu_config cfg;
	struct gpu_recorder rec;
	uint64_t features; /* accepted, as SET_FEATURES gave them */

	/* The chain being run. A GET_DISPLAY_INFO or GET_EDID waits here
	 * (parked) while QEMU is asked for the answer. */
	struct vring_chain *chain;
	bool parked;
	uint32_t parked_queue;
	/* Its readable part as the library gets it: the chain's, or req_copy. */
	const struct iovec *in;
	uint32_t n_in;
	struct iovec req_iov;
	uint8_t req_copy[GPU_REQUEST_COPY];
	unsigned long faults; /* guard_faults() before its bytes were read */
	/* A scanout was set or disabled: the display must learn whose pixels
	 * it shows (gpu_tell_owners()). */
	bool scanouts_changed;
	/* Requests that waited for QEMU to read lent pixels, and how long
	 * (for the summary); wait_since: when the one waiting now began. */
	uint64_t waits, wait_ns, wait_since;

	/* Requests run, for the summary at exit: per queue, and per command
	 * type 0x0100..0x02ff (control: 2D, then 3D) and 0x0300..0x04ff
	 * (cursor). */
	uint64_t requests[GPU_NUM_QUEUES];
	uint64_t by_type[GPU_NUM_QUEUES][GPU_COUNTED_TYPES];

	/* Requests the library answers later (virgl): how many, and the
	 * renderer's poll fd and deadline timer (gpu-inflight.c). Memory
	 * tables replaced while some were in flight stay mapped until none
	 * is, as their responses are written there. */
	uint32_t inflight;
	uint64_t answered_later; /* for the summary */
	struct loop_watch poll_fd, poll_timer;
	struct memtable *retired[GPU_RETIRED_TABLES];
	uint32_t n_retired;
	bool requests_done[GPU_NUM_QUEUES]; /* chains pushed by request_done() */
	/* Where the library writes responses (the chains' get a copy). */
	struct gpu_bounces bounces;
	bool resetting; /* request_done() from vgm_device_reset() writes nothing */
	/* VGM_TEST_INFLIGHT_HOLD_MS (tests only): how long a request is held
	 * in flight; when the last one went in flight. */
	uint64_t hold_ns, last_added_ns;

	/* Where the control queue stopped (GET_VRING_BASE), to tell a device
	 * reset from a pause when it starts again. */
	uint16_t stopped_base;
	bool stopped;

	/* A saved state was loaded and waits for a ring to run (gpu-state.c). */
	bool resume_pending;
};

extern const struct vgm_host_ops gpu_host_ops;
extern const struct display_ops gpu_display_ops;

/* Runs what a queue has, while the display is not busy. */
void gpu_process(struct gpu *g, uint32_t qi);
void gpu_process_all(struct gpu *g);
/* The display is no longer busy: the waiting chain runs, then the queues. */
void gpu_resume(struct gpu *g);
/* The waiting chain goes back to its ring, to be taken again later
 * (its buffers may be about to go away). No-op when none waits. */
void gpu_unpark(struct gpu *g);
void gpu_on_kick(void *ctx, struct queue *q);
/*
 * Responses written in host memory first (gpu-bounce.c). take: where the
 * library writes chain c's response (*out, *out_cnt), and the tag for
 * vgm_device_submit_tagged(); without memory for that, the chain's own
 * writable part (logged). chain: the queue and head of a tag; false for
 * one that is not ours. give: the response (written bytes) goes into the
 * chain's writable part when deliver (the chain is still the live ring's),
 * or nowhere; the tag is free again.
 */
uint64_t gpu_bounce_take(struct gpu_bounces *b, uint32_t qi, const struct vring_chain *c,
			 const struct iovec **out, size_t *out_cnt);
bool gpu_bounce_chain(const struct gpu_bounces *b, uint64_t tag, uint32_t *qi, uint16_t *head);
void gpu_bounce_give(struct gpu_bounces *b, uint64_t tag, size_t written, bool deliver);
/* Frees every slot (the device, which may hold them, is gone). */
void gpu_bounce_fini(struct gpu_bounces *b);
/* For the tests: the bytes the slots hold now (arrays, slots, buffers) and
 * the allocations made so far. */
void gpu_bounce_usage(const struct gpu_bounces *b, size_t *bytes, uint64_t *allocs);
/* Requests in flight (gpu-inflight.c). */
/* Watches the renderer's poll fd; the deadline timer. @return 0 or -errno. */
int gpu_inflight_init(struct gpu *g);
/* Unwatches the poll fd and the timer: before the device, whose fd it is. */
void gpu_inflight_stop(struct gpu *g);
/* Frees the memory tables kept for requests in flight: after the device,
 * which answers those it cancels in the guest memory they map. */
void gpu_inflight_fini(struct gpu *g);
/* A request went in flight: the deadline timer is armed. */
void gpu_inflight_added(struct gpu *g);
/* The library's request_done(). */
void gpu_request_done(void *host, uint64_t tag, size_t written);
/* The memory table mt is replaced: destroyed now, or kept while requests
 * are in flight. @return -EBUSY when too many are kept already. */
int gpu_retire_table(struct gpu *g, struct memtable *mt);
/* vhost-user: GET_VRING_BASE drains what is in flight before the ring
 * stops (the front-end reads the used ring next): polls the renderer
 * until all are answered, for at most 2 s. */
void gpu_inflight_drain(struct gpu *g);
/* The poll fd may be gone after a device reset: watched again if not. */
void gpu_inflight_reset(struct gpu *g);
/* Ring qi started (again): the renderer, not polled while the control
 * ring was stopped, is polled again and what completed answered. */
void gpu_inflight_started(struct gpu *g, uint32_t qi);

/* The loaded state resumed: guest memory translated again, the display
 * shown what the guest showed (gpu-state.c). */
void gpu_resume_state(struct gpu *g);

/* Tells the display which resource each scanout shows, if that changed
 * (outside the library's calls: it answers only there). */
void gpu_tell_owners(struct gpu *g);

#endif
