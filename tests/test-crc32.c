/* SPDX-License-Identifier: MIT */
/*
 * util/crc32.c: zlib's CRC-32, by carry-less multiplication where the CPU
 * has it and by tables (crc32_update_sliced()), each equal to the
 * definition (a bit at a time) at every length and start, continued across
 * calls, and to zlib's own on known inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/util.h"

/* The definition, one bit a step. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void test_crc32_known_values(void **state)
{
	static const char check[] = "123456789";
	uint8_t *big = malloc(1u << 20);

	(void)state;
	assert_non_null(big);
	assert_int_equal(crc32_update(0, NULL, 0), 0);
	/* The CRC-32 catalogue's check value, and zlib.crc32() of a 1 MiB pattern. */
	assert_int_equal(crc32_update(0, check, 9), 0xcbf43926u);
	for (size_t i = 0; i < (1u << 20); i++)
		big[i] = (uint8_t)(i * 131 + 7 * (i >> 8));
	assert_int_equal(crc32_update(0, big, 1u << 20), 0xddde5310u);
	assert_int_equal(crc32_update_sliced(0, check, 9), 0xcbf43926u);
	assert_int_equal(crc32_update_sliced(0, big, 1u << 20), 0xddde5310u);
	free(big);
}

/* Every start in 8 bytes and lengths around the 8-byte steps. */
static void test_crc32_every_length_and_start(void **state)
{
	uint8_t buf[512 + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t start = 0; start < 8; start++) {
		for (size_t len = 0; len <= 512; len++) {
			uint32_t want = crc_bitwise(0x12345678u, buf + start, len);

			assert_int_equal(crc32_update(0x12345678u, buf + start, len), want);
			assert_int_equal(crc32_update_sliced(0x12345678u, buf + start, len), want);
		}
	}
}

/* A CRC continued over pieces equals the CRC of the whole. */
static void test_crc32_continued(void **state)
{
	uint8_t buf[300];
	uint32_t whole;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i ^ 0x5a);
	whole = crc32_update(0, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 7)
		assert_int_equal(crc32_update(crc32_update(0, buf, cut), buf + cut, sizeof(buf) - cut),
				 whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_known_values),
		cmocka_unit_test(test_crc32_every_length_and_start),
		cmocka_unit_test(test_crc32_continued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
