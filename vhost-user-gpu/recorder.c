/* SPDX-License-Identifier: MIT */
/*
 * --record: requests to a vgm-trace v1 file (see recorder.h for what the
 * file holds). Guest pages are tracked from the memory entries requests
 * name; each tracked page has a shadow, the bytes the trace has put there,
 * and before a request that may read them the pages that differ from
 * their shadow are written into the trace. The lines themselves are
 * written by the trace library's writer (tools/trace.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "iovec.h"
#include "log.h"
#include "recorder.h"
#include "trace.h"
#include "util/util.h"

#define PAGE 4096u
/* Tracked pages at most (their shadows take as much host memory). */
#define MAX_PAGES (1u << 16)
/* Pages looked at for one request, in guest memory or not. */
#define MAX_STEPS (1u << 20)
/* The library's limit of entries in one request (the backend's device
 * has the default). */
#define MAX_ENTRIES VGM_DEFAULT_MAX_BACKING_ENTRIES
/* The most bytes of commands a SUBMIT_3D has that the library reads
 * (lib/cmd/submit3d.c refuses more unread). */
#define MAX_SUBMIT (1u << 20)
/* Up to GAP unchanged bytes do not end a run of changed ones. */
#define GAP 8u

struct page {
	uint64_t pfn;
	uint8_t *shadow;
};

/*
 * The EDID of a scanout. The device line gives one per scanout: the first
 * QEMU gave the library, or none (the library's own) when a GET_EDID was
 * answered before QEMU gave one. settled: that choice is made. same: the
 * EDID the library has now is the device line's, so GET_EDID replays the
 * same; after QEMU gave another, its answers are "# recorded:".
 */
struct scanout_edid {
	uint8_t *bytes; /* NULL: the library's own */
	size_t len;
	bool settled, same;
};

/* A request whose response comes later (--virgl: a fenced request the
 * library keeps in flight): the tag the backend gave the library, and a
 * copy of its writable elements (guest memory kept mapped until the
 * library answers it). */
struct later {
	uint64_t tag;
	const char *name;
	bool replays, hostdep, ctrl;
	struct iovec *out;
	size_t out_cnt;
};

struct recorder {
	struct gpu *g;
	bool virgl; /* renderer=virgl: capset answers are hostdep */
	struct later *later;
	size_t nlater, later_cap;
	FILE *file; /* written at close */
	FILE *body; /* the lines after the ram lines, a temporary file */
	bool started, stopped, display_changed, pages_full;
	/* The device line (its EDIDs are added at the end), and the scanouts
	 * at the first request, whole. */
	struct trace_device device;
	struct vgm_scanout_info first[VGM_MAX_SCANOUTS];

	struct page *pages; /* sorted by pfn */
	size_t npages, pages_cap;
	uint64_t *pending; /* pfns named since the last merge */
	size_t npending, pending_cap;

	/* The request being run: the bytes of it the library can read, where
	 * their pieces end; and how much the chain had (readable bytes,
	 * nonempty descriptors), for when it had more. Then its response. */
	uint8_t *req;
	size_t req_len, req_cap;
	size_t *ends;
	size_t nends, ends_cap;
	uint64_t chain_bytes;
	size_t chain_pieces;
	uint8_t *resp;
	size_t resp_cap;

	struct scanout_edid edid[VGM_MAX_SCANOUTS];

	char *dumps; /* dump lines, made when the recording ends */
	size_t dumps_len;
	unsigned long requests;
	uint64_t written_bytes;
};

/* --- small things ------------------------------------------------------- */

/* The type of the request being run, 0 when it is shorter than one. */
static uint32_t request_type(const struct recorder *r)
{
	return r->req_len >= 4 ? le32(r->req) : 0;
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = n;
	return true;
}

/* --- the device line ---------------------------------------------------- */

static void start(struct recorder *r)
{
	const struct vgm_device *dev = gpu_device(r->g);
	struct trace_device *d = &r->device;

	r->started = true;
	d->dialect = gpu_dialect(r->g);
	d->have_features = true;
	d->features = gpu_accepted_features(r->g) & 0xffffffu; /* device bits */
	d->renderer = r->virgl ? VGM_RENDERER_VIRGL : VGM_RENDERER_2D;
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		const struct vgm_scanout_info *si = &r->first[i];

		r->first[i] = (struct vgm_scanout_info){ .size = sizeof(r->first[i]) };
		if (vgm_device_get_scanout_info(dev, i, &r->first[i]) < 0)
			break;
		d->num_scanouts = i + 1;
		d->scanouts[i] = (struct vgm_scanout_config){
			.enabled = si->enabled && si->width && si->height,
			.width = si->width,
			.height = si->height,
		};
	}
}

