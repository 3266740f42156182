/* SPDX-License-Identifier: MIT */
/*
 * Test support: a device wired to a fake VMM that records every callback,
 * guest RAM that ends at PROT_NONE guard pages, and request builders.
 *
 * Each test gets its own harness through cmocka's state; nothing is global.
 */
#ifndef VGM_TEST_HARNESS_H
#define VGM_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <virtgpu-mem/virtgpu-mem.h>

struct renderer_ops;

#define RAM_BASE 0x100000000ull /* gpa of the first byte of guest RAM */
#define PAGE_SIZE_4K 4096u

/* ---- guest RAM ----------------------------------------------------------- */

struct guest_ram {
	uint8_t *map;  /* guard page, then bytes, then guard page */
	uint8_t *base; /* first byte of RAM */
	size_t size;
	size_t used;   /* bump allocator */
	uint8_t *retired; /* the last mapping ram_move() left, PROT_NONE */
};

/* ---- what the fake VMM saw ------------------------------------------------- */

enum event_kind {
	EV_FENCE,
	EV_CONFIG_CHANGED,
	EV_SCANOUT_SET,
	EV_SCANOUT_DISABLE,
	EV_SCANOUT_UPDATE,
	EV_CURSOR_SET,
	EV_CURSOR_MOVE,
	EV_CURSOR_HIDE,
	EV_SCANOUT_DMABUF, /* with_dmabuf only */
	EV_REQUEST_DONE,
};

struct event {
	enum event_kind kind;
	uint32_t scanout;
	struct vgm_rect rect;	  /* SCANOUT_UPDATE */
	struct vgm_pixels pixels; /* SCANOUT_SET */
	struct vgm_cursor cursor; /* CURSOR_SET (pixels copied below), CURSOR_MOVE x/y */
	uint32_t cursor_pixels[64 * 64];
	uint32_t ctx_id;	  /* FENCE */
	uint8_t ring_idx;
	uint64_t fence_id;
	struct vgm_dmabuf dmabuf; /* SCANOUT_DMABUF (its fd already closed) */
	uint64_t seq;		  /* harness.seq when it happened */
	uint64_t tag;		  /* REQUEST_DONE, and its written */
	size_t written;
};

#define MAX_EVENTS 64
#define MAX_LOGS 64

struct harness_opts {
	enum vgm_dialect dialect;
	uint32_t num_scanouts;	/* 0: 1 */
	uint64_t max_host_memory;
	uint32_t max_backing_entries;
	uint32_t max_resources;
	uint32_t max_regions;
	uint32_t max_table_pieces;
	size_t ram_size;	/* 0: 16 MiB */
	bool with_release;	/* install a release() callback and count mappings */
	bool split_pages;	/* translate() returns at most up to the next 4 KiB boundary */
	bool no_accept;		/* don't accept the offered features */
	uint64_t no_offer;	/* feature bits the device does not offer */
	bool discard_events;	/* callbacks only count (benchmarks: unbounded streams) */
	int fake_fd;		/* >0: translate() says RAM is this fd at offset gpa - RAM_BASE */
	bool with_dmabuf;	/* install scanout_dmabuf (EV_SCANOUT_DMABUF; the fd is closed) */
	uint64_t stream_threshold; /* vgm_device_config.stream_threshold (0: the machine's) */
	/* The device's renderer (NULL: the config's), e.g. a test renderer
	 * that completes fences later (test-renderer.h). */
	const struct renderer_ops *renderer_ops;
	void *renderer_ctx;
	uint32_t renderer; /* vgm_device_config.renderer */
	uint32_t flags;		/* vgm_device_config.flags (VGM_DEVICE_SAVEABLE) */
};

struct harness {
	struct vgm_device *dev;
	struct harness_opts opts;
	struct guest_ram ram;
	struct vgm_host_ops ops;
	/* callbacks */
	struct event events[MAX_EVENTS];
	size_t nevents;
	struct event scratch;	/* where discarded events go */
	uint64_t ncallbacks;	/* every display/fence/config callback */
	uint64_t translate_calls;
	int64_t live_maps;	/* translate() - release(), with_release only */
	uint64_t fail_gpa;	/* translate() of a range containing this gpa fails (0: never) */
	char logs[MAX_LOGS][256];
	int log_levels[MAX_LOGS];
	size_t nlogs;
	/* ordering: every event and every release() takes the next number */
	uint64_t seq;
	uint64_t first_release_seq; /* of the first release() since a test set it to 0 */
	/* resource_uuid(): how often, and the last pair */
	uint32_t uuid_calls;
	uint32_t uuid_resource;
	uint8_t uuid[16];
	/* the last response */
	uint8_t resp[2048];
	size_t resp_len;
	/* Called first by every callback with its name as in struct
	 * vgm_host_ops ("translate", "log" ...), when set: re-entry tests. */
	void (*on_callback)(struct harness *h, const char *callback);
	void *on_callback_data;
};

