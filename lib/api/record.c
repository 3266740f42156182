/* SPDX-License-Identifier: MIT */
/*
 * The recorder: what the guest sends a device, written as vgm-trace v1
 * (docs/trace-format.md, docs/recording.md) so vgm-replay replays it.
 *
 * A trace replays requests against RAM it declares and fills, so besides
 * each request the recorder writes the guest memory the device can read:
 * every range translate() maps (seen through the host's watch) is written
 * out after the request that mapped it, and compared before every later
 * request with a copy of what the trace holds (the shadow), whose changes
 * are written again. RAM is declared by the window of 16 MiB around a
 * mapping, as far as the VMM's translate() maps it: a guest's pages are
 * scattered, and a replay takes at most 1024 ram lines, while an address
 * that is not RAM must stay one in the replay. The device line is written
 * at the first request, when the driver has accepted its features.
 *
 * A 3D device answers fenced requests after submit_tagged() returns: such
 * a request is written when submitted (the state it changes is changed
 * then, in that order) and its response where the answer comes, kept by
 * its tag until then.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api-impl.h"

#define PAGE 4096ull
/* RAM is declared a window at a time: as many ram lines as windows with
 * RAM in them (and holes), 256 for 4 GiB. */
#define WINDOW (16ull << 20)
/* Bytes compared at a time; a changed block is written whole. */
#define BLOCK 64u
/* Range pairs compared at most when a transfer's writes are taken as the
 * trace's (absorb()); past that they are written as guest writes. */
#define MAX_ABSORB (1u << 20)
/* The most guest memory the recorder keeps a copy of: what a replay maps
 * (vgm-replay --max-ram 4G; its default is less). */
#define MAX_SHADOW (4ull << 30)

/* A guest range the device has mapped, and what the trace holds for it. */
struct rec_range {
	uint64_t gpa;
	uint64_t len;
	const uint8_t *ptr;
	uint8_t *shadow;
	bool fresh; /* mapped by the request running: not written out yet */
};

/* Guest addresses declared by ram lines, [start, end). */
struct rec_span {
	uint64_t start, end;
};

struct recorder {
	FILE *f;
	bool started; /* the device line is written */
	bool stopped; /* ended by a reset or a failure: nothing more is written */
	int error;    /* what stopped it, 0 for a reset */
	struct rec_range *ranges;
	size_t nranges, cap_ranges;
	struct rec_span *ram;
	size_t nram, cap_ram;
	uint64_t *windows; /* gpa / WINDOW of the windows declared, any order */
	size_t nwindows, cap_windows;
	bool probing; /* the recorder's own translate() calls: not mappings */
	uint64_t shadow_bytes;
	bool virgl; /* a 3D device: renderer=virgl, capsets hostdep */
	struct text_later_list later; /* requests in flight (submit_tagged()) */
};

/* arr (*cap elements of size bytes) grown to hold n + 1, or NULL (arr
 * stays valid). */
static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? 2 * *cap : 16;
	void *p;

	if (n < *cap)
		return arr;
	p = realloc(arr, c * size);
	if (p)
		*cap = c;
	return p;
}

static void rec_fail(struct vgm_device *dev, int err, const char *why)
{
	struct recorder *r = dev->rec;

	if (r->stopped)
		return;
	r->stopped = true;
	r->error = err;
	host_set_watch(dev->host, NULL, NULL);
	logger_msg(dev->log, VGM_LOG_ERROR, "recording stopped: %s", why);
}

/* ---- guest memory ---------------------------------------------------------- */

/* Writes bytes the trace now holds at gpa (taken from shadow, a stable
 * copy), and tells every range that overlaps them: their shadows stay what
 * a replay's RAM holds. */
static void emit(struct recorder *r, uint64_t gpa, const uint8_t *bytes, size_t n)
{
	text_memory(r->f, gpa, bytes, n);
	for (size_t i = 0; i < r->nranges; i++) {
		struct rec_range *o = &r->ranges[i];
		uint64_t lo = gpa > o->gpa ? gpa : o->gpa;
		uint64_t hi = gpa + n < o->gpa + o->len ? gpa + n : o->gpa + o->len;

		if (lo < hi && o->shadow + (lo - o->gpa) != bytes + (lo - gpa))
			memcpy(o->shadow + (lo - o->gpa), bytes + (lo - gpa), hi - lo);
	}
}

