/* SPDX-License-Identifier: MIT */
/*
 * Running requests: chains are taken from a ring, given to the library,
 * and returned with the length of the response. A request whose answer
 * QEMU owns (display sizes, EDIDs) waits, parked, while QEMU is asked.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

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
	uint32_t cmd = iovec_type(g->in, g->n_in);
	uint32_t resp = written >= 4 ? iovec_type(c->iov + c->n_read, c->n_write) : 0;
	const char *cname = vgm_command_name(g->cfg.dialect, cmd);
	const char *rname = vgm_response_name(g->cfg.dialect, resp);

	log_debug("%s: %s (0x%04x) -> %s", qi ? "cursor" : "control", cname ? cname : "?", cmd,
		  !written ? "-" : rname ? rname : "?");
}

static void count_request(struct gpu *g, uint32_t qi)
{
	uint32_t type = iovec_type(g->in, g->n_in);
	uint32_t base = qi == VGM_QUEUE_CONTROL ? 0x0100 : 0x0300;

	g->requests[qi]++;
	if (type >= base && type - base < GPU_COUNTED_TYPES)
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
	uint32_t cmd = iovec_type(g->in, g->n_in);
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

/* Runs the chain at hand from g->in (see may_run()); g->faults was read
 * before any of its bytes. The library writes the response in host memory
 * (gpu-bounce.c), copied into the chain's writable part once answered.
 * @return false when it is in flight: the library answers it later
 * (request_done(), gpu-inflight.c). */
