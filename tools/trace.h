/* SPDX-License-Identifier: MIT */
/*
 * vgm-trace v1: a line-oriented text format for streams of guest requests
 * (docs/trace-format.md). This unit parses a trace into operations and runs
 * them against a device with a fake guest RAM; vgm-replay, the fuzz
 * harnesses and tests share it. It uses the library's public API only.
 *
 * Parsing is strict: anything the format does not allow is an error naming
 * the line, and nothing is executed from a trace that does not parse.
 */
#ifndef VGM_TRACE_H
#define VGM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/uio.h>

#include <virtgpu-mem/virtgpu-mem.h>

/* Writable elements of one ctrl line (resp=a,b,...), the default size, and
 * the most bytes they have in all. */
#define TRACE_MAX_RESP 16u
#define TRACE_DEFAULT_RESP 65536u
#define TRACE_MAX_RESP_SIZE (16u << 20)
/* Defaults of struct trace_parser's limits. */
#define TRACE_DEFAULT_MAX_RAM (1ull << 30)
#define TRACE_DEFAULT_MAX_RANGES 1024u
#define TRACE_DEFAULT_MAX_DATA (256ull << 20)

/* What went wrong, and where. line 0: not tied to a line. */
struct trace_error {
	unsigned long line;
	char msg[256];
};

enum trace_kind {
	TRACE_NONE, /* a blank line or a comment */
	TRACE_DEVICE,
	TRACE_RAM,
	TRACE_WRITE,
	TRACE_FILL,
	TRACE_CTRL,
	TRACE_CURSOR,
	TRACE_DUMP,
};

/* An EDID of a device line (edid=): 128..1024 bytes that the library
 * accepts. data NULL: none given, the library generates the scanout's. */
struct trace_edid {
	uint8_t *data;
	size_t len;
};

/*
 * A device line, with every default filled in. The EDIDs' bytes belong to
 * the op (trace_op_fini() frees them); a copy of the struct shares them,
 * and the executor makes its own copy.
 */
struct trace_device {
	enum vgm_dialect dialect;
	/* false: accept every feature the library offers in the dialect */
	bool have_features;
	uint64_t features;
	uint32_t num_scanouts;
	struct vgm_scanout_config scanouts[VGM_MAX_SCANOUTS];
	/* 0: the library's defaults */
	uint64_t hostmem;
	uint32_t max_entries;
	uint32_t max_resources;
	uint32_t max_regions;
	/* edid=, per scanout; given for scanouts below num_scanouts only */
	struct trace_edid edid[VGM_MAX_SCANOUTS];
	/* renderer=: enum vgm_renderer (VGM_RENDERER_2D unless given) */
	uint32_t renderer;
};

/* The device-readable bytes of a request and its device-writable part. */
struct trace_request {
	uint8_t *data;
	size_t len;
	/* descriptor boundaries: strictly increasing offsets in 1..len-1 */
	size_t *cuts;
	size_t ncuts;
	/* sizes of the writable elements (ctrl only) */
	uint32_t resp[TRACE_MAX_RESP];
	uint32_t nresp;
	/* hostdep (ctrl only): the response depends on the host (capsets,
	 * which change with Mesa): print its header and size, not its bytes */
	bool host_dependent;
};

/* One line of a trace. */
struct trace_op {
	enum trace_kind kind;
	unsigned long line;
	union {
		struct trace_device device;
		struct {
			uint64_t gpa, size;
		} ram;
		struct {
			uint64_t gpa;
			uint8_t *data;
			size_t len;
		} write;
		struct {
			uint64_t gpa, len;
			uint8_t byte;
		} fill;
		struct trace_request req; /* TRACE_CTRL, TRACE_CURSOR */
		struct {
			uint32_t scanout;
			char *path;
		} dump;
	} u;
};

struct trace_range {
	uint64_t gpa, size;
};

/*
 * What the parser knows of the lines before: the dialect (symbolic names
 * depend on it), the scanouts, the RAM ranges. Zero it with
 * trace_parser_init(); change the limits after that if needed.
 */
struct trace_parser {
	unsigned long line;
	bool have_device; /* a device line was seen */
	bool started;	  /* a ctrl, cursor or dump line was seen */
	enum vgm_dialect dialect;
	uint32_t num_scanouts;
	struct trace_range *ram; /* sorted by gpa */
	size_t nram;
	uint64_t ram_total;
	uint64_t data; /* bytes the lines parsed so far hold */
	/* limits */
	uint64_t max_ram;  /* bytes of guest RAM over every range */
	size_t max_ranges; /* ram lines */
	/* bytes the parsed operations hold in all: requests, writes, EDIDs,
	 * paths and each operation's own size. A line's len= or hex past it
	 * is refused before its bytes are allocated. */
	uint64_t max_data;
};

/* A parsed trace: the operations in order (TRACE_NONE lines left out). */
struct trace {
	struct trace_op *ops;
	size_t n;
	size_t cap;
};

void trace_parser_init(struct trace_parser *p);
void trace_parser_fini(struct trace_parser *p);

/*
 * Parses the next line (its length is len; a trailing newline is allowed)
 * into op, which the caller frees with trace_op_fini(). Line numbers count
 * the calls. Returns 0, or -1 with err filled and op left empty
 * (TRACE_NONE): a malformed line, or -ENOMEM's message.
 */
int trace_parse_line(struct trace_parser *p, const char *text, size_t len, struct trace_op *op,
		     struct trace_error *err);
void trace_op_fini(struct trace_op *op);

