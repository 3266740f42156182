/* SPDX-License-Identifier: MIT */
/**
 * @file protocol.h
 * virtgpu-mem: the virtio-gpu wire protocol, both dialects.
 *
 * Included by virtgpu-mem.h; see @ref vgm-protocol.
 */
#ifndef VIRTGPU_MEM_PROTOCOL_H
#define VIRTGPU_MEM_PROTOCOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup vgm-protocol The wire protocol
 * Constants and little-endian wire layouts of the requests and responses
 * the library speaks.
 *
 * The names carry our own prefix (VGM_GPU_, vgm_gpu_) so this header can be
 * included next to <linux/virtio_gpu.h>.
 *
 * The structs describe the bytes on the wire: every field is little-endian
 * and the layouts have no implicit padding. The library itself never casts
 * them over guest bytes (it decodes byte by byte); they are here for VMM
 * authors and test writers who build requests, and tests check them against
 * the Linux uapi header. A VMM on a big-endian host converts each field.
 * The library's own machine-readable description of the same layouts is
 * vgm_wire_command() (the wire table, in virtgpu-mem.h).
 *
 * Two dialects share the numbers 0x010b..0x010d and feature bit 2 (0x1206
 * is memory-rfc's alone):
 * - standard: the virtio 1.3 device (RESOURCE_UUID, RESOURCE_BLOB);
 * - memory-rfc: the memory-regions proposal (MEMORY_CREATE, MEMORY_UNREF,
 *   RESOURCE_ATTACH_MEMORY, ERR_INVALID_MEMORY_ID), described in
 *   docs/memory-rfc.md.
 *
 * Everything here is constant: no function, no state, usable from any
 * thread. @since 0.1 unless a line says otherwise.
 * @{
 */

/* Feature bits (device-specific, 0..23). */
#define VGM_GPU_F_VIRGL 0 /**< 3D (virgl): offered by a device with VGM_RENDERER_VIRGL */
#define VGM_GPU_F_EDID 1  /**< GET_EDID: offered in both dialects */
#define VGM_GPU_F_RESOURCE_UUID 2 /**< standard: RESOURCE_ASSIGN_UUID */
#define VGM_GPU_F_RESOURCE_BLOB 3 /**< standard: RESOURCE_CREATE_BLOB, SET_SCANOUT_BLOB */
#define VGM_GPU_F_CONTEXT_INIT 4  /**< standard: 3D contexts of a capset (with VGM_RENDERER_VIRGL) */
#define VGM_GPU_F_MEMORY 2	  /**< memory-rfc: MEMORY_CREATE, MEMORY_UNREF, RESOURCE_ATTACH_MEMORY */

/* Command types. */
#define VGM_GPU_CMD_GET_DISPLAY_INFO 0x0100u /**< the scanouts' sizes and states */
#define VGM_GPU_CMD_RESOURCE_CREATE_2D 0x0101u /**< a 2D image in host memory */
#define VGM_GPU_CMD_RESOURCE_UNREF 0x0102u /**< destroys a resource */
#define VGM_GPU_CMD_SET_SCANOUT 0x0103u /**< shows a rectangle of a 2D resource */
#define VGM_GPU_CMD_RESOURCE_FLUSH 0x0104u /**< a rectangle of a resource changed */
#define VGM_GPU_CMD_TRANSFER_TO_HOST_2D 0x0105u /**< copies guest pixels into a 2D resource */
#define VGM_GPU_CMD_RESOURCE_ATTACH_BACKING 0x0106u /**< gives a resource guest pages */
#define VGM_GPU_CMD_RESOURCE_DETACH_BACKING 0x0107u /**< takes them away */
#define VGM_GPU_CMD_GET_CAPSET_INFO 0x0108u /**< a 3D capability set's id, version and size */
#define VGM_GPU_CMD_GET_CAPSET 0x0109u /**< a 3D capability set's bytes */
#define VGM_GPU_CMD_GET_EDID 0x010au /**< a scanout's EDID */
/* standard dialect */
#define VGM_GPU_CMD_RESOURCE_ASSIGN_UUID 0x010bu /**< standard: gives a resource a UUID */
#define VGM_GPU_CMD_RESOURCE_CREATE_BLOB 0x010cu /**< standard: a resource made of guest memory */
#define VGM_GPU_CMD_SET_SCANOUT_BLOB 0x010du /**< standard: shows a blob with its own layout */
/* memory-rfc dialect */
#define VGM_GPU_CMD_MEMORY_CREATE 0x010bu /**< memory-rfc: a named region of guest pages */
#define VGM_GPU_CMD_MEMORY_UNREF 0x010cu /**< memory-rfc: drops a region's name */
#define VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY 0x010du /**< memory-rfc: places a resource in a region */
/* 3D commands: answered by a device with a 3D renderer (VIRGL offered),
 * ERR_UNSPEC by a 2D one */
#define VGM_GPU_CMD_CTX_CREATE 0x0200u /**< 3D: creates a context */
#define VGM_GPU_CMD_CTX_DESTROY 0x0201u /**< 3D: destroys a context */
#define VGM_GPU_CMD_CTX_ATTACH_RESOURCE 0x0202u /**< 3D: lets a context use a resource */
#define VGM_GPU_CMD_CTX_DETACH_RESOURCE 0x0203u /**< 3D: takes it back */
#define VGM_GPU_CMD_RESOURCE_CREATE_3D 0x0204u /**< 3D: a texture or buffer in the renderer */
#define VGM_GPU_CMD_TRANSFER_TO_HOST_3D 0x0205u /**< 3D: guest backing to a resource box */
#define VGM_GPU_CMD_TRANSFER_FROM_HOST_3D 0x0206u /**< 3D: a resource box to guest backing */
#define VGM_GPU_CMD_SUBMIT_3D 0x0207u /**< 3D: a context's command buffer */
#define VGM_GPU_CMD_RESOURCE_MAP_BLOB 0x0208u /**< host-visible blobs (answered ERR_UNSPEC) */
#define VGM_GPU_CMD_RESOURCE_UNMAP_BLOB 0x0209u /**< host-visible blobs (answered ERR_UNSPEC) */
/* cursor queue */
#define VGM_GPU_CMD_UPDATE_CURSOR 0x0300u /**< cursor queue: new image and position */
#define VGM_GPU_CMD_MOVE_CURSOR 0x0301u /**< cursor queue: new position */

/* Response types: the guest's verdict. */
#define VGM_GPU_RESP_OK_NODATA 0x1100u /**< success, a bare header */
#define VGM_GPU_RESP_OK_DISPLAY_INFO 0x1101u /**< struct vgm_gpu_resp_display_info */
#define VGM_GPU_RESP_OK_CAPSET_INFO 0x1102u /**< a capset's id and sizes (3D) */
#define VGM_GPU_RESP_OK_CAPSET 0x1103u /**< a capset's bytes (3D) */
#define VGM_GPU_RESP_OK_EDID 0x1104u /**< struct vgm_gpu_resp_edid */
#define VGM_GPU_RESP_OK_RESOURCE_UUID 0x1105u /**< standard: struct vgm_gpu_resp_resource_uuid */
#define VGM_GPU_RESP_OK_MAP_INFO 0x1106u      /**< standard: a mapped blob's caching (3D) */
#define VGM_GPU_RESP_ERR_UNSPEC 0x1200u /**< any other error */
#define VGM_GPU_RESP_ERR_OUT_OF_MEMORY 0x1201u /**< a limit or the host-memory budget */
#define VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID 0x1202u /**< no such scanout */
#define VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID 0x1203u /**< no such resource, or an id in use */
#define VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID 0x1204u /**< no such 3D context */
#define VGM_GPU_RESP_ERR_INVALID_PARAMETER 0x1205u /**< a field out of range */
#define VGM_GPU_RESP_ERR_INVALID_MEMORY_ID 0x1206u /**< memory-rfc: no such memory id, or one in use */

/* ctrl_hdr.flags */
#define VGM_GPU_FLAG_FENCE (1u << 0) /**< answer once the work is done; call fence_done */
#define VGM_GPU_FLAG_INFO_RING_IDX (1u << 1) /**< ring_idx names the fence's timeline */

/* config.events_read */
#define VGM_GPU_EVENT_DISPLAY (1u << 0) /**< a display changed: the driver asks again */

#define VGM_GPU_MAX_SCANOUTS 16 /**< scanouts in GET_DISPLAY_INFO's answer */
#define VGM_GPU_EDID_MAX 1024 /**< bytes of an EDID in GET_EDID's answer */

/* Capability sets (GET_CAPSET_INFO, GET_CAPSET, CTX_CREATE's context_init). */
#define VGM_GPU_CAPSET_VIRGL 1u /**< virgl's first capset @since 0.3 */
#define VGM_GPU_CAPSET_VIRGL2 2u /**< virgl's second capset @since 0.3 */
/** The bits of ctx_create.context_init that name a capset (CONTEXT_INIT). @since 0.3 */
#define VGM_GPU_CONTEXT_INIT_CAPSET_ID_MASK 0x000000ffu
/** resource_create_3d.flags: the first row in memory is the top one. @since 0.3 */
#define VGM_GPU_RESOURCE_FLAG_Y_0_TOP (1u << 0)

/* The 2D formats, named by byte order in memory. */
#define VGM_GPU_FORMAT_B8G8R8A8_UNORM 1u /**< bytes B, G, R, A: DRM_FORMAT_ARGB8888 */
#define VGM_GPU_FORMAT_B8G8R8X8_UNORM 2u /**< bytes B, G, R, X: DRM_FORMAT_XRGB8888 */
#define VGM_GPU_FORMAT_A8R8G8B8_UNORM 3u /**< bytes A, R, G, B: DRM_FORMAT_BGRA8888 */
#define VGM_GPU_FORMAT_X8R8G8B8_UNORM 4u /**< bytes X, R, G, B: DRM_FORMAT_BGRX8888 */
#define VGM_GPU_FORMAT_R8G8B8A8_UNORM 67u /**< bytes R, G, B, A: DRM_FORMAT_ABGR8888 */
#define VGM_GPU_FORMAT_X8B8G8R8_UNORM 68u /**< bytes X, B, G, R: DRM_FORMAT_RGBX8888 */
#define VGM_GPU_FORMAT_A8B8G8R8_UNORM 121u /**< bytes A, B, G, R: DRM_FORMAT_RGBA8888 */
#define VGM_GPU_FORMAT_R8G8B8X8_UNORM 134u /**< bytes R, G, B, X: DRM_FORMAT_XBGR8888 */

/* RESOURCE_CREATE_BLOB (standard) */
#define VGM_GPU_BLOB_MEM_GUEST 0x0001u /**< a blob made of guest memory: the one the library takes */
#define VGM_GPU_BLOB_MEM_HOST3D 0x0002u /**< host memory of a 3D context (refused) */
#define VGM_GPU_BLOB_MEM_HOST3D_GUEST 0x0003u /**< guest memory a 3D context uses (refused) */
#define VGM_GPU_BLOB_FLAG_USE_MAPPABLE 0x0001u /**< the guest may map it */
#define VGM_GPU_BLOB_FLAG_USE_SHAREABLE 0x0002u /**< it may be shared with other devices */
#define VGM_GPU_BLOB_FLAG_USE_CROSS_DEVICE 0x0004u /**< it may be shared across virtio devices */

/* Wire layouts, little-endian. Sizes in the comments are checked by tests. */

/** The header of every request and response: 24 bytes. */
struct vgm_gpu_ctrl_hdr { /* 24 bytes */
	uint32_t type; /**< VGM_GPU_CMD_* in a request, VGM_GPU_RESP_* in a response */
	uint32_t flags; /**< VGM_GPU_FLAG_*; the response echoes VGM_GPU_FLAG_FENCE */
	uint64_t fence_id; /**< with VGM_GPU_FLAG_FENCE: the guest's fence, echoed */
	uint32_t ctx_id; /**< 3D context; 0 for 2D */
	uint8_t ring_idx; /**< the fence's timeline, with VGM_GPU_FLAG_INFO_RING_IDX */
	uint8_t padding[3]; /**< zero */
};

/** A rectangle in a resource or a scanout: 16 bytes. */
struct vgm_gpu_rect { /* 16 bytes */
	uint32_t x; /**< left column */
	uint32_t y; /**< top row */
	uint32_t width; /**< columns */
	uint32_t height; /**< rows */
};

/** One guest range of a backing: 16 bytes. */
struct vgm_gpu_mem_entry { /* 16 bytes */
	uint64_t addr; /**< guest physical address */
	uint32_t length; /**< bytes */
	uint32_t padding; /**< ignored */
};

/** The device configuration space: 16 bytes (vgm_device_config_read()). */
struct vgm_gpu_config { /* 16 bytes: the device configuration space */
	uint32_t events_read; /**< VGM_GPU_EVENT_* pending; read-only */
	uint32_t events_clear; /**< written by the driver: clears those bits of events_read */
	uint32_t num_scanouts; /**< vgm_device_config.num_scanouts */
	uint32_t num_capsets; /**< 3D capability sets: 0 */
};

/** One scanout in GET_DISPLAY_INFO's answer: 24 bytes. */
struct vgm_gpu_display_one { /* 24 bytes */
	struct vgm_gpu_rect r; /**< its preferred mode at (0, 0); all 0 when disconnected */
	uint32_t enabled; /**< 1: a display is connected */
	uint32_t flags; /**< 0 */
};

/** The answer to GET_DISPLAY_INFO: 408 bytes. */
struct vgm_gpu_resp_display_info { /* 408 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_RESP_OK_DISPLAY_INFO */
	struct vgm_gpu_display_one pmodes[VGM_GPU_MAX_SCANOUTS]; /**< per scanout; zero past num_scanouts */
};

/** GET_EDID: 32 bytes. */
struct vgm_gpu_get_edid { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_GET_EDID */
	uint32_t scanout; /**< below num_scanouts */
	uint32_t padding; /**< ignored */
};

/** The answer to GET_EDID: 1056 bytes. */
struct vgm_gpu_resp_edid { /* 1056 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_RESP_OK_EDID */
	uint32_t size; /**< bytes of edid used: 128..1024 */
	uint32_t padding; /**< zero */
	uint8_t edid[VGM_GPU_EDID_MAX]; /**< the EDID, zero after size */
};

/** RESOURCE_CREATE_2D: 40 bytes. */
struct vgm_gpu_resource_create_2d { /* 40 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_CREATE_2D */
	uint32_t resource_id; /**< the guest's name for it: not 0, not in use */
	uint32_t format; /**< VGM_GPU_FORMAT_* */
	uint32_t width; /**< pixels */
	uint32_t height; /**< pixels */
};

/** RESOURCE_UNREF: 32 bytes. */
struct vgm_gpu_resource_unref { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_UNREF */
	uint32_t resource_id; /**< the resource to destroy */
	uint32_t padding; /**< ignored */
};

/** SET_SCANOUT: 48 bytes. */
struct vgm_gpu_set_scanout { /* 48 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_SET_SCANOUT */
	struct vgm_gpu_rect r; /**< the rectangle of the resource to show */
	uint32_t scanout_id; /**< the scanout */
	uint32_t resource_id; /**< a 2D resource with backing; 0 disables the scanout */
};

/** RESOURCE_FLUSH: 48 bytes. */
struct vgm_gpu_resource_flush { /* 48 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_FLUSH */
	struct vgm_gpu_rect r; /**< the changed rectangle, in the resource */
	uint32_t resource_id; /**< the resource */
	uint32_t padding; /**< ignored */
};

/** TRANSFER_TO_HOST_2D: 56 bytes. */
struct vgm_gpu_transfer_to_host_2d { /* 56 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_TRANSFER_TO_HOST_2D */
	struct vgm_gpu_rect r; /**< the rectangle of the resource to update */
	uint64_t offset; /**< where its first pixel is in the backing */
	uint32_t resource_id; /**< a 2D resource with backing */
	uint32_t padding; /**< ignored */
};

/** RESOURCE_ATTACH_BACKING: 32 bytes, then nr_entries struct vgm_gpu_mem_entry. */
struct vgm_gpu_resource_attach_backing { /* 32 bytes, then entries */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_ATTACH_BACKING */
	uint32_t resource_id; /**< a resource without backing */
	uint32_t nr_entries; /**< entries that follow: 1..max_backing_entries */
};

/** RESOURCE_DETACH_BACKING: 32 bytes. */
struct vgm_gpu_resource_detach_backing { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_DETACH_BACKING */
	uint32_t resource_id; /**< a resource with backing */
	uint32_t padding; /**< ignored */
};

/** GET_CAPSET_INFO (3D): 32 bytes. */
struct vgm_gpu_get_capset_info { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_GET_CAPSET_INFO */
	uint32_t capset_index; /**< below vgm_gpu_config.num_capsets */
	uint32_t padding; /**< ignored */
};

/** GET_CAPSET (3D): 32 bytes. */
struct vgm_gpu_get_capset { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_GET_CAPSET */
	uint32_t capset_id; /**< the capset */
	uint32_t capset_version; /**< its version */
};

/** A cursor's scanout and position: 16 bytes. */
struct vgm_gpu_cursor_pos { /* 16 bytes */
	uint32_t scanout_id; /**< the scanout */
	uint32_t x; /**< the cursor's position on the scanout: column */
	uint32_t y; /**< the cursor's position on the scanout: row */
	uint32_t padding; /**< ignored */
};

/** UPDATE_CURSOR and MOVE_CURSOR (cursor queue, no answer): 56 bytes. */
struct vgm_gpu_update_cursor { /* 56 bytes, UPDATE_CURSOR and MOVE_CURSOR */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_UPDATE_CURSOR or VGM_GPU_CMD_MOVE_CURSOR */
	struct vgm_gpu_cursor_pos pos; /**< where */
	uint32_t resource_id; /**< UPDATE_CURSOR: the image (64x64), 0 hides the cursor */
	uint32_t hot_x; /**< UPDATE_CURSOR: the hot spot in the image */
	uint32_t hot_y; /**< UPDATE_CURSOR: the hot spot in the image */
	uint32_t padding; /**< ignored */
};

/** OK_CAPSET_INFO, GET_CAPSET_INFO's answer: 40 bytes. (OK_CAPSET is the
 * header, then capset_max_size bytes of the capset.) @since 0.3 */
struct vgm_gpu_resp_capset_info { /* 40 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_RESP_OK_CAPSET_INFO */
	uint32_t capset_id; /**< VGM_GPU_CAPSET_* */
	uint32_t capset_max_version; /**< the newest version the device gives */
	uint32_t capset_max_size; /**< bytes of the capset at that version */
	uint32_t padding; /**< zero */
};

/* 3D (VIRGL) */

/** CTX_CREATE (3D): 96 bytes. (CTX_DESTROY is the header alone.) @since 0.3 */
struct vgm_gpu_ctx_create { /* 96 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_CTX_CREATE; hdr.ctx_id: the context */
	uint32_t nlen; /**< bytes of debug_name used */
	uint32_t context_init; /**< CONTEXT_INIT: the capset id, in the low 8 bits */
	char debug_name[64]; /**< a name for logs, not NUL-terminated */
};

/** CTX_ATTACH_RESOURCE and CTX_DETACH_RESOURCE (3D): 32 bytes. @since 0.3 */
struct vgm_gpu_ctx_resource { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< the command; hdr.ctx_id: the context */
	uint32_t resource_id; /**< the resource */
	uint32_t padding; /**< ignored */
};

/** RESOURCE_CREATE_3D (3D): 72 bytes. @since 0.3 */
struct vgm_gpu_resource_create_3d { /* 72 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_CREATE_3D */
	uint32_t resource_id; /**< a new id */
	uint32_t target; /**< a gallium texture target (2: 2D) */
	uint32_t format; /**< a virgl format (the eight 2D formats have the same numbers) */
	uint32_t bind; /**< gallium bind flags */
	uint32_t width; /**< in pixels */
	uint32_t height; /**< in pixels */
	uint32_t depth; /**< in pixels */
	uint32_t array_size; /**< layers */
	uint32_t last_level; /**< mip levels - 1 */
	uint32_t nr_samples; /**< multisampling */
	uint32_t flags; /**< VGM_GPU_RESOURCE_FLAG_* */
	uint32_t padding; /**< ignored */
};

/** A box of a 3D resource: 24 bytes. @since 0.3 */
struct vgm_gpu_box { /* 24 bytes */
	uint32_t x; /**< first column */
	uint32_t y; /**< first row */
	uint32_t z; /**< first slice or layer */
	uint32_t w; /**< columns */
	uint32_t h; /**< rows */
	uint32_t d; /**< slices or layers */
};

/** TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D (3D): 72 bytes. @since 0.3 */
struct vgm_gpu_transfer_host_3d { /* 72 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< the command */
	struct vgm_gpu_box box; /**< what moves */
	uint64_t offset; /**< of the box's first byte in the backing */
	uint32_t resource_id; /**< the resource */
	uint32_t level; /**< its mip level */
	uint32_t stride; /**< bytes per row in the backing; 0: the level's own */
	uint32_t layer_stride; /**< bytes per layer in the backing; 0: the level's own */
};

/** SUBMIT_3D (3D): 32 bytes, then size bytes of commands. @since 0.3 */
struct vgm_gpu_cmd_submit { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_SUBMIT_3D; hdr.ctx_id: the context */
	uint32_t size; /**< bytes of commands that follow, a multiple of 4 */
	uint32_t padding; /**< ignored */
};

/* standard dialect */

/** RESOURCE_ASSIGN_UUID (standard): 32 bytes. @since 0.2 */
struct vgm_gpu_resource_assign_uuid { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_ASSIGN_UUID */
	uint32_t resource_id; /**< the resource */
	uint32_t padding; /**< ignored */
};

/** The answer to RESOURCE_ASSIGN_UUID (standard): 40 bytes. @since 0.2 */
struct vgm_gpu_resp_resource_uuid { /* 40 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_RESP_OK_RESOURCE_UUID */
	uint8_t uuid[16]; /**< the resource's UUID (random, RFC 4122 version 4) */
};

/** RESOURCE_CREATE_BLOB (standard): 56 bytes, then nr_entries struct
 * vgm_gpu_mem_entry. @since 0.2 */
struct vgm_gpu_resource_create_blob { /* 56 bytes, then entries */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_CREATE_BLOB */
	uint32_t resource_id; /**< the guest's name for it: not 0, not in use */
	uint32_t blob_mem; /**< VGM_GPU_BLOB_MEM_GUEST */
	uint32_t blob_flags; /**< VGM_GPU_BLOB_FLAG_* */
	uint32_t nr_entries; /**< entries that follow */
	uint64_t blob_id; /**< a 3D context's blob; ignored for VGM_GPU_BLOB_MEM_GUEST */
	uint64_t size; /**< bytes: the sum of the entries' lengths */
};

/** SET_SCANOUT_BLOB (standard): 96 bytes. @since 0.2 */
struct vgm_gpu_set_scanout_blob { /* 96 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_SET_SCANOUT_BLOB */
	struct vgm_gpu_rect r; /**< the rectangle of the image to show */
	uint32_t scanout_id; /**< the scanout */
	uint32_t resource_id; /**< a blob resource; 0 disables the scanout */
	uint32_t width; /**< the image's width, pixels */
	uint32_t height; /**< the image's height, pixels */
	uint32_t format; /**< VGM_GPU_FORMAT_* */
	uint32_t padding; /**< ignored */
	uint32_t strides[4]; /**< bytes per row of each plane (one plane: strides[0]) */
	uint32_t offsets[4]; /**< where each plane starts in the blob */
};

/* memory-rfc dialect */

/** MEMORY_CREATE (memory-rfc): 48 bytes, then nr_entries struct
 * vgm_gpu_mem_entry. */
struct vgm_gpu_memory_create { /* 48 bytes, then entries */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_MEMORY_CREATE */
	uint64_t size; /**< bytes: the sum of the entries' lengths */
	uint32_t memory_id; /**< the guest's name for the region: not 0 or 0xffffffff, not in use */
	uint32_t nr_entries; /**< entries that follow: 1..max_backing_entries */
	uint32_t flags; /**< 0 */
	uint32_t padding; /**< ignored */
};

/** MEMORY_UNREF (memory-rfc): 32 bytes. */
struct vgm_gpu_memory_unref { /* 32 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_MEMORY_UNREF */
	uint32_t memory_id; /**< the region's name, free again at once */
	uint32_t padding; /**< ignored */
};

/** RESOURCE_ATTACH_MEMORY (memory-rfc): 64 bytes. */
struct vgm_gpu_resource_attach_memory { /* 64 bytes */
	struct vgm_gpu_ctrl_hdr hdr; /**< VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY */
	uint32_t resource_id; /**< a 2D resource without backing */
	uint32_t memory_id; /**< a region */
	uint64_t offset[4]; /**< where each plane starts in the region; 2D: offset[1..3] are 0 */
};

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VIRTGPU_MEM_PROTOCOL_H */
