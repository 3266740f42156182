/* SPDX-License-Identifier: MIT */
/*
 * trace2bin: the golden traces as fuzz seeds. Parses vgm-trace v1 files
 * with the trace unit and writes
 * - each trace as three fuzz/stream inputs (fuzz/stream/stream-format.h),
 *   named after its directory and name: standard-console.bin with a plain
 *   host, standard-console-host.bin with a host that wants its mappings
 *   back, gets them a page at a time and gives file positions, and
 *   standard-console-short.bin with a host that maps at most 1000 bytes at
 *   once, from two views of guest RAM by turns (no piece joins);
 * - each of its requests as one fuzz/request input (fuzz/request/request.c:
 *   mode with populate, release() and page splits, the trace's dialect
 *   and queue, every feature, the trace's cuts and writable sizes), named by a hash of its
 *   bytes so the same request in two traces is one seed.
 *
 *   trace2bin [--skip-malformed] [--stream-dir DIR] [--request-dir DIR]
 *             [--stamp FILE] TRACE...
 *   trace2bin TRACE > trace.bin     one trace, stream encoding, to stdout
 *
 * The build runs it over tests/traces (meson target fuzz-seeds): the seeds
 * are made at build time, never checked in, so they follow the traces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../stream/stream-format.h"
#include "trace.h"
#include "util/util.h"

#define REQ_RELEASE 0x04u
#define REQ_PAGE_SPLIT 0x08u
#define REQ_POPULATE 0x10u
#define REQ_CURSOR 0x02u
#define REQ_RFC 0x01u
/* The -short seeds' host: pieces of at most this many bytes, not page
 * aligned. */
#define SHORT_PIECE 1000u

struct out {
	uint8_t *buf;
	size_t len, cap;
};

static void put(struct out *o, const void *src, size_t n)
{
	if (n == 0) /* an empty request has no bytes at all (src NULL) */
		return;
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2;
		uint8_t *p = realloc(o->buf, cap);

		if (!p) {
			fprintf(stderr, "trace2bin: out of memory\n");
			exit(1);
		}
		o->buf = p;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, src, n);
	o->len += n;
}

static void put_le(struct out *o, uint64_t v, size_t n)
{
	uint8_t b[8];

	le_store(b, v, n);
	put(o, b, n);
}

static uint64_t clamp(uint64_t v, uint64_t max)
{
	return v < max ? v : max;
}

static void put_device(struct out *o, const struct trace_device *d, uint8_t host_flags)
{
	uint8_t flags = (uint8_t)((d->dialect == VGM_DIALECT_MEMORY_RFC ? STREAM_DEV_RFC : 0) |
				  (d->have_features ? STREAM_DEV_FEATURES : 0) | host_flags);

	put_le(o, STREAM_DEVICE, 1);
	put_le(o, flags, 1);
	put_le(o, d->features & UINT32_MAX, 4);
	put_le(o, d->num_scanouts - 1, 1);
	for (uint32_t i = 0; i < d->num_scanouts; i++) {
		const struct vgm_scanout_config *sc = &d->scanouts[i];

		put_le(o, sc->enabled ? sc->width : 0, 2);
		put_le(o, sc->enabled ? sc->height : 0, 2);
	}
	put_le(o, d->hostmem, 8);
	put_le(o, d->max_entries, 4);
	put_le(o, d->max_resources, 4);
	put_le(o, d->max_regions, 4);
	if (flags & STREAM_DEV_FAULTS) {
		put_le(o, SHORT_PIECE, 4); /* max_len */
		put_le(o, 0, 2);	    /* fail_at: none */
		put_le(o, 0, 4);	    /* max_table_pieces: default */
	}
}

static void put_cuts(struct out *o, const struct trace_request *req)
{
	size_t n = clamp(req->ncuts, 255);

	put_le(o, n, 1);
	for (size_t i = 0; i < n; i++)
		put_le(o, clamp(req->cuts[i], UINT16_MAX), 2);
}

static void put_resp(struct out *o, const struct trace_request *req)
{
	put_le(o, req->nresp, 1);
	for (size_t i = 0; i < req->nresp; i++)
		put_le(o, clamp(req->resp[i], UINT16_MAX), 2);
}

