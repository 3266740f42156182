/* SPDX-License-Identifier: MIT */
/*
 * What the files of the state layer share: the format's constants, the
 * byte sink the writer fills, and the plan a load checks before it
 * builds. Only lib/state/ and its own tests include this header.
 */
#ifndef VGM_STATE_IMPL_H
#define VGM_STATE_IMPL_H

#include <stdbool.h>

#include "state.h"

/* ---- the format (docs/snapshot-format.md) ------------------------------------ */

#define STATE_MAGIC "VGMSTATE"
#define STATE_HEADER_SIZE 32u
#define SECTION_HEADER_SIZE 16u
#define SECTION_CRITICAL 1u /* a loader that does not know the tag refuses */

enum section_tag {
	SECTION_DEVICE = 1,
	SECTION_DISPLAY = 2,
	SECTION_REGIONS = 3,
	SECTION_RESOURCES = 4,
	SECTION_SCANOUTS = 5,
	SECTION_CURSORS = 6,
	SECTION_FENCES = 7,
	SECTION_VIEWS = 8,
	SECTION_COUNT, /* one past the last this version knows */
};

#define DEVICE_BYTES 32u
#define DISPLAY_BYTES 16u    /* per scanout, then its EDID */
#define REGION_BYTES 24u     /* then 16 per range */
#define RANGE_BYTES 16u
#define RESOURCE_BYTES 72u   /* then the encoded pixels */
#define SCANOUT_BYTES 48u
#define CURSOR_BYTES 32u     /* then the encoded image */
#define FENCE_BYTES 16u
#define CURSOR_IMAGE_BYTES (VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * 4u)

/* ---- sink.c: where the writer puts bytes ------------------------------------- */

/* Writes little-endian values at pos; with buf NULL it only counts. What
 * would pass cap (the bytes at buf) is counted, not written: a save walks
 * the state once, and finds out at the end whether it fitted. */
struct sink {
	uint8_t *buf;
	size_t pos;
	size_t cap;
};

void sink_u32(struct sink *s, uint32_t v);
void sink_u64(struct sink *s, uint64_t v);
void sink_bytes(struct sink *s, const void *p, size_t n);
/* Writes v at at (a length known only after what follows), if it fits. */
void sink_put64(struct sink *s, size_t at, uint64_t v);
/* A section's header, its length filled in by section_end(). */
size_t section_begin(struct sink *s, enum section_tag tag, bool critical);
void section_end(struct sink *s, size_t at);

/* ---- runs.c: pixels with the zeros left out ------------------------------------ */

/* Encodes n bytes as runs (u32 zeros, u32 literal, the literal bytes):
 * an all-zero image costs 8 bytes a 2 GiB. Returns the encoded size. */
uint64_t runs_encode(struct sink *s, const uint8_t *src, uint64_t n);
/* True when enc (len bytes) is runs of exactly n bytes; dst (n bytes, or
 * NULL to check only) receives them. */
bool runs_decode(const uint8_t *enc, uint64_t len, uint8_t *dst, uint64_t n);

/* ---- walk.c: what a save walks, in an order of the state alone ------------------ */

struct walk_ref {
	const struct region *rg;
	uint32_t idx; /* 1-based, in regions */
};

struct walk {
	struct resource **resources; /* by id */
	uint32_t *backing;	     /* per resource: its region's index, 0 for none */
	uint32_t nresources;
	struct region **regions;     /* named by memory id, then the others */
	uint32_t nregions;
	struct walk_ref *refs;
	uint32_t nrefs;
};

/* 0 or -ENOMEM (nothing to free). */
int walk_init(struct walk *w, const struct core *c);
void walk_fini(struct walk *w);

/* ---- the plan of a load --------------------------------------------------------- */

struct plan_region {
	uint32_t memory_id;
	uint32_t nentries;
	uint64_t size;
	uint32_t granularity;
	uint32_t nranges;
	struct guest_range *ranges;
	uint32_t users; /* resources attached: the references, recomputed */
	struct region *rg;
	bool named;
};

struct plan_resource {
	struct resource_desc d;
	uint32_t region; /* 1-based index into the regions, 0 for none */
	const struct format_info *fmt;
	const uint8_t *pixels;
	uint64_t pixels_len;
};

struct plan_display {
	bool enabled;
	uint32_t width, height;
	const uint8_t *edid;
	uint32_t edid_len;
	uint8_t *edid_copy;
};

struct plan_scanout {
	uint32_t resource_id;
	struct vgm_gpu_rect rect;
	struct scanout_fb fb;
};

struct plan_cursor {
	bool visible;
	uint32_t resource_id, hot_x, hot_y, x, y;
	const uint8_t *image;
	uint64_t image_len;
};

/* What a blob scanout's staging copy held: the host's view at the last flush. */
struct plan_view {
	const uint8_t *pixels; /* encoded as runs; NULL for none */
	uint64_t len;
	uint64_t bytes;	       /* decoded */
	uint8_t *copy;
};

struct plan {
	struct core *core;
	struct logger *log;
	const uint8_t *section[SECTION_COUNT];
	uint64_t section_len[SECTION_COUNT];
	uint64_t accepted;
	uint32_t events;
	bool fenced;
	uint64_t last_fence;
	uint32_t num_scanouts;
	struct plan_display display[VGM_MAX_SCANOUTS];
	struct plan_scanout scanout[VGM_MAX_SCANOUTS];
	struct plan_cursor cursor[VGM_MAX_SCANOUTS];
	bool has_cursors;
	struct plan_view view[VGM_MAX_SCANOUTS];
	uint32_t nregions;
	struct plan_region *regions;
	uint32_t nresources;
	struct plan_resource *resources;
	uint64_t budget; /* host memory the state needs at least */
};

/* Logs what is wrong with a saved state (section, field, value) and
 * returns -EINVAL. */
int plan_refuse(struct plan *p, const char *section, const char *field, uint64_t value);

/* parse.c: the header and the sections' places; the device and display. */
int plan_frame(struct plan *p, const uint8_t *buf, size_t len);
int plan_device(struct plan *p);
int plan_display(struct plan *p);
/* parse-objects.c: regions and resources; budget. */
int plan_regions(struct plan *p);
int plan_resources(struct plan *p);
/* parse-show.c: scanouts, cursors, fences. */
int plan_scanouts(struct plan *p);
int plan_cursors(struct plan *p);
int plan_fences(struct plan *p);
int plan_views(struct plan *p);
/* The planned resource with that id, or NULL. */
const struct plan_resource *plan_find(const struct plan *p, uint32_t id);
void plan_free(struct plan *p);
/* build.c: the core from a plan that passed. 0 or -ENOMEM (the core as
 * it was). */
int plan_build(struct plan *p, struct render *r);

#endif /* VGM_STATE_IMPL_H */
