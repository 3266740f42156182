/* SPDX-License-Identifier: MIT */
/*
 * The public wire table (vgm_wire_command()) against the Linux uapi
 * header: for every command and response Linux has, the table lists the
 * struct's members, in order, each at Linux's offset with Linux's size,
 * and the message is as large as Linux's struct. The memory-rfc commands,
 * which Linux does not have, against <virtgpu-mem/protocol.h> (whose
 * layouts test-wire-layout checks against the seed patch).
 *
 * A plain program, through the shared library as a tool would use it: it
 * prints every difference and exits 1 if there is any.
 */
#include <linux/virtio_gpu.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <virtgpu-mem/virtgpu-mem.h>

struct member {
	const char *name;
	size_t offset;
	size_t size;
};

struct expect {
	const char *what;
	size_t size;
	const struct member *members;
	size_t n;
};

#define M(S, m) { #m, offsetof(struct S, m), sizeof(((struct S *)0)->m) }
#define HDR(S) M(S, hdr.type), M(S, hdr.flags), M(S, hdr.fence_id), M(S, hdr.ctx_id), \
	       M(S, hdr.ring_idx), M(S, hdr.padding)
#define EXPECT(S, ...)                                                                      \
	(struct expect)                                                                     \
	{                                                                                   \
		#S, sizeof(struct S), (const struct member[]){ __VA_ARGS__ },               \
			sizeof((const struct member[]){ __VA_ARGS__ }) / sizeof(struct member) \
	}

static unsigned failed;

static void fail(const char *what, const char *msg, const char *name, size_t ours,
		 size_t theirs)
{
	failed++;
	fprintf(stderr, "%s: %s%s%s: ours %zu, expected %zu\n", what, msg, name ? " " : "",
		name ? name : "", ours, theirs);
}

static void compare(const struct vgm_wire_layout *l, const struct expect *e)
{
	if (!l) {
		fail(e->what, "missing from the table", NULL, 0, 1);
		return;
	}
	if (l->size != e->size)
		fail(e->what, "size", NULL, l->size, e->size);
	if (l->nfields != e->n)
		fail(e->what, "number of fields", NULL, l->nfields, e->n);
	for (size_t i = 0; i < l->nfields && i < e->n; i++) {
		const struct vgm_wire_field *f = &l->fields[i];

		if (strcmp(f->name, e->members[i].name) != 0) {
			fprintf(stderr, "%s: field %zu is %s, expected %s\n", e->what, i, f->name,
				e->members[i].name);
			failed++;
		}
		if (f->offset != e->members[i].offset)
			fail(e->what, "offset of", f->name, f->offset, e->members[i].offset);
		if (f->size != e->members[i].size)
			fail(e->what, "size of", f->name, f->size, e->members[i].size);
	}
}

static void request(enum vgm_dialect d, uint32_t type, struct expect e)
{
	const struct vgm_wire_command *w = vgm_wire_command(d, type);

	compare(w ? w->request : NULL, &e);
}

static void response(enum vgm_dialect d, uint32_t type, struct expect e)
{
	const struct vgm_wire_command *w = vgm_wire_command(d, type);

	compare(w ? w->response : NULL, &e);
}

