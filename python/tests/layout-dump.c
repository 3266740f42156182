/* SPDX-License-Identifier: MIT */
/*
 * Prints, as JSON, the size and member offsets of every public struct and
 * the value of the header constants the Python package mirrors
 * (python/virtgpu_mem/_native.py, constants.py), for test_layout.py to
 * compare: the package needs no compiler, its tests check it against one.
 */
#include <drm_fourcc.h>
#include <stddef.h>
#include <stdio.h>

#include <virtgpu-mem/virtgpu-mem.h>

static int first_struct = 1, first_member;

static void struct_begin(const char *name, size_t size)
{
	printf("%s\n  \"%s\": {\"size\": %zu, \"offsets\": {", first_struct ? "" : ",", name, size);
	first_struct = 0;
	first_member = 1;
}

static void member(const char *name, size_t offset)
{
	printf("%s\"%s\": %zu", first_member ? "" : ", ", name, offset);
	first_member = 0;
}

#define S(T) struct_begin(#T, sizeof(struct T))
#define M(T, m) member(#m, offsetof(struct T, m))
#define END() printf("}}")

static void structs(void)
{
	S(vgm_rect); M(vgm_rect, x); M(vgm_rect, y); M(vgm_rect, width); M(vgm_rect, height); END();
	S(vgm_guest_map); M(vgm_guest_map, ptr); M(vgm_guest_map, len); M(vgm_guest_map, cookie);
	M(vgm_guest_map, fd); M(vgm_guest_map, fd_offset); END();
	S(vgm_pixels); M(vgm_pixels, data); M(vgm_pixels, stride); M(vgm_pixels, fourcc);
	M(vgm_pixels, width); M(vgm_pixels, height); END();
	S(vgm_cursor); M(vgm_cursor, pixels); M(vgm_cursor, hot_x); M(vgm_cursor, hot_y);
	M(vgm_cursor, x); M(vgm_cursor, y); END();
	S(vgm_dmabuf); M(vgm_dmabuf, fd); M(vgm_dmabuf, fourcc); M(vgm_dmabuf, modifier);
	M(vgm_dmabuf, stride); M(vgm_dmabuf, offset); M(vgm_dmabuf, size); M(vgm_dmabuf, width);
	M(vgm_dmabuf, height); M(vgm_dmabuf, rect); END();
	S(vgm_host_ops); M(vgm_host_ops, size); M(vgm_host_ops, translate);
	M(vgm_host_ops, release); M(vgm_host_ops, fence_done); M(vgm_host_ops, config_changed);
	M(vgm_host_ops, scanout_set); M(vgm_host_ops, scanout_disable);
	M(vgm_host_ops, scanout_update); M(vgm_host_ops, cursor_set);
	M(vgm_host_ops, cursor_move); M(vgm_host_ops, cursor_hide); M(vgm_host_ops, log);
	M(vgm_host_ops, resource_uuid); M(vgm_host_ops, scanout_dmabuf);
	M(vgm_host_ops, request_done); END();
	S(vgm_scanout_config); M(vgm_scanout_config, enabled); M(vgm_scanout_config, width);
	M(vgm_scanout_config, height); END();
	S(vgm_device_config); M(vgm_device_config, size); M(vgm_device_config, dialect);
	M(vgm_device_config, features); M(vgm_device_config, num_scanouts);
	M(vgm_device_config, scanouts); M(vgm_device_config, max_host_memory);
	M(vgm_device_config, max_backing_entries); M(vgm_device_config, max_resources);
	M(vgm_device_config, max_regions); M(vgm_device_config, log_level);
	M(vgm_device_config, ops); M(vgm_device_config, host);
	M(vgm_device_config, max_table_pieces);
	M(vgm_device_config, reserved); M(vgm_device_config, stream_threshold);
	M(vgm_device_config, renderer); M(vgm_device_config, renderer_flags);
	M(vgm_device_config, flags); M(vgm_device_config, reserved2); END();
	S(vgm_resource_info); M(vgm_resource_info, size); M(vgm_resource_info, format);
	M(vgm_resource_info, fourcc); M(vgm_resource_info, width); M(vgm_resource_info, height);
	M(vgm_resource_info, stride); M(vgm_resource_info, backed);
	M(vgm_resource_info, memory_id); M(vgm_resource_info, backing_offset);
	M(vgm_resource_info, backing_size); M(vgm_resource_info, scanout_mask);
	M(vgm_resource_info, blob); M(vgm_resource_info, has_uuid);
	M(vgm_resource_info, blob_size); M(vgm_resource_info, uuid); END();
	S(vgm_scanout_info); M(vgm_scanout_info, size); M(vgm_scanout_info, enabled);
	M(vgm_scanout_info, width); M(vgm_scanout_info, height);
	M(vgm_scanout_info, resource_id); M(vgm_scanout_info, rect); END();
	S(vgm_stats); M(vgm_stats, size); M(vgm_stats, resources); M(vgm_stats, regions);
	M(vgm_stats, memory_ids); M(vgm_stats, host_bytes); M(vgm_stats, image_bytes);
	M(vgm_stats, table_bytes); M(vgm_stats, object_bytes); M(vgm_stats, backing_entries);
	END();
	S(vgm_wire_field); M(vgm_wire_field, name); M(vgm_wire_field, kind);
	M(vgm_wire_field, offset); M(vgm_wire_field, size); M(vgm_wire_field, count);
	M(vgm_wire_field, flags); M(vgm_wire_field, record); END();
	S(vgm_wire_layout); M(vgm_wire_layout, size); M(vgm_wire_layout, nfields);
	M(vgm_wire_layout, fields); M(vgm_wire_layout, trailer); M(vgm_wire_layout, record);
	END();
	S(vgm_wire_command); M(vgm_wire_command, size); M(vgm_wire_command, type);
	M(vgm_wire_command, name); M(vgm_wire_command, dialects); M(vgm_wire_command, queue);
	M(vgm_wire_command, feature); M(vgm_wire_command, request); M(vgm_wire_command, ok);
	M(vgm_wire_command, response); END();
}