/* The trace has one device line: say so when QEMU changes a display. */
static void check_displays(struct recorder *r)
{
	for (uint32_t i = 0; i < r->device.num_scanouts && !r->display_changed; i++) {
		struct vgm_scanout_info si = { .size = sizeof(si) };

		vgm_device_get_scanout_info(gpu_device(r->g), i, &si);
		if (si.enabled == r->first[i].enabled && si.width == r->first[i].width &&
		    si.height == r->first[i].height)
			continue;
		fprintf(r->body,
			"# QEMU changed display %u here (now %s %ux%u): the replay keeps the first\n",
			i, si.enabled ? "connected" : "disconnected", si.width, si.height);
		r->display_changed = true;
	}
}

/* --- EDIDs ---------------------------------------------------------------- */

/* QEMU gave the library an EDID (the bytes it took). */
static void on_edid(void *ctx, uint32_t scanout, const uint8_t *edid, size_t len)
{
	struct recorder *r = ctx;
	struct scanout_edid *e;
	bool same;

	if (r->stopped || scanout >= VGM_MAX_SCANOUTS)
		return;
	e = &r->edid[scanout];
	if (!e->settled) {
		e->settled = true;
		e->bytes = malloc(len ? len : 1);
		e->same = e->bytes != NULL;
		if (!e->bytes) {
			log_error("--record: out of memory; GET_EDID of scanout %u is not replayable",
				  scanout);
			return;
		}
		memcpy(e->bytes, edid, len);
		e->len = len;
		return;
	}
	same = e->bytes && e->len == len && memcmp(e->bytes, edid, len) == 0;
	if (same && !e->same)
		fprintf(r->body, "# QEMU gave scanout %u the device line's EDID again here\n",
			scanout);
	else if (!same && e->same)
		fprintf(r->body,
			"# QEMU gave scanout %u another EDID here: the replay keeps the device "
			"line's; GET_EDID answers are \"# recorded:\" until it comes back\n",
			scanout);
	e->same = same;
}

/* Whether the replay gives a GET_EDID's response (type resp_type): OK_EDID
 * depends on the EDID, and the first one settles the device line's. */
static bool edid_replays(struct recorder *r, uint32_t resp_type)
{
	uint32_t scanout;
	struct scanout_edid *e;

	if (resp_type != VGM_GPU_RESP_OK_EDID ||
	    !fields_u32(gpu_dialect(r->g), r->req, r->req_len, "scanout", &scanout) ||
	    scanout >= VGM_MAX_SCANOUTS)
		return true;
	e = &r->edid[scanout];
	if (!e->settled) { /* the library's own EDID: none on the device line */
		e->settled = true;
		e->same = true;
	}
	return e->same;
}

/* The device line's edid= keys: the EDIDs QEMU gave first. */
static void put_device(struct recorder *r, FILE *f)
{
	for (uint32_t i = 0; i < r->device.num_scanouts; i++)
		r->device.edid[i] = (struct trace_edid){ r->edid[i].bytes, r->edid[i].len };
	trace_write_device(f, &r->device);
}

/* --- tracked pages ------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool tracked(const struct recorder *r, uint64_t pfn)
{
	size_t lo = 0, hi = r->npages;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->pages[mid].pfn == pfn)
			return true;
		if (r->pages[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The pending pfns join the tracked pages (sorted), with zeroed shadows:
 * the replay's RAM starts zeroed. */