/* cmocka fixtures: standard dialect, 1 scanout, features accepted. */
int harness_setup(void **state);
int harness_setup_rfc(void **state);
int harness_teardown(void **state);
/* Creates a harness with options; asserts on failure. */
struct harness *harness_new(const struct harness_opts *opts);
void harness_free(struct harness *h);
/* A translate() with no guest memory at all (-EFAULT), for a device made
 * without a harness. */
int harness_no_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map);

/* fail_msg() that the compiler knows ends the path: cmocka's _fail() does
 * not return but is not declared noreturn, and gcc -O3 (buildtype=release)
 * then warns about what a helper does after it. */
#define harness_fail(...)                \
	do {                             \
		fail_msg(__VA_ARGS__);   \
		abort();                 \
	} while (0)

/* ---- guest memory ---------------------------------------------------------- */

/* Allocates len bytes (page aligned) of guest RAM; returns its gpa. */
uint64_t ram_alloc(struct harness *h, size_t len);
/* Moves guest RAM to new host addresses, its bytes with it (from, when
 * not NULL: another harness's RAM, as a migration brings it); the old
 * mapping becomes PROT_NONE, so a stale host pointer faults. */
void ram_move(struct harness *h, const struct harness *from);
/* Host pointer of a gpa inside RAM (asserts). */
uint8_t *ram_ptr(struct harness *h, uint64_t gpa);

/* A backing made of pages scattered through RAM, as a guest's allocator
 * leaves them: entries in order of the backing, never adjacent in RAM. */
struct backing {
	uint32_t n;
	uint64_t size;
	uint64_t *gpa;	  /* entry i's address */
	uint32_t *len;	  /* entry i's length */
};

/* size bytes in entries of entry_len bytes (the last may be shorter). */
void backing_make(struct harness *h, struct backing *b, uint64_t size, uint32_t entry_len);
void backing_free(struct backing *b);
/* Writes/reads bytes at offset off of the backing, through the guest's view. */
void backing_write(struct harness *h, const struct backing *b, uint64_t off, const void *src,
		   size_t len);
void backing_fill(struct harness *h, const struct backing *b, uint64_t off, uint8_t byte,
		  size_t len);

/* ---- requests ---------------------------------------------------------------- */

