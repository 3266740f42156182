/* SPDX-License-Identifier: MIT */
/*
 * Guest pages behind a resource: RESOURCE_ATTACH_BACKING makes an anonymous
 * region of the entries, RESOURCE_DETACH_BACKING lets it go.
 */
#include "cmd-impl.h"

uint32_t cmd_check_ranges(struct dispatch *d, struct cmd *c)
{
	for (uint32_t i = 0; i < c->nr_entries; i++) {
		const struct vgm_gpu_mem_entry *e = &c->entries[i];
		uint64_t end;

		/* A range that wraps around the address space is no guest RAM. */
		if (__builtin_add_overflow(e->addr, (uint64_t)e->length, &end))
			return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
					   "entry %u: addr 0x%llx + length %u wraps around", i,
					   (unsigned long long)e->addr, e->length);
	}
	return 0;
}

uint32_t cmd_region_error(struct dispatch *d, struct cmd *c, enum core_verdict err)
{
	switch (err) {
	case CORE_NOT_GUEST_RAM:
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "entries: a range is not guest RAM");
	case CORE_OVER_PIECES:
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "entries: more than max_table_pieces (%u) pieces",
				   core_limits(d->core)->table_pieces);
	default:
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "entries: no memory for the table");
	}
}

static uint32_t validate_attach(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_attach_backing *b = &c->u.attach_backing;
	uint32_t err = cmd_find_resource(d, c, b->resource_id);

	if (err)
		return err;
	if (c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "resource_id %u already has backing", b->resource_id);
	/* ERR_UNSPEC for a bad entry list, as QEMU answers it: the Linux
	 * driver does not tell the codes apart here. */
	if (b->nr_entries > core_limits(d->core)->backing_entries)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "nr_entries %u is above the limit of %u", b->nr_entries,
				   core_limits(d->core)->backing_entries);
	return 0;
}

/* Once the dispatch has read the entries (a short list: ERR_UNSPEC). */
static uint32_t validate_attach_entries(struct dispatch *d, struct cmd *c)
{
	if (resource_pixels_in_backing(c->res) && c->entries_size < c->rd.blob_size)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "entries add up to %llu, less than the blob's %llu",
				   (unsigned long long)c->entries_size,
				   (unsigned long long)c->rd.blob_size);
	return cmd_check_ranges(d, c);
}

static uint32_t exec_attach(struct dispatch *d, struct cmd *c)
{
	struct region *rg;
	enum core_verdict err;

	/* No pages: the resource stays unbacked, and that is fine. */
	if (c->entries_size == 0)
		return 0;
	err = region_create(d->core, c->entries, c->nr_entries, c->entries_size, &rg);
	if (err)
		return cmd_region_error(d, c, err);
	resource_attach(c->res, rg, 0);
	if (!render_attach_backing(d->render, c->res)) {
		resource_detach(d->core, c->res);
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory to give the backing to the renderer",
				   c->u.attach_backing.resource_id);
	}
	return 0;
}

static uint32_t validate_detach(struct dispatch *d, struct cmd *c)
{
	uint32_t id = c->u.detach_backing.resource_id;
	uint32_t err = cmd_find_resource(d, c, id);

	if (err)
		return err;
	if (!c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   id);
	return 0;
}

static uint32_t exec_detach(struct dispatch *d, struct cmd *c)
{
	/* A blob's scanouts point into the pages: the host lets go first. */
	if (resource_pixels_in_backing(c->res))
		resource_hide(d->core, c->res);
	resource_detach(d->core, c->res);
	return 0;
}

const struct cmd_desc cmds_backing[] = {
	{ VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_attach, .entries_short = VGM_GPU_RESP_ERR_UNSPEC,
	  .validate_entries = validate_attach_entries, .execute = exec_attach },
	{ VGM_GPU_CMD_RESOURCE_DETACH_BACKING, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_detach, .execute = exec_detach },
	{ 0 },
};