static void merge_pending(struct recorder *r)
{
	size_t n = 0, i, j, k;

	if (!r->npending)
		return;
	qsort(r->pending, r->npending, sizeof(*r->pending), cmp_u64);
	for (i = 0; i < r->npending; i++) { /* unique, and not tracked yet */
		if ((n && r->pending[n - 1] == r->pending[i]) || tracked(r, r->pending[i]))
			continue;
		r->pending[n++] = r->pending[i];
	}
	r->npending = 0;
	if (!grow((void **)&r->pages, &r->pages_cap, r->npages + n, sizeof(*r->pages)))
		n = 0;
	/* Merge from the back, in place. */
	i = r->npages;
	j = n;
	k = r->npages + n;
	while (j > 0) {
		if (i > 0 && r->pages[i - 1].pfn > r->pending[j - 1]) {
			r->pages[--k] = r->pages[--i];
			continue;
		}
		r->pages[--k] = (struct page){ .pfn = r->pending[--j], .shadow = calloc(1, PAGE) };
		if (!r->pages[k].shadow)
			abort(); /* 4 KiB, at most MAX_PAGES times */
	}
	r->npages += n;
}

/* Tracks the guest pages of [addr, addr + len) that are in guest memory.
 * *steps bounds the pages looked at for one request. */
static void track_range(struct recorder *r, uint64_t addr, uint64_t len, uint32_t *steps)
{
	uint64_t pfn, last;

	if (!len || addr + len < addr)
		return;
	pfn = addr / PAGE;
	last = (addr + len - 1) / PAGE;
	for (; pfn <= last && *steps < MAX_STEPS; pfn++, (*steps)++) {
		uint64_t contig;

		if (!gpu_guest_bytes(r->g, pfn * PAGE, PAGE, &contig) || contig < PAGE)
			continue;
		if (r->npages + r->npending >= MAX_PAGES ||
		    !grow((void **)&r->pending, &r->pending_cap, r->npending + 1,
			  sizeof(*r->pending))) {
			r->pages_full = true;
			return;
		}
		r->pending[r->npending++] = pfn;
	}
}

/*
 * Where the memory entries of a request are, from the library's wire table:
 * after the fixed part of a command whose trailer is records (RESOURCE_
 * ATTACH_BACKING, RESOURCE_CREATE_BLOB, MEMORY_CREATE), as many as its
 * field flagged VGM_WIRE_COUNT says, each with its "addr" and "length".
 */
struct entries {
	const struct vgm_wire_layout *req;
	const struct vgm_wire_field *count, *addr, *length;
};

static bool entries_of(const struct recorder *r, uint32_t type, struct entries *e)
{
	const struct vgm_wire_layout *l = fields_request(gpu_dialect(r->g), type);

	if (!l || l->trailer != VGM_WIRE_TRAILER_RECORDS)
		return false;
	*e = (struct entries){
		.req = l,
		.count = fields_flagged(l, VGM_WIRE_COUNT),
		.addr = fields_named(l->record, "addr"),
		.length = fields_named(l->record, "length"),
	};
	return e->count != NULL;
}

/* How many entries of a request (the len bytes at p) the library reads:
 * as many as it names, at most MAX_ENTRIES (past that it refuses the
 * request unread). 0 when its fixed part is cut short. */
static uint32_t entries_read(const struct entries *e, const uint8_t *p, size_t len)
{
	uint64_t n;

	if (len < e->req->size || !fields_number(e->count, p, len, &n))
		return 0;
	return n < MAX_ENTRIES ? (uint32_t)n : MAX_ENTRIES;
}

static void track_entries(struct recorder *r, uint32_t type)
{
	struct entries e;
	uint32_t steps = 0, n;
	size_t rec, present;

	if (!entries_of(r, type, &e) || !e.addr || !e.length || r->req_len < e.req->size)
		return;
	rec = e.req->record->size;
	present = (r->req_len - e.req->size) / rec;
	n = entries_read(&e, r->req, r->req_len);
	if (n > present)
		n = (uint32_t)present;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = r->req + e.req->size + rec * i;
		uint64_t addr, len;

		if (fields_number(e.addr, p, rec, &addr) && fields_number(e.length, p, rec, &len))
			track_range(r, addr, len, &steps);
	}
	merge_pending(r);
}

/* --- bringing the trace's RAM up to date -------------------------------- */

/* Writes the bytes of one page that differ from its shadow. */
static void sync_page(struct recorder *r, struct page *pg)
{
	uint8_t now[PAGE];
	uint64_t contig;
	const uint8_t *src = gpu_guest_bytes(r->g, pg->pfn * PAGE, PAGE, &contig);
	size_t i = 0;

	if (!src || contig < PAGE)
		return; /* the memory table changed: nothing to read there now */
	memcpy(now, src, PAGE); /* one snapshot: the guest may be writing */
	while (i < PAGE) {
		size_t start, last;

		if (now[i] == pg->shadow[i]) {
			i++;
			continue;
		}
		start = last = i;
		for (i++; i < PAGE && i - last <= GAP; i++) {
			if (now[i] != pg->shadow[i])
				last = i;
		}
		trace_write_memory(r->body, pg->pfn * PAGE + start, now + start, last + 1 - start);
		r->written_bytes += last + 1 - start;
		memcpy(pg->shadow + start, now + start, last + 1 - start);
		i = last + 1;
	}
}

