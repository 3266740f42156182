/* SPDX-License-Identifier: MIT */
/*
 * virtgpu-mem: the virtio-gpu wire protocol, both dialects.
 *
 * Constants and little-endian wire layouts of the requests and responses
 * the library speaks. The names carry our own prefix (VGM_GPU_, vgm_gpu_)
 * so this header can be included next to <linux/virtio_gpu.h>.
 *
 * The structs describe the bytes on the wire: every field is little-endian
 * and the layouts have no implicit padding. The library itself never casts
 * them over guest bytes (it decodes byte by byte); they are here for VMM
 * authors and test writers who build requests, and tests check them against
 * the Linux uapi header.
 *
 * Two dialects share the numbers 0x010b..0x010d, feature bit 2 and 0x1206:
 * - standard: the virtio 1.3 device (RESOURCE_UUID, RESOURCE_BLOB);
 * - memory-rfc: the memory-regions proposal (MEMORY_CREATE, MEMORY_UNREF,
 *   RESOURCE_ATTACH_MEMORY, ERR_INVALID_MEMORY_ID).
 */
#ifndef VIRTGPU_MEM_PROTOCOL_H
#define VIRTGPU_MEM_PROTOCOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Feature bits (device-specific, 0..23). */
#define VGM_GPU_F_VIRGL 0
#define VGM_GPU_F_EDID 1
#define VGM_GPU_F_RESOURCE_UUID 2 /* standard */
#define VGM_GPU_F_RESOURCE_BLOB 3 /* standard */
#define VGM_GPU_F_CONTEXT_INIT 4  /* standard */
#define VGM_GPU_F_MEMORY 2	  /* memory-rfc */

/* Command types. */
#define VGM_GPU_CMD_GET_DISPLAY_INFO 0x0100u
#define VGM_GPU_CMD_RESOURCE_CREATE_2D 0x0101u
#define VGM_GPU_CMD_RESOURCE_UNREF 0x0102u
#define VGM_GPU_CMD_SET_SCANOUT 0x0103u
#define VGM_GPU_CMD_RESOURCE_FLUSH 0x0104u
#define VGM_GPU_CMD_TRANSFER_TO_HOST_2D 0x0105u
#define VGM_GPU_CMD_RESOURCE_ATTACH_BACKING 0x0106u
#define VGM_GPU_CMD_RESOURCE_DETACH_BACKING 0x0107u
#define VGM_GPU_CMD_GET_CAPSET_INFO 0x0108u
#define VGM_GPU_CMD_GET_CAPSET 0x0109u
#define VGM_GPU_CMD_GET_EDID 0x010au
/* standard dialect */
#define VGM_GPU_CMD_RESOURCE_ASSIGN_UUID 0x010bu
#define VGM_GPU_CMD_RESOURCE_CREATE_BLOB 0x010cu
#define VGM_GPU_CMD_SET_SCANOUT_BLOB 0x010du
/* memory-rfc dialect */
#define VGM_GPU_CMD_MEMORY_CREATE 0x010bu
#define VGM_GPU_CMD_MEMORY_UNREF 0x010cu
#define VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY 0x010du
/* 3D commands: answered by a device with a 3D renderer (VIRGL offered) */
#define VGM_GPU_CMD_CTX_CREATE 0x0200u
#define VGM_GPU_CMD_CTX_DESTROY 0x0201u
#define VGM_GPU_CMD_CTX_ATTACH_RESOURCE 0x0202u
#define VGM_GPU_CMD_CTX_DETACH_RESOURCE 0x0203u
#define VGM_GPU_CMD_RESOURCE_CREATE_3D 0x0204u
#define VGM_GPU_CMD_TRANSFER_TO_HOST_3D 0x0205u
#define VGM_GPU_CMD_TRANSFER_FROM_HOST_3D 0x0206u
#define VGM_GPU_CMD_SUBMIT_3D 0x0207u
#define VGM_GPU_CMD_RESOURCE_MAP_BLOB 0x0208u
#define VGM_GPU_CMD_RESOURCE_UNMAP_BLOB 0x0209u
/* cursor queue */
#define VGM_GPU_CMD_UPDATE_CURSOR 0x0300u
#define VGM_GPU_CMD_MOVE_CURSOR 0x0301u

