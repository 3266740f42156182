/* SPDX-License-Identifier: MIT */
/*
 * core: the device's state and its rules. Features and events, the id
 * tables (resources, memory ids, UUIDs), resources, memory regions (which
 * keep the guest ranges they were made from), scanouts and the cursor of
 * each, the limits and the host-memory budget.
 *
 * The core owns its tables: only it inserts and removes resources, regions,
 * memory ids and UUIDs. Its functions return verdicts (enum core_verdict),
 * never wire codes; the cmd layer turns them into the guest's answer. Its
 * structs are private: other layers see opaque objects, the value structs
 * below, and the functions.
 *
 * Uses util and wire. What the layers above hang on core objects (a
 * resource's renderer payload, a scanout's view) they give the core a small
 * ops table for, so the core can drop it without calling up.
 */
#ifndef VGM_CORE_H
#define VGM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/util.h"
#include "wire/wire.h"

struct core;
struct resource;
struct region;

/* What the core says about a request for a change. */
enum core_verdict {
	CORE_OK = 0,
	CORE_NO_ID,	    /* no object has that id */
	CORE_ID_RESERVED,   /* the protocol reserves that id */
	CORE_ID_IN_USE,	    /* another object has that id */
	CORE_NO_ROOM,	    /* a count limit is reached (max_resources, max_regions) */
	CORE_NO_MEMORY,	    /* an allocation failed */
	CORE_OVER_BUDGET,   /* the host-memory budget has no room for it */
	CORE_NOT_GUEST_RAM, /* translate() refused a range or broke its contract */
	CORE_OVER_PIECES,   /* more translate() results than max_table_pieces */
	CORE_OUTSIDE,	    /* a placement does not fit inside its region */
};

/* ---- core.c: the device ---------------------------------------------------- */

struct core_limits {
	uint64_t host_memory;
	uint32_t backing_entries; /* entries of one request */
	uint32_t resources;
	uint32_t regions;	  /* live memory ids */
	uint32_t table_pieces;	  /* translate() results one request may make */
};

/* The largest display a VMM may configure, in either direction. */
#define CORE_MAX_DISPLAY 16384u

struct core_display {
	bool enabled;
	uint32_t width;
	uint32_t height;
};

struct core_config {
	enum vgm_dialect dialect;
	uint64_t offered; /* feature bits */
	uint32_t num_scanouts;
	uint32_t num_capsets; /* the renderer's, in the config space */
	struct core_display displays[VGM_MAX_SCANOUTS];
	struct core_limits limits;
};

/* Bytes a struct core of num_scanouts scanouts needs, built in place. */
size_t core_size(uint32_t num_scanouts);
/* 0, or -ENOMEM with nothing to free. cfg was checked by the caller. */
int core_init(struct core *c, const struct core_config *cfg, struct host *host,
	      struct logger *log);
/* Frees every object, without display callbacks (the host is tearing the
 * device down), and the tables. */
void core_fini(struct core *c);
/* Virtio reset: frees every object, disabling through the host the
 * scanouts that showed one; accepted features and events cleared. The
 * display configuration and EDIDs stay. */
void core_reset(struct core *c);

enum vgm_dialect core_dialect(const struct core *c);
const struct core_limits *core_limits(const struct core *c);
uint32_t core_num_scanouts(const struct core *c);
uint64_t core_offered(const struct core *c);
bool core_accepted(const struct core *c, uint32_t bit);
/* bits are a subset of what is offered (the caller checked). */
void core_accept(struct core *c, uint64_t bits);
/* The display configuration changed: raises VGM_GPU_EVENT_DISPLAY. */
void core_raise_display_event(struct core *c);
void core_clear_events(struct core *c, uint32_t bits);
/* The 16 bytes of the configuration space (struct vgm_gpu_config). */
void core_config_bytes(const struct core *c, uint8_t out[16]);

struct core_stats {
	uint32_t resources;
	uint32_t regions;
	uint32_t memory_ids;
	uint64_t image_bytes;
	uint64_t table_bytes;
	uint64_t object_bytes;
	uint64_t backing_entries;
};

void core_stats(const struct core *c, struct core_stats *st);

/* What the layer above hangs on scanouts, and the core drops with them. */
struct core_hooks {
	/* The scanout stops showing its resource: drop what was made for it. */
	void (*scanout_cleared)(void *ctx, uint32_t scanout);
};

