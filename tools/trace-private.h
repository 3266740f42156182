/* SPDX-License-Identifier: MIT */
/*
 * What the files of the trace unit share: lexical helpers, the byte
 * builder, the symbolic encoder, the fake guest RAM and the executor's
 * state. Not for users of trace.h.
 */
#ifndef VGM_TRACE_PRIVATE_H
#define VGM_TRACE_PRIVATE_H

#include <stdarg.h>

#include "trace.h"
#include "util/util.h" /* the library's byte helpers: LE, CRC-32 */

/* ---- trace-lex.c ----------------------------------------------------------- */

/* Fills err->msg and returns -1 (err->line is the caller's). */
int trace_fail(struct trace_error *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The tokens of a line, pointing into buf (a NUL-terminated copy that the
 * comment and separators were cut out of). */
struct tokens {
	char *buf;
	char **tok;
	size_t n;
};

/* Splits text (len bytes, may end in \n or \r\n). -1: a NUL byte, -ENOMEM. */
int tokens_split(struct tokens *t, const char *text, size_t len, struct trace_error *err);
void tokens_fini(struct tokens *t);

/* Numbers: decimal or 0x hex, up to 64 bits, the whole string. */
bool lex_u64(const char *s, uint64_t *v);
/* The same, up to max. */
bool lex_num(const char *s, uint64_t max, uint64_t *v);
/* Reads a number up to max that ends at one of the characters in stops (or
 * at the end): *s moves past it (not past the stop). */
bool lex_num_until(const char **s, const char *stops, uint64_t max, uint64_t *v);
/* "key=value": copies the key (cut to keysz - 1 bytes) into key, points
 * *value after the '='. false: no '=' or nothing before it. */
bool lex_key(const char *tok, char *key, size_t keysz, const char **value);

/* Bytes growing from hex tokens, with descriptor boundaries. */
struct bytes {
	uint8_t *data;
	size_t len, cap;
	size_t *cuts;
	size_t ncuts, cuts_cap;
	bool half; /* an odd hex digit is pending in data[len] */
	/* the most bytes it may hold (SIZE_MAX after bytes_init()): what the
	 * parser's data budget leaves, checked before anything is allocated */
	size_t room;
};

void bytes_init(struct bytes *b);
void bytes_fini(struct bytes *b);
bool bytes_is_hex(const char *tok);
/* Appends a hex token, or a descriptor boundary for "|". */
int bytes_token(struct bytes *b, const char *tok, struct trace_error *err);
int bytes_put(struct bytes *b, const void *src, size_t n, struct trace_error *err);
int bytes_cut_at(struct bytes *b, size_t off, struct trace_error *err);
/* Truncates, or extends with zeros, to len bytes. */
int bytes_resize(struct bytes *b, size_t len, struct trace_error *err);
/* Sorts the boundaries; each must be in 1..len-1, and given once. */
int bytes_sort_cuts(struct bytes *b, struct trace_error *err);
/* Checks the end (no pending digit, no boundary at the end) and hands the
 * bytes over to req (b is left empty). */
int bytes_finish(struct bytes *b, struct trace_request *req, struct trace_error *err);

/* ---- trace-symbolic.c -------------------------------------------------- */

/* True when tok names a command of the dialect (or is HDR). */
bool symbolic_is_name(enum vgm_dialect dialect, const char *tok);
/* Encodes "NAME key=value ... [hex | ...]" (toks[0] is the name) into b. */
int symbolic_encode(enum vgm_dialect dialect, char **toks, size_t n, struct bytes *b,
		    struct trace_error *err);

/* ---- trace-ram.c: guest RAM ranges that end at a guard page ------------- */

struct ram_range {
	uint64_t gpa, size;
	uint8_t *map;  /* the mapping: bytes, then a PROT_NONE page */
	size_t map_len;
	uint8_t *host; /* first byte of the range */
};

struct trace_ram {
	struct ram_range *r; /* sorted by gpa */
	size_t n, cap;
	/* Where ram_move() moved ranges from: kept PROT_NONE until
	 * ram_fini(), so a stale host pointer faults and is never reused. */
	struct ram_range *old;
	size_t nold, capold;
};

void ram_init(struct trace_ram *ram);
void ram_fini(struct trace_ram *ram);
/* 0, -EEXIST (overlap), -EINVAL (empty or wraps), -ENOMEM. */
int ram_add(struct trace_ram *ram, uint64_t gpa, uint64_t size);
/* Moves every range to new host addresses, its bytes with it (mremap: no
 * copy); the old addresses become PROT_NONE. 0 or -ENOMEM. */
int ram_move(struct trace_ram *ram);
/* Host address of [gpa, gpa + len) if it lies inside one range, else NULL. */
uint8_t *ram_span(const struct trace_ram *ram, uint64_t gpa, uint64_t len);
/* vgm_host_ops.translate over ram (host is the struct trace_ram). */
int ram_translate(const struct trace_ram *ram, uint64_t gpa, uint64_t len,
		  struct vgm_guest_map *map);

/* ---- trace-exec.c and trace-print.c -------------------------------------- */

struct trace_exec {
	struct trace_exec_opts opts;
	struct trace_ram ram;
	struct trace_device cfg; /* the device to make */
	unsigned long cfg_line;	 /* its device line, 0 for the defaults */
	struct vgm_device *dev;
	struct vgm_host_ops ops;
	uint64_t last_stats[5];	 /* the counters of the last note */
	uint8_t *resp;		 /* writable buffer of the largest request so far */
	size_t resp_cap;
};

/* The event callbacks that print lines to x->opts.out. */
void print_install(struct vgm_host_ops *ops);
/* The lines of requests. */
void print_ctrl(const struct trace_exec *x, const uint8_t *resp, size_t written,
		bool host_dependent);
void print_note(struct trace_exec *x, const struct trace_op *op, const uint8_t *resp,
		size_t written);

/* ---- trace-dump.c: what a dump reads and the line it prints --------------- */

struct dump {
	bool off; /* the scanout shows nothing */
	uint32_t width, height;
	/* height rows of width * 3 bytes, R G B, stride apart (NULL when off) */
	uint8_t *rgb;
	size_t stride;
	uint32_t crc; /* CRC-32 of the rows' pixel bytes, row after row */
};

/* Reads what the scanout of dev shows into d (dump_fini() frees it).
 * Returns 0, or a negative errno (the library's, or -ENOMEM) with err's
 * message filled and d holding nothing. */
int dump_read(const struct vgm_device *dev, uint32_t scanout, struct dump *d,
	      struct trace_error *err);
void dump_fini(struct dump *d);
/* "dump <scanout> <w>x<h> crc=<crc32> <path>", or "dump <scanout> off". */
void dump_line(FILE *f, uint32_t scanout, const struct dump *d, const char *path);

#endif /* VGM_TRACE_PRIVATE_H */
