/* SPDX-License-Identifier: MIT */
/*
 * What a VMM asks of a device's objects: a resource, a UUID, the counters.
 */
#include <errno.h>
#include <string.h>

#include "api-impl.h"

VGM_EXPORT int vgm_device_get_resource_info(const struct vgm_device *dev, uint32_t resource_id,
					    struct vgm_resource_info *info)
{
	const struct resource *res;
	const struct format_info *fmt;
	struct resource_desc d;
	struct vgm_resource_info ri = { .size = sizeof(ri) };
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!info)
		return -EINVAL;
	res = resource_find(dev->core, resource_id);
	if (!res)
		return -ENOENT;
	resource_describe(res, &d);
	fmt = format_from_virtio(d.format);
	ri.format = d.format;
	ri.fourcc = fmt ? fmt->fourcc : 0;
	ri.width = d.width;
	ri.height = d.height;
	ri.stride = d.stride;
	ri.backed = d.backed;
	ri.memory_id = d.memory_id;
	ri.backing_offset = d.backing_offset;
	ri.backing_size = d.backing_size;
	ri.scanout_mask = d.scanout_mask;
	ri.blob = d.kind == RESOURCE_BLOB;
	ri.blob_size = d.blob_size;
	ri.has_uuid = d.has_uuid;
	memcpy(ri.uuid, d.uuid, sizeof(ri.uuid));
	return copy_out(info, &ri, sizeof(ri));
}

VGM_EXPORT int vgm_device_get_stats(const struct vgm_device *dev, struct vgm_stats *stats)
{
	struct vgm_stats st = { .size = sizeof(st) };
	struct core_stats cs;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!stats)
		return -EINVAL;
	core_stats(dev->core, &cs);
	st.resources = cs.resources;
	st.regions = cs.regions;
	st.memory_ids = cs.memory_ids;
	st.image_bytes = cs.image_bytes;
	st.table_bytes = cs.table_bytes;
	st.host_bytes = cs.image_bytes + cs.table_bytes;
	st.object_bytes = cs.object_bytes;
	st.backing_entries = cs.backing_entries;
	return copy_out(stats, &st, sizeof(st));
}

VGM_EXPORT int vgm_device_find_uuid(const struct vgm_device *dev, const uint8_t uuid[16],
				    uint32_t *found)
{
	const struct resource *res;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!uuid || !found)
		return -EINVAL;
	res = uuid_find(dev->core, uuid);
	if (!res)
		return -ENOENT;
	*found = resource_id(res);
	return 0;
}