void core_set_hooks(struct core *c, const struct core_hooks *hooks, void *ctx);

/* ---- budget.c: host memory the guest makes the library hold ------------------ */

enum budget_kind {
	BUDGET_IMAGE, /* pixels, staging copies */
	BUDGET_TABLE, /* backing tables */
};

/* True when bytes more stay within the budget. */
bool budget_fits(const struct core *c, uint64_t bytes);
/* What the budget has left. */
uint64_t budget_room(const struct core *c);
/* Charges bytes (CORE_OVER_BUDGET: nothing charged). */
enum core_verdict budget_charge(struct core *c, enum budget_kind kind, uint64_t bytes);
void budget_release(struct core *c, enum budget_kind kind, uint64_t bytes);

/* ---- regions: storage made of guest pages -------------------------------------- */

/* A reading position, so consecutive rows cost O(1) to find, and how the
 * bytes are stored: streamed around the cache for large transfers. */
struct region_cursor {
	uint32_t idx;
	bool stream;
};

/* A guest range a region was made from: consecutive entries that continue
 * each other in guest memory are one. */
struct guest_range {
	uint64_t addr;
	uint64_t len;
};

/* Builds a region from validated entries: maps every range through the
 * host, into a table that never costs more than the budget has left, from
 * at most limits.table_pieces translate() results. CORE_NOT_GUEST_RAM,
 * CORE_NO_MEMORY, CORE_OVER_BUDGET, CORE_OVER_PIECES: nothing is kept and
 * every mapping made is released. The region keeps the guest ranges. */
enum core_verdict region_create(struct core *c, const struct vgm_gpu_mem_entry *entries,
				uint32_t n, uint64_t size, struct region **out);
void region_ref(struct region *rg);
/* Drops a reference; the last one releases the mappings and frees it. */
void region_unref(struct core *c, struct region *rg);
uint64_t region_size(const struct region *rg);
/* The memory id that names it (memory-rfc), 0 for none. */
uint32_t region_memory_id(const struct region *rg);
/* The guest ranges it was made from, in order. */
const struct guest_range *region_ranges(const struct region *rg, uint32_t *n);
/* Copies up to len bytes from offset off; stops at the region's end.
 * Returns the bytes copied. */
size_t region_read(const struct region *rg, struct region_cursor *cur, uint64_t off, void *dst,
		   size_t len);
/* A rectangle's rows in a region and where they go: count rows of len
 * bytes, the first at off, each stride after the one before, copied to
 * dst, each dst_stride after the one before. */
struct region_rows {
	uint64_t off;
	uint64_t stride;
	size_t len;
	uint32_t count;
	uint8_t *dst;
	size_t dst_stride;
};
/* Copies the rows in order (rows as long as the stride: one span); a row
 * the region ends in is copied as far as it goes and ends the copy.
 * Returns the rows copied whole. */
uint32_t region_read_rows(const struct region *rg, struct region_cursor *cur,
			  const struct region_rows *rows);
/* The host address of [off, off + len) if it lies in one piece, else NULL. */
const uint8_t *region_span(const struct region *rg, uint64_t off, uint64_t len);
/* How many host pieces the region's bytes are in; with iov (room for that
 * many) their addresses and lengths, in order: what a renderer that reads
 * the backing itself (virglrenderer) is given. */
uint32_t region_pieces(const struct region *rg, struct iovec *iov);

/* region-file.c: a range of a region as file ranges (dma-buf items). */
struct file_item {
	int32_t fd;
	uint64_t offset;
	uint64_t size;
};
/* Lists the file ranges of [off, off + len) widened to whole pages, merged
 * where they continue each other. Returns the number of items (at most
 * cap), or -1 if a piece has no fd, is not page aligned, or cap is too
 * small. *lead receives off's distance from the first page. */
int region_file_items(const struct region *rg, uint64_t off, uint64_t len, uint64_t page,
		      struct file_item *items, int cap, uint64_t *lead);

/* ---- memory.c: regions the guest names (memory-rfc) ----------------------------- */

