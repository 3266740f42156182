/* SPDX-License-Identifier: MIT */
/*
 * The bytes of a request: a bounded little-endian reader over the host copy,
 * a sequential copier over the guest's descriptor elements, and the writer
 * of responses. Nothing else in the library does pointer arithmetic on
 * guest bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

void reader_init(struct reader *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
}

size_t reader_left(const struct reader *r)
{
	return r->len - r->pos;
}

bool reader_bytes(struct reader *r, void *dst, size_t n)
{
	if (r->len - r->pos < n)
		return false;
	memcpy(dst, r->buf + r->pos, n);
	r->pos += n;
	return true;
}

bool reader_skip(struct reader *r, size_t n)
{
	if (r->len - r->pos < n)
		return false;
	r->pos += n;
	return true;
}

bool reader_u8(struct reader *r, uint8_t *v)
{
	return reader_bytes(r, v, 1);
}

bool reader_u32(struct reader *r, uint32_t *v)
{
	if (r->len - r->pos < 4)
		return false;
	*v = le32(r->buf + r->pos);
	r->pos += 4;
	return true;
}

/* All eight bytes or nothing: a failed read consumes no bytes. */
bool reader_u64(struct reader *r, uint64_t *v)
{
	if (r->len - r->pos < 8)
		return false;
	*v = le64(r->buf + r->pos);
	r->pos += 8;
	return true;
}

void iov_reader_init(struct iov_reader *ir, const struct iovec *iov, size_t cnt)
{
	size_t total = 0;

	ir->iov = iov;
	ir->cnt = cnt;
	ir->idx = 0;
	ir->off = 0;
	/* Saturate: a request can't be larger than the address space anyway,
	 * and every read below is bounded by the element lengths. */
	for (size_t i = 0; i < cnt; i++) {
		if (__builtin_add_overflow(total, iov[i].iov_len, &total))
			total = SIZE_MAX;
	}
	ir->left = total;
}

bool iov_reader_copy(struct iov_reader *ir, void *dst, size_t n)
{
	uint8_t *out = dst;

	if (ir->left < n)
		return false;
	ir->left -= n;
	while (n > 0) {
		const struct iovec *v = &ir->iov[ir->idx];
		size_t chunk = v->iov_len - ir->off;

		if (chunk > n)
			chunk = n;
		if (chunk > 0)
			memcpy(out, (const uint8_t *)v->iov_base + ir->off, chunk);
		out += chunk;
		n -= chunk;
		ir->off += chunk;
		if (ir->off == v->iov_len) {
			ir->idx++;
			ir->off = 0;
		}
	}
	return true;
}

/* Requests come in one element as a rule; reading them in place saves a
 * copy, and with it a stall: a small copy's overlapping stores, read back
 * at once, cannot be forwarded (a RESOURCE_FLUSH spent about 15 ns of its
 * ~78 there). */
const void *iov_reader_take(struct iov_reader *ir, void *scratch, size_t n)
{
	const struct iovec *v;
	const uint8_t *p;

	if (ir->left < n)
		return NULL;
	if (n == 0)
		return scratch;
	v = &ir->iov[ir->idx]; /* n bytes are left: there is an element */
	if (v->iov_len - ir->off < n)
		return iov_reader_copy(ir, scratch, n) ? scratch : NULL;
	p = (const uint8_t *)v->iov_base + ir->off;
	ir->left -= n;
	ir->off += n;
	if (ir->off == v->iov_len) {
		ir->idx++;
		ir->off = 0;
	}
	return p;
}

size_t iov_scatter(const struct iovec *iov, size_t cnt, const void *src, size_t len)
{
	const uint8_t *in = src;
	size_t done = 0;

	for (size_t i = 0; i < cnt && done < len; i++) {
		size_t chunk = iov[i].iov_len;

		if (chunk > len - done)
			chunk = len - done;
		if (chunk > 0)
			memcpy(iov[i].iov_base, in + done, chunk);
		done += chunk;
	}
	return done;
}

void writer_init(struct writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->pos = 0;
}

void writer_bytes(struct writer *w, const void *src, size_t n)
{
	if (w->cap - w->pos < n)
		abort(); /* responses are sized by the library, never by the guest */
	memcpy(w->buf + w->pos, src, n);
	w->pos += n;
}

void writer_zero(struct writer *w, size_t n)
{
	if (w->cap - w->pos < n)
		abort();
	memset(w->buf + w->pos, 0, n);
	w->pos += n;
}

void writer_u8(struct writer *w, uint8_t v)
{
	writer_bytes(w, &v, 1);
}

void writer_u32(struct writer *w, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	writer_bytes(w, b, sizeof(b));
}

void writer_u64(struct writer *w, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	writer_bytes(w, b, sizeof(b));
}
