/* SPDX-License-Identifier: MIT */
/*
 * util/hugemap.c: 2 MiB-aligned zeroed buffers of any length, every byte
 * of them writable (ASan and valgrind see a write past the mapping), and
 * no mapping for a length no mapping can have.
 */
#include <string.h>

#include "harness.h"
#include "util/util.h"

static void test_hugemap_aligned_zeroed(void **state)
{
	static const size_t lens[] = { 1, 4096, HUGE_MAP_MIN - 1, HUGE_MAP_MIN, HUGE_MAP_MIN + 1,
				       3 * HUGE_MAP_MIN + 12345 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		uint8_t *p = huge_map(lens[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % HUGE_MAP_MIN, 0);
		assert_int_equal(p[0], 0);
		assert_int_equal(p[lens[i] - 1], 0);
		memset(p, 0x5a, lens[i]);
		huge_unmap(p, lens[i]);
	}
}

static void test_hugemap_impossible_length(void **state)
{
	(void)state;
	assert_null(huge_map(SIZE_MAX));
	assert_null(huge_map(SIZE_MAX - HUGE_MAP_MIN));
	huge_unmap(NULL, 4096); /* a no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hugemap_aligned_zeroed),
		cmocka_unit_test(test_hugemap_impossible_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
