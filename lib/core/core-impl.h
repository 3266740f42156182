/* SPDX-License-Identifier: MIT */
/*
 * What the files of the core share: its structs. Only lib/core/ and the
 * core's own tests include this header.
 */
#ifndef VGM_CORE_IMPL_H
#define VGM_CORE_IMPL_H

#include "core.h"

/* ---- idtable.c: guest ids -> objects, O(1) --------------------------- */

struct idslot {
	uint32_t id;  /* 0: empty (0 is never a valid guest id) */
	uint32_t tag; /* the owner's: what a lookup may read without the object */
};

struct idtable {
	struct idslot *slots;
	void **ptrs;   /* ptrs[i]: the object of slots[i], in the same block (first) */
	uint8_t *ctrl; /* ctrl[i]: 0 (empty) or hash bits of slots[i].id, ditto */
	uint32_t capacity; /* slots: 16, 24, 32, 48 ... (2^k or 1.5 * 2^k) */
	uint32_t count;
	uint64_t seed; /* per table, so guests cannot aim ids at one bucket */
};

int idtable_init(struct idtable *t);
void idtable_fini(struct idtable *t);
void *idtable_get(const struct idtable *t, uint32_t id);
/* Whether id is in the table, and its tag into *tag: neither reads the
 * objects' pointers; has() reads the slots only where a control byte
 * matches (an absent id: almost never). */
bool idtable_has(const struct idtable *t, uint32_t id);
bool idtable_tag(const struct idtable *t, uint32_t id, uint32_t *tag);
/* A hint that id is about to be inserted: reads the control bytes of its
 * chain (which has() reads next) and asks for the lines of the slot and
 * pointer the insert will fill, and of the slots a removal would read
 * after them. Changes nothing; harmless for any id, present or not, and
 * on a table without arrays (capacity 0). */
void idtable_prefetch_insert(const struct idtable *t, uint32_t id);
/* A hint that id is about to be looked up (or inserted): asks for the
 * lines of its control byte and home slot, and of its pointer when object.
 * Reads nothing itself, so it never waits for memory; changes nothing;
 * harmless for any id and on a table without arrays (capacity 0). */
void idtable_prefetch(const struct idtable *t, uint32_t id, bool object);
/* Makes room so that the next n inserts cannot fail. */
bool idtable_reserve(struct idtable *t, uint32_t n);
/* id must be nonzero and absent, and room reserved. */
void idtable_insert(struct idtable *t, uint32_t id, void *ptr);
/* The same, with the slot's tag. */
void idtable_insert_tagged(struct idtable *t, uint32_t id, uint32_t tag, void *ptr);
void *idtable_remove(struct idtable *t, uint32_t id);
/* Iterates: *pos starts at 0; returns NULL at the end. */
void *idtable_next(const struct idtable *t, uint32_t *pos);
uint64_t idtable_bytes(const struct idtable *t);
/* Forgets every entry (the objects are the caller's). */
void idtable_clear(struct idtable *t);

/* ---- region.c ---------------------------------------------------------- */

/* One host-contiguous piece of a region. seg[nseg] is a sentinel whose start
 * is the region's size, so a piece's length is seg[i + 1].start - seg[i].start. */
struct region_seg {
	uint64_t start;
	uint8_t *ptr;
};

/* A piece's file position: fd slot (index in region.fds) in the top 16
 * bits, offset in the low 48. */
#define FD_POS_NONE UINT64_MAX
#define FD_POS_SHIFT 48

struct region {
	uint32_t refs;
	uint32_t memory_id; /* 0: anonymous (ATTACH_BACKING) */
	uint64_t size;
	uint32_t nseg;
	uint32_t nentries; /* guest entries it was made from */
	struct region_seg *seg;
	/* Per piece, each only when there is something to keep, so a table
	 * costs 16 bytes a piece, 24 with release(), 32 with both: */
	void **cookies;	  /* what release() gets back (host has release()) */
	uint64_t *fd_pos; /* where the piece is in a file (host gave fds) */
	int32_t *fds;	  /* the distinct fds fd_pos refers to */
	uint32_t nfds;
	bool fd_lost;	  /* fds too many or offsets too large to keep */
	/* Nonzero when every piece but the last is 1 << page_shift bytes (a
	 * guest's scattered pages): then a piece is found by a shift. */
	uint32_t page_shift;
	/* Restored and not yet translated: the granularity its saved state
	 * gave, so a save before the resume says what the load took. */
	uint32_t loaded_shift;
	uint64_t table_bytes;
	/* The guest ranges it was made from (what a restore translates
	 * again), in the piece table's allocation, before seg. Not in the
	 * budget, whose accounting (16 to 32 bytes a piece) the tests and
	 * benchmarks hold: a range costs 16 bytes and there is at most one
	 * per piece and RAM slot seam. */
	struct guest_range *ranges;
	uint32_t nranges;
	size_t block_bytes; /* what the ranges' and pieces' allocation holds */
	bool block_mapped;  /* it is a mapping of its own (spare.c), not malloc's */
	/* No host table (remap.c): restored and not yet resumed, or lost
	 * (translate() refused it again). Reads find nothing. */
	bool unmapped;
	uint32_t mark;	/* the last region_remap() that visited it */
	uint32_t moved; /* the last region_remap() that translated it again */
	struct region *old_next; /* remap.c: an old table, next on the list */
};