/* Whole traces. Return 0, or -1 with err filled and t left empty. */
int trace_parse_file(FILE *f, struct trace *t, struct trace_error *err);
/* The same with the caller's parser (see trace_parse_buffer_with()). */
int trace_parse_file_with(struct trace_parser *p, FILE *f, struct trace *t,
			  struct trace_error *err);
int trace_parse_buffer(const char *buf, size_t len, struct trace *t, struct trace_error *err);
/* The same with the caller's parser (fresh from trace_parser_init(), its
 * limits set, e.g. less RAM for a fuzzer); the caller finis it. */
int trace_parse_buffer_with(struct trace_parser *p, const char *buf, size_t len,
			    struct trace *t, struct trace_error *err);
void trace_free(struct trace *t);

/* The renderer of t's device line (VGM_RENDERER_2D without one). */
uint32_t trace_renderer(const struct trace *t);

/* The device a trace without a device line gets. */
void trace_device_defaults(struct trace_device *d);

/* ---- the executor -------------------------------------------------------- */

struct trace_exec;

/* Called after each ctrl and cursor request (resp is NULL for cursor). */
typedef void (*trace_after_fn)(void *ctx, struct vgm_device *dev, const struct trace_op *op,
			       const uint8_t *resp, size_t written);

struct trace_exec_opts {
	/* Output lines (docs/trace-format.md); NULL: none. */
	FILE *out;
	/* The directory dumps go to; NULL: the current directory. */
	const char *dump_dir;
	/* false (the default): a dump path is relative, with no ".." and no
	 * symbolic link on the way, and the file a regular one, so an
	 * untrusted trace writes nowhere but below dump_dir. true: any path,
	 * as given, relative ones joined with dump_dir. */
	bool dump_anywhere;
	/* false: dumps read the scanout but write no file (fuzzing). */
	bool write_dumps;
	/* Print a "note" line after each request (vgm-replay --annotate). */
	bool annotate;
	/* After each request: save, destroy, create, load, move guest RAM,
	 * resume (vgm-replay --save-restore); resume's lines are marked. */
	bool save_restore;
	/* With save_restore: each state is also written to this prefix,
	 * then the request's line number and ".bin" (the fuzz/load seeds). */
	const char *state_prefix;
	trace_after_fn after;
	void *ctx;
};

/*
 * An executor: its guest RAM starts empty and its device is made, from the
 * last device line or the defaults, when the first request or dump needs it.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int trace_exec_new(const struct trace_exec_opts *opts, struct trace_exec **out);
void trace_exec_destroy(struct trace_exec *x);

/*
 * Runs one operation. Returns 0, or -1 with err filled: the device could not
 * be made, RAM could not be allocated, a write outside RAM, a dump that
 * could not be written. Guest errors are responses, not failures.
 */
int trace_exec_op(struct trace_exec *x, const struct trace_op *op, struct trace_error *err);
int trace_exec_trace(struct trace_exec *x, const struct trace *t, struct trace_error *err);

/* The device, or NULL before it was made. */
struct vgm_device *trace_exec_device(const struct trace_exec *x);

/* ---- the writer (trace-write.c) --------------------------------------------
 *
 * Writes the lines of a trace, for whatever records guest requests (the
 * vhost-user backend's --record, a VMM logging its guest): what the parser
 * above reads back as the same operations. Write errors are the FILE's
 * (ferror()).
 */

/*
 * A device line: dialect=, features= (when have_features), scanouts=, a
 * display= for every enabled scanout (its size; 0x0 is the library's
 * default size), the limits that are not 0, edid= for every EDID given.
 * v1 cannot say "no display at all" (no display= is the default display):
 * for a device without one, a comment line says so first.
 */
void trace_write_device(FILE *f, const struct trace_device *d);

/* "ram <gpa> <size>". */
void trace_write_ram(FILE *f, uint64_t gpa, uint64_t size);

/* Lines that store bytes[0..n) at gpa: "write" lines, and "fill" lines for
 * runs of one byte long enough to be worth one. */
void trace_write_memory(FILE *f, uint64_t gpa, const uint8_t *bytes, size_t n);

/* The resp= of a ctrl request whose writable part is out: a size per
 * element, at most TRACE_MAX_RESP of them (the last one takes the rest),
 * at most TRACE_MAX_RESP_SIZE in all (elements past that are written
 * empty: no response is that long); no element is one empty element
 * (resp=0), which gives the library as few bytes. */
void trace_request_set_resp(struct trace_request *req, const struct iovec *out,
			    size_t out_cnt);

/* A ctrl (kind TRACE_CTRL, with its resp=) or cursor (TRACE_CURSOR)
 * line: req's bytes in hex, "|" at its cuts, then "  # note" unless note
 * is NULL. */
void trace_write_request(FILE *f, enum trace_kind kind, const struct trace_request *req,
			 const char *note);

/* "# expect: <line>" with the ctrl line vgm-replay prints for this
 * response (tests/traces/run-trace.py checks it); "# recorded: <line>"
 * when the replay cannot give the same (a random UUID, say). hostdep: the
 * line of a hostdep request (its header and size). */
void trace_write_expect_ctrl(FILE *f, bool replays, bool hostdep, const uint8_t *resp,
			     size_t written);

/*
 * "dump <scanout> <path>", then "# expect: <line>" with the dump line
 * vgm-replay prints for what the scanout of dev shows now: its size and
 * the CRC-32 of its pixels, or "off". Returns 0, or a negative errno from
 * the library (nothing written) or -ENOMEM.
 */
int trace_write_dump(FILE *f, const struct vgm_device *dev, uint32_t scanout, const char *path);

/* Bytes as lowercase hex, no spaces. */
void trace_write_hex(FILE *f, const uint8_t *p, size_t n);

#endif /* VGM_TRACE_H */
