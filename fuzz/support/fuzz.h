/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz harnesses share: the libFuzzer entry point, a check that
 * fails loudly, a fake VMM (guest RAM ranges that end at guard pages,
 * mappings handed to the library and given back, every display callback
 * reading the pixels it is given), descriptor chains made of separate heap
 * blocks, and the rules every response must follow.
 *
 * Built twice: with -Dfuzzing=enabled against libFuzzer, and always with
 * replay-main.c, which runs saved inputs (suite fuzz-regress).
 */
#ifndef VGM_FUZZ_H
#define VGM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <virtgpu-mem/virtgpu-mem.h>

#include "util/util.h" /* the library's byte helpers: le32(), le64() ... */

/* libFuzzer's entry points. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken rule: prints where and why, and aborts (a crash to libFuzzer, a
 * failed test to the replay). */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
	} while (0)

__attribute__((noreturn)) void fuzz_fail(const char *file, int line, const char *cond,
					 const char *fmt, ...) PRINTF_LIKE(4, 5);

/* ---- input ------------------------------------------------------------------ */

/* The bytes of one input, consumed front to back. Reads past the end give
 * zeros and set short_read, so every input means something. */
struct input {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool short_read;
};

void input_init(struct input *in, const uint8_t *data, size_t len);
size_t input_left(const struct input *in);
uint8_t input_u8(struct input *in);
uint16_t input_u16(struct input *in);
uint32_t input_u32(struct input *in);
uint64_t input_u64(struct input *in);
/* Up to n bytes (fewer at the end): returns a pointer into the input and
 * sets *got. */
const uint8_t *input_bytes(struct input *in, size_t n, size_t *got);

/* ---- the fake VMM ---------------------------------------------------------- */

#define FUZZ_MAX_RANGES 16
/* Enough for the console traces' 127 MiB (mapped lazily: only what is
 * touched costs). */
#define FUZZ_MAX_RAM (160ull << 20)
#define FUZZ_FAKE_FD 0x7ff0 /* never open: a dma-buf of it cannot be made */

/* A range of guest RAM: a memfd mapped twice, each view bytes then a
 * PROT_NONE page, so the host can hand out pieces that never continue
 * each other in memory (scatter). */
struct fuzz_range {
	uint64_t gpa, size;
	uint8_t *map[2]; /* the views */
	size_t map_len;
	uint8_t *host[2]; /* the first byte in each */
};

/* How the host behaves, chosen by the input. A VMM may map a range in as
 * many pieces as it likes, each shorter than asked, from memory that does
 * not continue, and may fail a range in the middle of an entry list. */
struct host_mode {
	bool release;	 /* install release() and check every mapping comes back */
	bool page_split; /* translate() stops at every 4 KiB boundary */
	bool fds;	 /* translate() gives file positions; scanout_dmabuf installed */
	bool scatter;	 /* each translate() answers from the other view: no piece joins */
	uint32_t max_len; /* translate() maps at most this many bytes (0: no limit) */
	uint32_t fail_at; /* the fail_at-th translate() of each request fails (0: none) */
};

/* What the host was told a scanout shows. */
struct host_scanout {
	bool shown;
	bool dmabuf;		/* as a dma-buf: no pixels to read */
	struct vgm_pixels px;	/* from scanout_set */
	uint32_t width, height; /* of the shown rectangle */
};

struct fuzz_host {
	struct host_mode mode;
	struct fuzz_range ram[FUZZ_MAX_RANGES];
	size_t nram;
	uint64_t ram_total;
	struct vgm_host_ops ops;
	/* translate() results not yet given back (release mode) */
	int64_t live_maps;
	uint64_t maps_made;
	/* translate() calls since fuzz_host_new_request(), for fail_at */
	uint64_t req_translates;
	/* fence_done() calls since the last fuzz_host_clear_events() */
	uint32_t fences;
	uint32_t fence_ctx;
	uint8_t fence_ring;
	uint64_t fence_id;
	struct host_scanout scanouts[VGM_MAX_SCANOUTS];
	uint32_t uuid_calls;
	uint64_t log_lines;
	uint32_t pixel_sum; /* sink for pixel reads, so they are not optimised away */
};

void fuzz_host_init(struct fuzz_host *h, const struct host_mode *mode);
/* Changes how the host behaves, keeping its RAM; no device may hold
 * mappings. */
void fuzz_host_set_mode(struct fuzz_host *h, const struct host_mode *mode);
/* A request begins: fail_at counts from here. */
void fuzz_host_new_request(struct fuzz_host *h);
/* Unmaps the RAM. The device must be gone. */
void fuzz_host_fini(struct fuzz_host *h);
/* Adds a zeroed range; false when it overlaps, wraps, is empty or the RAM
 * would pass FUZZ_MAX_RAM or FUZZ_MAX_RANGES. */