static bool run_chain(struct gpu *g, uint32_t qi)
{
	struct vring_chain *c = g->chain;
	const struct iovec *out = c->iov + c->n_read, *resp;
	size_t written = 0, resp_cnt;
	uint64_t tag = gpu_bounce_take(&g->bounces, qi, c, &resp, &resp_cnt);
	int err;

	count_request(g, qi);
	if (g->rec.request)
		g->rec.request(g->rec.ctx, (enum vgm_queue)qi, g->in, g->n_in);
	err = vgm_device_submit_tagged(g->dev, (enum vgm_queue)qi, g->in, g->n_in, resp, resp_cnt,
				       tag, &written);
	gpu_tell_owners(g);
	if (err == -EINPROGRESS) {
		if (g->rec.later)
			g->rec.later(g->rec.ctx, (enum vgm_queue)qi, out, c->n_write, resp,
				     resp_cnt, tag);
		if (log_get_level() >= VGM_LOG_DEBUG)
			log_request(g, qi, 0);
		gpu_inflight_added(g);
		return false;
	}
	if (err < 0) {
		log_error("vgm_device_submit_tagged refused a chain of queue %u", qi);
		written = 0;
	}
	gpu_bounce_give(&g->bounces, tag, written, true);
	if (guard_faults() != g->faults)
		written = answer_lost(g, qi, written);
	if (g->rec.response)
		g->rec.response(g->rec.ctx, (enum vgm_queue)qi, out, c->n_write, written);
	if (log_get_level() >= VGM_LOG_DEBUG)
		log_request(g, qi, written);
	vring_push(&g->q[qi].vr, c->head, written > UINT32_MAX ? 0 : (uint32_t)written);
	return true;
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
	size_t n = iovec_gather(g->in, g->n_in, req, sizeof(req));
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

/* The readable part of the chain at hand, as a copy in g->req_copy (the
 * library then reads that, not guest memory). @return false when it is
 * larger than the copy can hold. */
static bool copy_request(struct gpu *g)
{
	const struct vring_chain *c = g->chain;
	size_t total = 0;

	for (uint32_t i = 0; i < c->n_read; i++) {
		total += c->iov[i].iov_len;
		if (total > sizeof(g->req_copy))
			return false;
	}
	g->req_iov.iov_base = g->req_copy;
	g->req_iov.iov_len = iovec_gather(c->iov, c->n_read, g->req_copy, total);
	g->in = &g->req_iov;
	g->n_in = 1;
	return true;
}

/* With virgl a scanout shows its resource's copy read back from the
 * renderer on SET_SCANOUT and RESOURCE_FLUSH: those write the pixels
 * shown; what 3D commands draw reaches them only so. */
static bool reads_back(const struct gpu *g, uint32_t type)
{
	return g->cfg.virgl &&
	       (type == VGM_GPU_CMD_SET_SCANOUT || type == VGM_GPU_CMD_RESOURCE_FLUSH);
}

/* Whether a command may write (or free) the pixels of the one resource
 * its resource_id names, and no other's. */
static bool writes_named_resource(const struct gpu *g, uint32_t type)
{
	return type == VGM_GPU_CMD_TRANSFER_TO_HOST_2D || type == VGM_GPU_CMD_RESOURCE_UNREF ||
	       reads_back(g, type);
}

/* Control commands that neither write nor free any resource's pixels, in
 * both dialects (from 0x010b on they differ). */
static bool never_writes_pixels(const struct gpu *g, uint32_t type)
{
	if (g->cfg.virgl && type >= VGM_GPU_CMD_CTX_CREATE && type <= 0x02ffu)
		return true; /* 3D: the renderer's resources, not the copies shown */
	if (reads_back(g, type))
		return false;
	switch (type) {
	case VGM_GPU_CMD_GET_DISPLAY_INFO:
	case VGM_GPU_CMD_RESOURCE_CREATE_2D: /* new pixels only */
	case VGM_GPU_CMD_SET_SCANOUT:
	case VGM_GPU_CMD_RESOURCE_FLUSH:
	case VGM_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VGM_GPU_CMD_RESOURCE_DETACH_BACKING:
	case VGM_GPU_CMD_GET_CAPSET_INFO:
	case VGM_GPU_CMD_GET_CAPSET:
	case VGM_GPU_CMD_GET_EDID:
		return true;
	default:
		return false;
	}
}

/*
 * Whether the chain at hand may run now; sets g->in and g->n_in to what
 * the library reads. UPDATEs lend QEMU a scanout's pixels (display.h):
 * until QEMU has read them they must not change, or QEMU shows a torn
 * frame. A request that may write them waits (the display calls back when
 * QEMU has read more); every other one runs. The pixels are a resource's:
 * TRANSFER_TO_HOST_2D and RESOURCE_UNREF (its memory may be reused) wait
 * when their resource's pixels are lent, a command that never writes
 * pixels runs, anything else waits while any pixels are lent. A page flip
 * (the transfer goes to the resource not shown) so does not wait for QEMU
 * to read the previous frame. While pixels are lent the request runs from
 * a copy, so that what is decided here is what the library reads (a
 * guest changing the bytes meanwhile cannot slip a transfer through); one
 * larger than the copy waits. The cursor queue only reads pixels.
 */
static bool may_run(struct gpu *g, uint32_t qi)
{
	uint32_t type, id;

	g->in = g->chain->iov;
	g->n_in = g->chain->n_read;
	if (qi != VGM_QUEUE_CONTROL || !display_lending(g->disp))
		return true;
	if (!copy_request(g))
		return !display_reading(g->disp);
	type = iovec_type(g->in, g->n_in);
	if (never_writes_pixels(g, type))
		return true;
	if (!writes_named_resource(g, type))
		return !display_reading(g->disp);
	if (!fields_u32(g->cfg.dialect, g->req_copy, g->req_iov.iov_len, "resource_id", &id))
		return true; /* too short to name it: the library refuses it */
	return !display_reading_resource(g->disp, id);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* For the summary: a request at hand waits for QEMU to read, or runs. */
static void count_wait(struct gpu *g, bool waits)
{
	if (waits && !g->wait_since) {
		g->waits++;
		g->wait_since = now_ns();
	} else if (!waits && g->wait_since) {
		g->wait_ns += now_ns() - g->wait_since;
		g->wait_since = 0;
	}
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
	g->faults = guard_faults();
	if (!may_run(g, qi)) {
		count_wait(g, true);
		vring_unpop(&q->vr);
		return STEP_STOP;
	}
	count_wait(g, false);
	if (qi == VGM_QUEUE_CONTROL && ask_display(g)) {
		g->parked = true;
		g->parked_queue = qi;
		return STEP_STOP;
	}
	return run_chain(g, qi) ? STEP_PUSHED : STEP_GO_ON;
}

void gpu_process(struct gpu *g, uint32_t qi)
{
	struct queue *q = &g->q[qi];
	bool pushed = false;
	uint32_t steps = 0;
	enum step s = STEP_GO_ON;

	if (g->resume_pending && queue_runnable(q))
		gpu_resume_state(g);
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
		/* It ran the checks from guest memory, which may say otherwise
		 * now that pixels are lent: again (from a copy). */
		g->faults = guard_faults();
		if (g->in != &g->req_iov && !may_run(g, g->parked_queue))
			return; /* the display calls back when QEMU has read */
		g->parked = false;
		if (run_chain(g, g->parked_queue))
			queue_notify(&g->q[g->parked_queue]);
	}
	gpu_process_all(g);
}
