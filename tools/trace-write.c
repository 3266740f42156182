/* SPDX-License-Identifier: MIT */
/*
 * The writer of vgm-trace v1: the lines that trace-parse.c reads, for
 * whatever records guest requests (the vhost-user backend's --record). The
 * format is written here only; docs/trace-format.md describes it.
 */
#include <inttypes.h>

#include "trace-private.h"

/* write lines carry at most this many bytes; runs of one byte at least
 * FILL_MIN long are fill lines. */
#define WRITE_BYTES 128u
#define FILL_MIN 16u

void trace_write_hex(FILE *f, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[512];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		buf[k++] = digits[p[i] >> 4];
		buf[k++] = digits[p[i] & 15];
		if (k == sizeof(buf)) {
			fwrite(buf, 1, k, f);
			k = 0;
		}
	}
	fwrite(buf, 1, k, f);
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

static void put_writes(FILE *f, uint64_t gpa, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += WRITE_BYTES) {
		size_t k = n - off < WRITE_BYTES ? n - off : WRITE_BYTES;

		fprintf(f, "write 0x%" PRIx64 " ", gpa + off);
		trace_write_hex(f, p + off, k);
		fputc('\n', f);
	}
}

void trace_write_memory(FILE *f, uint64_t gpa, const uint8_t *bytes, size_t n)
{
	size_t k = 0, w = 0; /* w: the first byte not written yet */

	while (k < n) {
		size_t l = 1;

		while (k + l < n && bytes[k + l] == bytes[k])
			l++;
		if (l >= FILL_MIN) {
			put_writes(f, gpa + w, bytes + w, k - w);
			fprintf(f, "fill 0x%" PRIx64 " %zu 0x%02x\n", gpa + k, l, bytes[k]);
			w = k + l;
		}
		k += l;
	}
	put_writes(f, gpa + w, bytes + w, n - w);
}

/* ---- requests and what they gave ---------------------------------------------- */

void trace_request_set_resp(struct trace_request *req, const struct iovec *out, size_t out_cnt)
{
	req->nresp = 0;
	if (!out_cnt) {
		req->resp[req->nresp++] = 0;
		return;
	}
	for (size_t i = 0; i < out_cnt && i < TRACE_MAX_RESP; i++) {
		uint64_t size = out[i].iov_len;

		for (size_t j = TRACE_MAX_RESP; i == TRACE_MAX_RESP - 1 && j < out_cnt; j++)
			size += out[j].iov_len;
		req->resp[req->nresp++] =
			(uint32_t)(size < TRACE_MAX_RESP_SIZE ? size : TRACE_MAX_RESP_SIZE);
	}
}

void trace_write_request(FILE *f, enum trace_kind kind, const struct trace_request *req,
			 const char *note)
{
	size_t off = 0;

	fputs(kind == TRACE_CURSOR ? "cursor" : "ctrl", f);
	if (kind != TRACE_CURSOR) {
		fputs(" resp=", f);
		if (!req->nresp)
			fputc('0', f);
		for (uint32_t i = 0; i < req->nresp; i++)
			fprintf(f, "%s%" PRIu32, i ? "," : "", req->resp[i]);
	}
	for (size_t i = 0; req->len && i <= req->ncuts; i++) {
		size_t end = i < req->ncuts ? req->cuts[i] : req->len;

		fputs(i ? " | " : " ", f);
		trace_write_hex(f, req->data + off, end - off);
		off = end;
	}
	if (note)
		fprintf(f, "  # %s", note);
	fputc('\n', f);
}

void trace_write_expect_ctrl(FILE *f, bool replays, const uint8_t *resp, size_t written)
{
	fputs(replays ? "# expect: " : "# recorded: ", f);
	print_ctrl_line(f, resp, written);
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