bool fuzz_ram_add(struct fuzz_host *h, uint64_t gpa, uint64_t size);
/* Host address of [gpa, gpa + len) if it lies inside one range. */
uint8_t *fuzz_ram_span(const struct fuzz_host *h, uint64_t gpa, uint64_t len);
/* Forgets what the host was told about scanouts (after destroy: the
 * library says nothing then). */
void fuzz_host_forget_scanouts(struct fuzz_host *h);
/* Reads every pixel of every scanout the host was told about. */
void fuzz_host_read_scanouts(struct fuzz_host *h);

/* ---- the library's memory (alloc.c) ---------------------------------------------- */

/* What one request may make the library hold beyond the host-memory
 * budget: an image's mapping is rounded up to 2 MiB and made 2 MiB larger
 * before it is trimmed, and the rest (the request's entries, the objects'
 * bookkeeping) is small. The entries' copy is as long as the request,
 * which the check adds. */
#define FUZZ_PEAK_SLACK (8ull << 20)

/* Counts every allocation and anonymous mapping of the program from now,
 * until alloc_meter_stop(), which returns the peak of what was held beyond
 * what was held at the start. */
void alloc_meter_start(void);
uint64_t alloc_meter_stop(void);
/* The fake VMM's own memory, which the meter does not count. */
void *fuzz_host_alloc(size_t size);
void fuzz_host_free(void *p);

/* ---- descriptor chains ---------------------------------------------------------- */

#define FUZZ_MAX_ELEMS 32
#define FUZZ_MAX_RESP_ELEM 4096u
#define FUZZ_RESP_FILL 0xa5

/* A request as elements that are separate heap blocks of exactly their
 * size (a read past one is a sanitizer error), and a writable part filled
 * with FUZZ_RESP_FILL. */
struct chain {
	struct iovec in[FUZZ_MAX_ELEMS + 1];
	size_t in_cnt;
	struct iovec out[FUZZ_MAX_ELEMS];
	size_t out_cnt;
	size_t writable;
	uint8_t resp[2048]; /* the first bytes written, gathered */
};

/* Splits req at cuts (any order, taken modulo len; 0 and duplicates are
 * dropped) and makes writable elements of resp[i] bytes (each capped at
 * FUZZ_MAX_RESP_ELEM). */
void chain_build(struct chain *c, const uint8_t *req, size_t len, const uint32_t *cuts,
		 size_t ncuts, const uint32_t *resp, size_t nresp);
/* Checks the device left the readable part as it was and wrote exactly
 * written bytes at the front of the writable part, and gathers them. */
void chain_finish(struct chain *c, const uint8_t *req, size_t len, size_t written);
void chain_free(struct chain *c);

/* ---- responses ---------------------------------------------------------------- */

/* What a request was sent to, for the response rules. */
struct resp_ctx {
	enum vgm_dialect dialect;
	uint64_t accepted;
	uint32_t num_scanouts;
	uint64_t offered; /* GET_EDID's gate: EDID offered is enough */
};

/*
 * Checks a control queue response against the rules every response
 * follows, whatever the device's state: the length of its type, truncation
 * to the writable part, a type that exists in the dialect and fits the
 * command (unknown, unsupported, ungated and short requests get the one
 * answer they must get), the fence echo, and the fence callback. Returns
 * the response type, or 0 when fewer than 4 bytes were written. host NULL:
 * the fence callback is not checked (its callbacks are someone else's).
 */
uint32_t check_response(const struct resp_ctx *ctx, const struct fuzz_host *host,
			const uint8_t *req, size_t req_len, const struct chain *c,
			size_t written);
/* The type of a request that is complete and admitted (known in the
 * dialect, its feature accepted, not a capset command, as long as its fixed
 * part): its fields decide its answer. 0 otherwise. */
uint32_t request_admitted(const struct resp_ctx *ctx, const uint8_t *req, size_t len);
/* Counters that hold whatever the device holds: host_bytes is
 * image_bytes + table_bytes, within the budget; regions at least the
 * memory ids; no region, no mapping held. Returns the stats. */
void check_stats(const struct vgm_device *dev, const struct fuzz_host *host,
		 uint64_t host_memory, struct vgm_stats *st);
/* The memory one request made the library hold at its peak (alloc.c)
 * stays within the budget, FUZZ_PEAK_SLACK and the request's length
 * (issue 9: a backing table was built far past the budget before it was
 * refused, and host_bytes after the request never saw it). */
void check_peak(uint64_t peak, uint64_t host_memory, const uint8_t *req, size_t len);
/* After reset: nothing at all. */
void check_empty(const struct vgm_device *dev, const struct fuzz_host *host);
/* The scanouts the library says are showing are exactly those the host was
 * told about, and their resources know it. */
void check_scanouts(const struct vgm_device *dev, const struct fuzz_host *host,
		    uint32_t num_scanouts);

/* Helpers on little-endian request bytes. */

#endif /* VGM_FUZZ_H */