/* CORE_ID_RESERVED (0 or 0xffffffff), CORE_ID_IN_USE, or CORE_OK. */
enum core_verdict memory_id_free(const struct core *c, uint32_t memory_id);
/* CORE_NO_ROOM when max_regions memory ids are live. */
enum core_verdict memory_room(const struct core *c);
/* The named region (not referenced), or NULL. */
struct region *memory_find(const struct core *c, uint32_t memory_id);
/* Names a region made by region_create() (the name holds its reference).
 * Made first, then named, so a failure leaves the table as it was
 * (fuzz/stream/crashes/failed-create-grows-table.bin). CORE_NO_MEMORY for
 * the table: nothing changed, the caller drops the region. */
enum core_verdict memory_name(struct core *c, uint32_t memory_id, struct region *rg);
/* The name goes at once; the storage stays while resources use it. */
void memory_unref(struct core *c, uint32_t memory_id);

/* ---- resource.c ---------------------------------------------------------------- */

enum resource_kind {
	RESOURCE_2D = 1,   /* a host image the guest fills with transfers */
	RESOURCE_BLOB = 2, /* guest memory, shown as SET_SCANOUT_BLOB describes it */
};

/* A resource as the core keeps it. */
struct resource_desc {
	uint32_t id;
	enum resource_kind kind;
	uint32_t format; /* VGM_GPU_FORMAT_* (2D), 0 for a blob */
	uint32_t width;	 /* 2D: the image's size and row length */
	uint32_t height;
	uint32_t stride;
	uint64_t blob_size; /* blobs */
	uint32_t blob_flags;
	bool backed;
	uint32_t memory_id; /* of the region it is attached to, 0 for none */
	uint64_t backing_offset;
	uint64_t backing_size;
	uint32_t scanout_mask; /* bit i: scanout i shows it */
	bool has_uuid;
	uint8_t uuid[16];
};

/* What a resource kind hangs on its resources: a payload of the size
 * given at creation, freed through this when the core drops the resource
 * (unref, reset, destroy). */
struct resource_ops {
	void (*destroy)(struct core *c, struct resource *res, void *payload);
	/* The backing goes (detach, unref, reset, destroy): called before
	 * its mappings can be released, so a renderer that holds pointers
	 * into them stops using them. NULL: nothing to do. */
	void (*detach)(struct core *c, struct resource *res, void *payload);
};

/* The blob flags the library knows (RESOURCE_CREATE_BLOB). */
#define RESOURCE_BLOB_FLAGS_KNOWN                                                                  \
	(VGM_GPU_BLOB_FLAG_USE_MAPPABLE | VGM_GPU_BLOB_FLAG_USE_SHAREABLE |                        \
	 VGM_GPU_BLOB_FLAG_USE_CROSS_DEVICE)

/* CORE_ID_RESERVED (0), CORE_ID_IN_USE, or CORE_OK. */
enum core_verdict resource_id_free(const struct core *c, uint32_t id);
/* CORE_NO_ROOM when max_resources resources are live. */
enum core_verdict resource_room(const struct core *c);
/* A hint that a request will soon look resource id up (or create it):
 * its lines of the id table are asked for now, so that the miss overlaps
 * other work (vgm_device_prefetch()). object: the object's pointer too,
 * not only the slot resource_size_of() reads. Changes nothing. */
void resource_prefetch(const struct core *c, uint32_t id, bool object);
struct resource *resource_find(const struct core *c, uint32_t id);
/* Whether resource id is live, and its size (0 x 0 for a blob, which has
 * none of its own), for requests that need no more of it: a 2D resource's
 * size comes from its slot in the id table when each side fits 16 bits, so
 * the lookup reads one cache line, neither the object's pointer nor the
 * object (RESOURCE_FLUSH among a million resources). */
bool resource_size_of(const struct core *c, uint32_t id, uint32_t *width, uint32_t *height);
/* A resource (not yet in the table) with a zeroed payload of payload_size
 * bytes: desc gives id, kind, format, width, height, stride, blob_size and
 * flags. CORE_NO_MEMORY. */
enum core_verdict resource_new(struct core *c, const struct resource_desc *desc,
			       const struct resource_ops *ops, size_t payload_size,
			       struct resource **out);
void *resource_payload(struct resource *res);
/* Puts a new resource in the table. CORE_NO_MEMORY: nothing changed, the
 * caller drops it. */
enum core_verdict resource_insert(struct core *c, struct resource *res);
/* Frees a resource that is not in the table (a failed creation). */
void resource_drop(struct core *c, struct resource *res);
/* Takes it out of the table, hides it from every scanout (callbacks),
 * detaches, frees. */
