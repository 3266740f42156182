/* SPDX-License-Identifier: MIT */
/*
 * What a VMM asks of a device's objects: a resource, a UUID, the counters.
 */
#include <errno.h>
#include <string.h>

#include "api-impl.h"

/* The sizes older callers give (copy_out()): the 0.1 struct, then where
 * each later member ends (a member added here adds its end). */
static const size_t resource_info_ends[] = {
	/* 0.1's sizeof: scanout_mask's end where uint64_t is aligned to 4
	 * bytes (i386), then padding to 8 where it is aligned to 8 (where
	 * 0.2 put blob) */
	MEMBER_END(struct vgm_resource_info, scanout_mask),
	MEMBER_END(struct vgm_resource_info, blob),
	MEMBER_END(struct vgm_resource_info, has_uuid),
	MEMBER_END(struct vgm_resource_info, blob_size),
	MEMBER_END(struct vgm_resource_info, uuid),
};
/* No member was added since 0.1. */
static const size_t stats_ends[] = { sizeof(struct vgm_stats) };
static const struct sized_ends resource_info_sizes = { resource_info_ends,
						       ARRAY_SIZE(resource_info_ends) };
static const struct sized_ends stats_sizes = { stats_ends, ARRAY_SIZE(stats_ends) };

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
	return copy_out(info, &ri, sizeof(ri), &resource_info_sizes);
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
	return copy_out(stats, &st, sizeof(st), &stats_sizes);
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
