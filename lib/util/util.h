/* SPDX-License-Identifier: MIT */
/*
 * util: the lowest layer, what every other one uses. Little-endian loads
 * and stores, CRC-32, the copy of structs that carry their size, the VMM's
 * callbacks (struct host) and the rate-limited log (struct logger).
 *
 * It includes nothing of the library but the public headers, so the tools,
 * the fuzz harnesses and the backend link it too (the static library
 * vgm-util), for the byte helpers: they are written once in the tree.
 */
#ifndef VGM_UTIL_H
#define VGM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include "virtgpu-mem/virtgpu-mem.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---- little-endian bytes ------------------------------------------------ */

/* The n (1..8) bytes at p as a little-endian number. */
static inline uint64_t le_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Writes the low n (1..8) bytes of v at p, little-endian. */
static inline void le_store(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)le_load(p, 2);
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le_load(p, 4);
}

static inline uint64_t le64(const uint8_t *p)
{
	return le_load(p, 8);
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	le_store(p, v, 2);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	le_store(p, v, 4);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	le_store(p, v, 8);
}

/* ---- crc32.c ------------------------------------------------------------ */

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of len bytes, continued from crc
 * (0 to start). */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);
/* The same by tables alone, whatever the CPU has (for the tests). */
uint32_t crc32_update_sliced(uint32_t crc, const void *buf, size_t len);

/* ---- copy.c: moving bytes ----------------------------------------------- */

/* No transfer below this is streamed, whatever the machine: non-temporal
 * stores pay for their fence and partial lines only on large ones. */
#define COPY_STREAM_FLOOR (256u << 10)
/* The transfer size from which non-temporal stores pay on this machine
 * (>= COPY_STREAM_FLOOR): three quarters of one CPU's share of the
 * last-level cache, 1 MiB where the system gives no cache size. Reads the
 * cache size from the CPU (CPUID, where it describes its caches) or the
 * system (sysconf), each time: callers keep it. */
uint64_t copy_stream_threshold(void);
/* Copies with non-temporal stores where the CPU has them (whole
 * destination lines; the ends with memcpy), for large transfers whose
 * destination nothing reads soon; copy_fence() after the last one orders
 * them before anything that follows. Here, below the core, because region
 * reads (core) stream the large transfers of the renderer. */
void copy_stream(void *dst, const void *src, size_t n);
void copy_fence(void);
/* How wide copy_stream() stores: 16 bytes, or 32 where the CPU has AVX2. */
enum copy_width { COPY_NARROW, COPY_WIDE };
enum copy_width copy_stream_width(void);
/* copy_stream() with stores of at most that width (for the tests). */
void copy_stream_as(void *dst, const void *src, size_t n, enum copy_width width);

/* ---- hugemap.c: large buffers ------------------------------------------- */

/* Buffers of this size and more are worth a mapping of their own. */
#define HUGE_MAP_MIN (2u << 20)
/* len zeroed bytes on a mapping of their own, 2 MiB aligned, huge pages
 * advised; NULL if the system has no memory. huge_unmap(NULL, len) is a
 * no-op; len is the one given to huge_map(). */
void *huge_map(size_t len);
void huge_unmap(void *p, size_t len);

/* ---- sized.c: structs that carry their size ----------------------------- */

/* Where a member of a struct ends: a size a caller of some version may give. */
#define MEMBER_END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* The sizes a size-carrying struct may be given with, short of its own:
 * ends[0] is its size at version 0.1, which every caller knows; the others
 * are where its later members end, ascending. */
struct sized_ends {
	const size_t *ends;
	size_t count;
};

/* Copies a struct the caller gives, whose first uint32_t is its size
 * (libxkbcommon's rule): a smaller one is an older caller (the rest of dst
 * is zeroed) and must end where a member ends (one of ends); a larger one
 * must have a zero tail. A size that ends inside a member is no version's:
 * refused, or half a callback pointer would be called. False: dst
 * untouched. */
bool copy_sized(void *dst, size_t dst_size, const void *src, uint32_t src_size,
		const struct sized_ends *ends);