static void sync_pages(struct recorder *r)
{
	for (size_t i = 0; i < r->npages; i++) {
		uint64_t contig;
		const uint8_t *src = gpu_guest_bytes(r->g, r->pages[i].pfn * PAGE, PAGE, &contig);

		if (src && contig >= PAGE && memcmp(src, r->pages[i].shadow, PAGE))
			sync_page(r, &r->pages[i]);
	}
}

/* Requests that read guest memory through a backing: transfers, and for
 * blob resources (which show guest memory itself) flushes, scanouts and
 * cursors. Everything not known to read nothing counts. */
static bool may_read_memory(enum vgm_queue q, uint32_t type)
{
	if (q == VGM_QUEUE_CURSOR)
		return type != VGM_GPU_CMD_MOVE_CURSOR;
	switch (type) {
	case VGM_GPU_CMD_GET_DISPLAY_INFO:
	case VGM_GPU_CMD_GET_EDID:
	case VGM_GPU_CMD_GET_CAPSET_INFO:
	case VGM_GPU_CMD_GET_CAPSET:
	case VGM_GPU_CMD_RESOURCE_CREATE_2D:
	case VGM_GPU_CMD_RESOURCE_UNREF:
	case VGM_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VGM_GPU_CMD_RESOURCE_DETACH_BACKING:
		return false;
	case VGM_GPU_CMD_RESOURCE_ASSIGN_UUID: /* MEMORY_CREATE in memory-rfc */
	case VGM_GPU_CMD_RESOURCE_CREATE_BLOB: /* MEMORY_UNREF */
		return false;
	default:
		return true;
	}
}

/* --- requests ----------------------------------------------------------- */

/*
 * How much of a request the library can read, from its first bytes and the
 * wire table: the header; for a command of the dialect, its fixed part,
 * then the entries it names (entries_read()) or the bytes its length field
 * says (SUBMIT_3D's commands, at most MAX_SUBMIT). The rest of a chain is
 * never looked at:
 * recording it would cost its size in memory and twice that in the trace
 * (issue 9: 64 descriptors of 8 MiB behind a GET_DISPLAY_INFO took 520 MiB
 * and made a 1 GiB trace).
 */
/* The bytes after the fixed part that its length field names (none for a
 * layout without one), at most MAX_SUBMIT. */
static size_t trailer_bytes(const struct vgm_wire_layout *l, const uint8_t *p, size_t len)
{
	uint64_t n;

	if (!fields_number(fields_flagged(l, VGM_WIRE_LENGTH), p, len, &n))
		return 0;
	return n < MAX_SUBMIT ? (size_t)n : MAX_SUBMIT;
}

static size_t readable_limit(struct recorder *r, const struct iovec *in, size_t in_cnt)
{
	uint32_t type = iovec_type(in, in_cnt);
	const struct vgm_wire_layout *l = fields_request(gpu_dialect(r->g), type);
	struct entries e;
	size_t n;

	if (!l)
		return sizeof(struct vgm_gpu_ctrl_hdr);
	/* The fixed part goes where copy_request() puts the request next. */
	if (!grow((void **)&r->req, &r->req_cap, l->size, 1))
		return l->size;
	n = iovec_gather(in, in_cnt, r->req, l->size);
	if (l->trailer == VGM_WIRE_TRAILER_BYTES)
		return l->size + trailer_bytes(l, r->req, n);
	if (!entries_of(r, type, &e))
		return l->size;
	return l->size + (size_t)l->record->size * entries_read(&e, r->req, n);
}

