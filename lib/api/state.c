/* SPDX-License-Identifier: MIT */
/*
 * Saving, loading and resuming a device, and guest memory that moves: the
 * checks of the API (a saveable device, nothing in flight, a fresh device
 * to load into, a loaded one to resume), then the state layer.
 */
#include <errno.h>
#include <limits.h>

#include "api-impl.h"

static uint32_t save_blockers(const struct vgm_device *dev)
{
	uint32_t why = 0;

	if (!dev->saveable)
		why |= VGM_SAVE_BLOCKED_NOT_SAVEABLE;
	if (dispatch_in_flight(dev->dispatch))
		why |= VGM_SAVE_BLOCKED_IN_FLIGHT;
	if (core_holds_3d(dev->core))
		why |= VGM_SAVE_BLOCKED_3D;
	return why;
}

VGM_EXPORT int vgm_device_can_save(const struct vgm_device *dev, uint32_t *why)
{
	uint32_t bits;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	bits = save_blockers(dev);
	if (why)
		*why = bits;
	return bits ? -EBUSY : 0;
}

VGM_EXPORT int vgm_device_save_size(const struct vgm_device *dev, size_t *size)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!size)
		return -EINVAL;
	if (save_blockers(dev))
		return -EBUSY;
	return state_size(dev->core, dev->render, size);
}

VGM_EXPORT int vgm_device_save(const struct vgm_device *dev, void *buf, size_t len,
			       size_t *written)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if ((!buf && len) || !written)
		return -EINVAL;
	if (save_blockers(dev))
		return -EBUSY;
	return state_save(dev->core, dev->render, buf, len, written);
}

VGM_EXPORT int vgm_device_load(struct vgm_device *dev, const void *buf, size_t len)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!buf)
		return api_misuse(dev, "vgm_device_load: buf is NULL");
	if (!dev->saveable)
		return api_misuse(dev, "vgm_device_load: the device is not VGM_DEVICE_SAVEABLE");
	if (dev->used || dev->loaded)
		return api_misuse(dev, "vgm_device_load: the device is not as created");
	/* A recording replays from a fresh device: the state's objects would
	 * be missing from it. */
	if (dev->rec)
		return api_misuse(dev, "vgm_device_load: the device records");
	err = state_load(dev->core, dev->render, dev->log, buf, len);
	if (err == 0)
		dev->loaded = true;
	return err;
}

static int lost_count(uint32_t lost)
{
	return lost > INT_MAX ? INT_MAX : (int)lost;
}

VGM_EXPORT int vgm_device_resume(struct vgm_device *dev)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!dev->loaded)
		return api_misuse(dev, "vgm_device_resume: the device was not loaded");
	dev->loaded = false;
	return lost_count(state_resume(dev->core, dev->render, dev->host));
}

VGM_EXPORT int vgm_device_unmap_guest(struct vgm_device *dev, uint64_t gpa, uint64_t len)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	/* Before resume nothing is mapped: resume translates everything. */
	if (dev->loaded || len == 0)
		return 0;
	return lost_count(state_unmap_guest(dev->core, dev->render, gpa, len));
}
