/* SPDX-License-Identifier: MIT */
/*
 * Moving pixels. A large transfer writes whole destination lines that
 * nothing reads soon, so it goes around the cache: non-temporal stores
 * skip the read of each line before it is overwritten (a third of the
 * memory traffic of a copy) and do not evict what the host is working on.
 * memcpy cannot choose this itself: it is called once per guest page and
 * never sees that the transfer is large.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util.h"

#if defined(__SSE2__)
static void stream_lines(uint8_t *d, const uint8_t *s, size_t n)
{
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		__m128i a = _mm_loadu_si128((const void *)s);
		__m128i b = _mm_loadu_si128((const void *)(s + 16));
		__m128i c = _mm_loadu_si128((const void *)(s + 32));
		__m128i e = _mm_loadu_si128((const void *)(s + 48));

		_mm_stream_si128((void *)d, a);
		_mm_stream_si128((void *)(d + 16), b);
		_mm_stream_si128((void *)(d + 32), c);
		_mm_stream_si128((void *)(d + 48), e);
	}
}

void copy_stream(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	/* Whole lines only: a line written partly by streaming stores and
	 * partly by cached ones (the next piece's) costs more than either. */
	size_t head = (size_t)(-(uintptr_t)d & 63), body;

	if (n < head + 64) {
		memcpy(d, s, n);
		return;
	}
	memcpy(d, s, head);
	body = (n - head) & ~(size_t)63;
	stream_lines(d + head, s + head, body);
	memcpy(d + head + body, s + head + body, n - head - body);
}

void copy_fence(void)
{
	_mm_sfence(); /* the streamed lines are visible before the response */
}
#else
void copy_stream(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

void copy_fence(void)
{
}
#endif