/* Response types: the guest's verdict. */
#define VGM_GPU_RESP_OK_NODATA 0x1100u
#define VGM_GPU_RESP_OK_DISPLAY_INFO 0x1101u
#define VGM_GPU_RESP_OK_CAPSET_INFO 0x1102u
#define VGM_GPU_RESP_OK_CAPSET 0x1103u
#define VGM_GPU_RESP_OK_EDID 0x1104u
#define VGM_GPU_RESP_OK_RESOURCE_UUID 0x1105u /* standard */
#define VGM_GPU_RESP_OK_MAP_INFO 0x1106u      /* standard */
#define VGM_GPU_RESP_ERR_UNSPEC 0x1200u
#define VGM_GPU_RESP_ERR_OUT_OF_MEMORY 0x1201u
#define VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID 0x1202u
#define VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID 0x1203u
#define VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID 0x1204u
#define VGM_GPU_RESP_ERR_INVALID_PARAMETER 0x1205u
#define VGM_GPU_RESP_ERR_INVALID_MEMORY_ID 0x1206u /* memory-rfc */

/* ctrl_hdr.flags */
#define VGM_GPU_FLAG_FENCE (1u << 0)
#define VGM_GPU_FLAG_INFO_RING_IDX (1u << 1)

/* config.events_read */
#define VGM_GPU_EVENT_DISPLAY (1u << 0)

#define VGM_GPU_MAX_SCANOUTS 16
#define VGM_GPU_EDID_MAX 1024

/* Capability sets (GET_CAPSET_INFO, GET_CAPSET, CTX_CREATE's context_init). */
#define VGM_GPU_CAPSET_VIRGL 1u
#define VGM_GPU_CAPSET_VIRGL2 2u
/* The bits of ctx_create.context_init that name a capset (CONTEXT_INIT). */
#define VGM_GPU_CONTEXT_INIT_CAPSET_ID_MASK 0x000000ffu

/* resource_create_3d.flags: the first row in memory is the top one. */
#define VGM_GPU_RESOURCE_FLAG_Y_0_TOP (1u << 0)

/* The 2D formats, named by byte order in memory. */
#define VGM_GPU_FORMAT_B8G8R8A8_UNORM 1u
#define VGM_GPU_FORMAT_B8G8R8X8_UNORM 2u
#define VGM_GPU_FORMAT_A8R8G8B8_UNORM 3u
#define VGM_GPU_FORMAT_X8R8G8B8_UNORM 4u
#define VGM_GPU_FORMAT_R8G8B8A8_UNORM 67u
#define VGM_GPU_FORMAT_X8B8G8R8_UNORM 68u
#define VGM_GPU_FORMAT_A8B8G8R8_UNORM 121u
#define VGM_GPU_FORMAT_R8G8B8X8_UNORM 134u

/* RESOURCE_CREATE_BLOB (standard) */
#define VGM_GPU_BLOB_MEM_GUEST 0x0001u
#define VGM_GPU_BLOB_MEM_HOST3D 0x0002u
#define VGM_GPU_BLOB_MEM_HOST3D_GUEST 0x0003u
#define VGM_GPU_BLOB_FLAG_USE_MAPPABLE 0x0001u
#define VGM_GPU_BLOB_FLAG_USE_SHAREABLE 0x0002u
#define VGM_GPU_BLOB_FLAG_USE_CROSS_DEVICE 0x0004u

/* Wire layouts, little-endian. Sizes in the comments are checked by tests. */

struct vgm_gpu_ctrl_hdr { /* 24 bytes */
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};

