/* SPDX-License-Identifier: MIT */
/*
 * Building a device from a plan that passed every check: the regions
 * (their guest ranges, no host mappings yet), the resources with their
 * pixels, UUIDs and attachments, the memory ids; then, once nothing can
 * fail any more, what each scanout shows, the cursors, the features, the
 * events, the last fence, the display configuration. Reference counts
 * come from the references made here. On an allocation failure every
 * object made is dropped: the device is as it was created.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state-impl.h"

static int build_regions(struct plan *p)
{
	for (uint32_t i = 0; i < p->nregions; i++) {
		struct plan_region *pr = &p->regions[i];

		if (region_restore(p->core, pr->ranges, pr->nranges, pr->size, pr->nentries,
				   pr->granularity, &pr->rg))
			return -ENOMEM;
	}
	return 0;
}

static enum core_verdict new_resource(struct plan *p, struct render *r,
				      const struct plan_resource *pr, struct resource **out)
{
	enum core_verdict err;
	uint8_t *px;
	uint32_t stride;

	if (pr->d.kind == RESOURCE_BLOB)
		return resource_new(p->core, &pr->d, NULL, 0, out);
	err = render_create_2d(r, pr->d.id, pr->fmt, pr->d.width, pr->d.height, out);
	if (err)
		return err;
	px = render_storage_2d(r, *out, &stride);
	runs_decode(pr->pixels, pr->pixels_len, px, (uint64_t)stride * pr->d.height);
	return CORE_OK;
}

static int build_resource(struct plan *p, struct render *r, const struct plan_resource *pr)
{
	struct resource *res;

	if (new_resource(p, r, pr, &res))
		return -ENOMEM;
	if ((pr->d.has_uuid && uuid_restore(p->core, res, pr->d.uuid)) ||
	    resource_insert(p->core, res)) {
		resource_drop(p->core, res); /* takes its UUID out of the table too */
		return -ENOMEM;
	}
	if (pr->region) {
		struct region *rg = p->regions[pr->region - 1].rg;

		region_ref(rg);
		resource_attach(res, rg, pr->d.backing_offset);
	}
	return 0;
}

/* The names take over the plan's references; the other regions' plan
 * references go (their resources hold theirs). */
static int build_names(struct plan *p)
{
	for (uint32_t i = 0; i < p->nregions; i++) {
		struct plan_region *pr = &p->regions[i];

		if (pr->named && memory_name(p->core, pr->memory_id, pr->rg))
			return -ENOMEM;
		if (!pr->named)
			region_unref(p->core, pr->rg);
		pr->rg = NULL;
	}
	return 0;
}

/* The copies the device will own: the VMM's EDIDs, the staging copies'
 * pixels. */
static int build_copies(struct plan *p)
{
	for (uint32_t i = 0; i < p->num_scanouts; i++) {
		struct plan_display *d = &p->display[i];
		struct plan_view *v = &p->view[i];

		if (d->edid_len) {
			d->edid_copy = malloc(d->edid_len);
			if (!d->edid_copy)
				return -ENOMEM;
			memcpy(d->edid_copy, d->edid, d->edid_len);
		}
		if (v->pixels) {
			v->copy = malloc(v->bytes);
			if (!v->copy)
				return -ENOMEM;
			runs_decode(v->pixels, v->len, v->copy, v->bytes);
		}
	}
	return 0;
}

/* What cannot fail: the display, what is shown, the cursors, features,
 * events and fence. Views and callbacks wait for state_resume(). */
static void build_rest(struct plan *p, struct render *r)
{
	for (uint32_t i = 0; i < p->num_scanouts; i++) {
		struct plan_display *d = &p->display[i];
		const struct plan_scanout *so = &p->scanout[i];
		const struct plan_cursor *cur = &p->cursor[i];

		scanout_set_display(p->core, i, d->enabled, d->width, d->height);
		scanout_adopt_edid(p->core, i, d->edid_copy, d->edid_len);
		d->edid_copy = NULL;
		if (so->resource_id)
			scanout_show(p->core, i, resource_find(p->core, so->resource_id), &so->rect,
				     resource_pixels_in_backing(resource_find(p->core, so->resource_id))
					     ? &so->fb
					     : NULL);
		if (p->view[i].copy) /* after scanout_show(), which drops the view */
			render_pend_staging(r, i, p->view[i].copy, p->view[i].bytes);
		p->view[i].copy = NULL;
		if (!p->has_cursors)
			continue;
		runs_decode(cur->image, cur->image_len, (uint8_t *)cursor_image(p->core, i),
			    CURSOR_IMAGE_BYTES);
		cursor_show(p->core, i, cur->resource_id, cur->hot_x, cur->hot_y, cur->x, cur->y);
		if (!cur->visible)
			cursor_hide(p->core, i);
	}
	core_accept(p->core, p->accepted);
	core_set_events(p->core, p->events);
	if (p->fenced)
		core_set_last_fence(p->core, p->last_fence);
}

int plan_build(struct plan *p, struct render *r)
{
	int err = build_copies(p);

	if (!err)
		err = build_regions(p);
	for (uint32_t i = 0; !err && i < p->nresources; i++)
		err = build_resource(p, r, &p->resources[i]);
	if (!err)
		err = build_names(p);
	if (err) {
		core_drop_objects(p->core);
		for (uint32_t i = 0; i < p->nregions; i++) {
			if (p->regions[i].rg)
				region_unref(p->core, p->regions[i].rg);
		}
		return err;
	}
	build_rest(p, r);
	return 0;
}

int state_load(struct core *c, struct render *r, struct logger *log, const void *buf,
	       size_t len)
{
	struct plan p;
	int err;

	memset(&p, 0, sizeof(p));
	p.core = c;
	p.log = log;
	err = plan_frame(&p, buf, len);
	if (!err)
		err = plan_device(&p);
	if (!err)
		err = plan_display(&p);
	if (!err)
		err = plan_regions(&p);
	if (!err)
		err = plan_resources(&p);
	if (!err)
		err = plan_scanouts(&p);
	if (!err)
		err = plan_cursors(&p);
	if (!err)
		err = plan_fences(&p);
	if (!err)
		err = plan_views(&p);
	if (!err)
		err = plan_build(&p, r);
	plan_free(&p);
	return err;
}