static void put_op(struct out *o, const struct trace_op *op)
{
	switch (op->kind) {
	case TRACE_RAM:
		put_le(o, STREAM_RAM, 1);
		put_le(o, op->u.ram.gpa, 8);
		put_le(o, clamp(op->u.ram.size, UINT32_MAX), 4);
		break;
	case TRACE_WRITE:
		put_le(o, STREAM_WRITE, 1);
		put_le(o, op->u.write.gpa, 8);
		put_le(o, op->u.write.len, 4);
		put(o, op->u.write.data, op->u.write.len);
		break;
	case TRACE_FILL:
		put_le(o, STREAM_FILL, 1);
		put_le(o, op->u.fill.gpa, 8);
		put_le(o, clamp(op->u.fill.len, UINT32_MAX), 4);
		put_le(o, op->u.fill.byte, 1);
		break;
	case TRACE_CTRL:
	case TRACE_CURSOR:
		put_le(o, op->kind == TRACE_CTRL ? STREAM_CTRL : STREAM_CURSOR, 1);
		put_le(o, op->u.req.len, 4);
		put_cuts(o, &op->u.req);
		if (op->kind == TRACE_CTRL)
			put_resp(o, &op->u.req);
		put(o, op->u.req.data, op->u.req.len);
		break;
	case TRACE_DUMP:
		put_le(o, STREAM_DUMP, 1);
		put_le(o, op->u.dump.scanout, 1);
		break;
	default:
		break;
	}
}

/* host_flags: how the fuzz host behaves (STREAM_DEV_RELEASE ...); the
 * guest sees the same device either way. The device line's EDIDs (edid=)
 * are left out: the stream format has no way to give one, and the stream
 * harness checks GET_EDID answers by the protocol's rules, not their bytes. */
static void stream_encode(const struct trace *t, uint8_t host_flags, struct out *o)
{
	struct trace_device d;

	trace_device_defaults(&d);
	for (size_t i = 0; i < t->n; i++) {
		if (t->ops[i].kind == TRACE_DEVICE)
			d = t->ops[i].u.device;
	}
	put_device(o, &d, host_flags);
	for (size_t i = 0; i < t->n; i++)
		put_op(o, &t->ops[i]);
}

static void request_encode(const struct trace_op *op, enum vgm_dialect dialect, struct out *o)
{
	const struct trace_request *req = &op->u.req;
	size_t ncuts = clamp(req->ncuts, 15), nresp = clamp(req->nresp, 15);

	put_le(o, REQ_POPULATE | REQ_RELEASE | REQ_PAGE_SPLIT | (op->kind == TRACE_CURSOR ? REQ_CURSOR : 0) |
			  (dialect == VGM_DIALECT_MEMORY_RFC ? REQ_RFC : 0),
	       1);
	put_le(o, 0x0f, 1); /* every feature, a well-behaved host */
	put_le(o, ncuts | nresp << 4, 1);
	for (size_t i = 0; i < ncuts; i++)
		put_le(o, clamp(req->cuts[i], UINT16_MAX), 2);
	for (size_t i = 0; i < nresp; i++)
		put_le(o, clamp(req->resp[i], UINT16_MAX), 2);
	put(o, req->data, req->len);
}

static int write_file(const char *path, const struct out *o)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(o->buf, 1, o->len, f) == o->len;

	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "trace2bin: cannot write %s: %s\n", path, strerror(errno));
	return ok ? 0 : -1;
}

/* FNV-1a, 64 bits: names the request seeds by their bytes. */
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* "tests/traces/standard/console.trace" -> "standard-console" */
static void seed_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/'), *dir = path;
	size_t dlen = 0, blen;

	base = base ? base + 1 : path;
	if (base > path) {
		const char *end = base - 1, *p = end;

		while (p > path && p[-1] != '/')
			p--;
		dir = p;
		dlen = (size_t)(end - p);
	}
	blen = strcspn(base, ".");
	snprintf(name, size, "%.*s%s%.*s", (int)dlen, dir, dlen ? "-" : "", (int)blen, base);
}

struct opts {
	bool skip_malformed;
	const char *stream_dir, *request_dir, *stamp;
	size_t streams, requests;
};

