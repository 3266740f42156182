/* SPDX-License-Identifier: MIT */
/*
 * The VMM's displays: connected or not and the preferred mode, its own
 * EDIDs, and what a scanout shows.
 */
#include <errno.h>

#include "api-impl.h"

/* No member was added since 0.1: smaller sizes are no version's. */
static const size_t scanout_info_ends[] = { sizeof(struct vgm_scanout_info) };
static const struct sized_ends scanout_info_sizes = { scanout_info_ends,
						      ARRAY_SIZE(scanout_info_ends) };

VGM_EXPORT int vgm_device_set_display(struct vgm_device *dev, uint32_t scanout, bool enabled,
				      uint32_t width, uint32_t height)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (scanout >= core_num_scanouts(dev->core) || width > MAX_DISPLAY_SIZE ||
	    height > MAX_DISPLAY_SIZE)
		return api_misuse(dev, "vgm_device_set_display: bad scanout or size");
	scanout_set_display(dev->core, scanout, enabled, width, height);
	core_raise_display_event(dev->core);
	host_config_changed(dev->host);
	return 0;
}

VGM_EXPORT int vgm_device_set_edid(struct vgm_device *dev, uint32_t scanout, const void *edid,
				   size_t len)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (scanout >= core_num_scanouts(dev->core) || (edid && !edid_valid(edid, len)) ||
	    (!edid && len))
		return api_misuse(dev, "vgm_device_set_edid: bad scanout or invalid EDID");
	return scanout_set_edid(dev->core, scanout, edid, len);
}

VGM_EXPORT int vgm_device_get_scanout_info(const struct vgm_device *dev, uint32_t scanout,
					   struct vgm_scanout_info *info)
{
	struct scanout_desc so;
	struct vgm_scanout_info si = { .size = sizeof(si) };
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!info || scanout >= core_num_scanouts(dev->core))
		return -EINVAL;
	scanout_describe(dev->core, scanout, &so);
	si.enabled = so.enabled;
	si.width = so.width;
	si.height = so.height;
	si.resource_id = so.res ? resource_id(so.res) : 0;
	si.rect = (struct vgm_rect){ so.rect.x, so.rect.y, so.rect.width, so.rect.height };
	return copy_out(info, &si, sizeof(si), &scanout_info_sizes);
}

VGM_EXPORT int vgm_device_get_scanout_pixels(const struct vgm_device *dev, uint32_t scanout,
					     struct vgm_pixels *px)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!px || scanout >= core_num_scanouts(dev->core))
		return -EINVAL;
	return render_pixels(dev->render, scanout, px);
}

VGM_EXPORT int vgm_device_read_scanout(const struct vgm_device *dev, uint32_t scanout,
				       uint32_t fourcc, void *dst, uint32_t dst_stride)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!dst || scanout >= core_num_scanouts(dev->core))
		return -EINVAL;
	return render_read(dev->render, scanout, fourcc, dst, dst_stride);
}