static bool copy_request(struct recorder *r, const struct iovec *in, size_t in_cnt)
{
	size_t limit = readable_limit(r, in, in_cnt), total = 0;

	for (size_t i = 0; i < in_cnt && total < limit; i++)
		total += in[i].iov_len < limit - total ? in[i].iov_len : limit - total;
	if (!grow((void **)&r->req, &r->req_cap, total ? total : 1, 1) ||
	    !grow((void **)&r->ends, &r->ends_cap, in_cnt ? in_cnt : 1, sizeof(*r->ends)))
		return false;
	r->req_len = r->nends = 0;
	r->chain_bytes = r->chain_pieces = 0;
	for (size_t i = 0; i < in_cnt; i++) {
		size_t k = in[i].iov_len < limit - r->req_len ? in[i].iov_len : limit - r->req_len;

		if (!in[i].iov_len)
			continue; /* an empty piece: nothing to show */
		r->chain_bytes += in[i].iov_len;
		r->chain_pieces++;
		if (!k)
			continue;
		memcpy(r->req + r->req_len, in[i].iov_base, k);
		r->req_len += k;
		r->ends[r->nends++] = r->req_len;
	}
	return true;
}

static void on_request(void *ctx, enum vgm_queue q, const struct iovec *in, size_t in_cnt)
{
	struct recorder *r = ctx;
	uint32_t type;

	if (r->stopped)
		return;
	if (!r->started)
		start(r);
	if (!copy_request(r, in, in_cnt)) {
		log_error("--record: out of memory; the recording ends here");
		fprintf(r->body, "# out of memory: the recording ends here\n");
		r->stopped = true;
		return;
	}
	type = request_type(r);
	if (q == VGM_QUEUE_CONTROL)
		track_entries(r, type);
	if (type == VGM_GPU_CMD_GET_DISPLAY_INFO || type == VGM_GPU_CMD_GET_EDID)
		check_displays(r);
	if (may_read_memory(q, type))
		sync_pages(r);
}

static void put_request(struct recorder *r, enum vgm_queue q, const struct iovec *out,
			size_t out_cnt)
{
	uint32_t type = request_type(r);
	const char *name = vgm_command_name(gpu_dialect(r->g), type);
	/* The pieces' ends but the last are the descriptor boundaries. */
	struct trace_request req = {
		.data = r->req,
		.len = r->req_len,
		.cuts = r->ends,
		.ncuts = r->nends ? r->nends - 1 : 0,
	};

	if (r->chain_bytes > r->req_len)
		fprintf(r->body,
			"# the chain had %llu readable bytes in %zu descriptors: the first %zu, "
			"what the library reads of it, are recorded\n",
			(unsigned long long)r->chain_bytes, r->chain_pieces, r->req_len);
	if (q == VGM_QUEUE_CONTROL) {
		trace_request_set_resp(&req, out, out_cnt);
		req.host_dependent = r->virgl && text_host_dependent(type);
	}
	trace_write_request(r->body, q == VGM_QUEUE_CURSOR ? TRACE_CURSOR : TRACE_CTRL, &req,
			    name ? name : "?");
}

/* The response, read back from the writable part. */
static void put_response(struct recorder *r, const struct iovec *out, size_t out_cnt,
			 size_t written)
{
	uint32_t type = request_type(r);
	/* A UUID is drawn at random; an EDID QEMU changed is not the device
	 * line's. */
	bool same = type == VGM_GPU_CMD_GET_EDID
			    ? edid_replays(r, written >= 4 ? iovec_type(out, out_cnt) : 0)
			    : !(type == VGM_GPU_CMD_RESOURCE_ASSIGN_UUID &&
				gpu_dialect(r->g) == VGM_DIALECT_STANDARD);

	if (!grow((void **)&r->resp, &r->resp_cap, written ? written : 1, 1)) {
		fprintf(r->body, "# out of memory: the response is not recorded\n");
		return;
	}
	written = iovec_gather(out, out_cnt, r->resp, written);
	trace_write_expect_ctrl(r->body, same, r->virgl && text_host_dependent(type), r->resp,
				written);
}

static void on_response(void *ctx, enum vgm_queue q, const struct iovec *out, size_t out_cnt,
			size_t written)
{
	struct recorder *r = ctx;

	if (r->stopped)
		return;
	put_request(r, q, out, out_cnt);
	if (q == VGM_QUEUE_CONTROL)
		put_response(r, out, out_cnt, written);
	r->requests++;
}

/* --- responses that come later --------------------------------------------- */

/* A request the library keeps in flight: written now, in the order the
 * requests came (the order they change the device in, which a replay that
 * waits for each request reproduces); its response at on_done(). */
