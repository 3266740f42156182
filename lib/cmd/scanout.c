/* SPDX-License-Identifier: MIT */
/*
 * Showing resources: SET_SCANOUT puts a rectangle of a resource on a
 * display, RESOURCE_FLUSH tells the host which part of it changed.
 */
#include "cmd-impl.h"

uint32_t cmd_scanout_target(struct dispatch *d, struct cmd *c, uint32_t scanout_id,
			    uint32_t resource_id)
{
	/* First, before anything indexes by it. */
	if (scanout_id >= core_num_scanouts(d->core))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID,
				   "scanout_id %u is not below num_scanouts %u", scanout_id,
				   core_num_scanouts(d->core));
	c->res = NULL;
	return resource_id ? cmd_find_resource(d, c, resource_id) : 0;
}

static uint32_t validate_set_scanout(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_set_scanout *s = &c->u.set_scanout;
	uint32_t err = cmd_scanout_target(d, c, s->scanout_id, s->resource_id);

	if (err || !c->res)
		return err;
	if (resource_pixels_in_backing(c->res))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u is a blob: it needs SET_SCANOUT_BLOB",
				   s->resource_id);
	if (!format_from_virtio(c->rd.format))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "resource_id %u is a 3D resource: not shown in this version",
				   s->resource_id);
	if (!c->rd.backed)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "resource_id %u has no backing",
				   s->resource_id);
	if (s->r.width == 0 || s->r.height == 0 || !rect_inside(&s->r, c->rd.width, c->rd.height))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "rect %u,%u %ux%u is empty or not inside the resource's %ux%u",
				   s->r.x, s->r.y, s->r.width, s->r.height, c->rd.width,
				   c->rd.height);
	return 0;
}

static uint32_t exec_set_scanout(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_set_scanout *s = &c->u.set_scanout;

	if (s->resource_id == 0) {
		scanout_hide(d->core, s->scanout_id);
		return 0;
	}
	render_show(d->render, s->scanout_id, c->res, &s->r, NULL);
	return 0;
}

/* A flush reads neither the resource nor its pointer: the core finds its
 * size in the id table's slot, and which scanouts show it in the scanouts
 * (exec_flush). */
static uint32_t validate_flush(struct dispatch *d, struct cmd *c)
{
	const struct vgm_gpu_resource_flush *f = &c->u.flush;
	uint32_t width, height;

	if (!resource_size_of(d->core, f->resource_id, &width, &height))
		return cmd_no_resource(d, c, f->resource_id);
	/* A blob has no size of its own (0 x 0): each scanout clips to what
	 * it shows. */
	if (width && !rect_inside(&f->r, width, height))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "rect %u,%u %ux%u is not inside the resource's %ux%u", f->r.x,
				   f->r.y, f->r.width, f->r.height, width, height);
	return 0;
}

/* The part of r that the scanout shows, in the scanout's coordinates. */
static bool intersect(const struct vgm_gpu_rect *r, const struct vgm_gpu_rect *so,
		      struct vgm_rect *out)
{
	uint64_t x0 = r->x > so->x ? r->x : so->x;
	uint64_t y0 = r->y > so->y ? r->y : so->y;
	uint64_t x1 = (uint64_t)r->x + r->width, y1 = (uint64_t)r->y + r->height;
	uint64_t sx1 = (uint64_t)so->x + so->width, sy1 = (uint64_t)so->y + so->height;

	if (x1 > sx1)
		x1 = sx1;
	if (y1 > sy1)
		y1 = sy1;
	if (x0 >= x1 || y0 >= y1)
		return false;
	*out = (struct vgm_rect){ (uint32_t)(x0 - so->x), (uint32_t)(y0 - so->y),
				  (uint32_t)(x1 - x0), (uint32_t)(y1 - y0) };
	return true;
}

static uint32_t exec_flush(struct dispatch *d, struct cmd *c)
{
	uint32_t shown = scanout_showing(d->core, c->u.flush.resource_id);

	for (uint32_t i = 0; shown >> i; i++) {
		struct scanout_desc so;
		struct vgm_rect part;

		if (!(shown & (1u << i)))
			continue;
		scanout_describe(d->core, i, &so);
		if (!intersect(&c->u.flush.r, &so.rect, &part))
			continue;
		render_flush(d->render, i, &part);
		host_scanout_update(d->host, i, &part);
	}
	return 0;
}

const struct cmd_desc cmds_scanout[] = {
	{ VGM_GPU_CMD_SET_SCANOUT, .lookup = CMD_LOOKUP_OBJECT, .validate = validate_set_scanout,
	  .execute = exec_set_scanout },
	{ VGM_GPU_CMD_RESOURCE_FLUSH, .lookup = CMD_LOOKUP_SIZE, .validate = validate_flush,
	  .execute = exec_flush },
	{ 0 },
};
