/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320), as zlib's crc32()
 * computes it: the trace tools print it for dumps and cursors, the
 * backend's recorder writes it into the traces it records, and a saved
 * device state carries it (docs/snapshot-format.md), over every byte of
 * the state: images of tens of MiB.
 *
 * Two ways, the same CRC. Where the CPU multiplies without carries
 * (x86-64's PCLMULQDQ), 64 bytes a step are folded into four 128-bit
 * remainders, then reduced to 32 bits (Barrett reduction), as Intel's
 * paper "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
 * Instruction" describes: several GB/s. Elsewhere, and for what is left
 * over, eight bytes a step ("slicing-by-8"): table k holds the CRC of a
 * byte followed by k zero bytes, so the eight lookups of a step are
 * independent. A byte a step with a 4-bit table was the save's largest
 * cost (half its time in bench-state). The CPU's crc32 instruction
 * (SSE 4.2, ARMv8's CRC32C) computes CRC-32C, another polynomial: the
 * format's CRC is not that one.
 */
#include <stdbool.h>

#include "util.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_CLMUL 1
#endif

#define CRC32_POLY 0xedb88320u

static uint32_t table[8][256];
static bool clmul;

/* Computed when the program (or the library) is loaded: 8 KiB the library
 * need not carry, and whether the CPU has the carry-less multiply. Not on
 * the first CRC: pthread_once() ends with a futex call, which the
 * back-end's sandbox forbids (its recorder and --save-state make their
 * first CRC confined), and nothing then races with the tables' making. */
__attribute__((constructor)) static void make_tables(void)
{
#ifdef HAVE_CLMUL
	__builtin_cpu_init(); /* a constructor may run before libgcc's */
	clmul = __builtin_cpu_supports("pclmul");
#endif
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1u)));
		table[0][n] = c;
	}
	for (uint32_t n = 0; n < 256; n++) {
		for (int k = 1; k < 8; k++)
			table[k][n] = (table[k - 1][n] >> 8) ^ table[0][table[k - 1][n] & 0xff];
	}
}

static uint32_t step8(uint32_t crc, const uint8_t *p)
{
	uint32_t lo = le32(p) ^ crc, hi = le32(p + 4);

	return table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
	       table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
	       table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
}

/* crc is the running value (inverted), p's bytes continue it. */
static uint32_t sliced(uint32_t crc, const uint8_t *p, size_t len)
{
	for (; len >= 8; p += 8, len -= 8)
		crc = step8(crc, p);
	for (; len; p++, len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p) & 0xff];
	return crc;
}

#ifdef HAVE_CLMUL
/* The fold constants are x^n mod P for the distances folded (bit-reflected,
 * n = 4*128 +- 32 for 64 bytes, 128 +- 32 for 16, then 64 and 32), mu is
 * floor(x^64 / P) and P the polynomial itself with its x^32 term. */
#define K_FOLD64 _mm_set_epi64x(0x1c6e41596, 0x154442bd4)
#define K_FOLD16 _mm_set_epi64x(0x0ccaa009e, 0x1751997d0)
#define K_FOLD8 _mm_set_epi64x(0, 0x163cd6124)
#define K_BARRETT _mm_set_epi64x(0x1f7011641, 0x1db710641) /* mu, P */

__attribute__((target("pclmul"))) static __m128i fold(__m128i x, __m128i k, __m128i next)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
					   _mm_clmulepi64_si128(x, k, 0x11)), next);
}

static __m128i load128(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* 128 bits of remainder to the 32-bit CRC. */
__attribute__((target("pclmul"))) static uint32_t reduce(__m128i x)
{
	const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i t;

	x = _mm_xor_si128(_mm_clmulepi64_si128(x, K_FOLD16, 0x10), _mm_srli_si128(x, 8));
	x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), K_FOLD8, 0x00),
			  _mm_srli_si128(x, 4));
	t = _mm_clmulepi64_si128(_mm_and_si128(x, low32), K_BARRETT, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), K_BARRETT, 0x00);
	return (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(_mm_xor_si128(x, t), 4));
}

/* len >= 64; the bytes past the last 16 are the caller's. */
__attribute__((target("pclmul"))) static uint32_t folded(uint32_t crc, const uint8_t *p,
							 size_t len)
{
	__m128i x0 = _mm_xor_si128(load128(p), _mm_cvtsi32_si128((int)crc));
	__m128i x1 = load128(p + 16), x2 = load128(p + 32), x3 = load128(p + 48);

	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = fold(x0, K_FOLD64, load128(p));
		x1 = fold(x1, K_FOLD64, load128(p + 16));
		x2 = fold(x2, K_FOLD64, load128(p + 32));
		x3 = fold(x3, K_FOLD64, load128(p + 48));
	}
	x0 = fold(fold(fold(x0, K_FOLD16, x1), K_FOLD16, x2), K_FOLD16, x3);
	for (; len >= 16; p += 16, len -= 16)
		x0 = fold(x0, K_FOLD16, load128(p));
	return reduce(x0);
}
#endif

uint32_t crc32_update_sliced(uint32_t crc, const void *buf, size_t len)
{
	return ~sliced(~crc, buf, len);
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
#ifdef HAVE_CLMUL
	if (clmul && len >= 64) {
		size_t whole = len & ~(size_t)15;

		crc = folded(crc, p, whole);
		p += whole;
		len -= whole;
	}
#endif
	return ~sliced(crc, p, len);
}
