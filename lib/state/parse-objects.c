/* SPDX-License-Identifier: MIT */
/*
 * Reading a saved state, second part: the regions and the resources,
 * each field checked as the request that made it was (ids, limits,
 * entries, formats, sizes, placements), references counted from the
 * references, and the host memory they need added up, all before the
 * device is touched.
 */
#include <errno.h>
#include <stdlib.h>

#include "state-impl.h"

static int plan_ranges(struct plan *p, struct reader *r, struct plan_region *pr)
{
	uint64_t sum = 0, entries = 0;

	for (uint32_t k = 0; k < pr->nranges; k++) {
		struct guest_range *g = &pr->ranges[k];
		uint64_t end;

		reader_u64(r, &g->addr); /* the count was checked against the bytes */
		reader_u64(r, &g->len);
		if (g->len == 0 || __builtin_add_overflow(g->addr, g->len, &end))
			return plan_refuse(p, "regions", "range length", g->len);
		if (k && pr->ranges[k - 1].addr + pr->ranges[k - 1].len == g->addr)
			return plan_refuse(p, "regions", "range address (continues the last)",
					   g->addr);
		sum += g->len; /* each below 2^64 - addr: no overflow before the check */
		entries += region_range_entries(g);
		if (sum > pr->size)
			break;
	}
	if (sum != pr->size)
		return plan_refuse(p, "regions", "size (not the ranges' sum)", pr->size);
	if (entries > pr->nentries)
		return plan_refuse(p, "regions", "entries (fewer than the ranges)", pr->nentries);
	return 0;
}

static int plan_region(struct plan *p, struct reader *r, struct plan_region *pr,
		       uint32_t last_named)
{
	const struct core_limits *lim = core_limits(p->core);

	if (reader_left(r) < REGION_BYTES)
		return plan_refuse(p, "regions", "length", reader_left(r));
	reader_u32(r, &pr->memory_id);
	reader_u32(r, &pr->nentries);
	reader_u64(r, &pr->size);
	reader_u32(r, &pr->granularity);
	reader_u32(r, &pr->nranges);
	if (pr->memory_id && (core_dialect(p->core) != VGM_DIALECT_MEMORY_RFC ||
			      pr->memory_id == UINT32_MAX || pr->memory_id <= last_named))
		return plan_refuse(p, "regions", "memory_id", pr->memory_id);
	if (pr->nentries == 0 || pr->nentries > lim->backing_entries)
		return plan_refuse(p, "regions", "entries", pr->nentries);
	if (pr->granularity > 63)
		return plan_refuse(p, "regions", "granularity", pr->granularity);
	if (pr->nranges == 0 || pr->nranges > pr->nentries ||
	    pr->nranges > reader_left(r) / RANGE_BYTES)
		return plan_refuse(p, "regions", "ranges", pr->nranges);
	pr->ranges = calloc(pr->nranges, sizeof(*pr->ranges));
	if (!pr->ranges)
		return -ENOMEM;
	p->budget += (uint64_t)pr->nranges * RANGE_BYTES; /* a table's least: 16 bytes a piece */
	return plan_ranges(p, r, pr);
}

int plan_regions(struct plan *p)
{
	const struct core_limits *lim = core_limits(p->core);
	uint32_t n, named = 0, last_named = 0;
	struct reader r;
	int err = 0;

	reader_init(&r, p->section[SECTION_REGIONS], p->section_len[SECTION_REGIONS]);
	if (!reader_u32(&r, &n) || n > reader_left(&r) / REGION_BYTES ||
	    n > (uint64_t)lim->regions + lim->resources)
		return plan_refuse(p, "regions", "count", n);
	p->regions = calloc(n + 1, sizeof(*p->regions));
	if (!p->regions)
		return -ENOMEM;
	p->nregions = n;
	for (uint32_t i = 0; !err && i < n; i++) {
		struct plan_region *pr = &p->regions[i];

		err = plan_region(p, &r, pr, last_named);
		if (!err && pr->memory_id && (i != named || ++named > lim->regions))
			err = plan_refuse(p, "regions", "memory_id (after an unnamed one, or over max_regions)",
					  pr->memory_id);
		last_named = pr->memory_id ? pr->memory_id : last_named;
		pr->named = pr->memory_id != 0;
	}
	if (!err && reader_left(&r))
		return plan_refuse(p, "regions", "length (bytes left over)", reader_left(&r));
	return err;
}

