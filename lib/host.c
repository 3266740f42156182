/* SPDX-License-Identifier: MIT */
/*
 * The VMM's callbacks, and the guard against calls back into the device
 * from inside them.
 *
 * Every callback is made here, with the device's callback depth raised for
 * as long as it runs; every exported function that takes a device starts
 * with api_enter(), which refuses it (-EBUSY, logged as API misuse) while
 * the depth is raised. A callback that reset, destroyed or submitted to its
 * own device pulled objects from under the library call that made it
 * (issue 9, fault 5: use after free in the flush handler and others).
 */
#include <errno.h>

#include "private.h"

/* Calls one callback, if the host has it, with the depth raised; args
 * is its parenthesised argument list. */
#define CALL(dev, name, args)                     \
	do {                                      \
		if ((dev)->ops.name) {            \
			(dev)->callback_depth++;  \
			(dev)->ops.name args;     \
			(dev)->callback_depth--;  \
		}                                 \
	} while (0)

int api_enter(const struct vgm_device *dev, const char *fn)
{
	if (!dev)
		return -EINVAL;
	if (dev->callback_depth == 0)
		return 0;
	/* Logging changes nothing the caller can see; the device was made
	 * writable by vgm_device_new(), a getter only promises not to. */
	dev_log((struct vgm_device *)(uintptr_t)dev, VGM_LOG_ERROR,
		"API misuse: %s called from inside a callback of the device: -EBUSY", fn);
	return -EBUSY;
}

int host_translate(struct vgm_device *dev, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	int ret;

	dev->callback_depth++;
	ret = dev->ops.translate(dev->host, gpa, len, map);
	dev->callback_depth--;
	return ret;
}

void host_release(struct vgm_device *dev, const struct vgm_guest_map *map)
{
	CALL(dev, release, (dev->host, map));
}

void host_fence_done(struct vgm_device *dev, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	CALL(dev, fence_done, (dev->host, ctx_id, ring_idx, fence_id));
}

void host_config_changed(struct vgm_device *dev)
{
	CALL(dev, config_changed, (dev->host));
}

void host_scanout_set(struct vgm_device *dev, uint32_t scanout, const struct vgm_pixels *px)
{
	CALL(dev, scanout_set, (dev->host, scanout, px));
}

void host_scanout_disable(struct vgm_device *dev, uint32_t scanout)
{
	CALL(dev, scanout_disable, (dev->host, scanout));
}

void host_scanout_update(struct vgm_device *dev, uint32_t scanout, const struct vgm_rect *rect)
{
	CALL(dev, scanout_update, (dev->host, scanout, rect));
}

void host_scanout_dmabuf(struct vgm_device *dev, uint32_t scanout, const struct vgm_dmabuf *buf)
{
	CALL(dev, scanout_dmabuf, (dev->host, scanout, buf));
}

void host_cursor_set(struct vgm_device *dev, uint32_t scanout, const struct vgm_cursor *cursor)
{
	CALL(dev, cursor_set, (dev->host, scanout, cursor));
}

void host_cursor_move(struct vgm_device *dev, uint32_t scanout, uint32_t x, uint32_t y)
{
	CALL(dev, cursor_move, (dev->host, scanout, x, y));
}

void host_cursor_hide(struct vgm_device *dev, uint32_t scanout)
{
	CALL(dev, cursor_hide, (dev->host, scanout));
}

void host_resource_uuid(struct vgm_device *dev, uint32_t resource_id, const uint8_t uuid[16])
{
	CALL(dev, resource_uuid, (dev->host, resource_id, uuid));
}

void host_log(struct vgm_device *dev, enum vgm_log_level level, const char *msg)
{
	/* A line from inside the log callback can only be a call back into
	 * the device refused: logging that would call the log callback
	 * again, from inside itself, without end. */
	if (dev->in_log)
		return;
	dev->in_log = true;
	CALL(dev, log, (dev->host, level, msg));
	dev->in_log = false;
}
