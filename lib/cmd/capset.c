/* SPDX-License-Identifier: MIT */
/*
 * Capability sets: GET_CAPSET_INFO and GET_CAPSET, the renderer's. A
 * device without a 3D renderer has none (num_capsets 0).
 */
#include <stdlib.h>

#include "cmd-impl.h"

static uint32_t validate_info(struct dispatch *d, struct cmd *c)
{
	const struct render_3d_ops *o = render_3d(d->render);
	uint32_t index = c->u.capset_info.capset_index;
	uint32_t n = o ? o->capset_count(d->render) : 0;

	if (n == 0)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no capsets");
	if (index >= n)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "capset_index %u is not below num_capsets %u", index, n);
	return 0;
}

static uint32_t exec_info(struct dispatch *d, struct cmd *c)
{
	struct vgm_gpu_resp_capset_info *r = &c->resp->capset_info;
	struct render_capset cs;

	if (render_3d(d->render)->capset_info(d->render, c->u.capset_info.capset_index, &cs))
		abort(); /* the index was checked */
	r->capset_id = cs.id;
	r->capset_max_version = cs.max_version;
	r->capset_max_size = cs.max_size;
	return 0;
}

/* The capset named, into cs: 0, or the guest's error. */
static uint32_t find_capset(struct dispatch *d, struct cmd *c, struct render_capset *cs)
{
	const struct render_3d_ops *o = render_3d(d->render);
	uint32_t id = c->u.capset.capset_id, n = o ? o->capset_count(d->render) : 0;

	for (uint32_t i = 0; i < n; i++) {
		if (!o->capset_info(d->render, i, cs) && cs->id == id)
			return 0;
	}
	if (n == 0)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no capsets");
	return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "capset_id %u is not offered",
			   id);
}

static uint32_t validate_capset(struct dispatch *d, struct cmd *c)
{
	struct render_capset cs;
	uint32_t err = find_capset(d, c, &cs);

	if (err)
		return err;
	if (c->u.capset.capset_version > cs.max_version)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "capset_version %u is above the capset's %u",
				   c->u.capset.capset_version, cs.max_version);
	if (cs.max_size > CMD_TAIL_MAX)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "capset %u has %u bytes, above what a response carries here",
				   cs.id, cs.max_size);
	return 0;
}

static uint32_t exec_capset(struct dispatch *d, struct cmd *c)
{
	struct render_capset cs;

	find_capset(d, c, &cs);
	if (render_3d(d->render)->capset_fill(d->render, cs.id, c->u.capset.capset_version,
					      d->tail, cs.max_size))
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "capset %u: the renderer failed",
				   cs.id);
	c->tail_len = cs.max_size;
	return 0;
}

const struct cmd_desc cmds_capset[] = {
	{ VGM_GPU_CMD_GET_CAPSET_INFO, .validate = validate_info, .execute = exec_info },
	{ VGM_GPU_CMD_GET_CAPSET, .validate = validate_capset, .execute = exec_capset },
	{ 0 },
};
