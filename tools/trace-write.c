/* SPDX-License-Identifier: MIT */
/*
 * The writer of vgm-trace v1: the lines that trace-parse.c reads, for
 * whatever records guest requests (the vhost-user backend's --record). The
 * lines that carry bytes are util's (lib/util/trace-text.c), which the
 * library's own recorder writes too; docs/trace-format.md describes them.
 */
#include <inttypes.h>

#include "trace-private.h"

void trace_write_hex(FILE *f, const uint8_t *p, size_t n)
{
	text_hex(f, p, n);
}

/* ---- device and ram lines ------------------------------------------------- */

static bool has_display(const struct trace_device *d)
{
	for (uint32_t i = 0; i < d->num_scanouts && i < VGM_MAX_SCANOUTS; i++) {
		if (d->scanouts[i].enabled)
			return true;
	}
	return false;
}

static void put_displays(FILE *f, const struct trace_device *d)
{
	for (uint32_t i = 0; i < d->num_scanouts && i < VGM_MAX_SCANOUTS; i++) {
		const struct vgm_scanout_config *s = &d->scanouts[i];

		if (!s->enabled)
			continue;
		fprintf(f, " display=%" PRIu32 ":%" PRIu32 "x%" PRIu32, i,
			s->width && s->height ? s->width : VGM_DEFAULT_WIDTH,
			s->width && s->height ? s->height : VGM_DEFAULT_HEIGHT);
	}
}

/* The limits that are not the library's defaults (0). */
static void put_limits(FILE *f, const struct trace_device *d)
{
	if (d->hostmem)
		fprintf(f, " hostmem=%" PRIu64, d->hostmem);
	if (d->max_entries)
		fprintf(f, " max-entries=%" PRIu32, d->max_entries);
	if (d->max_resources)
		fprintf(f, " max-resources=%" PRIu32, d->max_resources);
	if (d->max_regions)
		fprintf(f, " max-regions=%" PRIu32, d->max_regions);
}

void trace_write_device(FILE *f, const struct trace_device *d)
{
	if (!has_display(d))
		fputs("# No display is connected: vgm-trace v1 cannot say so, the replay has the "
		      "default one.\n",
		      f);
	fprintf(f, "device dialect=%s",
		d->dialect == VGM_DIALECT_MEMORY_RFC ? "memory-rfc" : "standard");
	if (d->have_features)
		fprintf(f, " features=0x%" PRIx64, d->features);
	fprintf(f, " scanouts=%" PRIu32, d->num_scanouts);
	put_displays(f, d);
	put_limits(f, d);
	if (d->renderer == VGM_RENDERER_VIRGL)
		fputs(" renderer=virgl", f);
	for (uint32_t i = 0; i < d->num_scanouts && i < VGM_MAX_SCANOUTS; i++) {
		if (!d->edid[i].data)
			continue;
		fprintf(f, " edid=%" PRIu32 ":", i);
		trace_write_hex(f, d->edid[i].data, d->edid[i].len);
	}
	fputc('\n', f);
}

void trace_write_ram(FILE *f, uint64_t gpa, uint64_t size)
{
	fprintf(f, "ram 0x%" PRIx64 " 0x%" PRIx64 "\n", gpa, size);
}

/* ---- guest memory ------------------------------------------------------------- */

void trace_write_memory(FILE *f, uint64_t gpa, const uint8_t *bytes, size_t n)
{
	text_memory(f, gpa, bytes, n);
}

/* ---- requests and what they gave ---------------------------------------------- */

void trace_request_set_resp(struct trace_request *req, const struct iovec *out, size_t out_cnt)
{
	_Static_assert(TRACE_MAX_RESP == TEXT_MAX_RESP && TRACE_MAX_RESP_SIZE == TEXT_MAX_RESP_SIZE,
		       "one limit for the writer and the parser");
	req->nresp = text_resp_sizes(out, out_cnt, req->resp);
}

void trace_write_request(FILE *f, enum trace_kind kind, const struct trace_request *req,
			 const char *note)
{
	text_request(f, &(struct text_request){
				.cursor = kind == TRACE_CURSOR,
				.data = req->data,
				.len = req->len,
				.cuts = req->cuts,
				.ncuts = req->ncuts,
				.resp = req->resp,
				.nresp = req->nresp,
				.hostdep = req->host_dependent,
				.note = note,
			});
}

void trace_write_expect_ctrl(FILE *f, bool replays, bool hostdep, const uint8_t *resp,
			     size_t written)
{
	text_expect_ctrl(f, replays, hostdep, resp, written);
}

int trace_write_dump(FILE *f, const struct vgm_device *dev, uint32_t scanout, const char *path)
{
	struct trace_error err;
	struct dump d;
	int ret = dump_read(dev, scanout, &d, &err);

	if (ret < 0)
		return ret;
	fprintf(f, "dump %" PRIu32 " %s\n# expect: ", scanout, path);
	dump_line(f, scanout, &d, path);
	dump_fini(&d);
	return 0;
}