static void on_later(void *ctx, enum vgm_queue q, const struct iovec *out, size_t out_cnt,
		     uint64_t tag)
{
	struct recorder *r = ctx;
	uint32_t type = request_type(r);
	struct iovec *copy = NULL;
	struct later *l;

	if (r->stopped)
		return;
	put_request(r, q, out, out_cnt);
	r->requests++;
	if (grow((void **)&r->later, &r->later_cap, r->nlater + 1, sizeof(*r->later)))
		copy = malloc((out_cnt ? out_cnt : 1) * sizeof(*copy));
	if (!copy) {
		fprintf(r->body, "# out of memory: the response of this request is not recorded\n");
		return;
	}
	if (out_cnt)
		memcpy(copy, out, out_cnt * sizeof(*copy));
	l = &r->later[r->nlater++];
	*l = (struct later){
		.tag = tag,
		.name = vgm_command_name(gpu_dialect(r->g), type),
		/* A UUID is random; an EDID may not be the device line's. */
		.replays = type != VGM_GPU_CMD_GET_EDID && type != VGM_GPU_CMD_RESOURCE_ASSIGN_UUID,
		.hostdep = q == VGM_QUEUE_CONTROL && r->virgl && text_host_dependent(type),
		.ctrl = q == VGM_QUEUE_CONTROL,
		.out = copy,
		.out_cnt = out_cnt,
	};
}

/* The library answered a request in flight (before the chain goes back to
 * the guest): its response, where it came. */
static void on_done(void *ctx, uint64_t tag, size_t written)
{
	struct recorder *r = ctx;
	struct later l;
	size_t i;

	for (i = 0; i < r->nlater && r->later[i].tag != tag; i++)
		;
	if (i == r->nlater)
		return; /* in flight before the recording, or not recorded */
	l = r->later[i];
	memmove(&r->later[i], &r->later[i + 1], (r->nlater - i - 1) * sizeof(*r->later));
	r->nlater--;
	if (!r->stopped && l.ctrl &&
	    grow((void **)&r->resp, &r->resp_cap, written ? written : 1, 1)) {
		written = iovec_gather(l.out, l.out_cnt, r->resp, written);
		fprintf(r->body, "# the response of the %s in flight (answered here):\n",
			l.name ? l.name : "request");
		trace_write_expect_ctrl(r->body, l.replays, l.hostdep, r->resp, written);
	}
	free(l.out);
}

/* --- the end ------------------------------------------------------------ */

/* A dump line per scanout, with what it shows (or that it shows nothing). */
static void make_dumps(struct recorder *r)
{
	FILE *f = open_memstream(&r->dumps, &r->dumps_len);

	if (!f)
		return;
	for (uint32_t i = 0; i < r->device.num_scanouts; i++) {
		char path[32];
		int err;

		snprintf(path, sizeof(path), "scanout-%u.ppm", i);
		err = trace_write_dump(f, gpu_device(r->g), i, path);
		if (err < 0)
			fprintf(f, "# scanout %u: no dump (%s)\n", i, strerror(-err));
	}
	fclose(f);
}

/* The recording ends: the pages as they are now (dumps of blob scanouts
 * read guest memory), and what the scanouts show. */
static void finish(struct recorder *r)
{
	if (r->stopped || !r->started)
		return;
	fprintf(r->body, "\n# The end: guest memory as it is now, and what the scanouts show.\n");
	sync_pages(r);
	make_dumps(r);
	r->stopped = true;
}

static void on_reset(void *ctx)
{
	struct recorder *r = ctx;

	if (r->stopped || !r->started)
		return;
	finish(r);
	fprintf(r->body, "# The device was reset here: the recording ends.\n");
}

/* ram lines: the tracked pages, merged into ranges; past vgm-replay's
 * limit of ranges, the smallest gaps that are guest memory too are closed. */
struct range {
	uint64_t start, end; /* pfns, end exclusive */
};