/* Writes what changed in a range since the trace last held it. */
static void diff_range(struct recorder *r, struct rec_range *g)
{
	uint64_t off = 0;

	while (off < g->len) {
		uint64_t end;

		if (!memcmp(g->ptr + off, g->shadow + off, g->len - off < BLOCK ? g->len - off : BLOCK)) {
			off += BLOCK;
			continue;
		}
		end = off;
		while (end < g->len &&
		       memcmp(g->ptr + end, g->shadow + end, g->len - end < BLOCK ? g->len - end : BLOCK))
			end += BLOCK;
		end = end < g->len ? end : g->len;
		memcpy(g->shadow + off, g->ptr + off, end - off);
		emit(r, g->gpa + off, g->shadow + off, end - off);
		off = end;
	}
}

/* Declares [gpa, gpa + len) (len > 0, no wrap), but what an earlier ram
 * line has. */
static int declare(struct recorder *r, uint64_t gpa, uint64_t len)
{
	uint64_t start = gpa, end = gpa + len;
	struct rec_span *p;
	size_t i = 0;

	while (start < end) {
		uint64_t stop = end;

		for (; i < r->nram && r->ram[i].end <= start; i++)
			;
		if (i < r->nram && r->ram[i].start <= start) {
			start = r->ram[i].end;
			continue;
		}
		if (i < r->nram && r->ram[i].start < stop)
			stop = r->ram[i].start;
		p = grow(r->ram, &r->cap_ram, r->nram, sizeof(*r->ram));
		if (!p)
			return -ENOMEM;
		r->ram = p;
		memmove(&r->ram[i + 1], &r->ram[i], (r->nram - i) * sizeof(*r->ram));
		r->ram[i] = (struct rec_span){ start, stop };
		r->nram++;
		fprintf(r->f, "ram 0x%" PRIx64 " 0x%" PRIx64 "\n", start, stop - start);
		start = stop;
	}
	return 0;
}

static struct rec_range *find_range(struct recorder *r, uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < r->nranges; i++) {
		if (r->ranges[i].gpa == gpa && r->ranges[i].len == len)
			return &r->ranges[i];
	}
	return NULL;
}

static int add_range(struct recorder *r, uint64_t gpa, const struct vgm_guest_map *m)
{
	struct rec_range *g;

	g = grow(r->ranges, &r->cap_ranges, r->nranges, sizeof(*r->ranges));
	if (!g)
		return -ENOMEM;
	r->ranges = g;
	if (m->len > MAX_SHADOW - r->shadow_bytes || m->len > SIZE_MAX)
		return -E2BIG;
	g = &r->ranges[r->nranges];
	*g = (struct rec_range){ .gpa = gpa, .len = m->len, .ptr = m->ptr,
				 .shadow = malloc((size_t)m->len), .fresh = true };
	if (!g->shadow)
		return -ENOMEM;
	r->nranges++;
	r->shadow_bytes += m->len;
	return 0;
}

/* A mapping the device got: written out after the request (record_after).
 * The same guest range mapped again (another resource on it) is one range. */
static void on_mapped(void *ctx, uint64_t gpa, uint64_t len, const struct vgm_guest_map *m)
{
	struct vgm_device *dev = ctx;
	struct recorder *r = dev->rec;
	struct rec_range *g;
	int err = 0;

	/* The core refuses such a mapping (and gives nothing back): not
	 * memory the recorder may read. */
	if (r->probing || !m->ptr || m->len == 0 || m->len > len || gpa > UINT64_MAX - m->len)
		return;
	g = find_range(r, gpa, m->len);
	if (g)
		g->ptr = m->ptr;
	else
		err = add_range(r, gpa, m);
	if (err)
		rec_fail(dev, err, err == -E2BIG ? "more than 4 GiB of guest memory mapped"
						: "out of memory");
}

/* A mapping given back: the ranges inside it are not read any more. */
static void on_released(void *ctx, const struct vgm_guest_map *m)
{
	struct recorder *r = ((struct vgm_device *)ctx)->rec;
	const uint8_t *lo = m->ptr, *hi = lo + m->len;

	if (r->probing)
		return;
	for (size_t i = r->nranges; i-- > 0;) {
		struct rec_range *g = &r->ranges[i];

		if (g->ptr < lo || g->ptr >= hi)
			continue;
		r->shadow_bytes -= g->len;
		free(g->shadow);
		*g = r->ranges[--r->nranges];
	}
}

/* Declares what translate() maps of [gpa, end): one ram line per run it
 * maps, an address it refuses skipped to the next page. The mappings are
 * given back at once. */