static int first_const = 1;

static void constant(const char *name, unsigned long long v)
{
	printf("%s\n  \"%s\": %llu", first_const ? "" : ",", name, v);
	first_const = 0;
}

#define C(name) constant(#name, (unsigned long long)(name))

static void constants(void)
{
	C(VGM_DIALECT_STANDARD); C(VGM_DIALECT_MEMORY_RFC); C(VGM_QUEUE_CONTROL);
	C(VGM_QUEUE_CURSOR); C(VGM_LOG_ERROR); C(VGM_LOG_WARNING); C(VGM_LOG_INFO);
	C(VGM_LOG_DEBUG); C(VGM_FEATURES_ALL); C(VGM_MAX_SCANOUTS); C(VGM_CURSOR_SIZE);
	C(VGM_DEFAULT_WIDTH); C(VGM_DEFAULT_HEIGHT);
	C(VGM_DEVICE_SAVEABLE); C(VGM_SAVE_BLOCKED_NOT_SAVEABLE); C(VGM_SAVE_BLOCKED_IN_FLIGHT);
	C(VGM_SAVE_BLOCKED_3D); C(VGM_RENDERER_2D); C(VGM_RENDERER_VIRGL);
	C(VGM_VIRGL_THREAD_SYNC);
	C(VGM_GPU_F_VIRGL); C(VGM_GPU_F_EDID); C(VGM_GPU_F_RESOURCE_UUID);
	C(VGM_GPU_F_RESOURCE_BLOB); C(VGM_GPU_F_CONTEXT_INIT); C(VGM_GPU_F_MEMORY);
	C(VGM_GPU_FLAG_FENCE); C(VGM_GPU_FLAG_INFO_RING_IDX); C(VGM_GPU_EVENT_DISPLAY);
	C(VGM_GPU_FORMAT_B8G8R8A8_UNORM); C(VGM_GPU_FORMAT_B8G8R8X8_UNORM);
	C(VGM_GPU_FORMAT_A8R8G8B8_UNORM); C(VGM_GPU_FORMAT_X8R8G8B8_UNORM);
	C(VGM_GPU_FORMAT_R8G8B8A8_UNORM); C(VGM_GPU_FORMAT_X8B8G8R8_UNORM);
	C(VGM_GPU_FORMAT_A8B8G8R8_UNORM); C(VGM_GPU_FORMAT_R8G8B8X8_UNORM);
	C(VGM_GPU_BLOB_MEM_GUEST); C(VGM_GPU_BLOB_MEM_HOST3D); C(VGM_GPU_BLOB_MEM_HOST3D_GUEST);
	C(VGM_GPU_BLOB_FLAG_USE_MAPPABLE); C(VGM_GPU_BLOB_FLAG_USE_SHAREABLE);
	C(VGM_GPU_BLOB_FLAG_USE_CROSS_DEVICE);
	C(DRM_FORMAT_XRGB8888); C(DRM_FORMAT_ARGB8888); C(DRM_FORMAT_XBGR8888);
	C(DRM_FORMAT_ABGR8888); C(DRM_FORMAT_RGBX8888); C(DRM_FORMAT_RGBA8888);
	C(DRM_FORMAT_BGRX8888); C(DRM_FORMAT_BGRA8888); C(DRM_FORMAT_BGR888);
	C(VGM_WIRE_U8); C(VGM_WIRE_U32); C(VGM_WIRE_U64); C(VGM_WIRE_RECT); C(VGM_WIRE_U32S);
	C(VGM_WIRE_U64S); C(VGM_WIRE_TEXT); C(VGM_WIRE_BYTES); C(VGM_WIRE_PAD);
	C(VGM_WIRE_RECORDS); C(VGM_WIRE_FORMAT); C(VGM_WIRE_COUNT); C(VGM_WIRE_TOTAL);
	C(VGM_WIRE_TEXT_LENGTH); C(VGM_WIRE_LENGTH); C(VGM_WIRE_TRAILER_NONE);
	C(VGM_WIRE_TRAILER_RECORDS); C(VGM_WIRE_TRAILER_BYTES);
}

int main(void)
{
	printf("{\"structs\": {");
	structs();
	printf("},\n\"constants\": {");
	constants();
	printf("}}\n");
	return 0;
}