void resource_remove(struct core *c, struct resource *res);
void resource_describe(const struct resource *res, struct resource_desc *d);
/* What the kind decides, in one place: true when the resource's pixels are
 * its backing itself (a blob): no transfer copies them, the scanouts that
 * show it read the backing (they go before it does), SET_SCANOUT_BLOB
 * describes the image, the backing must cover the blob's size, a cursor is
 * its first bytes. False: they are the renderer's storage of width x
 * height, filled by transfers and shown by SET_SCANOUT. */
bool resource_pixels_in_backing(const struct resource *res);
uint32_t resource_id(const struct resource *res);
/* NULL without backing. */
struct region *resource_backing(const struct resource *res);
uint64_t resource_backing_offset(const struct resource *res);
/* Places the resource at off in rg, taking over one reference to rg: the
 * caller checked it fits (resource_placement()). */
void resource_attach(struct resource *res, struct region *rg, uint64_t off);
/* CORE_OUTSIDE when bytes bytes at off do not fit in rg. */
enum core_verdict resource_placement(const struct region *rg, uint64_t off, uint64_t bytes);
void resource_detach(struct core *c, struct resource *res);
/* Disables every scanout that shows it (callbacks). */
void resource_hide(struct core *c, struct resource *res);

/* ---- uuid.c: RESOURCE_ASSIGN_UUID ----------------------------------------------- */

/* Gives res a random UUID if it has none (*fresh true) and puts it in the
 * UUID table. CORE_NO_MEMORY: nothing changed. */
enum core_verdict uuid_assign(struct core *c, struct resource *res, bool *fresh);
/* The resource with that UUID, or NULL. */
struct resource *uuid_find(const struct core *c, const uint8_t uuid[16]);

/* ---- scanout.c ------------------------------------------------------------------ */

/* A blob's image as SET_SCANOUT_BLOB describes it. */
struct scanout_fb {
	uint32_t format;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint64_t offset; /* of pixel (0, 0) in the resource */
};

struct scanout_desc {
	bool enabled;
	uint32_t width; /* preferred mode */
	uint32_t height;
	const uint8_t *edid; /* the VMM's own, or NULL */
	size_t edid_len;
	struct resource *res; /* shown, or NULL */
	struct vgm_gpu_rect rect;
	struct scanout_fb fb; /* a blob's image */
};

void scanout_describe(const struct core *c, uint32_t idx, struct scanout_desc *d);
/* The VMM's display changes. set_edid: -ENOMEM (nothing changed). */
void scanout_set_display(struct core *c, uint32_t idx, bool enabled, uint32_t width,
			 uint32_t height);
int scanout_set_edid(struct core *c, uint32_t idx, const uint8_t *edid, size_t len);
/* Shows rect of res (fb: a blob's image, NULL for a 2D one), forgetting
 * what the scanout showed (its view dropped, no callback). */
void scanout_show(struct core *c, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect, const struct scanout_fb *fb);
/* Shows nothing any more; the host is told if it showed something. */
void scanout_hide(struct core *c, uint32_t idx);
/* Bit i: scanout i shows resource id. From the scanouts and the resources
 * they show, which every request keeps in the cache, not from the id table
 * (a flush of a resource shown nowhere reads nothing of it). */
uint32_t scanout_showing(const struct core *c, uint32_t id);

/* ---- cursor.c: the cursor of each scanout --------------------------------------- */

struct cursor_desc {
	bool visible;
	uint32_t resource_id; /* whose image it took */
	uint32_t hot_x, hot_y;
	uint32_t x, y;
	const uint32_t *image; /* VGM_CURSOR_SIZE^2 ARGB8888 pixels */
};

void cursor_describe(const struct core *c, uint32_t idx, struct cursor_desc *d);
/* Where the scanout's cursor image is converted to (ARGB8888, 64x64). */
uint32_t *cursor_image(struct core *c, uint32_t idx);
/* The image now holds resource_id's cursor, shown with this hot spot at x, y. */
void cursor_show(struct core *c, uint32_t idx, uint32_t resource_id, uint32_t hot_x,
		 uint32_t hot_y, uint32_t x, uint32_t y);
void cursor_move(struct core *c, uint32_t idx, uint32_t x, uint32_t y);
void cursor_hide(struct core *c, uint32_t idx);

