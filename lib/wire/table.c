/* SPDX-License-Identifier: MIT */
/*
 * The wire table: every command of both dialects and every response, with
 * its fields in wire order. Each field takes its offset and size from the
 * C struct of the message (offsetof and sizeof, never typed): the structs
 * of <virtgpu-mem/protocol.h>, whose layouts test-wire-layout checks
 * against Linux's, and for the messages protocol.h does not have
 * (MAP_BLOB), the structs below, written from the virtio specification and
 * checked against Linux's by test-wire-table. test-wire checks that the
 * fields follow each other without a gap and fill their message: the
 * offsets are the wire offsets.
 *
 * The same table is the decoder's and encoder's program (codec.c), the
 * names of vgm_command_name() and the public vgm_wire_command().
 */
#include <stddef.h>

#include "wire.h"

/* ---- messages <virtgpu-mem/protocol.h> does not have ------------------------ */

struct hdr_only {
	struct vgm_gpu_ctrl_hdr hdr;
};

struct id_and_padding { /* CTX_ATTACH_RESOURCE, CTX_DETACH_RESOURCE, RESOURCE_UNMAP_BLOB */
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

struct resource_map_blob {
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
	uint64_t offset;
};

struct resp_map_info {
	struct vgm_gpu_ctrl_hdr hdr;
	uint32_t map_info;
	uint32_t padding;
};

/* ---- how a field is written down ------------------------------------------------ */

#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)

#define FIELD(T, m, kind_, count_, flags_, record_)                                    \
	{                                                                              \
		.name = #m, .kind = (kind_), .offset = offsetof(T, m),                 \
		.size = MEMBER_SIZE(T, m), .count = (count_), .flags = (flags_),       \
		.record = (record_)                                                    \
	}

#define U8(T, m) FIELD(T, m, VGM_WIRE_U8, 1, 0, NULL)
#define U32(T, m) FIELD(T, m, VGM_WIRE_U32, 1, 0, NULL)
#define U32F(T, m, flags) FIELD(T, m, VGM_WIRE_U32, 1, flags, NULL)
#define U64(T, m) FIELD(T, m, VGM_WIRE_U64, 1, 0, NULL)
#define U64F(T, m, flags) FIELD(T, m, VGM_WIRE_U64, 1, flags, NULL)
#define RECT(T, m) FIELD(T, m, VGM_WIRE_RECT, 1, 0, NULL)
#define U32S(T, m) FIELD(T, m, VGM_WIRE_U32S, MEMBER_SIZE(T, m) / 4, 0, NULL)
#define U64S(T, m) FIELD(T, m, VGM_WIRE_U64S, MEMBER_SIZE(T, m) / 8, 0, NULL)
#define TEXT(T, m) FIELD(T, m, VGM_WIRE_TEXT, MEMBER_SIZE(T, m), 0, NULL)
#define BYTES(T, m) FIELD(T, m, VGM_WIRE_BYTES, MEMBER_SIZE(T, m), 0, NULL)
#define PAD(T, m) FIELD(T, m, VGM_WIRE_PAD, MEMBER_SIZE(T, m), 0, NULL)
#define RECORDS(T, m, rec) \
	FIELD(T, m, VGM_WIRE_RECORDS, MEMBER_SIZE(T, m) / MEMBER_SIZE(T, m[0]), 0, &(rec))

/* The header, first in every message. */
#define HDR(T)                                                                          \
	U32(T, hdr.type), U32(T, hdr.flags), U64(T, hdr.fence_id), U32(T, hdr.ctx_id), \
		U8(T, hdr.ring_idx), PAD(T, hdr.padding)

#define LAYOUT(T, fields_, trailer_, record_)                                           \
	{                                                                               \
		.size = sizeof(T), .nfields = ARRAY_SIZE(fields_), .fields = (fields_), \
		.trailer = (trailer_), .record = (record_)                              \
	}
#define FIXED(T, fields_) LAYOUT(T, fields_, VGM_WIRE_TRAILER_NONE, NULL)

/* ---- records ---------------------------------------------------------------------- */

static const struct vgm_wire_field f_mem_entry[] = {
	U64(struct vgm_gpu_mem_entry, addr),
	U32(struct vgm_gpu_mem_entry, length),
	PAD(struct vgm_gpu_mem_entry, padding),
};
static const struct vgm_wire_layout mem_entry = FIXED(struct vgm_gpu_mem_entry, f_mem_entry);

static const struct vgm_wire_field f_display_one[] = {
	RECT(struct vgm_gpu_display_one, r),
	U32(struct vgm_gpu_display_one, enabled),
	U32(struct vgm_gpu_display_one, flags),
};
static const struct vgm_wire_layout display_one =
	FIXED(struct vgm_gpu_display_one, f_display_one);

/* ---- requests ---------------------------------------------------------------------- */

static const struct vgm_wire_field f_hdr_only[] = { HDR(struct hdr_only) };
static const struct vgm_wire_layout l_hdr_only = FIXED(struct hdr_only, f_hdr_only);

#define T struct vgm_gpu_resource_create_2d
static const struct vgm_wire_field f_create_2d[] = {
	HDR(T), U32(T, resource_id), U32F(T, format, VGM_WIRE_FORMAT), U32(T, width),
	U32(T, height),
};
static const struct vgm_wire_layout l_create_2d = FIXED(T, f_create_2d);
#undef T

#define T struct vgm_gpu_resource_unref
static const struct vgm_wire_field f_unref[] = { HDR(T), U32(T, resource_id), PAD(T, padding) };
static const struct vgm_wire_layout l_unref = FIXED(T, f_unref);
#undef T

#define T struct vgm_gpu_set_scanout
static const struct vgm_wire_field f_set_scanout[] = {
	HDR(T), RECT(T, r), U32(T, scanout_id), U32(T, resource_id),
};
static const struct vgm_wire_layout l_set_scanout = FIXED(T, f_set_scanout);
#undef T

#define T struct vgm_gpu_resource_flush
static const struct vgm_wire_field f_flush[] = {
	HDR(T), RECT(T, r), U32(T, resource_id), PAD(T, padding),
};
static const struct vgm_wire_layout l_flush = FIXED(T, f_flush);
#undef T

#define T struct vgm_gpu_transfer_to_host_2d
static const struct vgm_wire_field f_transfer_2d[] = {
	HDR(T), RECT(T, r), U64(T, offset), U32(T, resource_id), PAD(T, padding),
};
static const struct vgm_wire_layout l_transfer_2d = FIXED(T, f_transfer_2d);
#undef T

#define T struct vgm_gpu_resource_attach_backing
static const struct vgm_wire_field f_attach_backing[] = {
	HDR(T), U32(T, resource_id), U32F(T, nr_entries, VGM_WIRE_COUNT),
};
static const struct vgm_wire_layout l_attach_backing =
	LAYOUT(T, f_attach_backing, VGM_WIRE_TRAILER_RECORDS, &mem_entry);
#undef T

#define T struct vgm_gpu_resource_detach_backing
static const struct vgm_wire_field f_detach_backing[] = {
	HDR(T), U32(T, resource_id), PAD(T, padding),
};
static const struct vgm_wire_layout l_detach_backing = FIXED(T, f_detach_backing);
#undef T

#define T struct vgm_gpu_get_capset_info
static const struct vgm_wire_field f_capset_info[] = {
	HDR(T), U32(T, capset_index), PAD(T, padding),
};
static const struct vgm_wire_layout l_capset_info = FIXED(T, f_capset_info);
#undef T

#define T struct vgm_gpu_get_capset
static const struct vgm_wire_field f_capset[] = {
	HDR(T), U32(T, capset_id), U32(T, capset_version),
};
static const struct vgm_wire_layout l_capset = FIXED(T, f_capset);
#undef T

#define T struct vgm_gpu_get_edid
static const struct vgm_wire_field f_get_edid[] = { HDR(T), U32(T, scanout), PAD(T, padding) };
static const struct vgm_wire_layout l_get_edid = FIXED(T, f_get_edid);
#undef T

#define T struct vgm_gpu_resource_assign_uuid
static const struct vgm_wire_field f_assign_uuid[] = {
	HDR(T), U32(T, resource_id), PAD(T, padding),
};
static const struct vgm_wire_layout l_assign_uuid = FIXED(T, f_assign_uuid);
#undef T

#define T struct vgm_gpu_resource_create_blob
static const struct vgm_wire_field f_create_blob[] = {
	HDR(T),
	U32(T, resource_id),
	U32(T, blob_mem),
	U32(T, blob_flags),
	U32F(T, nr_entries, VGM_WIRE_COUNT),
	U64(T, blob_id),
	U64F(T, size, VGM_WIRE_TOTAL),
};
static const struct vgm_wire_layout l_create_blob =
	LAYOUT(T, f_create_blob, VGM_WIRE_TRAILER_RECORDS, &mem_entry);
#undef T

#define T struct vgm_gpu_set_scanout_blob
static const struct vgm_wire_field f_set_scanout_blob[] = {
	HDR(T),		       RECT(T, r),   U32(T, scanout_id),
	U32(T, resource_id),   U32(T, width), U32(T, height),
	U32F(T, format, VGM_WIRE_FORMAT), PAD(T, padding), U32S(T, strides),
	U32S(T, offsets),
};
static const struct vgm_wire_layout l_set_scanout_blob = FIXED(T, f_set_scanout_blob);
#undef T

#define T struct vgm_gpu_memory_create
static const struct vgm_wire_field f_memory_create[] = {
	HDR(T),	       U64F(T, size, VGM_WIRE_TOTAL), U32(T, memory_id),
	U32F(T, nr_entries, VGM_WIRE_COUNT), U32(T, flags), PAD(T, padding),
};
static const struct vgm_wire_layout l_memory_create =
	LAYOUT(T, f_memory_create, VGM_WIRE_TRAILER_RECORDS, &mem_entry);
#undef T

#define T struct vgm_gpu_memory_unref
static const struct vgm_wire_field f_memory_unref[] = {
	HDR(T), U32(T, memory_id), PAD(T, padding),
};
static const struct vgm_wire_layout l_memory_unref = FIXED(T, f_memory_unref);
#undef T

#define T struct vgm_gpu_resource_attach_memory
static const struct vgm_wire_field f_attach_memory[] = {
	HDR(T), U32(T, resource_id), U32(T, memory_id), U64S(T, offset),
};
static const struct vgm_wire_layout l_attach_memory = FIXED(T, f_attach_memory);
#undef T

#define T struct vgm_gpu_ctx_create
static const struct vgm_wire_field f_ctx_create[] = {
	HDR(T), U32F(T, nlen, VGM_WIRE_TEXT_LENGTH), U32(T, context_init), TEXT(T, debug_name),
};
static const struct vgm_wire_layout l_ctx_create = FIXED(T, f_ctx_create);
#undef T

#define T struct id_and_padding
static const struct vgm_wire_field f_id_and_padding[] = {
	HDR(T), U32(T, resource_id), PAD(T, padding),
};
static const struct vgm_wire_layout l_id_and_padding = FIXED(T, f_id_and_padding);
#undef T

#define T struct vgm_gpu_resource_create_3d
static const struct vgm_wire_field f_create_3d[] = {
	HDR(T),		     U32(T, resource_id), U32(T, target),     U32(T, format),
	U32(T, bind),	     U32(T, width),	  U32(T, height),     U32(T, depth),
	U32(T, array_size), U32(T, last_level), U32(T, nr_samples), U32(T, flags),
	PAD(T, padding),
};
static const struct vgm_wire_layout l_create_3d = FIXED(T, f_create_3d);
#undef T

#define T struct vgm_gpu_transfer_host_3d
static const struct vgm_wire_field f_transfer_3d[] = {
	HDR(T),		     U32(T, box.x), U32(T, box.y),  U32(T, box.z),
	U32(T, box.w),	     U32(T, box.h), U32(T, box.d),  U64(T, offset),
	U32(T, resource_id), U32(T, level), U32(T, stride), U32(T, layer_stride),
};
static const struct vgm_wire_layout l_transfer_3d = FIXED(T, f_transfer_3d);
#undef T

#define T struct vgm_gpu_cmd_submit
static const struct vgm_wire_field f_submit_3d[] = {
	HDR(T), U32F(T, size, VGM_WIRE_LENGTH), PAD(T, padding),
};
static const struct vgm_wire_layout l_submit_3d =
	LAYOUT(T, f_submit_3d, VGM_WIRE_TRAILER_BYTES, NULL);
#undef T

#define T struct resource_map_blob
static const struct vgm_wire_field f_map_blob[] = {
	HDR(T), U32(T, resource_id), PAD(T, padding), U64(T, offset),
};
static const struct vgm_wire_layout l_map_blob = FIXED(T, f_map_blob);
#undef T

#define T struct vgm_gpu_update_cursor
static const struct vgm_wire_field f_cursor[] = {
	HDR(T),		    U32(T, pos.scanout_id), U32(T, pos.x),  U32(T, pos.y),
	PAD(T, pos.padding), U32(T, resource_id),   U32(T, hot_x), U32(T, hot_y),
	PAD(T, padding),
};
static const struct vgm_wire_layout l_cursor = FIXED(T, f_cursor);
#undef T

/* ---- responses ------------------------------------------------------------------- */

#define T struct vgm_gpu_resp_display_info
static const struct vgm_wire_field f_display_info[] = {
	HDR(T), RECORDS(T, pmodes, display_one),
};
static const struct vgm_wire_layout l_display_info = FIXED(T, f_display_info);
#undef T

#define T struct vgm_gpu_resp_capset_info
static const struct vgm_wire_field f_capset_info_resp[] = {
	HDR(T), U32(T, capset_id), U32(T, capset_max_version), U32(T, capset_max_size),
	PAD(T, padding),
};
static const struct vgm_wire_layout l_capset_info_resp = FIXED(T, f_capset_info_resp);
#undef T

static const struct vgm_wire_layout l_capset_resp =
	LAYOUT(struct hdr_only, f_hdr_only, VGM_WIRE_TRAILER_BYTES, NULL);

#define T struct vgm_gpu_resp_edid
static const struct vgm_wire_field f_edid[] = {
	HDR(T), U32(T, size), PAD(T, padding), BYTES(T, edid),
};
static const struct vgm_wire_layout l_edid = FIXED(T, f_edid);
#undef T

#define T struct vgm_gpu_resp_resource_uuid
static const struct vgm_wire_field f_uuid[] = { HDR(T), BYTES(T, uuid) };
static const struct vgm_wire_layout l_uuid = FIXED(T, f_uuid);
#undef T

#define T struct resp_map_info
static const struct vgm_wire_field f_map_info[] = { HDR(T), U32(T, map_info), PAD(T, padding) };
static const struct vgm_wire_layout l_map_info = FIXED(T, f_map_info);
#undef T

/* ---- the tables -------------------------------------------------------------------- */

#define BOTH (1u << VGM_DIALECT_STANDARD | 1u << VGM_DIALECT_MEMORY_RFC)
#define STANDARD (1u << VGM_DIALECT_STANDARD)
#define RFC (1u << VGM_DIALECT_MEMORY_RFC)

struct response {
	uint32_t type;
	const char *name;
	uint32_t dialects;
	const struct vgm_wire_layout *layout;
};

static const struct response responses[] = {
	{ VGM_GPU_RESP_OK_NODATA, "OK_NODATA", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_OK_DISPLAY_INFO, "OK_DISPLAY_INFO", BOTH, &l_display_info },
	{ VGM_GPU_RESP_OK_CAPSET_INFO, "OK_CAPSET_INFO", BOTH, &l_capset_info_resp },
	{ VGM_GPU_RESP_OK_CAPSET, "OK_CAPSET", BOTH, &l_capset_resp },
	{ VGM_GPU_RESP_OK_EDID, "OK_EDID", BOTH, &l_edid },
	{ VGM_GPU_RESP_OK_RESOURCE_UUID, "OK_RESOURCE_UUID", STANDARD, &l_uuid },
	{ VGM_GPU_RESP_OK_MAP_INFO, "OK_MAP_INFO", STANDARD, &l_map_info },
	{ VGM_GPU_RESP_ERR_UNSPEC, "ERR_UNSPEC", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "ERR_OUT_OF_MEMORY", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID, "ERR_INVALID_SCANOUT_ID", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "ERR_INVALID_RESOURCE_ID", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_ERR_INVALID_CONTEXT_ID, "ERR_INVALID_CONTEXT_ID", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_ERR_INVALID_PARAMETER, "ERR_INVALID_PARAMETER", BOTH, &l_hdr_only },
	{ VGM_GPU_RESP_ERR_INVALID_MEMORY_ID, "ERR_INVALID_MEMORY_ID", RFC, &l_hdr_only },
};

#define CMD(type_, name_, dialects_, queue_, feature_, request_, ok_, response_)          \
	{                                                                                \
		.size = sizeof(struct vgm_wire_command), .type = (type_), .name = (name_), \
		.dialects = (dialects_), .queue = (queue_), .feature = (feature_),       \
		.request = (request_), .ok = (ok_), .response = (response_)              \
	}
#define CTRL(type_, name_, dialects_, feature_, request_, ok_, response_) \
	CMD(type_, name_, dialects_, VGM_QUEUE_CONTROL, feature_, request_, ok_, response_)
#define NODATA(type_, name_, dialects_, feature_, request_) \
	CTRL(type_, name_, dialects_, feature_, request_, VGM_GPU_RESP_OK_NODATA, &l_hdr_only)

static const struct vgm_wire_command commands[] = {
	CTRL(VGM_GPU_CMD_GET_DISPLAY_INFO, "GET_DISPLAY_INFO", BOTH, -1, &l_hdr_only,
	     VGM_GPU_RESP_OK_DISPLAY_INFO, &l_display_info),
	NODATA(VGM_GPU_CMD_RESOURCE_CREATE_2D, "RESOURCE_CREATE_2D", BOTH, -1, &l_create_2d),
	NODATA(VGM_GPU_CMD_RESOURCE_UNREF, "RESOURCE_UNREF", BOTH, -1, &l_unref),
	NODATA(VGM_GPU_CMD_SET_SCANOUT, "SET_SCANOUT", BOTH, -1, &l_set_scanout),
	NODATA(VGM_GPU_CMD_RESOURCE_FLUSH, "RESOURCE_FLUSH", BOTH, -1, &l_flush),
	NODATA(VGM_GPU_CMD_TRANSFER_TO_HOST_2D, "TRANSFER_TO_HOST_2D", BOTH, -1, &l_transfer_2d),
	NODATA(VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, "RESOURCE_ATTACH_BACKING", BOTH, -1,
	       &l_attach_backing),
	NODATA(VGM_GPU_CMD_RESOURCE_DETACH_BACKING, "RESOURCE_DETACH_BACKING", BOTH, -1,
	       &l_detach_backing),
	CTRL(VGM_GPU_CMD_GET_CAPSET_INFO, "GET_CAPSET_INFO", BOTH, -1, &l_capset_info,
	     VGM_GPU_RESP_OK_CAPSET_INFO, &l_capset_info_resp),
	CTRL(VGM_GPU_CMD_GET_CAPSET, "GET_CAPSET", BOTH, -1, &l_capset, VGM_GPU_RESP_OK_CAPSET,
	     &l_capset_resp),
	CTRL(VGM_GPU_CMD_GET_EDID, "GET_EDID", BOTH, VGM_GPU_F_EDID, &l_get_edid,
	     VGM_GPU_RESP_OK_EDID, &l_edid),
	/* standard: the numbers 0x010b..0x010d are blobs and UUIDs */
	CTRL(VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, "RESOURCE_ASSIGN_UUID", STANDARD,
	     VGM_GPU_F_RESOURCE_UUID, &l_assign_uuid, VGM_GPU_RESP_OK_RESOURCE_UUID, &l_uuid),
	NODATA(VGM_GPU_CMD_RESOURCE_CREATE_BLOB, "RESOURCE_CREATE_BLOB", STANDARD,
	       VGM_GPU_F_RESOURCE_BLOB, &l_create_blob),
	NODATA(VGM_GPU_CMD_SET_SCANOUT_BLOB, "SET_SCANOUT_BLOB", STANDARD, VGM_GPU_F_RESOURCE_BLOB,
	       &l_set_scanout_blob),
	/* memory-rfc: the same numbers are memory regions */
	NODATA(VGM_GPU_CMD_MEMORY_CREATE, "MEMORY_CREATE", RFC, VGM_GPU_F_MEMORY,
	       &l_memory_create),
	NODATA(VGM_GPU_CMD_MEMORY_UNREF, "MEMORY_UNREF", RFC, VGM_GPU_F_MEMORY, &l_memory_unref),
	NODATA(VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, "RESOURCE_ATTACH_MEMORY", RFC, VGM_GPU_F_MEMORY,
	       &l_attach_memory),
	/* 3D */
	NODATA(VGM_GPU_CMD_CTX_CREATE, "CTX_CREATE", BOTH, VGM_GPU_F_VIRGL, &l_ctx_create),
	NODATA(VGM_GPU_CMD_CTX_DESTROY, "CTX_DESTROY", BOTH, VGM_GPU_F_VIRGL, &l_hdr_only),
	NODATA(VGM_GPU_CMD_CTX_ATTACH_RESOURCE, "CTX_ATTACH_RESOURCE", BOTH, VGM_GPU_F_VIRGL,
	       &l_id_and_padding),
	NODATA(VGM_GPU_CMD_CTX_DETACH_RESOURCE, "CTX_DETACH_RESOURCE", BOTH, VGM_GPU_F_VIRGL,
	       &l_id_and_padding),
	NODATA(VGM_GPU_CMD_RESOURCE_CREATE_3D, "RESOURCE_CREATE_3D", BOTH, VGM_GPU_F_VIRGL,
	       &l_create_3d),
	NODATA(VGM_GPU_CMD_TRANSFER_TO_HOST_3D, "TRANSFER_TO_HOST_3D", BOTH, VGM_GPU_F_VIRGL,
	       &l_transfer_3d),
	NODATA(VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, "TRANSFER_FROM_HOST_3D", BOTH, VGM_GPU_F_VIRGL,
	       &l_transfer_3d),
	NODATA(VGM_GPU_CMD_SUBMIT_3D, "SUBMIT_3D", BOTH, VGM_GPU_F_VIRGL, &l_submit_3d),
	/* host-visible blobs: the numbers are the standard's, named in both
	 * dialects as they always were (a memory-rfc guest sending them gets
	 * ERR_UNSPEC like anyone) */
	CTRL(VGM_GPU_CMD_RESOURCE_MAP_BLOB, "RESOURCE_MAP_BLOB", BOTH, VGM_GPU_F_RESOURCE_BLOB,
	     &l_map_blob, VGM_GPU_RESP_OK_MAP_INFO, &l_map_info),
	NODATA(VGM_GPU_CMD_RESOURCE_UNMAP_BLOB, "RESOURCE_UNMAP_BLOB", BOTH,
	       VGM_GPU_F_RESOURCE_BLOB, &l_id_and_padding),
	/* the cursor queue: no responses */
	CMD(VGM_GPU_CMD_UPDATE_CURSOR, "UPDATE_CURSOR", BOTH, VGM_QUEUE_CURSOR, -1, &l_cursor, 0,
	    NULL),
	CMD(VGM_GPU_CMD_MOVE_CURSOR, "MOVE_CURSOR", BOTH, VGM_QUEUE_CURSOR, -1, &l_cursor, 0,
	    NULL),
};

static bool in_dialect(uint32_t dialects, enum vgm_dialect dialect)
{
	return (unsigned)dialect <= VGM_DIALECT_MEMORY_RFC && (dialects & (1u << dialect));
}

const struct vgm_wire_command *wire_command(enum vgm_dialect dialect, uint32_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (commands[i].type == type && in_dialect(commands[i].dialects, dialect))
			return &commands[i];
	}
	return NULL;
}

const struct vgm_wire_command *wire_command_at(size_t i)
{
	return i < ARRAY_SIZE(commands) ? &commands[i] : NULL;
}

static const struct response *find_response(enum vgm_dialect dialect, uint32_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(responses); i++) {
		if (responses[i].type == type && in_dialect(responses[i].dialects, dialect))
			return &responses[i];
	}
	return NULL;
}

const char *wire_response_name(enum vgm_dialect dialect, uint32_t type)
{
	const struct response *r = find_response(dialect, type);

	return r ? r->name : NULL;
}

const struct vgm_wire_layout *wire_response(enum vgm_dialect dialect, uint32_t type)
{
	const struct response *r = find_response(dialect, type);

	return r ? r->layout : NULL;
}

const struct vgm_wire_layout *wire_header(void)
{
	return &l_hdr_only;
}
