/* SPDX-License-Identifier: MIT */
/*
 * The standard dialect's blobs and UUIDs: RESOURCE_CREATE_BLOB makes a
 * resource of guest memory (an anonymous region, the same storage as
 * ATTACH_BACKING's), SET_SCANOUT_BLOB shows one with a format and a stride,
 * RESOURCE_ASSIGN_UUID names a resource for other virtio devices.
 */
#include <string.h>

#include "cmd-impl.h"

static uint32_t validate_blob_fields(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_blob *b = &c->u.create_blob;

	/* Only guest memory: HOST3D blobs need a 3D backend. */
	if (b->blob_mem != VGM_GPU_BLOB_MEM_GUEST)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "blob_mem %u is not BLOB_MEM_GUEST", b->blob_mem);
	if (b->blob_flags & ~RESOURCE_BLOB_FLAGS_KNOWN)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "blob_flags 0x%x has unknown bits", b->blob_flags);
	if (b->size == 0)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "size is 0");
	if (b->nr_entries > core_limits(d->core)->backing_entries)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "nr_entries %u is above the limit of %u", b->nr_entries,
				   core_limits(d->core)->backing_entries);
	return cmd_check_resource_room(d, c, b->resource_id);
}

/* Once the dispatch has read the entries (a short list: ERR_INVALID_PARAMETER). */
static uint32_t validate_blob_entries(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_blob *b = &c->u.create_blob;

	/* No entries: ATTACH_BACKING gives the pages later. */
	if (b->nr_entries && c->entries_size < b->size)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "size %llu: the entries add up to %llu only",
				   (unsigned long long)b->size,
				   (unsigned long long)c->entries_size);
	return cmd_check_ranges(d, c);
}

static uint32_t validate_create_blob(struct dispatch *d, struct cmd *c)
{
	uint32_t err = cmd_check_new_resource(d, c, c->u.create_blob.resource_id);

	return err ? err : validate_blob_fields(d, c);
}

static uint32_t exec_create_blob(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_blob *b = &c->u.create_blob;
	const struct resource_desc desc = {
		.id = b->resource_id,
		.kind = RESOURCE_BLOB,
		.blob_size = b->size,
		.blob_flags = b->blob_flags,
	};
	struct region *rg = NULL;
	struct resource *res = NULL;
	enum core_verdict err = CORE_OK;

	/* The region before the table grows: a failure (a range that is not
	 * guest RAM, no memory) must leave the table as it was (found by
	 * test-cov-alloc; fuzz/stream/crashes/failed-create-grows-table.bin). */
	if (c->entries_size)
		err = region_create(d->core, c->entries, c->nr_entries, c->entries_size, &rg);
	if (err)
		return cmd_region_error(d, c, err);
	if (resource_new(d->core, &desc, NULL, 0, &res) || resource_insert(d->core, res)) {
		if (rg)
			region_unref(d->core, rg);
		if (res)
			resource_drop(d->core, res);
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory", b->resource_id);
	}
	if (rg)
		resource_attach(res, rg, 0);
	return 0;
}

/* ---- SET_SCANOUT_BLOB ---------------------------------------------------- */

static uint32_t check_blob_image(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_set_scanout_blob *s = &c->u.set_scanout_blob;
	uint64_t end;

	c->fmt = format_from_virtio(s->format);
	if (!c->fmt)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "format %u is not a known format", s->format);
	if ((uint64_t)s->strides[0] < (uint64_t)s->width * c->fmt->bpp)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "strides[0] %u is below width %u x %u", s->strides[0], s->width,
				   c->fmt->bpp);
	/* Hosts hand strides to pixman, cairo and GL as ints, as 2D rows are. */
	if (s->strides[0] > INT32_MAX)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "strides[0] %u is above INT32_MAX", s->strides[0]);
	if (s->r.width == 0 || s->r.height == 0 || !rect_inside(&s->r, s->width, s->height))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "rect %u,%u %ux%u is empty or not inside %ux%u", s->r.x, s->r.y,
				   s->r.width, s->r.height, s->width, s->height);
	/* 32-bit values: the product and sum fit in 64 bits. */
	end = (uint64_t)s->offsets[0] + (uint64_t)s->strides[0] * (s->r.y + (uint64_t)s->r.height);
	if (end > c->rd.blob_size)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "offsets[0] %u + strides[0] x %llu rows is beyond the blob's %llu",
				   s->offsets[0], (unsigned long long)(s->r.y + (uint64_t)s->r.height),
				   (unsigned long long)c->rd.blob_size);
	return 0;
}

static uint32_t validate_set_scanout_blob(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_set_scanout_blob *s = &c->u.set_scanout_blob;
	uint32_t err = cmd_scanout_target(d, c, s->scanout_id, s->resource_id);

	if (err || !c->res)
		return err;
	if (!resource_pixels_in_backing(c->res))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u is not a blob", s->resource_id);
	if (!c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   s->resource_id);
	if (!region_mapped(resource_backing(c->res)))
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "resource_id %u: its backing is lost (guest memory moved)",
				   s->resource_id);
	return check_blob_image(d, c);
}

static uint32_t exec_set_scanout_blob(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_set_scanout_blob *s = &c->u.set_scanout_blob;
	const struct scanout_fb fb = {
		.format = s->format,
		.width = s->width,
		.height = s->height,
		.stride = s->strides[0],
		.offset = s->offsets[0],
	};

	if (s->resource_id == 0) {
		scanout_hide(d->core, s->scanout_id);
		return 0;
	}
	if (render_show(d->render, s->scanout_id, c->res, &s->r, &fb))
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "no memory for a staging copy of %ux%u", s->r.width, s->r.height);
	return 0;
}

/* ---- RESOURCE_ASSIGN_UUID -------------------------------------------------- */

static uint32_t validate_assign_uuid(struct dispatch *d, struct cmd *c)
{
	return cmd_find_resource(d, c, c->u.assign_uuid.resource_id);
}

static uint32_t exec_assign_uuid(struct dispatch *d, struct cmd *c)
{
	bool fresh;

	if (uuid_assign(d->core, c->res, &fresh))
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory for the UUID table", c->rd.id);
	resource_describe(c->res, &c->rd);
	if (fresh)
		host_resource_uuid(d->host, c->rd.id, c->rd.uuid);
	memcpy(c->resp->uuid.uuid, c->rd.uuid, sizeof(c->rd.uuid));
	return 0;
}

const struct cmd_desc cmds_blob[] = {
	{ VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_assign_uuid, .execute = exec_assign_uuid },
	{ VGM_GPU_CMD_RESOURCE_CREATE_BLOB, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_create_blob, .entries_short = VGM_GPU_RESP_ERR_INVALID_PARAMETER,
	  .validate_entries = validate_blob_entries, .execute = exec_create_blob },
	{ VGM_GPU_CMD_SET_SCANOUT_BLOB, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_set_scanout_blob, .execute = exec_set_scanout_blob },
	{ 0 },
};
