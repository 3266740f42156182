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
 *
 * The cache is the one this CPU's cores share, as the CPU describes it
 * (its deterministic cache parameters). sysconf() cannot tell it on AMD:
 * glibc reads the L3 there from a leaf that gives the L3 of the whole
 * processor, 320 MiB on this project's machine (an EPYC), whose cores
 * share 32 MiB; with that, no transfer was ever streamed.
 *
 * And how wide: where the CPU has AVX2, 32 bytes a store. Streaming a 4K
 * frame from 4 KiB pages in random order, this machine stored 16.3-16.9
 * GB/s 32 bytes at a time and 12.5-12.8 GB/s 16 bytes at a time (a probe,
 * docs/benchmarks.md), probably because each load brings twice the
 * bytes, so twice as many are on their way from memory while a page's
 * first lines miss.
 */
#include <sched.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* 32-byte stores: x86 and a compiler that builds a function for AVX2
 * alone (GCC and Clang), chosen when the CPU has it. */
#if defined(__SSE2__) && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_WIDE_STREAM 1
#include <cpuid.h>
#include <immintrin.h>
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

#if defined(HAVE_WIDE_STREAM)
/* Leaf 0x8000001D (AMD's cache topology) exists: CPUID 0x80000001 ECX
 * bit 22. */
static bool amd_cache_leaf(void)
{
	unsigned int a, b, c, d;

	if ((unsigned int)__get_cpuid_max(0x80000000u, NULL) < 0x8000001du)
		return false;
	__cpuid(0x80000001u, a, b, c, d);
	return c & (1u << 22);
}

/* The largest data or unified cache one core sees, one instance of it,
 * from the CPU's deterministic cache parameters (leaf 4 on Intel,
 * 0x8000001D on AMD: the same layout); 0 where the CPU gives none. */
static uint64_t cpuid_cache_size(void)
{
	unsigned int leaf = amd_cache_leaf() ? 0x8000001du : 4u, a, b, c, d;
	uint64_t largest = 0;

	if (leaf == 4u && (unsigned int)__get_cpuid_max(0, NULL) < 4u)
		return 0;
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int type;
		uint64_t bytes;

		__cpuid_count(leaf, i, a, b, c, d);
		type = a & 0x1fu;
		if (type == 0)
			break; /* no more caches */
		if (type == 2)
			continue; /* instructions */
		bytes = (uint64_t)((b >> 22) + 1) * (((b >> 12) & 0x3ffu) + 1) * ((b & 0xfffu) + 1) *
			((uint64_t)c + 1); /* ways x partitions x line x sets */
		if (bytes > largest)
			largest = bytes;
	}
	return largest;
}
#else
static uint64_t cpuid_cache_size(void)
{
	return 0;
}
#endif

/* The last-level cache: as the CPU describes it, else as sysconf() says. */
static uint64_t shared_cache_size(void)
{
	uint64_t shared = cpuid_cache_size();

#if defined(_SC_LEVEL3_CACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
	if (!shared)
		shared = cache_size(_SC_LEVEL3_CACHE_SIZE);
	if (!shared)
		shared = cache_size(_SC_LEVEL2_CACHE_SIZE);
#endif
	return shared;
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
	uint64_t shared = shared_cache_size(), cpus, t;

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

#if defined(HAVE_WIDE_STREAM)
/* d is 64-byte aligned (a line), as the 32-byte stores need. */
__attribute__((target("avx2"))) static void stream_lines_wide(uint8_t *d, const uint8_t *s,
								size_t n)
{
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		__m256i a = _mm256_loadu_si256((const void *)s);
		__m256i b = _mm256_loadu_si256((const void *)(s + 32));

		_mm256_stream_si256((void *)d, a);
		_mm256_stream_si256((void *)(d + 32), b);
	}
}
#else
#define stream_lines_wide stream_lines /* never called: the width is narrow */
#endif

void copy_stream_as(void *dst, const void *src, size_t n, enum copy_width width)
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
	if (width == COPY_WIDE && copy_stream_width() == COPY_WIDE)
		stream_lines_wide(d + head, s + head, body);
	else
		stream_lines(d + head, s + head, body);
	memcpy(d + head + body, s + head + body, n - head - body);
}

void copy_fence(void)
{
	_mm_sfence(); /* the streamed lines are visible before the response */
}
#else
void copy_stream_as(void *dst, const void *src, size_t n, enum copy_width width)
{
	(void)width;
	memcpy(dst, src, n);
}

void copy_fence(void)
{
}
#endif

enum copy_width copy_stream_width(void)
{
#if defined(HAVE_WIDE_STREAM)
	return __builtin_cpu_supports("avx2") ? COPY_WIDE : COPY_NARROW;
#else
	return COPY_NARROW;
#endif
}

void copy_stream(void *dst, const void *src, size_t n)
{
	copy_stream_as(dst, src, n, COPY_WIDE);
}
