/* SPDX-License-Identifier: MIT */
/*
 * Moving pixels: each piece of guest memory copied to the host image as a
 * transfer finds it, one pass over the bytes.
 *
 * How to store them. Plain stores go through the caches, where the host
 * finds the image when it shows it next. Non-temporal stores go around
 * them and skip reading each destination line before overwriting it; that
 * pays only when the transfer is larger than this thread's share of the
 * shared cache, whose contents it would otherwise evict. So the choice
 * comes from the machine, by glibc's rule for memcpy (three quarters of
 * the last-level cache over the CPUs that share it), read once per device
 * when a transfer first could need it. memcpy cannot choose for us: it is
 * called once per guest piece and never sees that the transfer is large.
 */
#include <sched.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util.h"

#define LINE 64u
/* Without a cache size from the system: what was measured on hosts of
 * 2020-2025 (a core's L2, a thread's share of L3). */
#define THRESHOLD_UNKNOWN (1u << 20)

/* A cache size from sysconf(), 0 where the system does not say. */
static uint64_t cache_size(int name)
{
	long v = sysconf(name);

	return v > 0 ? (uint64_t)v : 0;
}

/* How many CPUs this thread may run on, 0 where the system does not say. */
static uint64_t cpus_allowed(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	return (uint64_t)CPU_COUNT(&set);
}

uint64_t copy_stream_threshold(void)
{
	uint64_t shared = 0, cpus, t;

#if defined(_SC_LEVEL3_CACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
	shared = cache_size(_SC_LEVEL3_CACHE_SIZE);
	if (!shared)
		shared = cache_size(_SC_LEVEL2_CACHE_SIZE);
#endif
	if (!shared)
		return THRESHOLD_UNKNOWN;
	/* Every CPU this thread may run on is taken to share it: on a machine
	 * with several last-level caches the share is underestimated, and
	 * transfers are streamed sooner, which costs little. The affinity mask
	 * is one system call, where sysconf()'s count of online CPUs opens a
	 * file under /sys, which a confined VMM may not allow. */
	cpus = cpus_allowed();
	t = shared / (cpus ? cpus : 1) / 4 * 3;
	return t > COPY_STREAM_FLOOR ? t : COPY_STREAM_FLOOR;
}

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
	size_t head = (size_t)(-(uintptr_t)d & (LINE - 1)), body;

	if (n < head + LINE) {
		memcpy(d, s, n);
		return;
	}
	memcpy(d, s, head);
	body = (n - head) & ~(size_t)(LINE - 1);
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
