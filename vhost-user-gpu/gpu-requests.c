/* SPDX-License-Identifier: MIT */
/*
 * Running requests: chains are taken from a ring, given to the library,
 * and returned with the length of the response. A request whose answer
 * QEMU owns (display sizes, EDIDs) waits, parked, while QEMU is asked.
 */
#include "fields.h"
#include "gpu-private.h"
#include "guard.h"
#include "iovec.h"
#include "log.h"
#include "util/util.h"

/* At debug level, one line per request: the guest's command sequence. */
static void log_request(const struct gpu *g, uint32_t qi, size_t written)
{
	const struct vring_chain *c = g->chain;
	uint32_t cmd = iovec_type(c->iov, c->n_read);
	uint32_t resp = written >= 4 ? iovec_type(c->iov + c->n_read, c->n_write) : 0;
	const char *cname = vgm_command_name(g->cfg.dialect, cmd);
	const char *rname = vgm_response_name(g->cfg.dialect, resp);

	log_debug("%s: %s (0x%04x) -> %s", qi ? "cursor" : "control", cname ? cname : "?", cmd,
		  !written ? "-" : rname ? rname : "?");
}

static void count_request(struct gpu *g, uint32_t qi)
{
	uint32_t type = iovec_type(g->chain->iov, g->chain->n_read);
	uint32_t base = qi == VGM_QUEUE_CONTROL ? 0x0100 : 0x0300;

	g->requests[qi]++;
	if (type >= base && type - base < 256)
		g->by_type[qi][type - base]++;
}

/*
 * Guest memory was lost while the request ran (guard.h): what the library
 * read there were zeros the guard put in, so its answer is not the
 * guest's. The response header it wrote becomes ERR_UNSPEC (fence fields
 * kept) and the response ends there. @return the bytes written now.
 */
static size_t answer_lost(struct gpu *g, uint32_t qi, size_t written)
{
	const struct vring_chain *c = g->chain;
	uint32_t cmd = iovec_type(c->iov, c->n_read);
	const char *name = vgm_command_name(g->cfg.dialect, cmd);
	uint8_t h[sizeof(struct vgm_gpu_ctrl_hdr)];
	size_t n = written < sizeof(h) ? written : sizeof(h);

	memtable_log_lost(g->mt);
	log_guest("%s: %s (0x%04x) read guest memory lost under it: answered ERR_UNSPEC",
		  qi ? "cursor" : "control", name ? name : "?", cmd);
	if (n < 4)
		return written;
	iovec_gather(c->iov + c->n_read, c->n_write, h, n);
	put_le32(h, VGM_GPU_RESP_ERR_UNSPEC);
	iovec_scatter(c->iov + c->n_read, c->n_write, h, n);
	return n;
}

static void run_chain(struct gpu *g, uint32_t qi)
{
	struct vring_chain *c = g->chain;
	const struct iovec *in = c->iov, *out = c->iov + c->n_read;
	size_t written = 0;
	unsigned long faults;

	count_request(g, qi);
	if (g->rec.request)
		g->rec.request(g->rec.ctx, (enum vgm_queue)qi, in, c->n_read);
	faults = guard_faults();
	if (vgm_device_submit(g->dev, (enum vgm_queue)qi, in, c->n_read, out, c->n_write,
			      &written) < 0) {
		log_error("vgm_device_submit refused a chain of queue %u", qi);
		written = 0;
	}
	if (guard_faults() != faults)
		written = answer_lost(g, qi, written);
	if (g->rec.response)
		g->rec.response(g->rec.ctx, (enum vgm_queue)qi, out, c->n_write, written);
	if (log_get_level() >= VGM_LOG_DEBUG)
		log_request(g, qi, written);
	vring_push(&g->q[qi].vr, c->head, written > UINT32_MAX ? 0 : (uint32_t)written);
}

/*
 * The guest asks for display sizes or an EDID, which QEMU owns: ask QEMU
 * first. Only the type (and the scanout of GET_EDID) is read here, from a
 * copy; the library decodes and checks the request itself.
 * @return true when a question went out and the chain must wait.
 */