static int probe(struct vgm_device *dev, uint64_t gpa, uint64_t end)
{
	struct recorder *r = dev->rec;
	uint64_t run = gpa; /* where the run of mapped bytes began */
	int err = 0;

	r->probing = true;
	while (gpa < end && !err) {
		struct vgm_guest_map m = { .fd = -1 };
		bool ok = host_translate(dev->host, gpa, end - gpa, &m) == 0 && m.ptr && m.len &&
			  m.len <= end - gpa;

		if (ok)
			host_release(dev->host, &m);
		if (!ok && run < gpa)
			err = declare(r, run, gpa - run);
		if (!ok && (gpa & ~(PAGE - 1)) > UINT64_MAX - PAGE)
			break;
		gpa = ok ? gpa + m.len : (gpa & ~(PAGE - 1)) + PAGE;
		run = ok ? run : gpa;
	}
	if (!err && run < end)
		err = declare(r, run, end - run);
	r->probing = false;
	return err;
}

/* Declares the RAM of the window that holds gpa, once. */
static int declare_window(struct vgm_device *dev, uint64_t gpa)
{
	struct recorder *r = dev->rec;
	uint64_t w = gpa / WINDOW;
	uint64_t *p;

	for (size_t i = 0; i < r->nwindows; i++) {
		if (r->windows[i] == w)
			return 0;
	}
	p = grow(r->windows, &r->cap_windows, r->nwindows, sizeof(*r->windows));
	if (!p)
		return -ENOMEM;
	r->windows = p;
	r->windows[r->nwindows++] = w;
	return probe(dev, w * WINDOW, w == UINT64_MAX / WINDOW ? UINT64_MAX : (w + 1) * WINDOW);
}

/* The ranges the request mapped: their RAM declared (the windows they lie
 * in, and the range itself should translate() not map it a second time),
 * then their bytes written. */
static int put_fresh(struct vgm_device *dev)
{
	struct recorder *r = dev->rec;
	int err = 0;

	for (size_t i = 0; i < r->nranges && !err; i++) {
		struct rec_range *g = &r->ranges[i];

		for (uint64_t w = g->gpa / WINDOW; g->fresh && !err && w <= (g->gpa + g->len - 1) / WINDOW;
		     w++)
			err = declare_window(dev, w * WINDOW);
		if (g->fresh && !err)
			err = declare(r, g->gpa, g->len);
	}
	for (size_t i = 0; i < r->nranges && !err; i++) {
		struct rec_range *g = &r->ranges[i];

		if (!g->fresh)
			continue;
		g->fresh = false;
		memcpy(g->shadow, g->ptr, (size_t)g->len);
		emit(r, g->gpa, g->shadow, (size_t)g->len);
	}
	return err;
}

static const struct host_watch rec_watch = { on_mapped, on_released };

/* ---- the device and the requests ---------------------------------------------- */

static void put_limits(FILE *f, const struct core_limits *l)
{
	if (l->host_memory != VGM_DEFAULT_MAX_HOST_MEMORY)
		fprintf(f, " hostmem=%" PRIu64, l->host_memory);
	if (l->backing_entries != VGM_DEFAULT_MAX_BACKING_ENTRIES)
		fprintf(f, " max-entries=%" PRIu32, l->backing_entries);
	if (l->resources != VGM_DEFAULT_MAX_RESOURCES)
		fprintf(f, " max-resources=%" PRIu32, l->resources);
	if (l->regions != VGM_DEFAULT_MAX_REGIONS)
		fprintf(f, " max-regions=%" PRIu32, l->regions);
}

/* The device as the first request finds it: dialect, accepted features,
 * displays, limits, renderer, the VMM's EDIDs. */
static void put_device(FILE *f, const struct core *c, bool virgl)
{
	uint64_t accepted = 0;
	struct scanout_desc d;

	for (uint32_t bit = 0; bit < 64; bit++)
		accepted |= core_accepted(c, bit) ? 1ull << bit : 0;
	if (core_limits(c)->table_pieces != VGM_DEFAULT_MAX_TABLE_PIECES)
		fputs("# max_table_pieces is not the default: vgm-trace v1 cannot say so\n", f);
	fprintf(f, "device dialect=%s features=0x%" PRIx64 " scanouts=%" PRIu32,
		core_dialect(c) == VGM_DIALECT_MEMORY_RFC ? "memory-rfc" : "standard", accepted,
		core_num_scanouts(c));
	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		scanout_describe(c, i, &d);
		if (d.enabled)
			fprintf(f, " display=%" PRIu32 ":%" PRIu32 "x%" PRIu32, i, d.width, d.height);
	}
	put_limits(f, core_limits(c));
	if (virgl)
		fputs(" renderer=virgl", f);
	for (uint32_t i = 0; i < core_num_scanouts(c); i++) {
		scanout_describe(c, i, &d);
		if (!d.edid)
			continue;
		fprintf(f, " edid=%" PRIu32 ":", i);
		text_hex(f, d.edid, d.edid_len);
	}
	fputc('\n', f);
}

