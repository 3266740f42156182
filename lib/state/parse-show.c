/* SPDX-License-Identifier: MIT */
/*
 * Reading a saved state, third part: what each scanout shows (checked as
 * SET_SCANOUT and SET_SCANOUT_BLOB check it), each scanout's cursor, and
 * the last fence completed.
 */
#include "state-impl.h"

static bool fb_none(const struct scanout_fb *fb)
{
	return !fb->format && !fb->width && !fb->height && !fb->stride && !fb->offset;
}

static bool rect_in(const struct vgm_gpu_rect *r, uint32_t width, uint32_t height)
{
	return r->width && r->height && (uint64_t)r->x + r->width <= width &&
	       (uint64_t)r->y + r->height <= height;
}

/* A blob's image, as check_blob_image() in lib/cmd/blob.c checks it. */
static int plan_fb(struct plan *p, const struct plan_scanout *so, const struct plan_resource *res)
{
	const struct scanout_fb *fb = &so->fb;
	const struct format_info *fmt = format_from_virtio(fb->format);

	if (!fmt)
		return plan_refuse(p, "scanouts", "format", fb->format);
	if ((uint64_t)fb->stride < (uint64_t)fb->width * fmt->bpp || fb->stride > INT32_MAX)
		return plan_refuse(p, "scanouts", "stride", fb->stride);
	if (!rect_in(&so->rect, fb->width, fb->height))
		return plan_refuse(p, "scanouts", "rect", so->rect.width);
	if (fb->offset > UINT32_MAX ||
	    fb->offset + (uint64_t)fb->stride * (so->rect.y + (uint64_t)so->rect.height) >
		    res->d.blob_size)
		return plan_refuse(p, "scanouts", "offset", fb->offset);
	return 0;
}

static int plan_shown(struct plan *p, const struct plan_scanout *so)
{
	const struct plan_resource *res = plan_find(p, so->resource_id);

	if (!res)
		return plan_refuse(p, "scanouts", "resource_id", so->resource_id);
	/* A 2D image stays shown when its backing goes; a blob goes first. */
	if (res->d.kind == RESOURCE_BLOB && !res->region)
		return plan_refuse(p, "scanouts", "resource_id (no backing)", so->resource_id);
	if (res->d.kind == RESOURCE_BLOB)
		return plan_fb(p, so, res);
	if (!fb_none(&so->fb))
		return plan_refuse(p, "scanouts", "format (a 2D resource)", so->fb.format);
	if (!rect_in(&so->rect, res->d.width, res->d.height))
		return plan_refuse(p, "scanouts", "rect", so->rect.width);
	return 0;
}

static int plan_scanout(struct plan *p, struct reader *r, struct plan_scanout *so)
{
	uint32_t reserved;

	reader_u32(r, &so->resource_id);
	reader_u32(r, &so->rect.x);
	reader_u32(r, &so->rect.y);
	reader_u32(r, &so->rect.width);
	reader_u32(r, &so->rect.height);
	reader_u32(r, &so->fb.format);
	reader_u32(r, &so->fb.width);
	reader_u32(r, &so->fb.height);
	reader_u32(r, &so->fb.stride);
	reader_u32(r, &reserved);
	reader_u64(r, &so->fb.offset);
	if (reserved)
		return plan_refuse(p, "scanouts", "reserved", reserved);
	if (so->resource_id)
		return plan_shown(p, so);
	if (so->rect.x || so->rect.y || so->rect.width || so->rect.height || !fb_none(&so->fb))
		return plan_refuse(p, "scanouts", "rect (nothing shown)", so->rect.width);
	return 0;
}

int plan_scanouts(struct plan *p)
{
	struct reader r;
	int err = 0;

	if (p->section_len[SECTION_SCANOUTS] != (uint64_t)p->num_scanouts * SCANOUT_BYTES)
		return plan_refuse(p, "scanouts", "length", p->section_len[SECTION_SCANOUTS]);
	reader_init(&r, p->section[SECTION_SCANOUTS], p->section_len[SECTION_SCANOUTS]);
	for (uint32_t i = 0; !err && i < p->num_scanouts; i++)
		err = plan_scanout(p, &r, &p->scanout[i]);
	return err;
}

