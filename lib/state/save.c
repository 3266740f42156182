/* SPDX-License-Identifier: MIT */
/*
 * Saving: the header, then one section per kind of state, each written
 * by one function below, in the order docs/snapshot-format.md lists them.
 * Only state is written, never what is recomputed (host memory use,
 * strides, reference counts, views, dma-bufs).
 */
#include <errno.h>
#include <string.h>

#include "state-impl.h"

static void save_device(struct sink *s, const struct core *c)
{
	size_t at = section_begin(s, SECTION_DEVICE, true);

	sink_u32(s, core_dialect(c));
	sink_u32(s, core_num_scanouts(c));
	sink_u64(s, core_offered(c));
	sink_u64(s, core_accepted_bits(c));
	sink_u32(s, core_events(c));
	sink_u32(s, 0);
	section_end(s, at);
}

static void save_display(struct sink *s, const struct core *c)
{
	size_t at = section_begin(s, SECTION_DISPLAY, true);

	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		struct scanout_desc so;

		scanout_describe(c, i, &so);
		sink_u32(s, so.enabled);
		sink_u32(s, so.width);
		sink_u32(s, so.height);
		sink_u32(s, (uint32_t)so.edid_len);
		sink_bytes(s, so.edid, so.edid_len);
	}
	section_end(s, at);
}

static void save_regions(struct sink *s, const struct walk *w)
{
	size_t at = section_begin(s, SECTION_REGIONS, true);

	sink_u32(s, w->nregions);
	for (uint32_t i = 0; i < w->nregions; i++) {
		const struct region *rg = w->regions[i];
		uint32_t n;
		const struct guest_range *r = region_ranges(rg, &n);

		sink_u32(s, region_memory_id(rg));
		sink_u32(s, region_entries(rg));
		sink_u64(s, region_size(rg));
		sink_u32(s, region_granularity(rg));
		sink_u32(s, n);
		for (uint32_t k = 0; k < n; k++) {
			sink_u64(s, r[k].addr);
			sink_u64(s, r[k].len);
		}
	}
	section_end(s, at);
}

static void save_resource(struct sink *s, struct render *r, struct resource *res,
			  uint32_t region)
{
	struct resource_desc d;
	size_t len_at;
	uint64_t len = 0;

	resource_describe(res, &d);
	sink_u32(s, d.id);
	sink_u32(s, d.kind);
	sink_u32(s, d.format);
	sink_u32(s, d.width);
	sink_u32(s, d.height);
	sink_u32(s, d.blob_flags);
	sink_u64(s, d.blob_size);
	sink_u32(s, region);
	sink_u32(s, d.has_uuid);
	sink_u64(s, d.backing_offset);
	sink_bytes(s, d.uuid, sizeof(d.uuid));
	len_at = s->pos;
	sink_u64(s, 0);
	if (!resource_pixels_in_backing(res)) {
		uint32_t stride;
		const uint8_t *px = render_storage_2d(r, res, &stride);

		len = runs_encode(s, px, (uint64_t)stride * d.height);
	}
	sink_put64(s, len_at, len);
}

static void save_resources(struct sink *s, struct render *r, const struct walk *w)
{
	size_t at = section_begin(s, SECTION_RESOURCES, true);

	sink_u32(s, w->nresources);
	for (uint32_t i = 0; i < w->nresources; i++)
		save_resource(s, r, w->resources[i], w->backing[i]);
	section_end(s, at);
}

static void save_scanouts(struct sink *s, const struct core *c)
{
	size_t at = section_begin(s, SECTION_SCANOUTS, true);

	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		struct scanout_desc so;

		scanout_describe(c, i, &so);
		sink_u32(s, so.res ? resource_id(so.res) : 0);
		sink_u32(s, so.rect.x);
		sink_u32(s, so.rect.y);
		sink_u32(s, so.rect.width);
		sink_u32(s, so.rect.height);
		sink_u32(s, so.fb.format);
		sink_u32(s, so.fb.width);
		sink_u32(s, so.fb.height);
		sink_u32(s, so.fb.stride);
		sink_u32(s, 0);
		sink_u64(s, so.fb.offset);
	}
	section_end(s, at);
}

static void save_cursors(struct sink *s, const struct core *c)
{
	size_t at = section_begin(s, SECTION_CURSORS, false);

	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		struct cursor_desc cd;
		size_t len_at;
		uint64_t len;

		cursor_describe(c, i, &cd);
		sink_u32(s, cd.visible);
		sink_u32(s, cd.resource_id);
		sink_u32(s, cd.hot_x);
		sink_u32(s, cd.hot_y);
		sink_u32(s, cd.x);
		sink_u32(s, cd.y);
		len_at = s->pos;
		sink_u64(s, 0);
		len = runs_encode(s, (const uint8_t *)cd.image, CURSOR_IMAGE_BYTES);
		sink_put64(s, len_at, len);
	}
	section_end(s, at);
}

static void save_fences(struct sink *s, const struct core *c)
{
	size_t at = section_begin(s, SECTION_FENCES, false);
	uint64_t last = 0;
	bool fenced = core_last_fence(c, &last);

	sink_u32(s, fenced ? 1 : 0);
	if (fenced) {
		sink_u32(s, 0); /* ctx_id: the global timeline */
		sink_u32(s, 0); /* ring_idx */
		sink_u64(s, last);
	}
	section_end(s, at);
}

/* The staging copies of blob scanouts: what the host was shown at the
 * last flush, which guest memory may no longer hold. */
static void save_views(struct sink *s, const struct core *c, struct render *r)
{
	size_t at = section_begin(s, SECTION_VIEWS, false);

	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		uint64_t bytes, len = 0;
		const uint8_t *px = render_staging(r, i, &bytes);
		size_t len_at = s->pos;

		sink_u64(s, 0);
		if (px)
			len = runs_encode(s, px, bytes);
		sink_put64(s, len_at, len);
	}
	section_end(s, at);
}

static void save_all(struct sink *s, const struct core *c, struct render *r, const struct walk *w)
{
	s->pos = STATE_HEADER_SIZE;
	save_device(s, c);
	save_display(s, c);
	save_regions(s, w);
	save_resources(s, r, w);
	save_scanouts(s, c);
	save_cursors(s, c);
	save_fences(s, c);
	save_views(s, c, r);
	if (!s->buf || s->pos > s->cap)
		return;
	memcpy(s->buf, STATE_MAGIC, 8);
	put_le32(s->buf + 8, STATE_VERSION);
	put_le32(s->buf + 12, 0);
	put_le64(s->buf + 16, s->pos);
	put_le32(s->buf + 24, crc32_update(0, s->buf + STATE_HEADER_SIZE, s->pos - STATE_HEADER_SIZE));
	put_le32(s->buf + 28, 0);
}

int state_size(const struct core *c, struct render *r, size_t *size)
{
	struct sink s = { 0 };
	struct walk w;

	if (walk_init(&w, c))
		return -ENOMEM;
	save_all(&s, c, r, &w);
	walk_fini(&w);
	*size = s.pos;
	return 0;
}

int state_save(const struct core *c, struct render *r, void *buf, size_t len, size_t *written)
{
	struct sink s = { .buf = buf, .cap = len };
	struct walk w;

	if (walk_init(&w, c))
		return -ENOMEM;
	/* One walk: it writes what fits and counts the rest. */
	save_all(&s, c, r, &w);
	walk_fini(&w);
	if (s.pos > len)
		return -ENOSPC;
	*written = s.pos;
	return 0;
}
