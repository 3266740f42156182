/* SPDX-License-Identifier: MIT */
/*
 * What the library's files share. Nothing here is exported.
 */
#ifndef VGM_PRIVATE_H
#define VGM_PRIVATE_H

#include <pixman.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtgpu-mem/virtgpu-mem.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---- reader.c: the only code that reads guest bytes -------------------- */

/* A bounded little-endian cursor over bytes already copied into the host. */
struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

void reader_init(struct reader *r, const void *buf, size_t len);
size_t reader_left(const struct reader *r);
bool reader_u8(struct reader *r, uint8_t *v);
bool reader_u32(struct reader *r, uint32_t *v);
bool reader_u64(struct reader *r, uint64_t *v);
bool reader_bytes(struct reader *r, void *dst, size_t n);
bool reader_skip(struct reader *r, size_t n);

/* A sequential cursor over a request's descriptor elements: each byte is
 * copied out once, in order, and never read again. */
struct iov_reader {
	const struct iovec *iov;
	size_t cnt;
	size_t idx;  /* current element */
	size_t off;  /* offset inside it */
	size_t left; /* bytes from the cursor to the end of the request */
};

void iov_reader_init(struct iov_reader *ir, const struct iovec *iov, size_t cnt);
/* Copies n bytes out, or nothing (false) if fewer than n are left. */
bool iov_reader_copy(struct iov_reader *ir, void *dst, size_t n);

/* Copies len bytes of src into the writable elements; returns what fit. */
size_t iov_scatter(const struct iovec *iov, size_t cnt, const void *src, size_t len);

/* A bounded little-endian writer into the library's own buffers. Writing
 * past the end is a broken invariant: it aborts. */
struct writer {
	uint8_t *buf;
	size_t cap;
	size_t pos;
};

void writer_init(struct writer *w, void *buf, size_t cap);
void writer_u8(struct writer *w, uint8_t v);
void writer_u32(struct writer *w, uint32_t v);
void writer_u64(struct writer *w, uint64_t v);
void writer_bytes(struct writer *w, const void *src, size_t n);
void writer_zero(struct writer *w, size_t n);

/* ---- wire.c: decode/encode of the wire structs ------------------------- */

#define WIRE_HDR_SIZE 24u
#define WIRE_ENTRY_SIZE 16u
#define WIRE_RESP_MAX 1056u /* OK_EDID, the largest response */

bool wire_get_hdr(struct reader *r, struct vgm_gpu_ctrl_hdr *h);
bool wire_get_rect(struct reader *r, struct vgm_gpu_rect *rect);
bool wire_get_entry(struct reader *r, struct vgm_gpu_mem_entry *e);
void wire_put_hdr(struct writer *w, const struct vgm_gpu_ctrl_hdr *h);
void wire_put_rect(struct writer *w, const struct vgm_gpu_rect *rect);

/* Command bodies, after the header, into struct cmd (declared below). */
struct cmd;
bool wire_get_nothing(struct reader *r, struct cmd *c);
bool wire_get_id(struct reader *r, struct cmd *c);
bool wire_get_create_2d(struct reader *r, struct cmd *c);
bool wire_get_set_scanout(struct reader *r, struct cmd *c);
bool wire_get_flush(struct reader *r, struct cmd *c);
bool wire_get_transfer(struct reader *r, struct cmd *c);
bool wire_get_attach_backing(struct reader *r, struct cmd *c);
bool wire_get_cursor(struct reader *r, struct cmd *c);
bool wire_get_memory_create(struct reader *r, struct cmd *c);
bool wire_get_attach_memory(struct reader *r, struct cmd *c);
bool wire_get_create_blob(struct reader *r, struct cmd *c);
bool wire_get_set_scanout_blob(struct reader *r, struct cmd *c);

/* ---- log.c ------------------------------------------------------------- */

struct vgm_log {
	uint32_t level;
	uint32_t tokens;	  /* guest messages that may still be logged */
	uint64_t refill_ns;	  /* when the next token is due */
	uint64_t suppressed;	  /* guest messages dropped since the last one */
};

