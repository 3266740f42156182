/* SPDX-License-Identifier: MIT */
/*
 * Descriptor chains: the readable part cut where the input says, each
 * element a heap block of exactly its size; the writable part filled with
 * a marker, so what the device wrote, and where, can be checked.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* A heap block of exactly n bytes (one byte for an empty element, which
 * the device must not read anyway). */
static void *block(size_t n)
{
	void *p = malloc(n ? n : 1);

	FUZZ_CHECK(p, "out of memory");
	return p;
}

void chain_build(struct chain *c, const uint8_t *req, size_t len, const uint32_t *cuts,
		 size_t ncuts, const uint32_t *resp, size_t nresp)
{
	uint32_t at[FUZZ_MAX_ELEMS];
	size_t n = 0, start = 0;

	memset(c, 0, sizeof(*c));
	/* Cuts at 0, at len or twice at one place make empty elements. */
	for (size_t i = 0; i < ncuts && n < FUZZ_MAX_ELEMS; i++)
		at[n++] = (uint32_t)(cuts[i] % ((uint64_t)len + 1));
	qsort(at, n, sizeof(at[0]), cmp_u32);
	for (size_t i = 0; len && i <= n; i++) {
		size_t end = i < n ? at[i] : len;

		c->in[c->in_cnt].iov_base = block(end - start);
		c->in[c->in_cnt].iov_len = end - start;
		if (end > start)
			memcpy(c->in[c->in_cnt].iov_base, req + start, end - start);
		c->in_cnt++;
		start = end;
	}
	for (size_t i = 0; i < nresp && i < FUZZ_MAX_ELEMS; i++) {
		size_t sz = resp[i] < FUZZ_MAX_RESP_ELEM ? resp[i] : FUZZ_MAX_RESP_ELEM;

		c->out[i].iov_base = block(sz);
		c->out[i].iov_len = sz;
		memset(c->out[i].iov_base, FUZZ_RESP_FILL, sz);
		c->out_cnt++;
		c->writable += sz;
	}
}

void chain_finish(struct chain *c, const uint8_t *req, size_t len, size_t written)
{
	size_t off = 0, done = 0;

	for (size_t i = 0; i < c->in_cnt; i++) {
		FUZZ_CHECK(c->in[i].iov_len == 0 || memcmp(c->in[i].iov_base, req + off,
							    c->in[i].iov_len) == 0,
			   "the device wrote into readable element %zu", i);
		off += c->in[i].iov_len;
	}
	FUZZ_CHECK(off == len, "readable part of %zu bytes, request of %zu", off, len);
	FUZZ_CHECK(written <= c->writable, "wrote %zu bytes into a writable part of %zu",
		   written, c->writable);
	for (size_t i = 0; i < c->out_cnt; i++) {
		const uint8_t *p = c->out[i].iov_base;

		for (size_t j = 0; j < c->out[i].iov_len; j++, done++) {
			if (done < written) {
				if (done < sizeof(c->resp))
					c->resp[done] = p[j];
				continue;
			}
			FUZZ_CHECK(p[j] == FUZZ_RESP_FILL,
				   "byte %zu of the writable part changed, past the %zu written",
				   done, written);
		}
	}
}

void chain_free(struct chain *c)
{
	for (size_t i = 0; i < c->in_cnt; i++)
		free(c->in[i].iov_base);
	for (size_t i = 0; i < c->out_cnt; i++)
		free(c->out[i].iov_base);
	c->in_cnt = 0;
	c->out_cnt = 0;
}