static void put_ram(struct recorder *r, FILE *f)
{
	struct range *rg = malloc((r->npages ? r->npages : 1) * sizeof(*rg));
	size_t n = 0;

	if (!rg) {
		fprintf(f, "# out of memory: no ram lines\n");
		return;
	}
	for (size_t i = 0; i < r->npages; i++) {
		if (n && rg[n - 1].end == r->pages[i].pfn)
			rg[n - 1].end++;
		else
			rg[n++] = (struct range){ r->pages[i].pfn, r->pages[i].pfn + 1 };
	}
	while (n > TRACE_DEFAULT_MAX_RANGES) {
		size_t best = n;
		uint64_t contig;

		for (size_t i = 0; i + 1 < n; i++) {
			uint64_t gap = (rg[i + 1].start - rg[i].end) * PAGE;

			if ((best == n || gap < (rg[best + 1].start - rg[best].end) * PAGE) &&
			    gpu_guest_bytes(r->g, rg[i].end * PAGE, gap, &contig) && contig == gap)
				best = i;
		}
		if (best == n) {
			fprintf(f, "# more than %u ranges of guest memory: vgm-replay refuses this\n",
				TRACE_DEFAULT_MAX_RANGES);
			break;
		}
		rg[best].end = rg[best + 1].end;
		memmove(&rg[best + 1], &rg[best + 2], (n - best - 2) * sizeof(*rg));
		n--;
	}
	for (size_t i = 0; i < n; i++)
		trace_write_ram(f, rg[i].start * PAGE, (rg[i].end - rg[i].start) * PAGE);
	free(rg);
}

static void put_header(struct recorder *r, FILE *f)
{
	char when[32] = "?";
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(f, "# Recorded by vgm-vhost-user-gpu --record (virtgpu-mem %s), %s:\n",
		vgm_version(), when);
	fprintf(f, "# %lu requests, %llu bytes of guest memory written, %zu pages.\n",
		r->requests, (unsigned long long)r->written_bytes, r->npages);
	fprintf(f, "# \"# expect:\" lines are the device's own responses and pixels; the\n"
		   "# replay must give the same. \"# recorded:\" ones cannot be: UUIDs are\n"
		   "# random, and the device line has one EDID per scanout (QEMU's, edid=).\n");
	if (r->pages_full)
		fprintf(f, "# More guest pages than the recorder tracks (%u): some are missing.\n",
			MAX_PAGES);
	if (r->started)
		put_device(r, f);
	else
		fprintf(f, "# No request came.\n");
}

int recorder_new(const char *path, struct gpu *g, bool virgl, struct recorder **out)
{
	struct recorder *r = calloc(1, sizeof(*r));
	struct gpu_recorder hooks = {
		.request = on_request,
		.response = on_response,
		.reset = on_reset,
		.edid = on_edid,
		.later = on_later,
		.done = on_done,
	};
	int err;

	if (!r)
		return -ENOMEM;
	r->g = g;
	r->virgl = virgl;
	r->file = fopen(path, "w");
	if (!r->file) {
		err = -errno;
		free(r);
		return err;
	}
	r->body = tmpfile();
	if (!r->body) {
		err = -errno;
		fclose(r->file);
		free(r);
		return err;
	}
	hooks.ctx = r;
	gpu_set_recorder(g, &hooks);
	*out = r;
	return 0;
}

static int write_file(struct recorder *r)
{
	char buf[65536];
	size_t n;

	put_header(r, r->file);
	put_ram(r, r->file);
	fputc('\n', r->file);
	rewind(r->body);
	while ((n = fread(buf, 1, sizeof(buf), r->body)) > 0)
		fwrite(buf, 1, n, r->file);
	if (r->dumps)
		fwrite(r->dumps, 1, r->dumps_len, r->file);
	if (ferror(r->body) || ferror(r->file))
		return -EIO;
	return 0;
}

int recorder_close(struct recorder *r)
{
	int err;

	if (!r)
		return 0;
	gpu_set_recorder(r->g, NULL);
	finish(r);
	err = write_file(r);
	if (fclose(r->file) != 0 && err == 0)
		err = -errno;
	if (err < 0)
		log_error("--record: cannot write the recording: %s", strerror(-err));
	else
		log_info("--record: %lu requests recorded", r->requests);
	fclose(r->body);
	for (size_t i = 0; i < r->npages; i++)
		free(r->pages[i].shadow);
	free(r->pages);
	free(r->pending);
	free(r->req);
	free(r->ends);
	free(r->resp);
	free(r->dumps);
	for (size_t i = 0; i < r->nlater; i++)
		free(r->later[i].out);
	free(r->later);
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++)
		free(r->edid[i].bytes);
	free(r);
	return err;
}