struct vgm_gpu_rect { /* 16 bytes */
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

struct vgm_gpu_mem_entry { /* 16 bytes */
	uint64_t addr;
	uint32_t length;
	uint32_t padding;
};

struct vgm_gpu_config { /* 16 bytes: the device configuration space */
	uint32_t events_read;
	uint32_t events_clear;
	uint32_t num_scanouts;
	uint32_t num_capsets;
};

struct vgm_gpu_display_one { /* 24 bytes */
	struct vgm_gpu_rect r;
	uint32_t enabled;
	uint32_t flags;
};

struct vgm_gpu_resp_display_info { /* 408 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_display_one pmodes[VGM_GPU_MAX_SCANOUTS];
};

struct vgm_gpu_get_edid { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t scanout;
	uint32_t padding;
};

struct vgm_gpu_resp_edid { /* 1056 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[VGM_GPU_EDID_MAX];
};

struct vgm_gpu_resource_create_2d { /* 40 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
};

struct vgm_gpu_resource_unref { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct vgm_gpu_set_scanout { /* 48 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
};

struct vgm_gpu_resource_flush { /* 48 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_rect r;
	uint32_t resource_id;
	uint32_t padding;
};

struct vgm_gpu_transfer_to_host_2d { /* 56 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_rect r;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t padding;
};

struct vgm_gpu_resource_attach_backing { /* 32 bytes, then entries */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t nr_entries;
};

struct vgm_gpu_resource_detach_backing { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct vgm_gpu_get_capset_info { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t capset_index;
	uint32_t padding;
};

struct vgm_gpu_get_capset { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_version;
};

struct vgm_gpu_cursor_pos { /* 16 bytes */
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t padding;
};

struct vgm_gpu_update_cursor { /* 56 bytes, UPDATE_CURSOR and MOVE_CURSOR */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_cursor_pos pos;
	uint32_t resource_id;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t padding;
};

struct vgm_gpu_resp_capset_info { /* 40 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_max_version;
	uint32_t capset_max_size;
	uint32_t padding;
};

/* OK_CAPSET is the header, then capset_max_size bytes of the capset. */

/* 3D (VIRGL) */

struct vgm_gpu_ctx_create { /* 96 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /* hdr.ctx_id: the context */
	uint32_t nlen;		     /* bytes of debug_name used */
	uint32_t context_init;	     /* CONTEXT_INIT: the capset id, in the low 8 bits */
	char debug_name[64];
};

/* CTX_DESTROY is the header alone (hdr.ctx_id). */

struct vgm_gpu_ctx_resource { /* 32 bytes, CTX_ATTACH_RESOURCE and CTX_DETACH_RESOURCE */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct vgm_gpu_resource_create_3d { /* 72 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t target; /* a gallium texture target (2: 2D) */
	uint32_t format; /* a virgl format (the eight 2D formats have the same numbers) */
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags; /* VGM_GPU_RESOURCE_FLAG_* */
	uint32_t padding;
};

struct vgm_gpu_box { /* 24 bytes */
	uint32_t x, y, z;
	uint32_t w, h, d;
};

struct vgm_gpu_transfer_host_3d { /* 72 bytes, TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_box box;
	uint64_t offset; /* of the box's first byte in the backing */
	uint32_t resource_id;
	uint32_t level;
	uint32_t stride;       /* 0: the level's own */
	uint32_t layer_stride; /* 0: the level's own */
};

struct vgm_gpu_cmd_submit { /* 32 bytes, then size bytes of commands */
	struct vgm_gpu_ctrl_hdr hdr; /* hdr.ctx_id: the context that runs them */
	uint32_t size;
	uint32_t padding;
};

/* standard dialect */

struct vgm_gpu_resource_assign_uuid { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct vgm_gpu_resp_resource_uuid { /* 40 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint8_t uuid[16];
};

struct vgm_gpu_resource_create_blob { /* 56 bytes, then entries */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t blob_mem;
	uint32_t blob_flags;
	uint32_t nr_entries;
	uint64_t blob_id;
	uint64_t size;
};

struct vgm_gpu_set_scanout_blob { /* 96 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
	uint32_t width;
	uint32_t height;
	uint32_t format;
	uint32_t padding;
	uint32_t strides[4];
	uint32_t offsets[4];
};

/* memory-rfc dialect */

struct vgm_gpu_memory_create { /* 48 bytes, then entries */
	struct vgm_gpu_ctrl_hdr hdr;
	uint64_t size;
	uint32_t memory_id;
	uint32_t nr_entries;
	uint32_t flags;
	uint32_t padding;
};

struct vgm_gpu_memory_unref { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t memory_id;
	uint32_t padding;
};

struct vgm_gpu_resource_attach_memory { /* 64 bytes */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t memory_id;
	uint64_t offset[4];
};

#ifdef __cplusplus
}
#endif

#endif /* VIRTGPU_MEM_PROTOCOL_H */
