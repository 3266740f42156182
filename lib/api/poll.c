/* SPDX-License-Identifier: MIT */
/*
 * Requests that complete later: the renderer polled, the requests it
 * completed answered and their waiters told (the VMM through
 * request_done(), or a vgm_device_submit() that waits); the poll fd and
 * the deadline of the next poll.
 */
#include <errno.h>
#include <time.h>

#include "api-impl.h"

/* How long a request in flight may wait for a poll: QEMU polls
 * virglrenderer every 10 ms. */
#define POLL_PERIOD_NS 10000000ull
/* How long vgm_device_submit() sleeps between polls while it waits. */
#define WAIT_STEP_NS 100000l

static void tell(struct vgm_device *dev, const struct dispatch_done *done)
{
	if (done->tag.waited) {
		dev->waited_done = true;
		dev->waited_written = done->written;
		return;
	}
	/* Recorded first: the VMM may give the buffers back in request_done(). */
	record_done(dev, done->tag.value, done->written);
	host_request_done(dev->host, done->tag.value, done->written);
}

/* Calls get() until it answers nothing more, telling each waiter. */
static void drain(struct vgm_device *dev,
		  size_t (*get)(struct dispatch *, struct dispatch_done *, size_t))
{
	struct dispatch_done done[16];
	size_t n;

	do {
		n = get(dev->dispatch, done, ARRAY_SIZE(done));
		for (size_t i = 0; i < n; i++)
			tell(dev, &done[i]);
	} while (n == ARRAY_SIZE(done));
}

void device_poll(struct vgm_device *dev)
{
	drain(dev, dispatch_poll);
}

void device_cancel(struct vgm_device *dev)
{
	drain(dev, dispatch_cancel);
}

void device_wait(struct vgm_device *dev, size_t *written)
{
	const struct timespec step = { 0, WAIT_STEP_NS };

	dev->waited_done = false;
	for (device_poll(dev); !dev->waited_done; device_poll(dev))
		nanosleep(&step, NULL);
	*written = dev->waited_written;
}

VGM_EXPORT int vgm_device_poll(struct vgm_device *dev)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (dispatch_in_flight(dev->dispatch))
		device_poll(dev);
	return 0;
}

VGM_EXPORT int vgm_device_get_poll_fd(const struct vgm_device *dev, int *fd)
{
	int err = api_enter(dev, __func__);
	int got;

	if (err)
		return err;
	if (!fd)
		return -EINVAL;
	got = render_poll_fd(dev->render);
	if (got < 0)
		return -ENOENT;
	*fd = got;
	return 0;
}

VGM_EXPORT int vgm_device_next_poll(const struct vgm_device *dev, uint64_t *deadline_ns)
{
	struct timespec now;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!deadline_ns)
		return -EINVAL;
	if (!dispatch_in_flight(dev->dispatch))
		return -ENOENT;
	clock_gettime(CLOCK_MONOTONIC, &now);
	*deadline_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec +
		       POLL_PERIOD_NS;
	return 0;
}
