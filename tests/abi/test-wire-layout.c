/* SPDX-License-Identifier: MIT */
/*
 * The wire protocol header against the Linux uapi header: every struct
 * both have is the same size with every field at the same offset and of
 * the same size, has no implicit padding, and every constant is equal.
 * The memory-regions proposal is not in Linux; its layouts are checked
 * against the byte offsets of the seed patch, written out by hand.
 *
 * A plain program: it prints every difference and exits 1 if there is any.
 */
#include <linux/virtio_gpu.h>
#include <stddef.h>
#include <stdio.h>

#include <virtgpu-mem/protocol.h>

struct check {
	unsigned run;
	unsigned failed;
	size_t fields; /* bytes of the fields of the struct being checked */
};

static void expect_equal(struct check *c, unsigned long long ours, unsigned long long theirs,
			 const char *what, int line)
{
	c->run++;
	if (ours == theirs)
		return;
	c->failed++;
	fprintf(stderr, "test-wire-layout.c:%d: %s: ours %llu (0x%llx), expected %llu (0x%llx)\n",
		line, what, ours, ours, theirs, theirs);
}

#define MEMBER_SIZE(type, f) sizeof(((type *)0)->f)

/* A struct of ours and its Linux twin: size and alignment. */
#define BEGIN(c, ours, theirs)                                                               \
	do {                                                                                 \
		(c)->fields = 0;                                                             \
		expect_equal(c, sizeof(struct ours), sizeof(struct theirs), "sizeof " #ours, \
			     __LINE__);                                                      \
		expect_equal(c, _Alignof(struct ours), _Alignof(struct theirs),              \
			     "_Alignof " #ours, __LINE__);                                   \
	} while (0)

/* One field: same offset, same size. */
#define FIELD(c, ours, theirs, f)                                                           \
	do {                                                                                \
		expect_equal(c, offsetof(struct ours, f), offsetof(struct theirs, f),       \
			     "offsetof " #ours "." #f, __LINE__);                           \
		expect_equal(c, MEMBER_SIZE(struct ours, f), MEMBER_SIZE(struct theirs, f), \
			     "sizeof " #ours "." #f, __LINE__);                             \
		(c)->fields += MEMBER_SIZE(struct ours, f);                                 \
	} while (0)

/* Every field was listed and they fill the struct: no implicit padding. */
#define END(c, ours) \
	expect_equal(c, (c)->fields, sizeof(struct ours), #ours ": bytes of its fields", __LINE__)

/* A field of ours at a literal offset with a literal size (seed layouts). */
#define AT(c, ours, f, off, size)                                                             \
	do {                                                                                  \
		expect_equal(c, offsetof(struct ours, f), off, "offsetof " #ours "." #f,      \
			     __LINE__);                                                       \
		expect_equal(c, MEMBER_SIZE(struct ours, f), size, "sizeof " #ours "." #f,    \
			     __LINE__);                                                       \
		(c)->fields += size;                                                          \
	} while (0)

#define SAME(c, ours, theirs) \
	expect_equal(c, (unsigned long long)(ours), (unsigned long long)(theirs), #ours, __LINE__)

/* ---- structs that Linux has ------------------------------------------------------ */

static void test_wire_layout_common(struct check *c)
{
	BEGIN(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr);
	FIELD(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr, type);
	FIELD(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr, flags);
	FIELD(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr, fence_id);
	FIELD(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr, ctx_id);
	FIELD(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr, ring_idx);
	FIELD(c, vgm_gpu_ctrl_hdr, virtio_gpu_ctrl_hdr, padding);
	END(c, vgm_gpu_ctrl_hdr);

	BEGIN(c, vgm_gpu_rect, virtio_gpu_rect);
	FIELD(c, vgm_gpu_rect, virtio_gpu_rect, x);
	FIELD(c, vgm_gpu_rect, virtio_gpu_rect, y);
	FIELD(c, vgm_gpu_rect, virtio_gpu_rect, width);
	FIELD(c, vgm_gpu_rect, virtio_gpu_rect, height);
	END(c, vgm_gpu_rect);

	BEGIN(c, vgm_gpu_mem_entry, virtio_gpu_mem_entry);
	FIELD(c, vgm_gpu_mem_entry, virtio_gpu_mem_entry, addr);
	FIELD(c, vgm_gpu_mem_entry, virtio_gpu_mem_entry, length);
	FIELD(c, vgm_gpu_mem_entry, virtio_gpu_mem_entry, padding);
	END(c, vgm_gpu_mem_entry);

	BEGIN(c, vgm_gpu_config, virtio_gpu_config);
	FIELD(c, vgm_gpu_config, virtio_gpu_config, events_read);
	FIELD(c, vgm_gpu_config, virtio_gpu_config, events_clear);
	FIELD(c, vgm_gpu_config, virtio_gpu_config, num_scanouts);
	FIELD(c, vgm_gpu_config, virtio_gpu_config, num_capsets);
	END(c, vgm_gpu_config);
}

static void test_wire_layout_display(struct check *c)
{
	BEGIN(c, vgm_gpu_display_one, virtio_gpu_display_one);
	FIELD(c, vgm_gpu_display_one, virtio_gpu_display_one, r);
	FIELD(c, vgm_gpu_display_one, virtio_gpu_display_one, enabled);
	FIELD(c, vgm_gpu_display_one, virtio_gpu_display_one, flags);
	END(c, vgm_gpu_display_one);

	BEGIN(c, vgm_gpu_resp_display_info, virtio_gpu_resp_display_info);
	FIELD(c, vgm_gpu_resp_display_info, virtio_gpu_resp_display_info, hdr);
	FIELD(c, vgm_gpu_resp_display_info, virtio_gpu_resp_display_info, pmodes);
	END(c, vgm_gpu_resp_display_info);
	expect_equal(c, offsetof(struct vgm_gpu_resp_display_info, pmodes[15].flags),
		     offsetof(struct virtio_gpu_resp_display_info, pmodes[15].flags),
		     "offsetof vgm_gpu_resp_display_info.pmodes[15].flags", __LINE__);

	BEGIN(c, vgm_gpu_get_edid, virtio_gpu_cmd_get_edid);
	FIELD(c, vgm_gpu_get_edid, virtio_gpu_cmd_get_edid, hdr);
	FIELD(c, vgm_gpu_get_edid, virtio_gpu_cmd_get_edid, scanout);
	FIELD(c, vgm_gpu_get_edid, virtio_gpu_cmd_get_edid, padding);
	END(c, vgm_gpu_get_edid);

	BEGIN(c, vgm_gpu_resp_edid, virtio_gpu_resp_edid);
	FIELD(c, vgm_gpu_resp_edid, virtio_gpu_resp_edid, hdr);
	FIELD(c, vgm_gpu_resp_edid, virtio_gpu_resp_edid, size);
	FIELD(c, vgm_gpu_resp_edid, virtio_gpu_resp_edid, padding);
	FIELD(c, vgm_gpu_resp_edid, virtio_gpu_resp_edid, edid);
	END(c, vgm_gpu_resp_edid);
}

static void test_wire_layout_resources(struct check *c)
{
	BEGIN(c, vgm_gpu_resource_create_2d, virtio_gpu_resource_create_2d);
	FIELD(c, vgm_gpu_resource_create_2d, virtio_gpu_resource_create_2d, hdr);
	FIELD(c, vgm_gpu_resource_create_2d, virtio_gpu_resource_create_2d, resource_id);
	FIELD(c, vgm_gpu_resource_create_2d, virtio_gpu_resource_create_2d, format);
	FIELD(c, vgm_gpu_resource_create_2d, virtio_gpu_resource_create_2d, width);
	FIELD(c, vgm_gpu_resource_create_2d, virtio_gpu_resource_create_2d, height);
	END(c, vgm_gpu_resource_create_2d);

	BEGIN(c, vgm_gpu_resource_unref, virtio_gpu_resource_unref);
	FIELD(c, vgm_gpu_resource_unref, virtio_gpu_resource_unref, hdr);
	FIELD(c, vgm_gpu_resource_unref, virtio_gpu_resource_unref, resource_id);
	FIELD(c, vgm_gpu_resource_unref, virtio_gpu_resource_unref, padding);
	END(c, vgm_gpu_resource_unref);

	BEGIN(c, vgm_gpu_set_scanout, virtio_gpu_set_scanout);
	FIELD(c, vgm_gpu_set_scanout, virtio_gpu_set_scanout, hdr);
	FIELD(c, vgm_gpu_set_scanout, virtio_gpu_set_scanout, r);
	FIELD(c, vgm_gpu_set_scanout, virtio_gpu_set_scanout, scanout_id);
	FIELD(c, vgm_gpu_set_scanout, virtio_gpu_set_scanout, resource_id);
	END(c, vgm_gpu_set_scanout);

	BEGIN(c, vgm_gpu_resource_flush, virtio_gpu_resource_flush);
	FIELD(c, vgm_gpu_resource_flush, virtio_gpu_resource_flush, hdr);
	FIELD(c, vgm_gpu_resource_flush, virtio_gpu_resource_flush, r);
	FIELD(c, vgm_gpu_resource_flush, virtio_gpu_resource_flush, resource_id);
	FIELD(c, vgm_gpu_resource_flush, virtio_gpu_resource_flush, padding);
	END(c, vgm_gpu_resource_flush);

	BEGIN(c, vgm_gpu_transfer_to_host_2d, virtio_gpu_transfer_to_host_2d);
	FIELD(c, vgm_gpu_transfer_to_host_2d, virtio_gpu_transfer_to_host_2d, hdr);
	FIELD(c, vgm_gpu_transfer_to_host_2d, virtio_gpu_transfer_to_host_2d, r);
	FIELD(c, vgm_gpu_transfer_to_host_2d, virtio_gpu_transfer_to_host_2d, offset);
	FIELD(c, vgm_gpu_transfer_to_host_2d, virtio_gpu_transfer_to_host_2d, resource_id);
	FIELD(c, vgm_gpu_transfer_to_host_2d, virtio_gpu_transfer_to_host_2d, padding);
	END(c, vgm_gpu_transfer_to_host_2d);

	BEGIN(c, vgm_gpu_resource_attach_backing, virtio_gpu_resource_attach_backing);
	FIELD(c, vgm_gpu_resource_attach_backing, virtio_gpu_resource_attach_backing, hdr);
	FIELD(c, vgm_gpu_resource_attach_backing, virtio_gpu_resource_attach_backing, resource_id);
	FIELD(c, vgm_gpu_resource_attach_backing, virtio_gpu_resource_attach_backing, nr_entries);
	END(c, vgm_gpu_resource_attach_backing);

	BEGIN(c, vgm_gpu_resource_detach_backing, virtio_gpu_resource_detach_backing);
	FIELD(c, vgm_gpu_resource_detach_backing, virtio_gpu_resource_detach_backing, hdr);
	FIELD(c, vgm_gpu_resource_detach_backing, virtio_gpu_resource_detach_backing, resource_id);
	FIELD(c, vgm_gpu_resource_detach_backing, virtio_gpu_resource_detach_backing, padding);
	END(c, vgm_gpu_resource_detach_backing);
}

static void test_wire_layout_capsets_and_cursor(struct check *c)
{
	BEGIN(c, vgm_gpu_get_capset_info, virtio_gpu_get_capset_info);
	FIELD(c, vgm_gpu_get_capset_info, virtio_gpu_get_capset_info, hdr);
	FIELD(c, vgm_gpu_get_capset_info, virtio_gpu_get_capset_info, capset_index);
	FIELD(c, vgm_gpu_get_capset_info, virtio_gpu_get_capset_info, padding);
	END(c, vgm_gpu_get_capset_info);

	BEGIN(c, vgm_gpu_get_capset, virtio_gpu_get_capset);
	FIELD(c, vgm_gpu_get_capset, virtio_gpu_get_capset, hdr);
	FIELD(c, vgm_gpu_get_capset, virtio_gpu_get_capset, capset_id);
	FIELD(c, vgm_gpu_get_capset, virtio_gpu_get_capset, capset_version);
	END(c, vgm_gpu_get_capset);

	BEGIN(c, vgm_gpu_cursor_pos, virtio_gpu_cursor_pos);
	FIELD(c, vgm_gpu_cursor_pos, virtio_gpu_cursor_pos, scanout_id);
	FIELD(c, vgm_gpu_cursor_pos, virtio_gpu_cursor_pos, x);
	FIELD(c, vgm_gpu_cursor_pos, virtio_gpu_cursor_pos, y);
	FIELD(c, vgm_gpu_cursor_pos, virtio_gpu_cursor_pos, padding);
	END(c, vgm_gpu_cursor_pos);

	BEGIN(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor);
	FIELD(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor, hdr);
	FIELD(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor, pos);
	FIELD(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor, resource_id);
	FIELD(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor, hot_x);
	FIELD(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor, hot_y);
	FIELD(c, vgm_gpu_update_cursor, virtio_gpu_update_cursor, padding);
	END(c, vgm_gpu_update_cursor);
}

static void test_wire_layout_standard_extensions(struct check *c)
{
	BEGIN(c, vgm_gpu_resource_assign_uuid, virtio_gpu_resource_assign_uuid);
	FIELD(c, vgm_gpu_resource_assign_uuid, virtio_gpu_resource_assign_uuid, hdr);
	FIELD(c, vgm_gpu_resource_assign_uuid, virtio_gpu_resource_assign_uuid, resource_id);
	FIELD(c, vgm_gpu_resource_assign_uuid, virtio_gpu_resource_assign_uuid, padding);
	END(c, vgm_gpu_resource_assign_uuid);

	BEGIN(c, vgm_gpu_resp_resource_uuid, virtio_gpu_resp_resource_uuid);
	FIELD(c, vgm_gpu_resp_resource_uuid, virtio_gpu_resp_resource_uuid, hdr);
	FIELD(c, vgm_gpu_resp_resource_uuid, virtio_gpu_resp_resource_uuid, uuid);
	END(c, vgm_gpu_resp_resource_uuid);

	BEGIN(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, hdr);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, resource_id);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, blob_mem);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, blob_flags);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, nr_entries);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, blob_id);
	FIELD(c, vgm_gpu_resource_create_blob, virtio_gpu_resource_create_blob, size);
	END(c, vgm_gpu_resource_create_blob);

	BEGIN(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, hdr);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, r);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, scanout_id);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, resource_id);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, width);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, height);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, format);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, padding);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, strides);
	FIELD(c, vgm_gpu_set_scanout_blob, virtio_gpu_set_scanout_blob, offsets);
	END(c, vgm_gpu_set_scanout_blob);
}