static void requests_2d(void)
{
	const enum vgm_dialect s = VGM_DIALECT_STANDARD;

	/* The header alone: Linux's CTX_DESTROY is that too. */
	request(s, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, EXPECT(virtio_gpu_ctx_destroy,
		HDR(virtio_gpu_ctx_destroy)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, EXPECT(virtio_gpu_resource_create_2d,
		HDR(virtio_gpu_resource_create_2d), M(virtio_gpu_resource_create_2d, resource_id),
		M(virtio_gpu_resource_create_2d, format), M(virtio_gpu_resource_create_2d, width),
		M(virtio_gpu_resource_create_2d, height)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_UNREF, EXPECT(virtio_gpu_resource_unref,
		HDR(virtio_gpu_resource_unref), M(virtio_gpu_resource_unref, resource_id),
		M(virtio_gpu_resource_unref, padding)));
	request(s, VIRTIO_GPU_CMD_SET_SCANOUT, EXPECT(virtio_gpu_set_scanout,
		HDR(virtio_gpu_set_scanout), M(virtio_gpu_set_scanout, r),
		M(virtio_gpu_set_scanout, scanout_id), M(virtio_gpu_set_scanout, resource_id)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_FLUSH, EXPECT(virtio_gpu_resource_flush,
		HDR(virtio_gpu_resource_flush), M(virtio_gpu_resource_flush, r),
		M(virtio_gpu_resource_flush, resource_id), M(virtio_gpu_resource_flush, padding)));
	request(s, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, EXPECT(virtio_gpu_transfer_to_host_2d,
		HDR(virtio_gpu_transfer_to_host_2d), M(virtio_gpu_transfer_to_host_2d, r),
		M(virtio_gpu_transfer_to_host_2d, offset),
		M(virtio_gpu_transfer_to_host_2d, resource_id),
		M(virtio_gpu_transfer_to_host_2d, padding)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, EXPECT(virtio_gpu_resource_attach_backing,
		HDR(virtio_gpu_resource_attach_backing),
		M(virtio_gpu_resource_attach_backing, resource_id),
		M(virtio_gpu_resource_attach_backing, nr_entries)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, EXPECT(virtio_gpu_resource_detach_backing,
		HDR(virtio_gpu_resource_detach_backing),
		M(virtio_gpu_resource_detach_backing, resource_id),
		M(virtio_gpu_resource_detach_backing, padding)));
	request(s, VIRTIO_GPU_CMD_GET_CAPSET_INFO, EXPECT(virtio_gpu_get_capset_info,
		HDR(virtio_gpu_get_capset_info), M(virtio_gpu_get_capset_info, capset_index),
		M(virtio_gpu_get_capset_info, padding)));
	request(s, VIRTIO_GPU_CMD_GET_CAPSET, EXPECT(virtio_gpu_get_capset,
		HDR(virtio_gpu_get_capset), M(virtio_gpu_get_capset, capset_id),
		M(virtio_gpu_get_capset, capset_version)));
	request(s, VIRTIO_GPU_CMD_GET_EDID, EXPECT(virtio_gpu_cmd_get_edid,
		HDR(virtio_gpu_cmd_get_edid), M(virtio_gpu_cmd_get_edid, scanout),
		M(virtio_gpu_cmd_get_edid, padding)));
	for (uint32_t t = VIRTIO_GPU_CMD_UPDATE_CURSOR; t <= VIRTIO_GPU_CMD_MOVE_CURSOR; t++)
		request(s, t, EXPECT(virtio_gpu_update_cursor, HDR(virtio_gpu_update_cursor),
			M(virtio_gpu_update_cursor, pos.scanout_id),
			M(virtio_gpu_update_cursor, pos.x), M(virtio_gpu_update_cursor, pos.y),
			M(virtio_gpu_update_cursor, pos.padding),
			M(virtio_gpu_update_cursor, resource_id), M(virtio_gpu_update_cursor, hot_x),
			M(virtio_gpu_update_cursor, hot_y), M(virtio_gpu_update_cursor, padding)));
}

static void requests_blob(void)
{
	const enum vgm_dialect s = VGM_DIALECT_STANDARD;

	request(s, VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, EXPECT(virtio_gpu_resource_assign_uuid,
		HDR(virtio_gpu_resource_assign_uuid), M(virtio_gpu_resource_assign_uuid, resource_id),
		M(virtio_gpu_resource_assign_uuid, padding)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, EXPECT(virtio_gpu_resource_create_blob,
		HDR(virtio_gpu_resource_create_blob), M(virtio_gpu_resource_create_blob, resource_id),
		M(virtio_gpu_resource_create_blob, blob_mem),
		M(virtio_gpu_resource_create_blob, blob_flags),
		M(virtio_gpu_resource_create_blob, nr_entries),
		M(virtio_gpu_resource_create_blob, blob_id), M(virtio_gpu_resource_create_blob, size)));
	request(s, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, EXPECT(virtio_gpu_set_scanout_blob,
		HDR(virtio_gpu_set_scanout_blob), M(virtio_gpu_set_scanout_blob, r),
		M(virtio_gpu_set_scanout_blob, scanout_id), M(virtio_gpu_set_scanout_blob, resource_id),
		M(virtio_gpu_set_scanout_blob, width), M(virtio_gpu_set_scanout_blob, height),
		M(virtio_gpu_set_scanout_blob, format), M(virtio_gpu_set_scanout_blob, padding),
		M(virtio_gpu_set_scanout_blob, strides), M(virtio_gpu_set_scanout_blob, offsets)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, EXPECT(virtio_gpu_resource_map_blob,
		HDR(virtio_gpu_resource_map_blob), M(virtio_gpu_resource_map_blob, resource_id),
		M(virtio_gpu_resource_map_blob, padding), M(virtio_gpu_resource_map_blob, offset)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, EXPECT(virtio_gpu_resource_unmap_blob,
		HDR(virtio_gpu_resource_unmap_blob), M(virtio_gpu_resource_unmap_blob, resource_id),
		M(virtio_gpu_resource_unmap_blob, padding)));
}

static void requests_3d(void)
{
	const enum vgm_dialect s = VGM_DIALECT_STANDARD;

	request(s, VIRTIO_GPU_CMD_CTX_CREATE, EXPECT(virtio_gpu_ctx_create,
		HDR(virtio_gpu_ctx_create), M(virtio_gpu_ctx_create, nlen),
		M(virtio_gpu_ctx_create, context_init), M(virtio_gpu_ctx_create, debug_name)));
	request(s, VIRTIO_GPU_CMD_CTX_DESTROY, EXPECT(virtio_gpu_ctx_destroy,
		HDR(virtio_gpu_ctx_destroy)));
	request(s, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, EXPECT(virtio_gpu_ctx_resource,
		HDR(virtio_gpu_ctx_resource), M(virtio_gpu_ctx_resource, resource_id),
		M(virtio_gpu_ctx_resource, padding)));
	request(s, VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, EXPECT(virtio_gpu_ctx_resource,
		HDR(virtio_gpu_ctx_resource), M(virtio_gpu_ctx_resource, resource_id),
		M(virtio_gpu_ctx_resource, padding)));
	request(s, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, EXPECT(virtio_gpu_resource_create_3d,
		HDR(virtio_gpu_resource_create_3d), M(virtio_gpu_resource_create_3d, resource_id),
		M(virtio_gpu_resource_create_3d, target), M(virtio_gpu_resource_create_3d, format),
		M(virtio_gpu_resource_create_3d, bind), M(virtio_gpu_resource_create_3d, width),
		M(virtio_gpu_resource_create_3d, height), M(virtio_gpu_resource_create_3d, depth),
		M(virtio_gpu_resource_create_3d, array_size),
		M(virtio_gpu_resource_create_3d, last_level),
		M(virtio_gpu_resource_create_3d, nr_samples), M(virtio_gpu_resource_create_3d, flags),
		M(virtio_gpu_resource_create_3d, padding)));
	for (uint32_t t = VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D; t <= VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D;
	     t++)
		request(s, t, EXPECT(virtio_gpu_transfer_host_3d, HDR(virtio_gpu_transfer_host_3d),
			M(virtio_gpu_transfer_host_3d, box.x), M(virtio_gpu_transfer_host_3d, box.y),
			M(virtio_gpu_transfer_host_3d, box.z), M(virtio_gpu_transfer_host_3d, box.w),
			M(virtio_gpu_transfer_host_3d, box.h), M(virtio_gpu_transfer_host_3d, box.d),
			M(virtio_gpu_transfer_host_3d, offset),
			M(virtio_gpu_transfer_host_3d, resource_id),
			M(virtio_gpu_transfer_host_3d, level), M(virtio_gpu_transfer_host_3d, stride),
			M(virtio_gpu_transfer_host_3d, layer_stride)));
	request(s, VIRTIO_GPU_CMD_SUBMIT_3D, EXPECT(virtio_gpu_cmd_submit, HDR(virtio_gpu_cmd_submit),
		M(virtio_gpu_cmd_submit, size), M(virtio_gpu_cmd_submit, padding)));
}

static void responses(void)
{
	const enum vgm_dialect s = VGM_DIALECT_STANDARD;
	const struct vgm_wire_command *w = vgm_wire_command(s, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);

	response(s, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, EXPECT(virtio_gpu_resp_display_info,
		HDR(virtio_gpu_resp_display_info), M(virtio_gpu_resp_display_info, pmodes)));
	compare(w && w->response && w->response->nfields > 6 ? w->response->fields[6].record : NULL,
		&EXPECT(virtio_gpu_display_one, M(virtio_gpu_display_one, r),
			M(virtio_gpu_display_one, enabled), M(virtio_gpu_display_one, flags)));
	response(s, VIRTIO_GPU_CMD_GET_CAPSET_INFO, EXPECT(virtio_gpu_resp_capset_info,
		HDR(virtio_gpu_resp_capset_info), M(virtio_gpu_resp_capset_info, capset_id),
		M(virtio_gpu_resp_capset_info, capset_max_version),
		M(virtio_gpu_resp_capset_info, capset_max_size),
		M(virtio_gpu_resp_capset_info, padding)));
	response(s, VIRTIO_GPU_CMD_GET_CAPSET, EXPECT(virtio_gpu_resp_capset,
		HDR(virtio_gpu_resp_capset)));
	response(s, VIRTIO_GPU_CMD_GET_EDID, EXPECT(virtio_gpu_resp_edid, HDR(virtio_gpu_resp_edid),
		M(virtio_gpu_resp_edid, size), M(virtio_gpu_resp_edid, padding),
		M(virtio_gpu_resp_edid, edid)));
	response(s, VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, EXPECT(virtio_gpu_resp_resource_uuid,
		HDR(virtio_gpu_resp_resource_uuid), M(virtio_gpu_resp_resource_uuid, uuid)));
	response(s, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, EXPECT(virtio_gpu_resp_map_info,
		HDR(virtio_gpu_resp_map_info), M(virtio_gpu_resp_map_info, map_info),
		M(virtio_gpu_resp_map_info, padding)));
	w = vgm_wire_command(s, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
	compare(w ? w->request->record : NULL,
		&EXPECT(virtio_gpu_mem_entry, M(virtio_gpu_mem_entry, addr),
			M(virtio_gpu_mem_entry, length), M(virtio_gpu_mem_entry, padding)));
}

/* The memory-regions proposal, which Linux does not have. */
static void requests_rfc(void)
{
	const enum vgm_dialect r = VGM_DIALECT_MEMORY_RFC;

	request(r, VGM_GPU_CMD_MEMORY_CREATE, EXPECT(vgm_gpu_memory_create,
		HDR(vgm_gpu_memory_create), M(vgm_gpu_memory_create, size),
		M(vgm_gpu_memory_create, memory_id), M(vgm_gpu_memory_create, nr_entries),
		M(vgm_gpu_memory_create, flags), M(vgm_gpu_memory_create, padding)));
	request(r, VGM_GPU_CMD_MEMORY_UNREF, EXPECT(vgm_gpu_memory_unref, HDR(vgm_gpu_memory_unref),
		M(vgm_gpu_memory_unref, memory_id), M(vgm_gpu_memory_unref, padding)));
	request(r, VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, EXPECT(vgm_gpu_resource_attach_memory,
		HDR(vgm_gpu_resource_attach_memory), M(vgm_gpu_resource_attach_memory, resource_id),
		M(vgm_gpu_resource_attach_memory, memory_id),
		M(vgm_gpu_resource_attach_memory, offset)));
}

int main(void)
{
	requests_2d();
	requests_blob();
	requests_3d();
	responses();
	requests_rfc();
	if (failed)
		fprintf(stderr, "test-wire-table: %u differences\n", failed);
	return failed ? 1 : 0;
}