struct req {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

void req_init(struct req *r, uint32_t type);
void req_free(struct req *r);
void req_u32(struct req *r, uint32_t v);
void req_u64(struct req *r, uint64_t v);
/* Overwrites a little-endian field at byte offset off (one-field mutations). */
void req_set32(struct req *r, size_t off, uint32_t v);
void req_set64(struct req *r, size_t off, uint64_t v);
/* Sets FLAG_FENCE with fence_id and ctx_id (and ring_idx if ring >= 0). */
void req_fence(struct req *r, uint64_t fence_id, uint32_t ctx_id, int ring);
void req_entries(struct req *r, const struct backing *b);

/* A valid request of every type. */
void req_display_info(struct req *r);
void req_get_edid(struct req *r, uint32_t scanout);
void req_create_2d(struct req *r, uint32_t id, uint32_t format, uint32_t w, uint32_t h);
void req_unref(struct req *r, uint32_t id);
void req_attach_backing(struct req *r, uint32_t id, const struct backing *b);
void req_detach_backing(struct req *r, uint32_t id);
void req_transfer(struct req *r, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		  uint64_t offset);
void req_set_scanout(struct req *r, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		     uint32_t w, uint32_t h);
void req_flush(struct req *r, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
void req_capset_info(struct req *r, uint32_t index);
void req_capset(struct req *r, uint32_t id, uint32_t version);
void req_update_cursor(struct req *r, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		       uint32_t hot_x, uint32_t hot_y);
void req_move_cursor(struct req *r, uint32_t scanout, uint32_t x, uint32_t y);
void req_memory_create(struct req *r, uint32_t memory_id, const struct backing *b);
void req_memory_unref(struct req *r, uint32_t memory_id);
void req_attach_memory(struct req *r, uint32_t id, uint32_t memory_id, uint64_t offset);
/* standard dialect: a guest-memory blob of size bytes (blob_flags USE_SHAREABLE,
 * as Linux makes dumb buffers) with b's entries (NULL: none, nr_entries 0); */
void req_create_blob(struct req *r, uint32_t id, uint64_t size, const struct backing *b);
/* showing all of a width x hgt image of format at offset, stride bytes a row; */
void req_set_scanout_blob(struct req *r, uint32_t scanout, uint32_t id, uint32_t format,
			  uint32_t width, uint32_t hgt, uint32_t stride, uint32_t offset);
void req_assign_uuid(struct req *r, uint32_t id);

/* ---- submitting ---------------------------------------------------------------- */

/* Submits on the control queue in one element, frees the request, returns
 * the response type (asserts a full header came back). */
uint32_t submit(struct harness *h, struct req *r);
/* Same, with the request cut into elements of at most chunk bytes and a
 * writable part of resp_cap bytes; returns the bytes written. */
size_t submit_split(struct harness *h, struct req *r, size_t chunk, size_t resp_cap);
/* Same, the first `first` bytes in an element of their own (none when 0),
 * the rest in elements of at most chunk bytes: viogpudo's layout, the
 * command, then its entries a page per element. */
size_t submit_split_after(struct harness *h, struct req *r, size_t first, size_t chunk,
			  size_t resp_cap);
/* Submits on the cursor queue; asserts nothing was written. */
void submit_cursor(struct harness *h, struct req *r);
uint32_t resp_u32(const struct harness *h, size_t off);
uint64_t resp_u64(const struct harness *h, size_t off);

/* Shortcuts that assert OK_NODATA. */
void make_resource(struct harness *h, uint32_t id, uint32_t format, uint32_t w, uint32_t hgt);
void make_backed(struct harness *h, uint32_t id, uint32_t format, uint32_t w, uint32_t hgt,
		 struct backing *b, uint32_t entry_len);

/* ---- "nothing changed" ------------------------------------------------------------ */

struct snapshot {
	struct vgm_stats stats;
	struct vgm_scanout_info scanouts[VGM_MAX_SCANOUTS];
	size_t nevents;
	int64_t live_maps;
	uint32_t uuid_calls;
};

void snapshot_take(struct harness *h, struct snapshot *s);
/* Submits r (a valid request with one field changed, or valid but for the
 * device's state): asserts the exact code, a bare 24-byte response,
 * nothing changed (assert_unchanged) and one log line containing needle. */
void expect_rejected(struct harness *h, struct req *r, uint32_t code, const char *needle);
/* Submits r and asserts OK_NODATA with a bare header. */
void expect_nodata(struct harness *h, struct req *r);
/* A live resource's info (asserts it exists). */
struct vgm_resource_info resource_info(struct harness *h, uint32_t id);
/* Asserts the counters, scanouts and callbacks are as in s. */
void assert_unchanged(struct harness *h, const struct snapshot *s);
/* Asserts exactly one new guest warning whose text contains needle, and
 * forgets it. */
void assert_logged(struct harness *h, const char *needle);
/* Counts log lines at level (0: any) containing needle; forgets nothing. */
size_t count_logs(const struct harness *h, const char *needle, int level);
/* Counts events of a kind. */
size_t count_events(const struct harness *h, enum event_kind kind);
const struct event *last_event(const struct harness *h, enum event_kind kind);

/* ---- pixels: what a transfer should do, and what the host shows ------------------- */

/* size bytes in entries whose lengths cycle through lens[0..nlens) (the last
 * may be shorter), each starting at an odd offset inside its own pages, out
 * of order and never adjacent in RAM. */
void backing_make_lens(struct harness *h, struct backing *b, uint64_t size, const uint32_t *lens,
		       size_t nlens);
/* Fills buf with bytes that differ from their neighbours and from seed to seed. */
void pattern_fill(uint8_t *buf, size_t len, uint32_t seed);
/* Applies TRANSFER_TO_HOST_2D's rule to img (stride bytes a row, 4 bytes a
 * pixel): row j of r is read at offset + j * stride of src (src_size bytes)
 * and written at (r->x, r->y + j); bytes past the end of src are not copied. */
void model_transfer(uint8_t *img, uint32_t stride, const uint8_t *src, uint64_t src_size,
		    const struct vgm_rect *r, uint64_t offset);
/* SET_SCANOUT of the whole w x hgt resource id on a scanout; asserts OK. */
void show_resource(struct harness *h, uint32_t scanout, uint32_t id, uint32_t w, uint32_t hgt);
/* Copies what a scanout shows, raw (vgm_device_get_scanout_pixels), rows
 * packed at width * 4 bytes. */
void read_shown(struct harness *h, uint32_t scanout, uint8_t *dst);
/* Transfers rectangle r at offset of resource id; asserts OK. */
void transfer_ok(struct harness *h, uint32_t id, const struct vgm_rect *r, uint64_t offset);

#endif /* VGM_TEST_HARNESS_H */
