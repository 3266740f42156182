/* SPDX-License-Identifier: MIT */
/*
 * Requests: the VMM's descriptor chains to the dispatch, answered before
 * the call returns (vgm_device_submit(), which waits for work that
 * completes later) or when their work completes (vgm_device_submit_tagged()).
 */
#include <errno.h>

#include "api-impl.h"

/* A chain's queue and readable part as a request and its hint take them:
 * a known queue, and no NULL array with a count. */
static bool chain_ok(enum vgm_queue queue, const struct iovec *in, size_t in_cnt)
{
	return (queue == VGM_QUEUE_CONTROL || queue == VGM_QUEUE_CURSOR) && (in || !in_cnt);
}

static int bad_args(const struct vgm_device *dev, const char *fn)
{
	logger_msg(dev->log, VGM_LOG_ERROR, "API misuse: %s: bad arguments", fn);
	return -EINVAL;
}

/* Every refusal comes before the device is marked used: a refused call
 * changes nothing (the device can still be loaded). tagged: the caller is
 * vgm_device_submit_tagged(), which needs request_done(). */
static int check_args(struct vgm_device *dev, enum vgm_queue queue, const struct iovec *in,
		      size_t in_cnt, const struct iovec *out, size_t out_cnt, size_t *written,
		      bool tagged, const char *fn)
{
	int err = api_enter(dev, fn);

	if (err)
		return err;
	if (!written || !chain_ok(queue, in, in_cnt) || (!out && out_cnt))
		return bad_args(dev, fn);
	if (tagged && !host_has_request_done(dev->host))
		return api_misuse(dev, "vgm_device_submit_tagged: ops has no request_done");
	if (dev->loaded) {
		logger_msg(dev->log, VGM_LOG_ERROR,
			   "API misuse: %s: a loaded device before vgm_device_resume(): -EBUSY", fn);
		return -EBUSY;
	}
	dev->used = true;
	return 0;
}

VGM_EXPORT int vgm_device_submit(struct vgm_device *dev, enum vgm_queue queue,
				 const struct iovec *in, size_t in_cnt, const struct iovec *out,
				 size_t out_cnt, size_t *written)
{
	struct dispatch_tag waited = { .waited = true };
	int err = check_args(dev, queue, in, in_cnt, out, out_cnt, written, false,
			     __func__);

	if (err)
		return err;
	record_before(dev);
	if (dispatch_submit(dev->dispatch, queue, in, in_cnt, out, out_cnt, waited, written) ==
	    DISPATCH_PENDING)
		device_wait(dev, written);
	record_after(dev, queue, in, in_cnt, out, out_cnt, *written, NULL);
	return 0;
}

VGM_EXPORT int vgm_device_submit_tagged(struct vgm_device *dev, enum vgm_queue queue,
					const struct iovec *in, size_t in_cnt,
					const struct iovec *out, size_t out_cnt, uint64_t tag,
					size_t *written)
{
	struct dispatch_tag t = { .value = tag };
	int err = check_args(dev, queue, in, in_cnt, out, out_cnt, written, true, __func__);

	if (err)
		return err;
	record_before(dev);
	if (dispatch_submit(dev->dispatch, queue, in, in_cnt, out, out_cnt, t, written) ==
	    DISPATCH_PENDING) {
		record_after(dev, queue, in, in_cnt, out, out_cnt, 0, &tag);
		return -EINPROGRESS;
	}
	record_after(dev, queue, in, in_cnt, out, out_cnt, *written, NULL);
	return 0;
}

/* A loaded device has not mapped its guest memory yet: the hint reads
 * the request's bytes all the same (the VMM's buffers) and its table. */
VGM_EXPORT int vgm_device_prefetch(const struct vgm_device *dev, enum vgm_queue queue,
				   const struct iovec *in, size_t in_cnt)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!chain_ok(queue, in, in_cnt))
		return bad_args(dev, __func__);
	dispatch_prefetch(dev->dispatch, queue, in, in_cnt);
	return 0;
}
