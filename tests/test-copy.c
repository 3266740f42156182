/* SPDX-License-Identifier: MIT */
/*
 * util/copy.c and the choice of stores: copy_stream() is memcpy with other
 * stores, at every alignment; the threshold follows the documented rule,
 * and a device reads it when a transfer first could need it (never at
 * creation, which fuzzers pay per input) unless its config gives one.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "api/api.h"
#include "render/render.h"
#include "util/util.h"

#define SENTINEL 0xa5
#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM

static void check_stream(size_t dst_off, size_t src_off, size_t n)
{
	uint8_t src[4096 + 256], dst[4096 + 256], want[4096 + 256];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + n);
	memset(dst, SENTINEL, sizeof(dst));
	memset(want, SENTINEL, sizeof(want));
	memcpy(want + dst_off, src + src_off, n);
	copy_stream(dst + dst_off, src + src_off, n);
	copy_fence();
	assert_memory_equal(dst, want, sizeof(dst));
}

/* Every start in a cache line, lengths around whole lines: exactly the
 * bytes asked for, nothing before or after. */
static void test_copy_stream_alignments(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 63, 64, 65, 127, 128, 129, 200, 4096 + 17 };

	(void)state;
	for (size_t d = 0; d < 64; d++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			check_stream(d, (d * 5 + 3) % 64, lens[l]);
			check_stream(d, d, lens[l]);
		}
	}
}

/* Three quarters of one CPU's share of the last-level cache, never below
 * the floor; 1 MiB where the system gives no cache size. */
static void test_copy_threshold_rule(void **state)
{
	long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t shared = l3 > 0 ? (uint64_t)l3 : l2 > 0 ? (uint64_t)l2 : 0;
	uint64_t want = 1u << 20;

	(void)state;
	if (shared) {
		want = shared / (uint64_t)(cpus > 0 ? cpus : 1) / 4 * 3;
		if (want < COPY_STREAM_FLOOR)
			want = COPY_STREAM_FLOOR;
	}
	assert_int_equal(copy_stream_threshold(), want);
	assert_true(copy_stream_threshold() >= COPY_STREAM_FLOOR);
}

static uint64_t threshold_of(struct harness *h)
{
	return render_stream_threshold(device_render(h->dev));
}

/* Creation reads nothing; a small transfer neither; the first one that
 * could be streamed reads the machine's threshold, once. */
static void test_copy_threshold_lazy(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .ram_size = 4u << 20 };
	struct harness *h = harness_new(&o);
	struct vgm_rect r = { 0, 0, 16, 16 };
	struct backing b;

	(void)state;
	assert_int_equal(threshold_of(h), 0);
	make_backed(h, 1, FMT, 256, 256, &b, 4096); /* 256 KiB */
	transfer_ok(h, 1, &r, 0);
	assert_int_equal(threshold_of(h), 0);
	r = (struct vgm_rect){ 0, 0, 256, 255 }; /* 1 KiB short of the floor */
	transfer_ok(h, 1, &r, 0);
	assert_int_equal(threshold_of(h), 0);
	r.height = 256;
	transfer_ok(h, 1, &r, 0);
	assert_int_equal(threshold_of(h), copy_stream_threshold());
	backing_free(&b);
	harness_free(h);
}

/* A VMM's choice is kept as it is, and never replaced by the machine's. */
static void test_copy_threshold_config(void **state)
{
	static const uint64_t chosen[] = { 1, 12345, 1ull << 40, UINT64_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++) {
		struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD,
					  .ram_size = 4u << 20,
					  .stream_threshold = chosen[i] };
		struct harness *h = harness_new(&o);
		struct vgm_rect r = { 0, 0, 512, 256 }; /* 512 KiB */
		struct backing b;

		assert_int_equal(threshold_of(h), chosen[i]);
		make_backed(h, 1, FMT, 512, 256, &b, 4096);
		transfer_ok(h, 1, &r, 0);
		assert_int_equal(threshold_of(h), chosen[i]);
		backing_free(&b);
		harness_free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_stream_alignments),
		cmocka_unit_test(test_copy_threshold_rule),
		cmocka_unit_test(test_copy_threshold_lazy),
		cmocka_unit_test(test_copy_threshold_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