/* ---- the memory-regions proposal: not in Linux -------------------------------------
 *
 * From /work/shared/seed/memory-regions-rfc.patch.txt (include/uapi/linux/
 * virtio_gpu.h, hunk @@ -270,6 +282,32 @@), after the 24-byte ctrl_hdr:
 *   virtio_gpu_cmd_memory_create:   __le64 size; __le32 memory_id, nr_entries,
 *                                   flags, padding;      -> 48 bytes
 *   virtio_gpu_cmd_memory_unref:    __le32 memory_id, padding;        -> 32 bytes
 *   virtio_gpu_cmd_resource_attach_memory: __le32 resource_id, memory_id;
 *                                   __le64 offset[4];    -> 64 bytes
 * The numbers: VIRTIO_GPU_F_MEMORY is #defined 2; MEMORY_CREATE, MEMORY_UNREF
 * and RESOURCE_ATTACH_MEMORY are appended to enum virtio_gpu_ctrl_type after
 * GET_EDID (0x010a), so 0x010b..0x010d; RESP_ERR_INVALID_MEMORY_ID after
 * ERR_INVALID_PARAMETER (0x1205), so 0x1206.
 */
static void test_wire_layout_memory_rfc(struct check *c)
{
	c->fields = 0;
	expect_equal(c, sizeof(struct vgm_gpu_memory_create), 48, "sizeof memory_create", __LINE__);
	AT(c, vgm_gpu_memory_create, hdr, 0, 24);
	AT(c, vgm_gpu_memory_create, size, 24, 8);
	AT(c, vgm_gpu_memory_create, memory_id, 32, 4);
	AT(c, vgm_gpu_memory_create, nr_entries, 36, 4);
	AT(c, vgm_gpu_memory_create, flags, 40, 4);
	AT(c, vgm_gpu_memory_create, padding, 44, 4);
	END(c, vgm_gpu_memory_create);

	c->fields = 0;
	expect_equal(c, sizeof(struct vgm_gpu_memory_unref), 32, "sizeof memory_unref", __LINE__);
	AT(c, vgm_gpu_memory_unref, hdr, 0, 24);
	AT(c, vgm_gpu_memory_unref, memory_id, 24, 4);
	AT(c, vgm_gpu_memory_unref, padding, 28, 4);
	END(c, vgm_gpu_memory_unref);

	c->fields = 0;
	expect_equal(c, sizeof(struct vgm_gpu_resource_attach_memory), 64,
		     "sizeof resource_attach_memory", __LINE__);
	AT(c, vgm_gpu_resource_attach_memory, hdr, 0, 24);
	AT(c, vgm_gpu_resource_attach_memory, resource_id, 24, 4);
	AT(c, vgm_gpu_resource_attach_memory, memory_id, 28, 4);
	AT(c, vgm_gpu_resource_attach_memory, offset, 32, 32);
	expect_equal(c, offsetof(struct vgm_gpu_resource_attach_memory, offset[3]), 56,
		     "offsetof resource_attach_memory.offset[3]", __LINE__);
	END(c, vgm_gpu_resource_attach_memory);

	SAME(c, VGM_GPU_F_MEMORY, 2);
	SAME(c, VGM_GPU_CMD_MEMORY_CREATE, 0x010b);
	SAME(c, VGM_GPU_CMD_MEMORY_UNREF, 0x010c);
	SAME(c, VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, 0x010d);
	SAME(c, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID, 0x1206);
	/* The seed appends them right after the last 2D command and error. */
	SAME(c, VGM_GPU_CMD_MEMORY_CREATE, VIRTIO_GPU_CMD_GET_EDID + 1);
	SAME(c, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER + 1);
}

