/* SPDX-License-Identifier: MIT */
/*
 * What every exported function checks first: a device, and no callback of
 * it running (issue 9, fault 5: a callback that reset, destroyed or
 * submitted to its own device pulled objects from under the library call
 * that made it). And how API misuse is reported.
 */
#include <errno.h>

#include "api-impl.h"

int api_misuse(struct vgm_device *dev, const char *what)
{
	logger_msg(dev->log, VGM_LOG_ERROR, "API misuse: %s", what);
	return -EINVAL;
}

int api_enter(const struct vgm_device *dev, const char *fn)
{
	if (!dev)
		return -EINVAL;
	/* Not logged: the log is the owner thread's, which may be in it now. */
	if (dev->pinned && !pthread_equal(pthread_self(), dev->owner))
		return -EBUSY;
	if (!host_busy(dev->host))
		return 0;
	/* Logging changes nothing the caller can see; the device was made
	 * writable by vgm_device_new(), a getter only promises not to. */
	logger_msg(dev->log, VGM_LOG_ERROR,
		   "API misuse: %s called from inside a callback of the device: -EBUSY", fn);
	return -EBUSY;
}
