/* SPDX-License-Identifier: MIT */
/*
 * 3D resources: RESOURCE_CREATE_3D (charged to the host-memory budget by
 * its footprint before it is made), TRANSFER_TO_HOST_3D and
 * TRANSFER_FROM_HOST_3D (box, level, strides and offset checked against
 * the resource and the backing's size before the renderer sees them:
 * virglrenderer's own checks have a CVE history, e.g. CVE-2019-18389).
 *
 * A transfer through a context (ctx_id not 0) must name a resource that
 * context has attached (CTX_ATTACH_RESOURCE): virglrenderer puts a
 * context that names another in error for good (every later SUBMIT_3D
 * of it refused), so such a transfer is refused here, before it is
 * asked. ctx_id 0 names no guest context: virglrenderer transfers
 * through its own, which sees every resource.
 */
#include <errno.h>

#include "cmd-impl.h"

static uint32_t validate_create_3d(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_3d *b = &c->u.create_3d;
	uint32_t err;

	if (!render_3d(d->render))
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no 3D renderer");
	err = cmd_check_new_resource(d, c, b->resource_id);
	if (err)
		return err;
	if (b->width == 0 || b->height == 0 || b->depth == 0)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "width x height x depth %ux%ux%u is empty", b->width, b->height,
				   b->depth);
	return cmd_check_resource_room(d, c, b->resource_id);
}

static uint32_t exec_create_3d(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_create_3d *b = &c->u.create_3d;
	const struct render_res_3d desc = { b->target, b->format, b->bind, b->width,
					    b->height, b->depth, b->array_size, b->last_level,
					    b->nr_samples, b->flags };
	struct resource *res;

	switch (render_3d(d->render)->create_3d(d->render, b->resource_id, &desc, &res)) {
	case CORE_OK:
		break;
	case CORE_OUTSIDE:
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u: target %u format %u bind 0x%x %ux%ux%u: the "
				   "renderer refuses it", b->resource_id, b->target, b->format,
				   b->bind, b->width, b->height, b->depth);
	default:
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: its footprint does not fit", b->resource_id);
	}
	if (resource_insert(d->core, res)) {
		resource_drop(d->core, res);
		return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
				   "resource_id %u: no memory for the table", b->resource_id);
	}
	return 0;
}

static struct render_transfer_3d transfer_of(const struct cmd *c)
{
	const struct vgm_gpu_transfer_host_3d *t = &c->u.transfer_3d;

	return (struct render_transfer_3d){
		.box = t->box,
		.offset = t->offset,
		.level = t->level,
		.stride = t->stride,
		.layer_stride = t->layer_stride,
		.to_host = c->hdr.type == VGM_GPU_CMD_TRANSFER_TO_HOST_3D,
	};
}

/* Why the renderer's transfer_check() refused a transfer. */
static const char *transfer_refusal(int ret)
{
	switch (ret) {
	case -EFAULT:
		return "reaches past the backing";
	case -ENOTSUP:
		return "a format without a known layout";
	case -EOVERFLOW:
		return "a stride or layer_stride above 2^31 - 1 that is used";
	case -ERANGE:
		return "elements of the format past the buffer's bytes";
	case -EXDEV:
		return "more than one layer read back into a backing in pieces";
	default:
		return "not inside the resource's level";
	}
}

static uint32_t validate_transfer_3d(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_transfer_host_3d *t = &c->u.transfer_3d;
	const struct render_transfer_3d rt = transfer_of(c);
	uint32_t err = c->hdr.ctx_id ? cmd_check_ctx(d, c, c->hdr.ctx_id) : 0;
	int ret;

	if (!err && !render_3d(d->render))
		err = guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no 3D renderer");
	if (!err)
		err = cmd_find_resource(d, c, t->resource_id);
	if (err)
		return err;
	if (c->hdr.ctx_id && !render_3d(d->render)->ctx_has(d->render, c->hdr.ctx_id, c->res))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				   "resource_id %u is not attached to ctx_id %u", t->resource_id,
				   c->hdr.ctx_id);
	if (!c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   t->resource_id);
	ret = render_3d(d->render)->transfer_check(d->render, c->res, &rt);
	if (ret)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "box %u,%u,%u %ux%ux%u level %u stride %u layer_stride %u offset "
				   "%llu: %s", t->box.x, t->box.y, t->box.z, t->box.w, t->box.h,
				   t->box.d, t->level, t->stride, t->layer_stride,
				   (unsigned long long)t->offset, transfer_refusal(ret));
	return 0;
}

static uint32_t exec_transfer_3d(struct dispatch *d, struct cmd *c)
{
	const struct render_transfer_3d rt = transfer_of(c);
	int ret = render_3d(d->render)->transfer(d->render, c->hdr.ctx_id, c->res, &rt);

	if (ret)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC,
				   "resource_id %u: the renderer refused it (%d)",
				   c->u.transfer_3d.resource_id, ret);
	return 0;
}

const struct cmd_desc cmds_res3d[] = {
	{ VGM_GPU_CMD_RESOURCE_CREATE_3D, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_create_3d, .execute = exec_create_3d },
	{ VGM_GPU_CMD_TRANSFER_TO_HOST_3D, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_transfer_3d, .execute = exec_transfer_3d },
	{ VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, .lookup = CMD_LOOKUP_OBJECT,
	  .validate = validate_transfer_3d, .execute = exec_transfer_3d },
	{ 0 },
};