/* The request line; *type (0 for a request shorter than one) and
 * *hostdep say what its response line is. */
static int put_request(struct recorder *r, enum vgm_queue queue, const struct iovec *in,
		       size_t in_cnt, const struct iovec *out, size_t out_cnt, uint32_t *type,
		       bool *hostdep)
{
	uint32_t resp[TEXT_MAX_RESP];
	size_t *cuts = calloc(in_cnt ? in_cnt : 1, sizeof(*cuts));
	size_t len = 0, ncuts = 0;
	uint8_t *data = cuts ? text_gather(in, in_cnt, SIZE_MAX, &len, cuts, &ncuts) : NULL;

	*type = data && len >= 4 ? le32(data) : 0;
	*hostdep = queue == VGM_QUEUE_CONTROL && r->virgl && text_host_dependent(*type);
	if (data)
		text_request(r->f, &(struct text_request){
					   .cursor = queue == VGM_QUEUE_CURSOR,
					   .data = data,
					   .len = len,
					   .cuts = cuts,
					   .ncuts = ncuts,
					   .resp = resp,
					   .nresp = text_resp_sizes(out, out_cnt, resp),
					   .hostdep = *hostdep,
				   });
	free(data);
	free(cuts);
	return data ? 0 : -ENOMEM;
}

/* Before a request: the device line (the first time), and the guest memory
 * that changed. */
void record_before(struct vgm_device *dev)
{
	struct recorder *r = dev->rec;

	if (!r || r->stopped)
		return;
	if (!r->started) {
		put_device(r->f, dev->core, r->virgl);
		r->started = true;
	}
	for (size_t i = 0; i < r->nranges; i++)
		diff_range(r, &r->ranges[i]);
}

/* The shadows of the ranges that overlap [gpa, gpa + len) take what
 * guest memory holds there now. */
static void absorb_range(struct recorder *r, uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < r->nranges; i++) {
		struct rec_range *g = &r->ranges[i];
		uint64_t lo = gpa > g->gpa ? gpa : g->gpa;
		uint64_t hi = gpa + len < g->gpa + g->len ? gpa + len : g->gpa + g->len;

		if (lo < hi && !g->fresh)
			memcpy(g->shadow + (lo - g->gpa), g->ptr + (lo - g->gpa), hi - lo);
	}
}

/*
 * TRANSFER_FROM_HOST_3D (the request in[]) wrote a resource's pixels into
 * its backing, as the replay's own transfer will: the ranges of that
 * backing take them as the trace's, so that they are not written into it
 * again before the next request (a GL guest reads every frame back).
 */
static void absorb(struct vgm_device *dev, const struct iovec *in, size_t in_cnt)
{
	const struct vgm_wire_command *cmd =
		wire_command(core_dialect(dev->core), VGM_GPU_CMD_TRANSFER_FROM_HOST_3D);
	struct vgm_gpu_transfer_host_3d t;
	const struct guest_range *gr;
	struct resource *res;
	struct iov_reader ir;
	struct region *rg;
	uint8_t req[sizeof(t)];
	uint32_t n;

	iov_reader_init(&ir, in, in_cnt);
	if (!cmd || !iov_reader_copy(&ir, req, sizeof(req)) ||
	    !wire_decode_body(cmd->request, req, sizeof(req), &t))
		return;
	res = resource_find(dev->core, t.resource_id);
	rg = res ? resource_backing(res) : NULL;
	gr = rg ? region_ranges(rg, &n) : NULL;
	if (!gr || (uint64_t)n * dev->rec->nranges > MAX_ABSORB)
		return;
	for (uint32_t i = 0; i < n; i++)
		absorb_range(dev->rec, gr[i].addr, gr[i].len);
}

/* Ends a step of the recording: flushed, or the recording stopped with
 * err (or with -EIO when the file cannot be written). */
static void step_done(struct vgm_device *dev, int err)
{
	struct recorder *r = dev->rec;

	if (!err && (fflush(r->f) != 0 || ferror(r->f)))
		err = -EIO;
	if (err)
		rec_fail(dev, err, err == -EIO ? "cannot write the trace" : "out of memory");
}

/* After it: the request (its memory is written by now, also what it mapped)
 * and the response it got; or, for one submit_tagged() left in flight
 * (later: its tag), the request only, written in the order the requests
 * came (the order they change the device in, which a replay that waits for
 * each reproduces), its response at record_done(). */