/* What a 2D resource's kind allows: a known format, a size, an image
 * pixman can address; its pixels are runs of exactly its bytes. */
static int plan_2d(struct plan *p, struct plan_resource *pr)
{
	const struct resource_desc *d = &pr->d;
	uint64_t stride, bytes;

	pr->fmt = format_from_virtio(d->format);
	if (!pr->fmt)
		return plan_refuse(p, "resources", "format", d->format);
	if (d->width == 0 || d->height == 0)
		return plan_refuse(p, "resources", "width x height", (uint64_t)d->width << 32 | d->height);
	if (d->blob_size || d->blob_flags)
		return plan_refuse(p, "resources", "blob_size (a 2D resource)", d->blob_size);
	stride = (uint64_t)d->width * pr->fmt->bpp;
	bytes = stride * d->height;
	if (bytes > (1ull << 32) || stride > INT32_MAX)
		return plan_refuse(p, "resources", "width x height (bytes)", bytes);
	p->budget += bytes;
	if (!runs_decode(pr->pixels, pr->pixels_len, NULL, bytes))
		return plan_refuse(p, "resources", "pixels", pr->pixels_len);
	return 0;
}

static int plan_blob(struct plan *p, struct plan_resource *pr)
{
	const struct resource_desc *d = &pr->d;

	if (core_dialect(p->core) != VGM_DIALECT_STANDARD ||
	    !(p->accepted & 1ull << VGM_GPU_F_RESOURCE_BLOB))
		return plan_refuse(p, "resources", "kind (blob without RESOURCE_BLOB)", d->kind);
	if (d->format || d->width || d->height)
		return plan_refuse(p, "resources", "format (a blob)", d->format);
	if (d->blob_size == 0)
		return plan_refuse(p, "resources", "blob_size", 0);
	if (d->blob_flags & ~RESOURCE_BLOB_FLAGS_KNOWN)
		return plan_refuse(p, "resources", "blob_flags", d->blob_flags);
	if (pr->pixels_len)
		return plan_refuse(p, "resources", "pixels (a blob)", pr->pixels_len);
	return 0;
}

/* Where the resource sits in its region, as ATTACH_BACKING (offset 0,
 * a 2D image's backing may end early), RESOURCE_ATTACH_MEMORY (the image
 * inside the region; the region keeps its attachments when its name goes)
 * and a blob (its size covered) place it. */
static int plan_backing(struct plan *p, struct plan_resource *pr)
{
	const struct resource_desc *d = &pr->d;
	struct plan_region *rg;
	uint64_t need, end;

	if (pr->region == 0)
		return d->backing_offset ? plan_refuse(p, "resources", "backing_offset",
						       d->backing_offset) : 0;
	if (pr->region > p->nregions)
		return plan_refuse(p, "resources", "region", pr->region);
	rg = &p->regions[pr->region - 1];
	need = d->kind == RESOURCE_BLOB ? d->blob_size : 0;
	if (d->kind == RESOURCE_2D && (rg->named || d->backing_offset))
		need = (uint64_t)d->width * pr->fmt->bpp * d->height;
	if (__builtin_add_overflow(d->backing_offset, need, &end) || end > rg->size)
		return plan_refuse(p, "resources", "backing_offset (outside its region)",
				   d->backing_offset);
	rg->users++;
	return 0;
}

static int plan_uuid(struct plan *p, const struct plan_resource *pr, uint32_t has_uuid)
{
	if (has_uuid > 1)
		return plan_refuse(p, "resources", "has_uuid", has_uuid);
	if (has_uuid && !(p->accepted & 1ull << VGM_GPU_F_RESOURCE_UUID &&
			  core_dialect(p->core) == VGM_DIALECT_STANDARD))
		return plan_refuse(p, "resources", "has_uuid (without RESOURCE_UUID)", has_uuid);
	if (has_uuid && le32(pr->d.uuid) == 0)
		return plan_refuse(p, "resources", "uuid (its first 4 bytes 0)", 0);
	/* As RESOURCE_ASSIGN_UUID makes them: random, RFC 4122 version 4
	 * (found by fuzz/load: the host was announced one it never could be). */
	if (has_uuid && ((pr->d.uuid[6] >> 4) != 4 || (pr->d.uuid[8] & 0xc0) != 0x80))
		return plan_refuse(p, "resources", "uuid (not a version 4 UUID)", pr->d.uuid[6]);
	return 0;
}

