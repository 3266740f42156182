/* SPDX-License-Identifier: MIT */
/*
 * Running requests: chains are taken from a ring, given to the library,
 * and returned with the length of the response. A request whose answer
 * QEMU owns (display sizes, EDIDs) waits, parked, while QEMU is asked.
 */
#include <string.h>

#include "gpu-private.h"
#include "log.h"

/* Copies up to len bytes from the start of iov[0, n). */
static size_t gather(const struct iovec *iov, uint32_t n, uint8_t *dst, size_t len)
{
	size_t done = 0;

	for (uint32_t i = 0; i < n && done < len; i++) {
		size_t k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;

		memcpy(dst + done, iov[i].iov_base, k);
		done += k;
	}
	return done;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The type in the first 4 bytes of iov[0, n), 0 if shorter. */
static uint32_t type_of(const struct iovec *iov, uint32_t n)
{
	uint8_t b[4];

	return gather(iov, n, b, 4) == 4 ? le32_at(b) : 0;
}

/* At debug level, one line per request: the guest's command sequence. */
static void log_request(const struct gpu *g, uint32_t qi, size_t written)
{
	const struct vring_chain *c = g->chain;
	uint32_t cmd = type_of(c->iov, c->n_read);
	uint32_t resp = written >= 4 ? type_of(c->iov + c->n_read, c->n_write) : 0;
	const char *cname = vgm_command_name(g->cfg.dialect, cmd);
	const char *rname = vgm_response_name(g->cfg.dialect, resp);

	log_debug("%s: %s (0x%04x) -> %s", qi ? "cursor" : "control", cname ? cname : "?", cmd,
		  !written ? "-" : rname ? rname : "?");
}

static void count_request(struct gpu *g, uint32_t qi)
{
	uint32_t type = type_of(g->chain->iov, g->chain->n_read);
	uint32_t base = qi == VGM_QUEUE_CONTROL ? 0x0100 : 0x0300;

	g->requests[qi]++;
	if (type >= base && type - base < 256)
		g->by_type[qi][type - base]++;
}

static void run_chain(struct gpu *g, uint32_t qi)
{
	struct vring_chain *c = g->chain;
	const struct iovec *in = c->iov, *out = c->iov + c->n_read;
	size_t written = 0;

	count_request(g, qi);
	if (g->rec.request)
		g->rec.request(g->rec.ctx, (enum vgm_queue)qi, in, c->n_read);
	if (vgm_device_submit(g->dev, (enum vgm_queue)qi, in, c->n_read, out, c->n_write,
			      &written) < 0) {
		log_error("vgm_device_submit refused a chain of queue %u", qi);
		written = 0;
	}
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
	uint8_t hdr[28];
	size_t n = gather(g->chain->iov, g->chain->n_read, hdr, sizeof(hdr));
	uint32_t type = n >= 4 ? le32_at(hdr) : 0;
	uint64_t offered = 0;

	if (type == VGM_GPU_CMD_GET_DISPLAY_INFO)
		return display_request_info(g->disp);
	if (type != VGM_GPU_CMD_GET_EDID || n < 28)
		return false;
	/* The library answers GET_EDID when EDID is offered, accepted or not
	 * (viogpudo does not accept it). QEMU answers every scanout below its
	 * max_outputs, connected or not; --scanouts says as many. */
	vgm_device_get_features(g->dev, &offered);
	if ((offered & (1ull << VGM_GPU_F_EDID)) && le32_at(hdr + 24) < g->cfg.num_scanouts)
		return display_request_edid(g->disp, le32_at(hdr + 24));
	return false;
}

void gpu_process(struct gpu *g, uint32_t qi)
{
	struct queue *q = &g->q[qi];
	bool pushed = false;

	while (!g->parked && queue_runnable(q) && !display_busy(g->disp)) {
		enum vring_pop r = vring_pop(&q->vr, g->chain);

		if (r == VRING_EMPTY && vring_arm(&q->vr))
			continue;
		if (r == VRING_EMPTY)
			break;
		if (r == VRING_BROKEN) {
			queue_signal_error(q);
			break;
		}
		if (r == VRING_BAD_CHAIN) {
			/* Zero bytes written: the driver gets its descriptors back. */
			vring_push(&q->vr, g->chain->head, 0);
			pushed = true;
		}
		if (r != VRING_CHAIN)
			continue;
		/* A request may change pixels QEMU is still reading. Checked
		 * only with a request at hand: an idle guest costs no polling. */
		if (display_reading(g->disp)) {
			vring_unpop(&q->vr);
			break;
		}
		if (qi == VGM_QUEUE_CONTROL && ask_display(g)) {
			g->parked = true;
			g->parked_queue = qi;
			break;
		}
		run_chain(g, qi);
		pushed = true;
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
