/* SPDX-License-Identifier: MIT */
/*
 * Requests: the VMM's descriptor chains to the dispatch.
 */
#include <errno.h>
#include <stdlib.h>

#include "api-impl.h"

VGM_EXPORT int vgm_device_submit(struct vgm_device *dev, enum vgm_queue queue,
				 const struct iovec *in, size_t in_cnt, const struct iovec *out,
				 size_t out_cnt, size_t *written)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!written || (queue != VGM_QUEUE_CONTROL && queue != VGM_QUEUE_CURSOR) ||
	    (!in && in_cnt) || (!out && out_cnt)) {
		logger_msg(dev->log, VGM_LOG_ERROR, "API misuse: vgm_device_submit: bad arguments");
		return -EINVAL;
	}
	if (dev->loaded) {
		logger_msg(dev->log, VGM_LOG_ERROR,
			   "API misuse: vgm_device_submit: a loaded device before vgm_device_resume(): -EBUSY");
		return -EBUSY;
	}
	dev->used = true;
	/* The 2D renderer's work is done at once: nothing stays in flight (the
	 * public API for requests that complete later is issue 12's). */
	if (dispatch_submit(dev->dispatch, queue, in, in_cnt, out, out_cnt, NULL, written) !=
	    DISPATCH_DONE)
		abort();
	return 0;
}
