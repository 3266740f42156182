/* SPDX-License-Identifier: MIT */
/*
 * Pixels with their zeros left out: runs of (zero bytes, literal bytes),
 * each count a u32, then the literal bytes. Zeros are found in blocks of
 * 64 bytes, so a run of literals never stops for a few zero bytes, and an
 * image that is all zero, or never written, costs 8 bytes.
 */
#include <string.h>

#include "state-impl.h"

#define BLOCK 64u
#define RUN_MAX 0x80000000u /* a run's count, kept well inside a u32 */

static bool block_zero(const uint8_t *p, uint64_t n)
{
	static const uint8_t zeros[BLOCK];

	return memcmp(p, zeros, n) == 0;
}

/* The length of the run of zero (or non-zero) blocks at pos, at most RUN_MAX. */
static uint64_t run_len(const uint8_t *src, uint64_t pos, uint64_t n, bool zero)
{
	uint64_t end = pos;

	while (end < n && end - pos < RUN_MAX) {
		uint64_t b = n - end < BLOCK ? n - end : BLOCK;

		if (block_zero(src + end, b) != zero)
			break;
		end += b;
	}
	return end - pos > RUN_MAX ? RUN_MAX : end - pos;
}

uint64_t runs_encode(struct sink *s, const uint8_t *src, uint64_t n)
{
	size_t start = s->pos;
	uint64_t pos = 0;

	while (pos < n) {
		uint64_t zeros = run_len(src, pos, n, true);
		uint64_t lit = run_len(src, pos + zeros, n, false);

		sink_u32(s, (uint32_t)zeros);
		sink_u32(s, (uint32_t)lit);
		sink_bytes(s, src + pos + zeros, lit);
		pos += zeros + lit;
	}
	return s->pos - start;
}

bool runs_decode(const uint8_t *enc, uint64_t len, uint8_t *dst, uint64_t n)
{
	uint64_t at = 0, pos = 0;

	while (at < len) {
		uint64_t zeros, lit;

		if (len - at < 8)
			return false;
		zeros = le32(enc + at);
		lit = le32(enc + at + 4);
		at += 8;
		if (zeros + lit == 0 || zeros + lit > n - pos || lit > len - at)
			return false;
		if (dst) {
			memset(dst + pos, 0, zeros);
			memcpy(dst + pos + zeros, enc + at, lit);
		}
		at += lit;
		pos += zeros + lit;
	}
	return pos == n;
}