/* Fills a caller's size-carrying struct from src (size bytes, the size
 * field included) up to the size the caller says it has: a larger one is
 * a newer caller (its tail is left as it is), a smaller one an older
 * caller and must be one of ends, as copy_sized() asks. -EINVAL (dst
 * untouched) for any other size: one that ends inside a member, or below
 * the 0.1 struct's. */
int copy_out(void *dst, const void *src, size_t size, const struct sized_ends *ends);

/* ---- host.c: the VMM's callbacks ---------------------------------------- */

/*
 * The VMM's callbacks and its pointer. Every callback into the VMM goes
 * through the functions below, which count the callbacks running: the api
 * layer refuses calls into the device while one runs (issue 9, fault 5: a
 * callback that reset, destroyed or submitted to its own device pulled
 * objects from under the library call that made it).
 */
struct host;

/* Bytes a struct host needs; it is built in place, inside the device's
 * one allocation. */
size_t host_size(void);
/* ops was copied and checked by the caller (translate is set). */
void host_init(struct host *h, const struct vgm_host_ops *ops, void *data);
/* True while one of the callbacks runs. */
bool host_busy(const struct host *h);
/* Which optional callbacks the VMM gave. */
bool host_has_release(const struct host *h);
bool host_has_dmabuf(const struct host *h);
bool host_has_log(const struct host *h);
bool host_has_request_done(const struct host *h);

/* Each callback, with the callback count raised (those the VMM may leave
 * NULL are skipped). */
int host_translate(struct host *h, uint64_t gpa, uint64_t len, struct vgm_guest_map *map);
void host_release(struct host *h, const struct vgm_guest_map *map);
void host_fence_done(struct host *h, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id);
void host_config_changed(struct host *h);
void host_scanout_set(struct host *h, uint32_t scanout, const struct vgm_pixels *px);
void host_scanout_disable(struct host *h, uint32_t scanout);
void host_scanout_update(struct host *h, uint32_t scanout, const struct vgm_rect *rect);
void host_scanout_dmabuf(struct host *h, uint32_t scanout, const struct vgm_dmabuf *buf);
void host_cursor_set(struct host *h, uint32_t scanout, const struct vgm_cursor *cursor);
void host_cursor_move(struct host *h, uint32_t scanout, uint32_t x, uint32_t y);
void host_cursor_hide(struct host *h, uint32_t scanout);
void host_resource_uuid(struct host *h, uint32_t resource_id, const uint8_t uuid[16]);
void host_request_done(struct host *h, uint64_t tag, size_t written);
/* Dropped when it comes from inside the log callback itself. */
void host_log(struct host *h, enum vgm_log_level level, const char *msg);

/* What sees every mapping the device gets and gives back (the recorder,
 * lib/api/record.c): mapped after a translate() that succeeded (len: what
 * was asked; the mapping is not checked yet), released before the VMM's
 * release() (also when the VMM has none and the library still gives back). */
struct host_watch {
	void (*mapped)(void *ctx, uint64_t gpa, uint64_t len, const struct vgm_guest_map *map);
	void (*released)(void *ctx, const struct vgm_guest_map *map);
};
/* watch NULL: none. */
void host_set_watch(struct host *h, const struct host_watch *watch, void *ctx);

/* ---- log.c: the device's log -------------------------------------------- */

/*
 * Log lines go to the VMM's log callback. Those a guest causes are rate
 * limited: a guest that sends garbage in a loop must not flood the host's
 * log, but the first errors of a burst are always seen.
 */
struct logger;

