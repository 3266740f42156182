/* SPDX-License-Identifier: MIT */
/*
 * Answers: the response header (the fence echoed), and the bytes written
 * into the guest's writable elements, now or when a request in flight
 * completes.
 */
#include "cmd-impl.h"

/* The response header, with the fence echoed only if the request had one. */
void response_hdr(struct vgm_gpu_ctrl_hdr *h, const struct cmd *c, uint32_t type, bool fenced)
{
	*h = (struct vgm_gpu_ctrl_hdr){ .type = type };
	if (fenced) {
		h->flags = VGM_GPU_FLAG_FENCE;
		h->fence_id = c->hdr.fence_id;
		h->ctx_id = c->hdr.ctx_id;
		if (c->hdr.flags & VGM_GPU_FLAG_INFO_RING_IDX) {
			h->flags |= VGM_GPU_FLAG_INFO_RING_IDX;
			h->ring_idx = c->hdr.ring_idx;
		}
	}
}

size_t dispatch_answer(struct dispatch *d, const char *name, const struct iovec *out,
		       size_t out_cnt, const uint8_t *resp, size_t len)
{
	size_t written = iov_scatter(out, out_cnt, resp, len);

	if (written < len)
		logger_guest(d->log, "%s: response of %zu bytes truncated to %zu", name, len,
			     written);
	return written;
}
