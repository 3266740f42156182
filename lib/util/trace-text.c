/* SPDX-License-Identifier: MIT */
/*
 * The lines of vgm-trace v1 (docs/trace-format.md) that carry bytes: hex,
 * guest memory (write and fill), a request, its response. Written once here
 * for the library's own recorder (vgm_device_record_start()) and for the
 * trace library's writer (tools/trace-write.c), which wraps them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* write lines carry at most this many bytes; runs of one byte at least
 * FILL_MIN long are fill lines. */
#define WRITE_BYTES 128u
#define FILL_MIN 16u

void text_hex(FILE *f, const uint8_t *p, size_t n)
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

static void put_writes(FILE *f, uint64_t gpa, const uint8_t *p, size_t n)
{
	for (size_t off = 0; off < n; off += WRITE_BYTES) {
		size_t k = n - off < WRITE_BYTES ? n - off : WRITE_BYTES;

		fprintf(f, "write 0x%" PRIx64 " ", gpa + off);
		text_hex(f, p + off, k);
		fputc('\n', f);
	}
}

void text_memory(FILE *f, uint64_t gpa, const uint8_t *bytes, size_t n)
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

void text_request(FILE *f, const struct text_request *r)
{
	size_t off = 0;

	fputs(r->cursor ? "cursor" : "ctrl", f);
	if (!r->cursor) {
		fputs(" resp=", f);
		if (!r->nresp)
			fputc('0', f);
		for (uint32_t i = 0; i < r->nresp; i++)
			fprintf(f, "%s%" PRIu32, i ? "," : "", r->resp[i]);
		if (r->hostdep)
			fputs(" hostdep", f);
	}
	for (size_t i = 0; r->len && i <= r->ncuts; i++) {
		size_t end = i < r->ncuts ? r->cuts[i] : r->len;

		fputs(i ? " | " : " ", f);
		text_hex(f, r->data + off, end - off);
		off = end;
	}
	if (r->note)
		fprintf(f, "  # %s", r->note);
	fputc('\n', f);
}

uint32_t text_resp_sizes(const struct iovec *out, size_t cnt, uint32_t resp[TEXT_MAX_RESP])
{
	uint64_t left = TEXT_MAX_RESP_SIZE;
	uint32_t n = 0;

	if (!cnt) {
		resp[n++] = 0;
		return n;
	}
	for (size_t i = 0; i < cnt && i < TEXT_MAX_RESP; i++) {
		uint64_t size = out[i].iov_len;

		for (size_t j = TEXT_MAX_RESP; i == TEXT_MAX_RESP - 1 && j < cnt; j++)
			size += out[j].iov_len;
		/* The parser takes no more in all: the replay allocates it. */
		size = size < left ? size : left;
		left -= size;
		resp[n++] = (uint32_t)size;
	}
	return n;
}

void text_ctrl(FILE *f, const uint8_t *resp, size_t written, bool hostdep)
{
	size_t head = written < sizeof(struct vgm_gpu_ctrl_hdr) ? written : sizeof(struct vgm_gpu_ctrl_hdr);

	if (hostdep) {
		fputs("ctrl ", f);
		text_hex(f, resp, head);
		fprintf(f, " +%zu host-dependent\n", written - head);
		return;
	}
	/* Nothing written: "ctrl" alone, no trailing space. */
	fputs(written ? "ctrl " : "ctrl", f);
	text_hex(f, resp, written);
	fputc('\n', f);
}

void text_expect_ctrl(FILE *f, bool replays, bool hostdep, const uint8_t *resp, size_t written)
{
	fputs(replays ? "# expect: " : "# recorded: ", f);
	text_ctrl(f, resp, written, hostdep);
}

bool text_host_dependent(uint32_t type)
{
	return type == VGM_GPU_CMD_GET_CAPSET_INFO || type == VGM_GPU_CMD_GET_CAPSET;
}

uint8_t *text_gather(const struct iovec *iov, size_t cnt, size_t max, size_t *len, size_t *cuts,
		     size_t *ncuts)
{
	size_t total = 0, k = 0;
	uint8_t *p;

	for (size_t i = 0; i < cnt && total < max; i++)
		total += iov[i].iov_len < max - total ? iov[i].iov_len : max - total;
	p = malloc(total ? total : 1);
	for (size_t i = 0; p && i < cnt && k < total; i++) {
		size_t n = iov[i].iov_len < total - k ? iov[i].iov_len : total - k;

		if (cuts && k && n)
			cuts[(*ncuts)++] = k;
		memcpy(p + k, iov[i].iov_base, n);
		k += n;
	}
	*len = total;
	return p;
}

int text_expect_ctrl_iov(FILE *f, bool replays, bool hostdep, const struct iovec *out,
			 size_t out_cnt, size_t written)
{
	size_t len;
	uint8_t *resp = text_gather(out, out_cnt, written, &len, NULL, NULL);

	if (!resp)
		return -ENOMEM;
	text_expect_ctrl(f, replays, hostdep, resp, len);
	free(resp);
	return 0;
}