size_t logger_size(void);
/* level 0: VGM_LOG_WARNING. */
void logger_init(struct logger *lg, struct host *host, uint32_t level);
/* True when a line at level would reach the VMM (callers skip formatting). */
bool logger_wants(const struct logger *lg, enum vgm_log_level level);
/* A line caused by the host or the library itself. */
void logger_msg(struct logger *lg, enum vgm_log_level level, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
/* A line caused by the guest: a warning, rate-limited. */
void logger_guest(struct logger *lg, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* ---- trace-text.c: the byte-carrying lines of vgm-trace v1 -------------- */

/* Lower-case hex digits, no separator. */
void text_hex(FILE *f, const uint8_t *p, size_t n);
/* write lines (at most 128 bytes each) and fill lines (runs of 16 or more
 * equal bytes) that store n bytes at gpa. */
void text_memory(FILE *f, uint64_t gpa, const uint8_t *bytes, size_t n);

/* A ctrl or cursor line: the readable bytes split at the descriptor
 * boundaries cuts (strictly increasing, inside 1..len-1), and for ctrl the
 * sizes of the writable elements (nresp 0: resp=0). */
struct text_request {
	bool cursor;
	const uint8_t *data;
	size_t len;
	const size_t *cuts;
	size_t ncuts;
	const uint32_t *resp;
	uint32_t nresp;
	bool hostdep;	  /* ctrl: the response depends on the host (capsets) */
	const char *note; /* a comment after the line, or NULL */
};
void text_request(FILE *f, const struct text_request *r);
/* The most writable elements a ctrl line gives, and the most bytes in all. */
#define TEXT_MAX_RESP 16u
#define TEXT_MAX_RESP_SIZE (16u << 20)
/* The sizes of a request's writable elements as a ctrl line gives them:
 * at most TEXT_MAX_RESP (the last one takes the rest), at most
 * TEXT_MAX_RESP_SIZE in all (those past it empty); none (cnt 0) is one empty
 * element. Returns how many. */
uint32_t text_resp_sizes(const struct iovec *out, size_t cnt, uint32_t resp[TEXT_MAX_RESP]);
/* A response as vgm-replay prints it: "ctrl <hex>", or "ctrl" alone; for
 * a hostdep request "ctrl <hex of its header> +<bytes after it>
 * host-dependent". */
void text_ctrl(FILE *f, const uint8_t *resp, size_t written, bool hostdep);

/* "# expect: " (replays) or "# recorded: ", then text_ctrl()'s line. */
void text_expect_ctrl(FILE *f, bool replays, bool hostdep, const uint8_t *resp, size_t written);
/* The same of the first written bytes of out[]: 0, or -ENOMEM. */
int text_expect_ctrl_iov(FILE *f, bool replays, bool hostdep, const struct iovec *out,
			 size_t out_cnt, size_t written);
/* The first max bytes of iov[] in one allocation (*len of them; the
 * caller frees it), or NULL without memory. With cuts (room for cnt), the
 * offsets where one element ends and the next begins are added at
 * cuts[*ncuts]. */
uint8_t *text_gather(const struct iovec *iov, size_t cnt, size_t max, size_t *len, size_t *cuts,
		     size_t *ncuts);

/* ---- trace-later.c: responses that come later ---------------------------- */

/* A request in flight whose response line is still to be written: its
 * tag, command name (or NULL), whether the replay gives the same response
 * ("# expect:" or "# recorded:"), hostdep; its writable elements (copied
 * by text_later_add()). */
struct text_later {
	uint64_t tag;
	const char *name;
	bool replays, hostdep;
	struct iovec *out;
	size_t out_cnt;
};
struct text_later_list {
	struct text_later *v;
	size_t n, cap;
};
/* Keeps l (out[] copied, not the buffers); 0 or -ENOMEM. */
int text_later_add(struct text_later_list *list, const struct text_later *l,
		   const struct iovec *out, size_t out_cnt);
/* The request with tag was answered (written bytes in its elements): its
 * response line written to f (NULL: only forgotten), under a comment
 * naming it. 0 (also for a tag not kept: a request before the recording)
 * or -ENOMEM. */
int text_later_done(FILE *f, struct text_later_list *list, uint64_t tag, size_t written);
void text_later_free(struct text_later_list *list);

/* Whether a recording marks a request of this type hostdep on a 3D device:
 * the capset info and capsets virglrenderer answers from the host's GL
 * driver. */
bool text_host_dependent(uint32_t type);

/* ---- objects built in place --------------------------------------------- */

/* Every layer's object is built inside the device's one allocation (the
 * device makes as few allocations as it did when it was one struct): a
 * layer says how many bytes its object needs, rounded up with this so the
 * next one starts aligned for any type. */
static inline size_t place_round(size_t n)
{
	const size_t a = _Alignof(max_align_t);

	return (n + a - 1) / a * a;
}

/* The object placed off bytes into a block (off a sum of place_round()s). */
static inline void *place_at(void *block, size_t off)
{
	return (uint8_t *)block + off;
}

#endif /* VGM_UTIL_H */
