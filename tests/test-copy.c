/* SPDX-License-Identifier: MIT */
/*
 * util/copy.c and the choice of stores: copy_stream() is memcpy with other
 * stores, at every alignment; the threshold follows the documented rule,
 * and a device reads it when a transfer first could need it (never at
 * creation, which fuzzers pay per input) unless its config gives one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0 /* without valgrind's header, no valgrind to run under */
#endif

#include "harness.h"
#include "api/api.h"
#include "render/render.h"
#include "util/util.h"

#define SENTINEL 0xa5
#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM

static void check_stream(size_t dst_off, size_t src_off, size_t n, enum copy_width width)
{
	uint8_t src[4096 + 256], dst[4096 + 256], want[4096 + 256];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + n);
	memset(dst, SENTINEL, sizeof(dst));
	memset(want, SENTINEL, sizeof(want));
	memcpy(want + dst_off, src + src_off, n);
	if (width == copy_stream_width())
		copy_stream(dst + dst_off, src + src_off, n);
	else
		copy_stream_as(dst + dst_off, src + src_off, n, width);
	copy_fence();
	assert_memory_equal(dst, want, sizeof(dst));
}

/* Every start in a cache line, lengths around whole lines: exactly the
 * bytes asked for, nothing before or after; with 16-byte stores, and with
 * 32-byte ones where the CPU has them. */
static void test_copy_stream_alignments(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 63, 64, 65, 127, 128, 129, 200, 4096 + 17 };

	(void)state;
	for (size_t d = 0; d < 64; d++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			for (int w = COPY_NARROW; w <= (int)copy_stream_width(); w++) {
				check_stream(d, (d * 5 + 3) % 64, lens[l], (enum copy_width)w);
				check_stream(d, d, lens[l], (enum copy_width)w);
			}
		}
	}
}

/* The largest data or unified cache the kernel describes for CPU 0 (its
 * sysfs, which on x86 it fills from the same CPUID leaves the library
 * reads), 0 where it describes none. */
static uint64_t sysfs_cache_size(void)
{
	uint64_t largest = 0;

	for (int i = 0; i < 10; i++) {
		char path[96], type[16] = "";
		unsigned long long kib = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		f = fopen(path, "r");
		if (!f)
			break;
		if (fscanf(f, "%15s", type) != 1)
			type[0] = 0;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		f = fopen(path, "r");
		if (f && fscanf(f, "%lluK", &kib) != 1)
			kib = 0;
		if (f)
			fclose(f);
		if (strcmp(type, "Instruction") != 0 && kib * 1024 > largest)
			largest = kib * 1024;
	}
	return largest;
}

/* Three quarters of one CPU's share of the last-level cache, never below
 * the floor; 1 MiB where nothing gives a cache size. The cache is the one
 * a core shares, as the kernel describes it on x86 (where sysconf() on
 * AMD gives the L3 of the whole processor, 10 times too large on this
 * project's machine), else as sysconf() says. */
static void test_copy_threshold_rule(void **state)
{
	long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t shared = l3 > 0 ? (uint64_t)l3 : l2 > 0 ? (uint64_t)l2 : 0;
	uint64_t want = 1u << 20, described = sysfs_cache_size();

	(void)state;
	assert_true(copy_stream_threshold() >= COPY_STREAM_FLOOR);
	if (RUNNING_ON_VALGRIND) {
		/* Valgrind answers CPUID for a CPU of its own, not the one the
		 * kernel describes: nothing here to compare with. */
		skip();
	}
#if defined(__x86_64__) || defined(__i386__)
	if (described)
		shared = described;
#endif
	if (shared) {
		want = shared / (uint64_t)(cpus > 0 ? cpus : 1) / 4 * 3;
		if (want < COPY_STREAM_FLOOR)
			want = COPY_STREAM_FLOOR;
	}
	assert_int_equal(copy_stream_threshold(), want);
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
