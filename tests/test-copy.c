/* SPDX-License-Identifier: MIT */
/*
 * copy.c and the choice of stores: copy_stream() is memcpy with other
 * stores, at every alignment; the threshold follows the documented rule,
 * is read when a transfer first could need it (never at device creation,
 * which fuzzers pay per input) or comes from the config; prefetching a
 * region's bytes stays inside the region whatever it is asked (ASan and
 * valgrind see any read past its table).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "private.h"

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

/* A w x hgt resource (id 1) on a backing of 4 KiB entries, and a full
 * transfer of it. */
static void transfer_frame(struct harness *h, uint32_t w, uint32_t hgt)
{
	struct backing b;
	struct vgm_rect r = { 0, 0, w, hgt };

	make_backed(h, 1, FMT, w, hgt, &b, 4096);
	transfer_ok(h, 1, &r, 0);
	backing_free(&b);
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
	assert_int_equal(h->dev->stream_min, 0);
	make_backed(h, 1, FMT, 256, 256, &b, 4096); /* 256 KiB */
	transfer_ok(h, 1, &r, 0);
	assert_int_equal(h->dev->stream_min, 0);
	r = (struct vgm_rect){ 0, 0, 256, 255 }; /* 1 KiB short of the floor */
	transfer_ok(h, 1, &r, 0);
	assert_int_equal(h->dev->stream_min, 0);
	r.height = 256;
	transfer_ok(h, 1, &r, 0);
	assert_int_equal(h->dev->stream_min, copy_stream_threshold());
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

		assert_int_equal(h->dev->stream_min, chosen[i]);
		transfer_frame(h, 512, 256); /* 512 KiB */
		assert_int_equal(h->dev->stream_min, chosen[i]);
		harness_free(h);
	}
}

/* Pieces of 4096, 100, 4096 and 5 bytes (not uniform: found by search). */
static struct region *small_region(struct harness *h, uint64_t *size)
{
	static const uint32_t lens[] = { 4096, 100, 4096, 5 };
	struct vgm_gpu_mem_entry e[4];
	struct region *rg = NULL;

	*size = 0;
	for (int i = 0; i < 4; i++) {
		e[i] = (struct vgm_gpu_mem_entry){ .addr = ram_alloc(h, 8192), .length = lens[i] };
		memset(ram_ptr(h, e[i].addr), (i + 1) * 17, lens[i]);
		*size += lens[i];
	}
	assert_int_equal(region_create(h->dev, e, 4, *size, &rg), 0);
	assert_int_equal(rg->nseg, 4);
	return rg;
}

/* Any offset, length and cursor: no read of the table past its end. */
static void test_copy_region_prefetch_clips(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD };
	struct harness *h = harness_new(&o);
	uint64_t size;
	struct region *rg = small_region(h, &size);
	static const uint32_t hints[] = { 0, 1, 3, 4, 1000, UINT32_MAX };
	const uint64_t offs[] = { 0, 4095, 4096, 4196, size - 1, size, size + 1, UINT64_MAX };
	uint8_t out[8297];
	struct region_cursor cur = { 0 };

	(void)state;
	for (size_t k = 0; k < sizeof(hints) / sizeof(hints[0]); k++) {
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			cur.idx = hints[k];
			region_prefetch(rg, &cur, offs[i], SIZE_MAX);
			region_prefetch(rg, &cur, offs[i], 1);
			assert_int_equal(cur.idx, hints[k]); /* a hint, not moved */
		}
	}
	/* A read across every piece (each asking for the next) gives the
	 * bytes, and stops at the end. */
	cur.idx = 0;
	assert_int_equal(size, sizeof(out));
	assert_int_equal(region_read(rg, &cur, 0, out, SIZE_MAX), size);
	assert_int_equal(out[0], 17);
	assert_int_equal(out[4096], 34);
	assert_int_equal(out[4196], 51);
	assert_int_equal(out[8292], 68);
	assert_int_equal(out[8296], 68);
	region_unref(h->dev, rg);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_stream_alignments),
		cmocka_unit_test(test_copy_threshold_rule),
		cmocka_unit_test(test_copy_threshold_lazy),
		cmocka_unit_test(test_copy_threshold_config),
		cmocka_unit_test(test_copy_region_prefetch_clips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