/* ---- constants ------------------------------------------------------------------------ */

static void test_wire_layout_constants(struct check *c)
{
	SAME(c, VGM_GPU_F_VIRGL, VIRTIO_GPU_F_VIRGL);
	SAME(c, VGM_GPU_F_EDID, VIRTIO_GPU_F_EDID);
	SAME(c, VGM_GPU_F_RESOURCE_UUID, VIRTIO_GPU_F_RESOURCE_UUID);
	SAME(c, VGM_GPU_F_RESOURCE_BLOB, VIRTIO_GPU_F_RESOURCE_BLOB);
	SAME(c, VGM_GPU_F_CONTEXT_INIT, VIRTIO_GPU_F_CONTEXT_INIT);

	SAME(c, VGM_GPU_CMD_GET_DISPLAY_INFO, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	SAME(c, VGM_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
	SAME(c, VGM_GPU_CMD_RESOURCE_UNREF, VIRTIO_GPU_CMD_RESOURCE_UNREF);
	SAME(c, VGM_GPU_CMD_SET_SCANOUT, VIRTIO_GPU_CMD_SET_SCANOUT);
	SAME(c, VGM_GPU_CMD_RESOURCE_FLUSH, VIRTIO_GPU_CMD_RESOURCE_FLUSH);
	SAME(c, VGM_GPU_CMD_TRANSFER_TO_HOST_2D, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
	SAME(c, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
	SAME(c, VGM_GPU_CMD_RESOURCE_DETACH_BACKING, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING);
	SAME(c, VGM_GPU_CMD_GET_CAPSET_INFO, VIRTIO_GPU_CMD_GET_CAPSET_INFO);
	SAME(c, VGM_GPU_CMD_GET_CAPSET, VIRTIO_GPU_CMD_GET_CAPSET);
	SAME(c, VGM_GPU_CMD_GET_EDID, VIRTIO_GPU_CMD_GET_EDID);
	SAME(c, VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID);
	SAME(c, VGM_GPU_CMD_RESOURCE_CREATE_BLOB, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB);
	SAME(c, VGM_GPU_CMD_SET_SCANOUT_BLOB, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB);
	SAME(c, VGM_GPU_CMD_CTX_CREATE, VIRTIO_GPU_CMD_CTX_CREATE);
	SAME(c, VGM_GPU_CMD_CTX_DESTROY, VIRTIO_GPU_CMD_CTX_DESTROY);
	SAME(c, VGM_GPU_CMD_CTX_ATTACH_RESOURCE, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE);
	SAME(c, VGM_GPU_CMD_CTX_DETACH_RESOURCE, VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE);
	SAME(c, VGM_GPU_CMD_RESOURCE_CREATE_3D, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D);
	SAME(c, VGM_GPU_CMD_TRANSFER_TO_HOST_3D, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D);
	SAME(c, VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D);
	SAME(c, VGM_GPU_CMD_SUBMIT_3D, VIRTIO_GPU_CMD_SUBMIT_3D);
	SAME(c, VGM_GPU_CMD_RESOURCE_MAP_BLOB, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB);
	SAME(c, VGM_GPU_CMD_RESOURCE_UNMAP_BLOB, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB);
	SAME(c, VGM_GPU_CMD_UPDATE_CURSOR, VIRTIO_GPU_CMD_UPDATE_CURSOR);
	SAME(c, VGM_GPU_CMD_MOVE_CURSOR, VIRTIO_GPU_CMD_MOVE_CURSOR);

	SAME(c, VGM_GPU_RESP_OK_NODATA, VIRTIO_GPU_RESP_OK_NODATA);
	SAME(c, VGM_GPU_RESP_OK_DISPLAY_INFO, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	SAME(c, VGM_GPU_RESP_OK_CAPSET_INFO, VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	SAME(c, VGM_GPU_RESP_OK_CAPSET, VIRTIO_GPU_RESP_OK_CAPSET);
	SAME(c, VGM_GPU_RESP_OK_EDID, VIRTIO_GPU_RESP_OK_EDID);
	SAME(c, VGM_GPU_RESP_OK_RESOURCE_UUID, VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	SAME(c, VGM_GPU_RESP_OK_MAP_INFO, VIRTIO_GPU_RESP_OK_MAP_INFO);
	SAME(c, VGM_GPU_RESP_ERR_UNSPEC, VIRTIO_GPU_RESP_ERR_UNSPEC);
	SAME(c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	SAME(c, VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	SAME(c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	SAME(c, VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
	SAME(c, VGM_GPU_RESP_ERR_INVALID_PARAMETER, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);

	SAME(c, VGM_GPU_FLAG_FENCE, VIRTIO_GPU_FLAG_FENCE);
	SAME(c, VGM_GPU_FLAG_INFO_RING_IDX, VIRTIO_GPU_FLAG_INFO_RING_IDX);
	SAME(c, VGM_GPU_EVENT_DISPLAY, VIRTIO_GPU_EVENT_DISPLAY);
	SAME(c, VGM_GPU_MAX_SCANOUTS, VIRTIO_GPU_MAX_SCANOUTS);
	SAME(c, VGM_GPU_EDID_MAX, MEMBER_SIZE(struct virtio_gpu_resp_edid, edid));

	SAME(c, VGM_GPU_FORMAT_B8G8R8A8_UNORM, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM);
	SAME(c, VGM_GPU_FORMAT_B8G8R8X8_UNORM, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
	SAME(c, VGM_GPU_FORMAT_A8R8G8B8_UNORM, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM);
	SAME(c, VGM_GPU_FORMAT_X8R8G8B8_UNORM, VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM);
	SAME(c, VGM_GPU_FORMAT_R8G8B8A8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM);
	SAME(c, VGM_GPU_FORMAT_X8B8G8R8_UNORM, VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM);
	SAME(c, VGM_GPU_FORMAT_A8B8G8R8_UNORM, VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM);
	SAME(c, VGM_GPU_FORMAT_R8G8B8X8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM);

	SAME(c, VGM_GPU_BLOB_MEM_GUEST, VIRTIO_GPU_BLOB_MEM_GUEST);
	SAME(c, VGM_GPU_BLOB_MEM_HOST3D, VIRTIO_GPU_BLOB_MEM_HOST3D);
	SAME(c, VGM_GPU_BLOB_MEM_HOST3D_GUEST, VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST);
	SAME(c, VGM_GPU_BLOB_FLAG_USE_MAPPABLE, VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE);
	SAME(c, VGM_GPU_BLOB_FLAG_USE_SHAREABLE, VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE);
	SAME(c, VGM_GPU_BLOB_FLAG_USE_CROSS_DEVICE, VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE);
}

/* 3D: the structs protocol.h has since 0.3. */
static void test_wire_layout_3d(struct check *c)
{
#define F3(ours, theirs, f) FIELD(c, ours, theirs, f)
	BEGIN(c, vgm_gpu_resp_capset_info, virtio_gpu_resp_capset_info);
	F3(vgm_gpu_resp_capset_info, virtio_gpu_resp_capset_info, hdr);
	F3(vgm_gpu_resp_capset_info, virtio_gpu_resp_capset_info, capset_id);
	F3(vgm_gpu_resp_capset_info, virtio_gpu_resp_capset_info, capset_max_version);
	F3(vgm_gpu_resp_capset_info, virtio_gpu_resp_capset_info, capset_max_size);
	F3(vgm_gpu_resp_capset_info, virtio_gpu_resp_capset_info, padding);
	END(c, vgm_gpu_resp_capset_info);

	BEGIN(c, vgm_gpu_ctx_create, virtio_gpu_ctx_create);
	F3(vgm_gpu_ctx_create, virtio_gpu_ctx_create, hdr);
	F3(vgm_gpu_ctx_create, virtio_gpu_ctx_create, nlen);
	F3(vgm_gpu_ctx_create, virtio_gpu_ctx_create, context_init);
	F3(vgm_gpu_ctx_create, virtio_gpu_ctx_create, debug_name);
	END(c, vgm_gpu_ctx_create);

	BEGIN(c, vgm_gpu_ctx_resource, virtio_gpu_ctx_resource);
	F3(vgm_gpu_ctx_resource, virtio_gpu_ctx_resource, hdr);
	F3(vgm_gpu_ctx_resource, virtio_gpu_ctx_resource, resource_id);
	F3(vgm_gpu_ctx_resource, virtio_gpu_ctx_resource, padding);
	END(c, vgm_gpu_ctx_resource);

	BEGIN(c, vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, hdr);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, resource_id);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, target);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, format);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, bind);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, width);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, height);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, depth);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, array_size);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, last_level);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, nr_samples);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, flags);
	F3(vgm_gpu_resource_create_3d, virtio_gpu_resource_create_3d, padding);
	END(c, vgm_gpu_resource_create_3d);

	BEGIN(c, vgm_gpu_box, virtio_gpu_box);
	F3(vgm_gpu_box, virtio_gpu_box, x);
	F3(vgm_gpu_box, virtio_gpu_box, y);
	F3(vgm_gpu_box, virtio_gpu_box, z);
	F3(vgm_gpu_box, virtio_gpu_box, w);
	F3(vgm_gpu_box, virtio_gpu_box, h);
	F3(vgm_gpu_box, virtio_gpu_box, d);
	END(c, vgm_gpu_box);

	BEGIN(c, vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, hdr);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, box);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, offset);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, resource_id);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, level);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, stride);
	F3(vgm_gpu_transfer_host_3d, virtio_gpu_transfer_host_3d, layer_stride);
	END(c, vgm_gpu_transfer_host_3d);

	BEGIN(c, vgm_gpu_cmd_submit, virtio_gpu_cmd_submit);
	F3(vgm_gpu_cmd_submit, virtio_gpu_cmd_submit, hdr);
	F3(vgm_gpu_cmd_submit, virtio_gpu_cmd_submit, size);
	F3(vgm_gpu_cmd_submit, virtio_gpu_cmd_submit, padding);
	END(c, vgm_gpu_cmd_submit);
#undef F3

	SAME(c, VGM_GPU_CAPSET_VIRGL, VIRTIO_GPU_CAPSET_VIRGL);
	SAME(c, VGM_GPU_CAPSET_VIRGL2, VIRTIO_GPU_CAPSET_VIRGL2);
	SAME(c, VGM_GPU_CONTEXT_INIT_CAPSET_ID_MASK, VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK);
	SAME(c, VGM_GPU_RESOURCE_FLAG_Y_0_TOP, VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP);
}

int main(void)
{
	struct check c = { 0, 0, 0 };

	test_wire_layout_common(&c);
	test_wire_layout_display(&c);
	test_wire_layout_resources(&c);
	test_wire_layout_capsets_and_cursor(&c);
	test_wire_layout_standard_extensions(&c);
	test_wire_layout_memory_rfc(&c);
	test_wire_layout_constants(&c);
	test_wire_layout_3d(&c);
	printf("%u checks, %u failed\n", c.run, c.failed);
	return c.failed ? 1 : 0;
}
