/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320), as zlib's crc32()
 * computes it: the trace tools print it for dumps and cursors, the
 * backend's recorder writes it into the traces it records, and a saved
 * device state carries it (docs/snapshot-format.md), over every byte of
 * the state: images of tens of MiB.
 *
 * Eight bytes a step ("slicing-by-8"): table k holds the CRC of a byte
 * followed by k zero bytes, so the eight lookups of a step are independent
 * and the CPU runs them side by side. A byte a step with a 4-bit table was
 * the save's largest cost (half its time in bench-state). The CPU's crc32
 * instruction (SSE 4.2, ARMv8's CRC32C) computes CRC-32C, another
 * polynomial: the format's CRC is not that one.
 */
#include <pthread.h>

#include "util.h"

#define CRC32_POLY 0xedb88320u

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* Computed once, on the first CRC: 8 KiB the library need not carry. */
static void make_tables(void)
{
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

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&table_once, make_tables);
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8)
		crc = step8(crc, p);
	for (; len; p++, len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p) & 0xff];
	return ~crc;
}