static int write_requests(struct opts *o, const struct trace *t)
{
	enum vgm_dialect dialect = VGM_DIALECT_STANDARD;

	for (size_t i = 0; i < t->n; i++) {
		const struct trace_op *op = &t->ops[i];
		struct out b = { 0 };
		char path[4096];
		int ret;

		if (op->kind == TRACE_DEVICE)
			dialect = op->u.device.dialect;
		if (op->kind != TRACE_CTRL && op->kind != TRACE_CURSOR)
			continue;
		request_encode(op, dialect, &b);
		snprintf(path, sizeof(path), "%s/req-%016llx", o->request_dir,
			 (unsigned long long)fnv(b.buf, b.len));
		ret = write_file(path, &b);
		free(b.buf);
		if (ret < 0)
			return -1;
		o->requests++;
	}
	return 0;
}

static int convert(struct opts *o, const char *path, bool to_stdout)
{
	FILE *f = fopen(path, "r");
	struct trace t;
	struct trace_error err;
	struct out b = { 0 };
	char name[256], out[4096 + 300];
	int ret = 0;

	if (!f) {
		fprintf(stderr, "trace2bin: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = trace_parse_file(f, &t, &err);
	fclose(f);
	if (ret < 0) {
		fprintf(stderr, "trace2bin: %s:%lu: %s%s\n", path, err.line, err.msg,
			o->skip_malformed ? " (skipped)" : "");
		return o->skip_malformed ? 0 : -1;
	}
	stream_encode(&t, 0, &b);
	if (to_stdout) {
		ret = fwrite(b.buf, 1, b.len, stdout) == b.len ? 0 : -1;
	} else if (o->stream_dir) {
		seed_name(path, name, sizeof(name));
		snprintf(out, sizeof(out), "%s/%s.bin", o->stream_dir, name);
		ret = write_file(out, &b);
		b.len = 0;
		stream_encode(&t, STREAM_DEV_RELEASE | STREAM_DEV_PAGE_SPLIT | STREAM_DEV_FDS, &b);
		snprintf(out, sizeof(out), "%s/%s-host.bin", o->stream_dir, name);
		if (ret == 0)
			ret = write_file(out, &b);
		b.len = 0;
		stream_encode(&t, STREAM_DEV_FAULTS | STREAM_DEV_SCATTER, &b);
		snprintf(out, sizeof(out), "%s/%s-short.bin", o->stream_dir, name);
		if (ret == 0)
			ret = write_file(out, &b);
		o->streams += ret == 0 ? 3 : 0;
	}
	if (ret == 0 && o->request_dir)
		ret = write_requests(o, &t);
	free(b.buf);
	trace_free(&t);
	return ret;
}

static int make_dir(const char *dir)
{
	if (!dir || mkdir(dir, 0777) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "trace2bin: cannot make %s: %s\n", dir, strerror(errno));
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: trace2bin [--skip-malformed] [--stream-dir DIR] "
			"[--request-dir DIR] [--stamp FILE] TRACE...\n"
			"       trace2bin TRACE > TRACE.bin\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int i = 1;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--skip-malformed") == 0)
			o.skip_malformed = true;
		else if (strcmp(argv[i], "--stream-dir") == 0 && i + 1 < argc)
			o.stream_dir = argv[++i];
		else if (strcmp(argv[i], "--request-dir") == 0 && i + 1 < argc)
			o.request_dir = argv[++i];
		else if (strcmp(argv[i], "--stamp") == 0 && i + 1 < argc)
			o.stamp = argv[++i];
		else
			return usage();
	}
	if (i >= argc || (!o.stream_dir && !o.request_dir && argc - i != 1))
		return usage();
	if (make_dir(o.stream_dir) < 0 || make_dir(o.request_dir) < 0)
		return 1;
	for (; i < argc; i++) {
		if (convert(&o, argv[i], !o.stream_dir && !o.request_dir) < 0)
			return 1;
	}
	if (o.stamp) {
		FILE *f = fopen(o.stamp, "w");

		if (!f || fprintf(f, "%zu stream seeds, %zu request seeds\n", o.streams,
				  o.requests) < 0 || fclose(f) != 0) {
			fprintf(stderr, "trace2bin: cannot write %s\n", o.stamp);
			return 1;
		}
	}
	return 0;
}