static bool ask_display(struct gpu *g)
{
	uint8_t req[sizeof(struct vgm_gpu_get_edid)];
	size_t n = iovec_gather(g->chain->iov, g->chain->n_read, req, sizeof(req));
	uint32_t type = n >= 4 ? le32(req) : 0;
	uint32_t scanout;
	uint64_t offered = 0;

	if (type == VGM_GPU_CMD_GET_DISPLAY_INFO)
		return display_request_info(g->disp);
	if (type != VGM_GPU_CMD_GET_EDID || !fields_u32(g->cfg.dialect, req, n, "scanout", &scanout))
		return false;
	/* The library answers GET_EDID when EDID is offered, accepted or not
	 * (viogpudo does not accept it). QEMU answers every scanout below its
	 * max_outputs, connected or not; --scanouts says as many. */
	vgm_device_get_features(g->dev, &offered);
	if ((offered & (1ull << VGM_GPU_F_EDID)) && scanout < g->cfg.num_scanouts)
		return display_request_edid(g->disp, scanout);
	return false;
}

/* Entries one turn takes from a ring (a kick of its own brings the loop
 * back for more): a few microseconds each, so the vhost-user socket and
 * signals wait well under a millisecond. */
#define TURN_ENTRIES 64u

/* What taking one entry did to the turn. */
enum step {
	STEP_GO_ON,
	STEP_PUSHED, /* a chain went back to the driver: go on */
	STEP_STOP,
};

static enum step take_one(struct gpu *g, uint32_t qi)
{
	struct queue *q = &g->q[qi];
	unsigned long faults = guard_faults();
	enum vring_pop r = vring_pop(&q->vr, g->chain);

	/* The ring or an indirect table was in guest memory lost just now
	 * (guard.h): the chain read is zeros, give it back. A ring of zeros
	 * then reads as empty or broken. */
	if (guard_faults() != faults && r == VRING_CHAIN) {
		memtable_log_lost(g->mt);
		log_guest("vring: guest memory lost under a chain: returned with length 0");
		r = VRING_BAD_CHAIN;
	}
	switch (r) {
	case VRING_EMPTY:
		return vring_arm(&q->vr) ? STEP_GO_ON : STEP_STOP;
	case VRING_BROKEN:
		queue_signal_error(q);
		return STEP_STOP;
	case VRING_SKIPPED:
		return STEP_GO_ON;
	case VRING_BAD_CHAIN:
		/* Zero bytes written: the driver gets its descriptors back. */
		vring_push(&q->vr, g->chain->head, 0);
		return STEP_PUSHED;
	case VRING_CHAIN:
		break;
	}
	/* A request may change pixels QEMU is still reading. Checked only
	 * with a request at hand: an idle guest costs no polling. */
	if (display_reading(g->disp)) {
		vring_unpop(&q->vr);
		return STEP_STOP;
	}
	if (qi == VGM_QUEUE_CONTROL && ask_display(g)) {
		g->parked = true;
		g->parked_queue = qi;
		return STEP_STOP;
	}
	run_chain(g, qi);
	return STEP_PUSHED;
}

void gpu_process(struct gpu *g, uint32_t qi)
{
	struct queue *q = &g->q[qi];
	bool pushed = false;
	uint32_t steps = 0;
	enum step s = STEP_GO_ON;

	while (s != STEP_STOP && !g->parked && queue_runnable(q) && !display_busy(g->disp)) {
		/*
		 * A turn takes at most TURN_ENTRIES entries, then the loop serves
		 * the sockets, signals and the other ring again and this ring
		 * kicks itself for the rest. A guest that lays its used ring over
		 * its available ring makes each push publish another entry
		 * (fuzz/vring found it): without a bound, that turn never ended.
		 */
		if (steps++ == TURN_ENTRIES) {
			queue_kick_again(q);
			break;
		}
		s = take_one(g, qi);
		pushed |= s == STEP_PUSHED;
	}
	if (pushed)
		queue_notify(q);
}

void gpu_process_all(struct gpu *g)
{
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++)
		gpu_process(g, i);
}

void gpu_unpark(struct gpu *g)
{
	if (!g->parked)
		return;
	vring_unpop(&g->q[g->parked_queue].vr);
	g->parked = false;
}

void gpu_on_kick(void *ctx, struct queue *q)
{
	struct gpu *g = ctx;

	gpu_process(g, (uint32_t)(q - g->q));
}

void gpu_resume(struct gpu *g)
{
	if (g->parked) {
		g->parked = false;
		run_chain(g, g->parked_queue);
		queue_notify(&g->q[g->parked_queue]);
	}
	gpu_process_all(g);
}