static int plan_cursor(struct plan *p, struct reader *r, struct plan_cursor *cur)
{
	uint32_t visible;

	if (reader_left(r) < CURSOR_BYTES)
		return plan_refuse(p, "cursors", "length", reader_left(r));
	reader_u32(r, &visible);
	reader_u32(r, &cur->resource_id);
	reader_u32(r, &cur->hot_x);
	reader_u32(r, &cur->hot_y);
	reader_u32(r, &cur->x);
	reader_u32(r, &cur->y);
	reader_u64(r, &cur->image_len);
	if (visible > 1)
		return plan_refuse(p, "cursors", "visible", visible);
	cur->visible = visible;
	cur->image = r->buf + r->pos;
	if (!reader_skip(r, cur->image_len) ||
	    !runs_decode(cur->image, cur->image_len, NULL, CURSOR_IMAGE_BYTES))
		return plan_refuse(p, "cursors", "image", cur->image_len);
	return 0;
}

int plan_cursors(struct plan *p)
{
	struct reader r;
	int err = 0;

	if (!p->section[SECTION_CURSORS])
		return 0; /* none shown: as created */
	p->has_cursors = true;
	reader_init(&r, p->section[SECTION_CURSORS], p->section_len[SECTION_CURSORS]);
	for (uint32_t i = 0; !err && i < p->num_scanouts; i++)
		err = plan_cursor(p, &r, &p->cursor[i]);
	if (!err && reader_left(&r))
		return plan_refuse(p, "cursors", "length (bytes left over)", reader_left(&r));
	return err;
}

int plan_fences(struct plan *p)
{
	const uint8_t *s = p->section[SECTION_FENCES];
	uint64_t len = p->section_len[SECTION_FENCES];

	if (!s)
		return 0;
	if (len < 4 || le32(s) > 1 || len != 4 + (uint64_t)le32(s) * FENCE_BYTES)
		return plan_refuse(p, "fences", "count", len < 4 ? len : le32(s));
	if (le32(s) == 0)
		return 0;
	/* Only the global timeline: a ring's belongs to a 3D context. */
	if (le32(s + 4) || le32(s + 8))
		return plan_refuse(p, "fences", "ctx_id", le32(s + 4));
	p->fenced = true;
	p->last_fence = le64(s + 12);
	return 0;
}

static int plan_view(struct plan *p, struct reader *r, uint32_t idx)
{
	struct plan_view *v = &p->view[idx];
	const struct plan_scanout *so = &p->scanout[idx];
	const struct plan_resource *res = plan_find(p, so->resource_id);

	if (!reader_u64(r, &v->len))
		return plan_refuse(p, "views", "length", reader_left(r));
	if (v->len == 0)
		return 0;
	if (!res || res->d.kind != RESOURCE_BLOB)
		return plan_refuse(p, "views", "pixels (no blob shown)", v->len);
	v->pixels = r->buf + r->pos;
	v->bytes = (uint64_t)so->rect.width * so->rect.height *
		   format_from_virtio(so->fb.format)->bpp;
	if (!reader_skip(r, v->len) || !runs_decode(v->pixels, v->len, NULL, v->bytes))
		return plan_refuse(p, "views", "pixels", v->len);
	p->budget += v->bytes;
	return 0;
}

int plan_views(struct plan *p)
{
	struct reader r;
	int err = 0;

	if (!p->section[SECTION_VIEWS])
		return 0; /* staging copies start from guest memory */
	reader_init(&r, p->section[SECTION_VIEWS], p->section_len[SECTION_VIEWS]);
	for (uint32_t i = 0; !err && i < p->num_scanouts; i++)
		err = plan_view(p, &r, i);
	if (!err && reader_left(&r))
		return plan_refuse(p, "views", "length (bytes left over)", reader_left(&r));
	if (!err && p->budget > core_limits(p->core)->host_memory)
		return plan_refuse(p, "views", "host memory (over max_host_memory)", p->budget);
	return err;
}
