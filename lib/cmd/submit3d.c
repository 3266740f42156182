/* SPDX-License-Identifier: MIT */
/*
 * SUBMIT_3D: size bytes of commands for a context's renderer. They are
 * copied once, out of the guest's memory, into the dispatch's aligned
 * buffer (the renderer reads each field more than once, so it must never
 * see memory the guest can change); the buffer is bounded by
 * CMD_SUBMIT_MAX and charged to the host-memory budget (as image bytes)
 * for as long as the dispatch keeps it.
 */
#include <stdlib.h>

#include "cmd-impl.h"

static uint32_t validate_submit(struct dispatch *d, struct cmd *c)
{
	uint32_t size = c->u.submit.size;
	uint32_t err = cmd_check_ctx(d, c, c->hdr.ctx_id);

	if (err)
		return err;
	if (size % 4)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "size %u is not a multiple of 4", size);
	if (size > CMD_SUBMIT_MAX)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "size %u is above %u", size, CMD_SUBMIT_MAX);
	if (c->rest->left < size)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "size %u: the request has %zu bytes of commands", size,
				   c->rest->left);
	return 0;
}

/* The dispatch's buffer, grown to size (kept: submissions come often),
 * within the budget. */
static bool room(struct dispatch *d, uint32_t size)
{
	uint32_t *buf;

	if (size <= d->submit_cap)
		return true;
	if (budget_charge(d->core, BUDGET_IMAGE, size - d->submit_cap))
		return false;
	buf = malloc(size);
	if (!buf) {
		budget_release(d->core, BUDGET_IMAGE, size - d->submit_cap);
		return false;
	}
	free(d->submit_buf);
	d->submit_buf = buf;
	d->submit_cap = size;
	return true;
}

static uint32_t exec_submit(struct dispatch *d, struct cmd *c)
{
	uint32_t size = c->u.submit.size;
	int ret;

	if (!room(d, size))
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "no memory (or budget) for %u bytes of commands", size);
	if (!iov_reader_copy(c->rest, d->submit_buf, size))
		abort(); /* the length was checked */
	ret = render_3d(d->render)->submit(d->render, c->hdr.ctx_id, d->submit_buf, size);
	if (ret)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "ctx_id %u: the renderer refused the commands (%d)",
				   c->hdr.ctx_id, ret);
	return 0;
}

const struct cmd_desc cmds_submit[] = {
	{ VGM_GPU_CMD_SUBMIT_3D, .validate = validate_submit, .execute = exec_submit },
	{ 0 },
};
