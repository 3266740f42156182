/* SPDX-License-Identifier: MIT */
/*
 * The memory-rfc dialect: MEMORY_CREATE makes a region the guest names,
 * MEMORY_UNREF frees the name, RESOURCE_ATTACH_MEMORY places a resource in
 * a region at an offset. A region lives while its name or a resource
 * holds it, so several resources can share one pool.
 */
#include "cmd-impl.h"

/* Once the dispatch has read the entries (a short list: ERR_INVALID_PARAMETER). */
static uint32_t validate_create_entries(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_memory_create *b = &c->u.memory_create;

	for (uint32_t i = 0; i < c->nr_entries; i++) {
		if (c->entries[i].length == 0)
			return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
					   "entry %u has length 0", i);
	}
	if (c->entries_size != b->size)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "size %llu: the entries add up to %llu",
				   (unsigned long long)b->size,
				   (unsigned long long)c->entries_size);
	return cmd_check_ranges(d, c);
}

static uint32_t validate_memory_create(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_memory_create *b = &c->u.memory_create;
	const struct core_limits *limits = core_limits(d->core);

	switch (memory_id_free(d->core, b->memory_id)) {
	case CORE_ID_RESERVED:
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID,
				   "memory_id 0x%x is reserved", b->memory_id);
	case CORE_ID_IN_USE:
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID,
				   "memory_id %u is in use", b->memory_id);
	default:
		break;
	}
	if (b->flags != 0)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "flags 0x%x has unknown bits", b->flags);
	if (b->nr_entries == 0 || b->nr_entries > limits->backing_entries)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "nr_entries %u is not in 1..%u", b->nr_entries,
				   limits->backing_entries);
	if (memory_room(d->core) == CORE_NO_ROOM)
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "memory_id %u: the limit of %u regions is reached",
				   b->memory_id, limits->regions);
	return 0;
}

static uint32_t exec_memory_create(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_memory_create *b = &c->u.memory_create;
	struct region *rg;
	enum core_verdict err = region_create(d->core, c->entries, c->nr_entries, b->size, &rg);

	if (err)
		return cmd_region_error(d, c, err);
	if (memory_name(d->core, b->memory_id, rg)) {
		region_unref(d->core, rg);
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "memory_id %u: no memory for the table", b->memory_id);
	}
	return 0;
}

static uint32_t find_region(struct dispatch *d, struct cmd *c, uint32_t id)
{
	c->region = memory_find(d->core, id);
	if (!c->region)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID,
				   "memory_id %u does not exist", id);
	return 0;
}

static uint32_t validate_memory_unref(struct dispatch *d, struct cmd *c)
{
	return find_region(d, c, c->u.memory_unref.memory_id);
}

/* The name goes at once; the storage stays while resources use it. */
static uint32_t exec_memory_unref(struct dispatch *d, struct cmd *c)
{
	memory_unref(d->core, c->u.memory_unref.memory_id);
	return 0;
}

static uint32_t check_placement(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_attach_memory *b = &c->u.attach_memory;
	uint64_t need = (uint64_t)c->rd.stride * c->rd.height;

	for (uint32_t i = 1; i < 4; i++) {
		if (b->offset[i] != 0)
			return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
					   "offset[%u] is not 0 for a single-plane format", i);
	}
	if (resource_placement(c->region, b->offset[0], need) == CORE_OUTSIDE)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "offset[0] %llu + %llu bytes is beyond the region's %llu",
				   (unsigned long long)b->offset[0], (unsigned long long)need,
				   (unsigned long long)region_size(c->region));
	return 0;
}

static uint32_t validate_attach_memory(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_attach_memory *b = &c->u.attach_memory;
	uint32_t err = cmd_find_resource(d, c, b->resource_id);

	if (!err)
		err = find_region(d, c, b->memory_id);
	if (err)
		return err;
	if (c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "resource_id %u already has backing", b->resource_id);
	return check_placement(d, c);
}

static uint32_t exec_attach_memory(struct dispatch *d, struct cmd *c)
{
	(void)d;
	region_ref(c->region);
	resource_attach(c->res, c->region, c->u.attach_memory.offset[0]);
	return 0;
}

const struct cmd_desc cmds_region[] = {
	{ VGM_GPU_CMD_MEMORY_CREATE, .validate = validate_memory_create,
	  .entries_short = VGM_GPU_RESP_ERR_INVALID_PARAMETER,
	  .validate_entries = validate_create_entries, .execute = exec_memory_create },
	{ VGM_GPU_CMD_MEMORY_UNREF, .validate = validate_memory_unref,
	  .execute = exec_memory_unref },
	{ VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_attach_memory, .execute = exec_attach_memory },
	{ 0 },
};
