/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D: guest pages to the renderer's storage
 * (render/transfer.c copies the rows).
 */
#include "cmd-impl.h"

static uint32_t validate_transfer(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_transfer_to_host_2d *t = &c->u.transfer;
	uint32_t err = cmd_find_resource(d, c, t->resource_id);

	if (err)
		return err;
	/* A blob's pixels are guest memory already: nothing to copy. */
	if (resource_pixels_in_backing(c->res))
		return 0;
	if (!c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   t->resource_id);
	if (!region_mapped(resource_backing(c->res)))
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "resource_id %u: its backing is lost (guest memory moved)",
				   t->resource_id);
	if (!rect_inside(&t->r, c->rd.width, c->rd.height))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "rect %u,%u %ux%u is not inside the resource's %ux%u", t->r.x,
				   t->r.y, t->r.width, t->r.height, c->rd.width, c->rd.height);
	return 0;
}

static uint32_t exec_transfer(struct dispatch *d, struct cmd *c)
{
	render_transfer(d->render, c->res, &c->u.transfer.r, c->u.transfer.offset);
	return 0;
}

const struct cmd_desc cmds_transfer[] = {
	{ VGM_GPU_CMD_TRANSFER_TO_HOST_2D, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_transfer, .execute = exec_transfer },
	{ 0 },
};