void log_init(struct vgm_log *log, uint32_t level);
bool log_wanted(const struct vgm_device *dev, enum vgm_log_level level);
/* A message caused by the host or the library itself. */
void dev_log(struct vgm_device *dev, enum vgm_log_level level, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
/* A message caused by the guest: a warning, rate-limited. */
void dev_log_guest(struct vgm_device *dev, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* ---- format.c ----------------------------------------------------------- */

struct format_info {
	uint32_t virtio;
	uint32_t fourcc;
	pixman_format_code_t pixman;
	uint32_t bpp; /* bytes per pixel */
	const char *name;
};

/* NULL for a format the library does not know. */
const struct format_info *format_from_virtio(uint32_t virtio_format);
/* NULL for a fourcc the library cannot produce. */
const struct format_info *format_from_fourcc(uint32_t fourcc);

/* ---- hugemap.c --------------------------------------------------------- */

/* len zeroed bytes on a mapping of their own, 2 MiB aligned, huge pages
 * advised; NULL if the system has no memory. huge_unmap(NULL) is a no-op. */
void *huge_map(size_t len);
void huge_unmap(void *p, size_t len);

/* ---- idtable.c: guest ids -> objects, O(1) --------------------------- */

struct idslot {
	uint32_t id;  /* 0: empty (0 is never a valid guest id) */
	uint32_t tag; /* the owner's: what a lookup may read without the object */
	void *ptr;
};

struct idtable {
	struct idslot *slots;
	uint32_t mask; /* capacity - 1, capacity a power of two */
	uint32_t count;
	uint64_t seed; /* per table, so guests cannot aim ids at one bucket */
};

int idtable_init(struct idtable *t);
void idtable_fini(struct idtable *t);
void *idtable_get(const struct idtable *t, uint32_t id);
/* The slot holding id (ptr and tag), or NULL; valid until the table
 * changes. */
const struct idslot *idtable_find(const struct idtable *t, uint32_t id);
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

/* ---- region.c: storage made of guest pages ----------------------------- */

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
	uint64_t table_bytes;
};

/* A reading position, so consecutive rows cost O(1) to find, and how the
 * bytes are stored: streamed around the cache for large transfers. */
struct region_cursor {
	uint32_t idx;
	bool stream;
};

/* copy.c */
/* No transfer below this is streamed, whatever the machine: non-temporal
 * stores pay for their fence and partial lines only on large ones. */
#define COPY_STREAM_FLOOR (256u << 10)
/* The transfer size from which non-temporal stores pay on this machine
 * (>= COPY_STREAM_FLOOR); reads the cache size from the system. */
uint64_t copy_stream_threshold(void);
/* Copies n bytes with non-temporal stores where the CPU has them (whole
 * destination lines; the ends with memcpy); copy_fence() after the last
 * one orders them before anything that follows. */
void copy_stream(void *dst, const void *src, size_t n);
void copy_fence(void);

/* Builds a region from validated entries: maps every range through the
 * host. Returns 0 or the guest's verdict (ERR_UNSPEC: untranslatable,
 * ERR_OUT_OF_MEMORY); on failure nothing is kept and every mapping made is
 * released. */
uint32_t region_create(struct vgm_device *dev, const struct vgm_gpu_mem_entry *entries,
		       uint32_t n, uint64_t size, struct region **out);
void region_ref(struct region *rg);
/* Drops a reference; the last one releases the mappings and frees it. */
void region_unref(struct vgm_device *dev, struct region *rg);
/* Copies up to len bytes from offset off; stops at the region's end.
 * Returns the bytes copied. */
size_t region_read(const struct region *rg, struct region_cursor *cur, uint64_t off, void *dst,
		   size_t len);
/* Asks the CPU for [off, off + len) of the region, clipped to its end and
 * to a page; cur is only a hint where to look. */
void region_prefetch(const struct region *rg, const struct region_cursor *cur, uint64_t off,
		     size_t len);
/* The index of the piece holding off (< size). */
uint32_t region_piece(const struct region *rg, uint64_t off);
/* The host address of [off, off + len) if it lies in one piece, else NULL. */
const uint8_t *region_span(const struct region *rg, uint64_t off, uint64_t len);

/* udmabuf.c: a range of a region as a dma-buf, where the host gave fds. */
struct udmabuf_item {
	int32_t fd;
	uint64_t offset;
	uint64_t size;
};
/* Lists the file ranges of [off, off + len) widened to whole pages, merged
 * where they continue each other. Returns the number of items (at most
 * cap), or -1 if a piece has no fd, is not page aligned, or cap is too
 * small. *lead receives off's distance from the first page. */
int udmabuf_list(const struct region *rg, uint64_t off, uint64_t len, uint64_t page,
		 struct udmabuf_item *items, int cap, uint64_t *lead);
/* A dma-buf fd for the items through /dev/udmabuf, or -errno. */
int udmabuf_create(struct vgm_device *dev, const struct udmabuf_item *items, int n);

/* ---- resource.c -------------------------------------------------------- */

struct resource {
	uint32_t id;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	const struct format_info *fmt;
	uint8_t *pixels;
	uint64_t image_bytes;
	pixman_image_t *image; /* over pixels, made when first needed */
	struct region *backing;
	uint64_t backing_off; /* where the resource starts in backing */
	uint32_t scanout_mask;
	/* blobs (standard dialect): guest memory, no host image */
	bool blob;
	uint64_t blob_size;
	bool has_uuid;
	uint8_t uuid[16];
};

struct resource *resource_lookup(const struct vgm_device *dev, uint32_t id);
/* True when bytes more of host memory stay within the budget. */
bool hostmem_fits(const struct vgm_device *dev, uint64_t bytes);
/* A blob resource of size bytes, without backing (not yet in the table).
 * Returns 0 or ERR_OUT_OF_MEMORY. */
uint32_t resource_new_blob(uint32_t id, uint64_t size, struct resource **out);
/* Disables every scanout that shows the resource (callbacks). */
void resource_hide(struct vgm_device *dev, struct resource *res);
/* Makes a 2D resource with zeroed pixels (not yet in the table).
 * Returns 0 or ERR_OUT_OF_MEMORY. */
uint32_t resource_new(struct vgm_device *dev, uint32_t id, const struct format_info *fmt,
		      uint32_t width, uint32_t height, struct resource **out);
/* A pixman image over the pixels, made when first needed; NULL if that fails. */
pixman_image_t *resource_image(struct resource *res);
/* The resource takes over one reference to rg. */
void resource_attach(struct resource *res, struct region *rg, uint64_t off);
void resource_detach(struct vgm_device *dev, struct resource *res);
/* Hides it from every scanout (callbacks), detaches, frees. The caller
 * has taken it out of the table. */
void resource_destroy(struct vgm_device *dev, struct resource *res);

/* ---- scanout state (device.c) ------------------------------------------ */

struct scanout {
	bool enabled;
	uint32_t width;
	uint32_t height;
	uint8_t *edid; /* the VMM's own EDID, or NULL: generated */
	size_t edid_len;
	struct resource *res; /* shown, or NULL */
	struct vgm_gpu_rect rect; /* the part of the resource's image shown */
	/* What the host is given: the first pixel of rect, in the 2D image, in
	 * guest memory (a blob contiguous in the host's mapping) or in staging. */
	const struct format_info *fmt;
	const uint8_t *data;
	uint32_t stride;
	/* blobs: where the image starts in the backing, and a copy of rect's
	 * pixels when they are not contiguous in the host's mapping */
	uint64_t blob_offset;
	uint32_t blob_stride;
	uint8_t *staging;
	uint64_t staging_bytes;
};

void scanout_show(struct vgm_device *dev, uint32_t idx, struct resource *res,
		  const struct vgm_gpu_rect *rect);
void scanout_hide(struct vgm_device *dev, uint32_t idx);
void scanout_pixels(const struct scanout *so, struct vgm_pixels *px);
/* Calls scanout_set with what the scanout shows. */
void scanout_announce(struct vgm_device *dev, uint32_t idx);
/* Makes a prepared view (res, rect, fmt, data, stride, blob fields) the
 * scanout's, without telling the host. */
void scanout_take(struct vgm_device *dev, uint32_t idx, struct scanout *view);
/* Forgets every scanout's view without callbacks (destroy). */
void scanout_forget_all(struct vgm_device *dev);

/* scanout-blob.c: a blob's image as a scanout shows it. */
struct blob_image {
	const struct format_info *fmt;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint64_t offset;
	struct vgm_gpu_rect rect;
};
/* Shows a blob; 0 or ERR_OUT_OF_MEMORY (no room for staging: nothing changed). */
uint32_t scanout_show_blob(struct vgm_device *dev, uint32_t idx, struct resource *res,
			   const struct blob_image *img);
/* Refreshes staging for rect (scanout coordinates) from guest memory. */
void scanout_blob_refresh(struct scanout *so, const struct vgm_rect *r);
void scanout_blob_release(struct vgm_device *dev, struct scanout *so);

/* ---- the device --------------------------------------------------------- */

struct limits {
	uint64_t host_memory;
	uint32_t backing_entries;
	uint32_t resources;
	uint32_t regions;
};

struct vgm_device {
	struct vgm_host_ops ops;
	void *host;
	enum vgm_dialect dialect;
	uint64_t offered;
	uint64_t accepted;
	uint32_t events;
	uint32_t num_scanouts;
	struct scanout scanouts[VGM_MAX_SCANOUTS];
	struct limits limits;
	struct idtable resources;
	struct idtable memory_ids;
	uint32_t nregions;
	uint64_t image_bytes;
	uint64_t table_bytes;
	uint64_t backing_entries;
	struct vgm_log log;
	/* Transfers of this many bytes and more are streamed around the
	 * caches; 0: not chosen yet (copy_stream_threshold(), when a
	 * transfer first could need it). */
	uint64_t stream_min;
	int udmabuf_fd;	      /* /dev/udmabuf: -1 not opened yet, -2 absent */
	bool udmabuf_failed;  /* an ioctl failed once (logged once) */
	struct idtable uuids; /* first 4 bytes of a UUID -> resource */
	/* commands by type: [0x01xx, 0x02xx, 0x03xx][low byte] */
	const struct cmd_desc *cmds[3][16];
	/* scratch space of one request, bounded by the limits */
	struct vgm_gpu_mem_entry *entries;
	uint32_t entries_cap;
	uint32_t cursor[VGM_CURSOR_SIZE * VGM_CURSOR_SIZE];
};

/* ---- dispatch.c and the command families -------------------------------- */

struct cmd_desc;

/* One decoded request. validate() fills the lookups it did, so execute()
 * does not repeat them. */
struct cmd {
	const struct cmd_desc *desc;
	enum vgm_queue queue;
	struct vgm_gpu_ctrl_hdr hdr;
	/* the body; the header fields inside these are not used */
	union {
		struct vgm_gpu_resource_create_2d create_2d;
		struct vgm_gpu_set_scanout set_scanout;
		struct vgm_gpu_resource_flush flush;
		struct vgm_gpu_transfer_to_host_2d transfer;
		struct vgm_gpu_resource_attach_backing attach_backing;
		struct vgm_gpu_update_cursor cursor;
		struct vgm_gpu_memory_create memory_create;
		struct vgm_gpu_resource_attach_memory attach_memory;
		struct vgm_gpu_resource_create_blob create_blob;
		struct vgm_gpu_set_scanout_blob set_scanout_blob;
	} u;
	/* the body of commands that carry one id and padding */
	uint32_t id;
	struct iov_reader *rest; /* bytes after the struct: entries */
	const struct vgm_gpu_mem_entry *entries;
	uint32_t nr_entries;
	uint64_t entries_size; /* sum of the entries' lengths */
	struct resource *res;
	struct region *region;
	const struct format_info *fmt;
	/* the response body, after the header */
	struct writer *body;
};

/* A command family's handlers. validate() is pure: it decides the guest's
 * verdict (0: go on) and changes nothing. execute() is the only place that
 * changes state or calls the host; when it fails it leaves the device as it
 * was. Both return 0 or a VGM_GPU_RESP_ERR_* code. */
struct cmd_desc {
	uint32_t type;
	const char *name;
	uint32_t size;	 /* minimum request length, header included */
	int32_t feature; /* feature bit that gates it, -1 for none */
	enum vgm_queue queue;
	uint32_t ok;	 /* response type on success */
	bool (*decode)(struct reader *r, struct cmd *c);
	uint32_t (*validate)(struct vgm_device *dev, struct cmd *c);
	uint32_t (*execute)(struct vgm_device *dev, struct cmd *c);
};

/* Logs a guest error naming the command, and returns code. */
uint32_t guest_error(struct vgm_device *dev, const struct cmd *c, uint32_t code, const char *fmt,
		     ...) PRINTF_LIKE(4, 5);
/* Reads nr_entries entries that follow the struct into c->entries (the
 * caller has checked nr_entries against the limit). Returns 0, short_code
 * when the request is too short for them, or ERR_OUT_OF_MEMORY; logs. */
uint32_t cmd_read_entries(struct vgm_device *dev, struct cmd *c, uint32_t nr_entries,
			  uint32_t short_code);
bool feature_accepted(const struct vgm_device *dev, uint32_t bit);
/* cmd-resource.c, for every command that names resources: */
/* A new id: not 0, not in use (ERR_INVALID_RESOURCE_ID). */
uint32_t cmd_check_new_resource(struct vgm_device *dev, struct cmd *c, uint32_t id);
/* Room for one more resource under the limit (ERR_OUT_OF_MEMORY). */
uint32_t cmd_check_resource_room(struct vgm_device *dev, struct cmd *c, uint32_t id);
/* An existing resource, into c->res (ERR_INVALID_RESOURCE_ID). */
uint32_t cmd_find_resource(struct vgm_device *dev, struct cmd *c, uint32_t id);
/* The same, and whether r lies inside it (a blob: always), from the id
 * table alone where it can: without touching the resource. */
uint32_t cmd_find_resource_rect(struct vgm_device *dev, struct cmd *c, uint32_t id,
				const struct vgm_gpu_rect *r, bool *inside);
/* UUIDs are found by their first four bytes, which are unique per device. */
uint32_t uuid_key(const uint8_t uuid[16]);
/* cmd-scanout.c: a scanout id below num_scanouts (checked first:
 * ERR_INVALID_SCANOUT_ID), and the resource into c->res, or NULL for 0. */
uint32_t cmd_scanout_target(struct vgm_device *dev, struct cmd *c, uint32_t scanout_id,
			    uint32_t resource_id);
/* cmd-backing.c: every entry's range is inside the address space (ERR_UNSPEC). */
uint32_t cmd_check_ranges(struct vgm_device *dev, struct cmd *c);
bool rect_inside(const struct vgm_gpu_rect *r, uint32_t width, uint32_t height);

/* Command tables of each family, terminated by a zero type. */
extern const struct cmd_desc cmds_display[];
extern const struct cmd_desc cmds_resource[];
extern const struct cmd_desc cmds_backing[];
extern const struct cmd_desc cmds_region[];
extern const struct cmd_desc cmds_blob[];
extern const struct cmd_desc cmds_transfer[];
extern const struct cmd_desc cmds_scanout[];
extern const struct cmd_desc cmds_cursor[];
extern const struct cmd_desc cmds_unsupported[];

void dispatch_init(struct vgm_device *dev);

/* device.c */
void device_free_objects(struct vgm_device *dev, bool callbacks);
/* Fills a caller's size-carrying struct up to the size it says it has.
 * -EINVAL when that size is too small to hold anything. */
int copy_out(void *dst, const void *src, size_t size);

#endif /* VGM_PRIVATE_H */