/* The index of the piece holding off (< size). */
uint32_t region_piece(const struct region *rg, uint64_t off);

/* ---- resource.c ---------------------------------------------------------- */

struct resource {
	uint32_t id;
	enum resource_kind kind;
	uint32_t format;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint64_t blob_size;
	uint32_t blob_flags;
	struct region *backing;
	uint64_t backing_off; /* where the resource starts in backing */
	uint32_t scanout_mask;
	bool has_uuid;
	uint8_t uuid[16];
	const struct resource_ops *ops;
	size_t bytes; /* of this allocation, payload included */
	/* the kind's payload, in the same allocation */
	_Alignas(max_align_t) unsigned char payload[];
};

/* ---- scanouts and their cursors -------------------------------------------- */

struct cursor {
	bool visible;
	uint32_t resource_id;
	uint32_t hot_x, hot_y;
	uint32_t x, y;
	uint32_t *image; /* VGM_CURSOR_SIZE^2 pixels, in the core's allocation */
};

/* cursor.c: the scanout's cursor as created: hidden, no image (zeros),
 * nothing of the resource it last took. */
void cursor_clear(struct core *c, uint32_t idx);

struct scanout {
	bool enabled;
	uint32_t width;
	uint32_t height;
	uint8_t *edid; /* the VMM's own EDID, or NULL: generated */
	size_t edid_len;
	struct resource *res; /* shown, or NULL */
	struct vgm_gpu_rect rect; /* the part of the resource shown */
	struct scanout_fb fb;	  /* a blob's image */
	struct cursor cursor;
};

/* ---- spare.c: freed large tables' mappings, kept within the budget ---------- */

/* Tables of this size and more are mappings of their own, kept spare when
 * freed: where glibc's malloc would map them itself (its default
 * M_MMAP_THRESHOLD), and give them back to the system when freed. */
#define SPARE_MIN (128u << 10)
/* A mapping for a table of bytes (>= SPARE_MIN): a spare that fits it (as
 * the last table left it: not zeroed again), else a new one (zeroed);
 * *got receives the length to give back with. */
void *spare_take(struct core *c, size_t bytes, size_t *got);
/* Keeps a table's mapping (got from spare_take) if the budget has room for
 * it beside the spares, else unmaps it. Call it after the table's charge
 * is released. */
void spare_give(struct core *c, void *p, size_t bytes);
/* Whether a mapping made for have bytes serves a table of bytes without
 * a resize (nor wasting much of it). */
bool spare_holds(size_t have, size_t bytes);
/* Unmaps spares until they hold no more than room (0: all). */
void spare_trim(struct core *c, uint64_t room);

/* ---- the device ------------------------------------------------------------ */

struct core {
	struct host *host;
	struct logger *log;
	enum vgm_dialect dialect;
	uint64_t offered;
	uint64_t accepted;
	uint32_t events;
	struct core_limits limits;
	struct idtable resources;
	struct idtable memory_ids;
	struct idtable uuids; /* first 4 bytes of a UUID -> resource */
	uint32_t nregions;
	uint64_t image_bytes;
	uint64_t table_bytes;
	uint64_t backing_entries;
	uint64_t resource_bytes; /* of the resources' allocations */
	struct spare *spares;	 /* freed large tables' mappings (spare.c) */
	uint64_t spare_bytes;	 /* what they hold: within the budget's room */
	const struct core_hooks *hooks;
	void *hooks_ctx;
	uint32_t remap_epoch; /* of the last region_remap(), never 0 */
	/* Tables a remap replaced, their mappings not yet given back: regions
	 * of their own until region_release_old() (remap.c). */
	struct region *old_tables;
	bool fenced;	      /* a fence of the global timeline completed */
	uint64_t last_fence;  /* the last one that did */
	uint32_t num_scanouts;
	uint32_t num_capsets; /* the renderer's */
	struct scanout scanouts[]; /* then the cursor images */
};

/* CORE_ID_RESERVED (0), CORE_ID_IN_USE, or CORE_OK: an id for a new object
 * of the table. Ids are the guest's: 0 is reserved, and an id names one
 * object. */
static inline enum core_verdict core_id_free(const struct idtable *t, uint32_t id)
{
	if (id == 0)
		return CORE_ID_RESERVED;
	return idtable_has(t, id) ? CORE_ID_IN_USE : CORE_OK;
}

/* Takes a resource's UUID, if it has one, out of the table (it is going). */
void uuid_forget(struct core *c, struct resource *res);

/* Forgets what a scanout shows (the layer above drops its view), without
 * telling the host. */
void scanout_forget(struct core *c, uint32_t idx);

#endif /* VGM_CORE_IMPL_H */