static int plan_resource(struct plan *p, struct reader *r, struct plan_resource *pr,
			 uint32_t last_id)
{
	struct resource_desc *d = &pr->d;
	uint32_t kind, has_uuid;
	int err;

	if (reader_left(r) < RESOURCE_BYTES)
		return plan_refuse(p, "resources", "length", reader_left(r));
	reader_u32(r, &d->id);
	reader_u32(r, &kind);
	reader_u32(r, &d->format);
	reader_u32(r, &d->width);
	reader_u32(r, &d->height);
	reader_u32(r, &d->blob_flags);
	reader_u64(r, &d->blob_size);
	reader_u32(r, &pr->region);
	reader_u32(r, &has_uuid);
	reader_u64(r, &d->backing_offset);
	reader_bytes(r, d->uuid, sizeof(d->uuid));
	reader_u64(r, &pr->pixels_len);
	if (d->id <= last_id)
		return plan_refuse(p, "resources", "id (0, or not above the last)", d->id);
	if (kind != RESOURCE_2D && kind != RESOURCE_BLOB)
		return plan_refuse(p, "resources", "kind", kind);
	d->kind = kind;
	d->has_uuid = has_uuid == 1;
	pr->pixels = r->buf + r->pos;
	if (!reader_skip(r, pr->pixels_len))
		return plan_refuse(p, "resources", "pixels length", pr->pixels_len);
	err = kind == RESOURCE_2D ? plan_2d(p, pr) : plan_blob(p, pr);
	if (!err)
		err = plan_uuid(p, pr, has_uuid);
	return err ? err : plan_backing(p, pr);
}

static int by_uuid_key(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The UUID table keys a UUID by its first 4 bytes: they must differ. */
static int plan_uuids_unique(struct plan *p)
{
	uint32_t *keys = calloc(p->nresources + 1, sizeof(*keys)), n = 0;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nresources; i++) {
		if (p->resources[i].d.has_uuid)
			keys[n++] = le32(p->resources[i].d.uuid);
	}
	qsort(keys, n, sizeof(*keys), by_uuid_key);
	for (uint32_t i = 1; !err && i < n; i++) {
		if (keys[i] == keys[i - 1])
			err = plan_refuse(p, "resources", "uuid (not unique)", keys[i]);
	}
	free(keys);
	return err;
}

/* Every region is someone's: a name's or a resource's. */
static int plan_regions_used(struct plan *p)
{
	for (uint32_t i = 0; i < p->nregions; i++) {
		if (!p->regions[i].named && !p->regions[i].users)
			return plan_refuse(p, "regions", "memory_id (0, and no resource uses it)", i + 1);
	}
	return 0;
}

int plan_resources(struct plan *p)
{
	uint32_t n, last_id = 0;
	struct reader r;
	int err = 0;

	reader_init(&r, p->section[SECTION_RESOURCES], p->section_len[SECTION_RESOURCES]);
	if (!reader_u32(&r, &n) || n > reader_left(&r) / RESOURCE_BYTES ||
	    n > core_limits(p->core)->resources)
		return plan_refuse(p, "resources", "count", n);
	p->resources = calloc(n + 1, sizeof(*p->resources));
	if (!p->resources)
		return -ENOMEM;
	p->nresources = n;
	for (uint32_t i = 0; !err && i < n; i++) {
		err = plan_resource(p, &r, &p->resources[i], last_id);
		last_id = p->resources[i].d.id;
	}
	if (!err && reader_left(&r))
		return plan_refuse(p, "resources", "length (bytes left over)", reader_left(&r));
	if (!err && p->budget > core_limits(p->core)->host_memory)
		return plan_refuse(p, "resources", "host memory (over max_host_memory)", p->budget);
	if (!err)
		err = plan_regions_used(p);
	return err ? err : plan_uuids_unique(p);
}
