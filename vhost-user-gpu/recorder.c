/* SPDX-License-Identifier: MIT */
/*
 * --record: requests to a vgm-trace v1 file (see recorder.h for what the
 * file holds); their guest memory is recorder-memory.c's. The lines
 * themselves are written by the trace library's writer (tools/trace.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "iovec.h"
#include "log.h"
#include "recorder-private.h"

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

/* --- requests ----------------------------------------------------------- */

static bool copy_request(struct recorder *r, const struct iovec *in, size_t in_cnt)
{
	size_t limit = memory_readable_limit(r, in, in_cnt), total = 0;

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
		memory_track_entries(r, type);
	if (type == VGM_GPU_CMD_GET_DISPLAY_INFO || type == VGM_GPU_CMD_GET_EDID)
		check_displays(r);
	if (memory_may_read(q, type))
		memory_sync(r);
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
	if (q == VGM_QUEUE_CONTROL) {
		put_response(r, out, out_cnt, written);
		memory_device_wrote(r, written >= 4 ? iovec_type(out, out_cnt) : 0);
	}
	r->requests++;
}

/* --- responses that come later --------------------------------------------- */

/* A request the library keeps in flight: written now, in the order the
 * requests came (the order they change the device in, which a replay that
 * waits for each request reproduces); its response at on_done(). The
 * cursor queue has no response lines. */
static void on_later(void *ctx, enum vgm_queue q, const struct iovec *out, size_t out_cnt,
		     const struct iovec *resp, size_t resp_cnt, uint64_t tag)
{
	struct recorder *r = ctx;
	uint32_t type = request_type(r);

	if (r->stopped)
		return;
	put_request(r, q, out, out_cnt);
	r->requests++;
	if (q != VGM_QUEUE_CONTROL)
		return;
	memory_device_wrote(r, 0);
	if (text_later_add(&r->later,
			   &(struct text_later){
				   .tag = tag,
				   .name = vgm_command_name(gpu_dialect(r->g), type),
				   /* A UUID is random; an EDID may not be the device line's. */
				   .replays = type != VGM_GPU_CMD_GET_EDID &&
					      type != VGM_GPU_CMD_RESOURCE_ASSIGN_UUID,
				   .hostdep = r->virgl && text_host_dependent(type),
			   },
			   resp, resp_cnt) < 0)
		fprintf(r->body, "# out of memory: the response of this request is not recorded\n");
}

/* The library answered a request in flight (before the chain goes back to
 * the guest): its response, where it came. */
static void on_done(void *ctx, uint64_t tag, size_t written)
{
	struct recorder *r = ctx;

	if (text_later_done(r->stopped ? NULL : r->body, &r->later, tag, written) < 0)
		fprintf(r->body, "# out of memory: a response is not recorded\n");
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
	memory_sync(r);
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
	memory_put_ram(r, r->file);
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
	text_later_free(&r->later);
	free(r->backings);
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++)
		free(r->edid[i].bytes);
	free(r);
	return err;
}