/* ---- what a snapshot reads and restores (lib/state/) ------------------------------ */

/* Iterators over the tables, in no particular order: *pos starts at 0,
 * NULL at the end. */
struct resource *resource_next(const struct core *c, uint32_t *pos);
/* The regions the guest names (memory-rfc). */
struct region *memory_next(const struct core *c, uint32_t *pos);

/* True while the core holds a 3D object: a resource of a kind other than
 * RESOURCE_2D and RESOURCE_BLOB (those a 3D renderer adds). Nothing of a
 * 3D renderer can be saved. */
bool core_holds_3d(const struct core *c);

/* The accepted feature bits. */
uint64_t core_accepted_bits(const struct core *c);
/* The config space's events (VGM_GPU_EVENT_*), and setting them all. */
uint32_t core_events(const struct core *c);
void core_set_events(struct core *c, uint32_t bits);

/* fence.c: the last fence completed on the global timeline (*id untouched
 * and false when none has); a ring's timeline belongs to a 3D context. */
void core_fence_done(struct core *c, bool ring, uint64_t fence_id);
bool core_last_fence(const struct core *c, uint64_t *id);
void core_set_last_fence(struct core *c, uint64_t id);

/* Forgets what scanout idx shows without telling the host: a restored
 * device's host was never shown it. */
void scanout_drop(struct core *c, uint32_t idx);

/* Frees every object without callbacks (a load that failed): the device
 * is as created again, but for its display configuration. */
void core_drop_objects(struct core *c);

/* Gives a scanout the VMM's EDID, edid (malloc'd, len bytes) or NULL:
 * the core owns it from now on. Never fails. */
void scanout_adopt_edid(struct core *c, uint32_t idx, uint8_t *edid, size_t len);

/* A UUID saved with a resource: CORE_ID_RESERVED when its lookup key
 * (first 4 bytes) is 0, CORE_ID_IN_USE when another resource's has the
 * same key, CORE_NO_MEMORY; nothing changed then. */
enum core_verdict uuid_restore(struct core *c, struct resource *res, const uint8_t uuid[16]);

/* ---- remap.c: regions without host mappings --------------------------------------- */

/* A region of these guest ranges (consecutive ones never continue each
 * other) of size bytes, made from nentries guest entries, with no host
 * mappings: reads find nothing until region_remap() maps it. Its table
 * is charged then. region_granularity() says granularity until then.
 * CORE_NO_MEMORY. */
enum core_verdict region_restore(struct core *c, const struct guest_range *ranges, uint32_t n,
				 uint64_t size, uint32_t nentries, uint32_t granularity,
				 struct region **out);
/* False for a restored region not yet mapped, or one whose backing is
 * lost: translate() refused it again. */
bool region_mapped(const struct region *rg);
/* The guest entries it was made from (the requests' count). */
uint32_t region_entries(const struct region *rg);
/* log2 of its pieces' size when all but the last are one power of two
 * (a guest's scattered pages), else 0; restored and not yet translated,
 * what region_restore() was given. */
uint32_t region_granularity(const struct region *rg);
/* The guest entries region_remap() cuts a range into (at least 1; 2^32
 * and more for a range of a loaded state longer than 2^64 - 2^32). */
uint64_t region_range_entries(const struct guest_range *r);
/* True when one of its ranges overlaps [gpa, gpa + len) (len past the
 * address space: to its end). */
bool region_overlaps(const struct region *rg, uint64_t gpa, uint64_t len);
/* Gives back every mapping of rg (release()); it has none afterwards. */
void region_unmap(struct core *c, struct region *rg);
/* Every region with a range overlapping [gpa, gpa + len), and every one
 * without mappings, is translated again, whole, as the request that made
 * it was. Returns how many are left without (logged): their backing is
 * lost. Their old mappings are given back (release()) by
 * region_release_old(), which the caller calls once nothing shows them:
 * except where the budget could not hold both, or a region is lost. */
uint32_t region_remap(struct core *c, uint64_t gpa, uint64_t len);
/* Gives back the mappings region_remap() replaced. */
void region_release_old(struct core *c);
/* Whether the last region_remap() gave rg's mappings back (and made them
 * again, or lost them): a host address taken from it before is stale. */
bool region_moved(const struct core *c, const struct region *rg);

#endif /* VGM_CORE_H */