void record_after(struct vgm_device *dev, enum vgm_queue queue, const struct iovec *in,
		  size_t in_cnt, const struct iovec *out, size_t out_cnt, size_t written,
		  const uint64_t *later)
{
	struct recorder *r = dev->rec;
	uint32_t type;
	bool hostdep;
	int err;

	if (!r || r->stopped)
		return;
	err = put_fresh(dev);
	if (!err)
		err = put_request(r, queue, in, in_cnt, out, out_cnt, &type, &hostdep);
	if (!err && queue == VGM_QUEUE_CONTROL && type == VGM_GPU_CMD_TRANSFER_FROM_HOST_3D)
		absorb(dev, in, in_cnt);
	if (!err && later)
		err = text_later_add(&r->later,
				     &(struct text_later){
					     .tag = *later,
					     .name = vgm_command_name(core_dialect(dev->core), type),
					     .replays = true,
					     .hostdep = hostdep,
				     },
				     out, out_cnt);
	else if (!err && queue == VGM_QUEUE_CONTROL)
		err = text_expect_ctrl_iov(r->f, true, hostdep, out, out_cnt, written);
	step_done(dev, err);
}

/* The response of a request in flight, as the VMM gets it: written where
 * it came (the replay prints it after its own request, which run-trace.py
 * finds wherever it is). A tag the recorder does not hold came before the
 * recording. */
void record_done(struct vgm_device *dev, uint64_t tag, size_t written)
{
	struct recorder *r = dev->rec;

	if (r)
		step_done(dev, text_later_done(r->stopped ? NULL : r->f, &r->later, tag, written));
}

void record_reset(struct vgm_device *dev)
{
	struct recorder *r = dev->rec;

	/* Before the first request a reset changes nothing a trace holds. */
	if (!r || r->stopped || !r->started)
		return;
	fputs("# vgm_device_reset(): vgm-trace v1 has no reset; the recording ends here\n", r->f);
	if (r->later.n)
		fprintf(r->f, "# (%zu requests in flight are answered ERR_UNSPEC by it)\n", r->later.n);
	fflush(r->f);
	rec_fail(dev, 0, "the device was reset");
}

static void recorder_free(struct recorder *r)
{
	text_later_free(&r->later);
	for (size_t i = 0; i < r->nranges; i++)
		free(r->ranges[i].shadow);
	free(r->ranges);
	free(r->ram);
	free(r->windows);
	free(r);
}

/* Ends a recording (device destroyed or record_stop): 0, or the error that
 * cut it short (-EIO, -ENOMEM, -E2BIG). */
int record_close(struct vgm_device *dev)
{
	struct recorder *r = dev->rec;
	int err;

	if (!r)
		return 0;
	host_set_watch(dev->host, NULL, NULL);
	err = r->error;
	if (fclose(r->f) != 0 && !err)
		err = -EIO;
	recorder_free(r);
	dev->rec = NULL;
	return err;
}

VGM_EXPORT int vgm_device_record_start(struct vgm_device *dev, int fd)
{
	struct core_stats st;
	struct recorder *r;
	int err = api_enter(dev, __func__), dup_fd;

	if (err)
		return err;
	if (fd < 0)
		return api_misuse(dev, "vgm_device_record_start: fd < 0");
	core_stats(dev->core, &st);
	if (dev->rec || st.resources || st.regions || st.memory_ids ||
	    dispatch_in_flight(dev->dispatch)) {
		logger_msg(dev->log, VGM_LOG_ERROR, "API misuse: vgm_device_record_start: %s",
			   dev->rec ? "already recording"
			   : dispatch_in_flight(dev->dispatch) ? "requests are in flight"
							       : "the device has live objects");
		return -EBUSY;
	}
	r = calloc(1, sizeof(*r));
	dup_fd = r ? dup(fd) : -1;
	if (dup_fd < 0 || !(r->f = fdopen(dup_fd, "w"))) {
		err = r ? -errno : -ENOMEM;
		if (dup_fd >= 0)
			close(dup_fd);
		free(r);
		return err;
	}
	fputs("# vgm-trace v1, recorded by libvirtgpu-mem " VGM_VERSION_STRING "\n", r->f);
	r->virgl = render_3d(dev->render) != NULL;
	dev->rec = r;
	host_set_watch(dev->host, &rec_watch, dev);
	return 0;
}

VGM_EXPORT int vgm_device_record_stop(struct vgm_device *dev)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!dev->rec)
		return api_misuse(dev, "vgm_device_record_stop: not recording");
	return record_close(dev);
}
