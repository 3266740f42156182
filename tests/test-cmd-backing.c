/* SPDX-License-Identifier: MIT */
/* RESOURCE_ATTACH_BACKING and RESOURCE_DETACH_BACKING. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ATTACH_ID offsetof(struct vgm_gpu_resource_attach_backing, resource_id)
#define ATTACH_NR offsetof(struct vgm_gpu_resource_attach_backing, nr_entries)
#define DETACH_ID offsetof(struct vgm_gpu_resource_detach_backing, resource_id)
#define FMT VGM_GPU_FORMAT_B8G8R8A8_UNORM

/* Wire offset of a field of entry i of an ATTACH_BACKING request. */
static size_t entry_field(uint32_t i, size_t field)
{
	return sizeof(struct vgm_gpu_resource_attach_backing) +
	       i * sizeof(struct vgm_gpu_mem_entry) + field;
}

#define ENTRY_ADDR(i) entry_field(i, offsetof(struct vgm_gpu_mem_entry, addr))
#define ENTRY_LEN(i) entry_field(i, offsetof(struct vgm_gpu_mem_entry, length))

static struct vgm_stats stats(struct harness *h)
{
	struct vgm_stats st = { .size = sizeof(st) };

	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	return st;
}

static void test_attach_backing_ok(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct vgm_stats st;
	struct vgm_resource_info ri;

	make_backed(h, 1, FMT, 32, 8, &b, 300);
	ri = resource_info(h, 1);
	assert_int_equal(ri.backed, 1);
	assert_int_equal(ri.backing_size, 32 * 8 * 4);
	assert_int_equal(ri.backing_offset, 0);
	assert_int_equal(ri.memory_id, 0);
	st = stats(h);
	assert_int_equal(st.regions, 1);
	assert_int_equal(st.memory_ids, 0);
	assert_int_equal(st.backing_entries, b.n);
	assert_true(st.table_bytes > 0);
	assert_int_equal(st.host_bytes, st.image_bytes + st.table_bytes);
	/* Scattered entries of 300 bytes: one mapping each, still held. */
	assert_int_equal(h->live_maps, b.n);
	backing_free(&b);
}

static void test_attach_backing_already_backed(void **state)
{
	struct harness *h = *state;
	struct backing b, other;
	struct req r;

	make_backed(h, 1, FMT, 16, 16, &b, 4096);
	backing_make(h, &other, 16 * 16 * 4, 4096);
	req_attach_backing(&r, 1, &other);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "resource_id 1 already has backing");
	assert_int_equal(resource_info(h, 1).backing_size, b.size);
	backing_free(&b);
	backing_free(&other);
}

static void test_attach_backing_entries_above_limit(void **state)
{
	struct harness_opts o = { .max_backing_entries = 4, .with_release = true };
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;

	(void)state;
	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 256); /* 4 entries: at the limit */
	assert_int_equal(b.n, 4);
	req_attach_backing(&r, 1, &b);
	req_set32(&r, ATTACH_NR, 5);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "nr_entries 5 is above the limit of 4");
	req_attach_backing(&r, 1, &b);
	req_set32(&r, ATTACH_NR, UINT32_MAX);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "nr_entries 4294967295 is above the limit");
	req_attach_backing(&r, 1, &b);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 1).backed, 1);
	backing_free(&b);
	harness_free(h);
}

static void test_attach_backing_truncated(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 100);
	req_attach_backing(&r, 1, &b);
	req_set32(&r, ATTACH_NR, b.n + 1);
	assert_int_equal(b.n, 11);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "nr_entries 12: the entries are truncated");
	/* The last entry lacks its final byte. */
	req_attach_backing(&r, 1, &b);
	r.len--;
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "nr_entries 11: the entries are truncated");
	backing_free(&b);
}

/* The same claim, with the request cut into iovecs of every awkward size. */
static void test_attach_backing_truncated_split(void **state)
{
	static const size_t chunks[] = { 1, 3, 7, 16, 17, 33 };
	struct harness *h = *state;
	struct backing b;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 100);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		int64_t maps = h->live_maps;
		struct snapshot s;
		struct req r;

		snapshot_take(h, &s);
		req_attach_backing(&r, 1, &b);
		req_set32(&r, ATTACH_NR, b.n + 1);
		assert_int_equal(submit_split(h, &r, chunks[i], sizeof(h->resp)), 24);
		assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_ERR_UNSPEC);
		assert_unchanged(h, &s);
		assert_int_equal(h->live_maps, maps);
		assert_logged(h, "nr_entries 12: the entries are truncated");
	}
	backing_free(&b);
}

static void test_attach_backing_split_request_ok(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 100);
	req_attach_backing(&r, 1, &b);
	assert_int_equal(submit_split(h, &r, 5, sizeof(h->resp)), 24);
	assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(resource_info(h, 1).backing_size, b.size);
	assert_int_equal(stats(h).backing_entries, b.n);
	backing_free(&b);
}

static void test_attach_backing_outside_ram(void **state)
{
	struct harness *h = *state;
	uint64_t ram_end = RAM_BASE + h->ram.size;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 200);
	/* Below guest RAM, after two entries were mapped. */
	req_attach_backing(&r, 1, &b);
	req_set64(&r, ENTRY_ADDR(2), 0x1000);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	/* Starting inside RAM, running past its end: mapped in part. */
	req_attach_backing(&r, 1, &b);
	req_set64(&r, ENTRY_ADDR(3), ram_end - 100);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	/* Entirely above RAM, in the last entry. */
	req_attach_backing(&r, 1, &b);
	req_set64(&r, ENTRY_ADDR(b.n - 1), ram_end);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	assert_int_equal(h->live_maps, 0);
	assert_int_equal(resource_info(h, 1).backed, 0);
	backing_free(&b);
}

/* The VMM refuses a page in the middle: what was mapped is given back. */
static void test_attach_backing_untranslatable_middle(void **state)
{
	struct harness *h = *state;
	uint64_t calls = h->translate_calls;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 128);
	h->fail_gpa = b.gpa[b.n / 2] + 17;
	req_attach_backing(&r, 1, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	assert_true(h->translate_calls - calls > b.n / 2); /* it got that far */
	assert_int_equal(h->live_maps, 0);
	h->fail_gpa = 0;
	req_attach_backing(&r, 1, &b);
	expect_nodata(h, &r);
	assert_int_equal(h->live_maps, b.n);
	backing_free(&b);
}

static void test_attach_backing_wrapping_range(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 200);
	req_attach_backing(&r, 1, &b);
	req_set64(&r, ENTRY_ADDR(1), UINT64_MAX - 100);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "entry 1: addr 0xffffffffffffff9b + length 200 wraps around");
	/* End exactly at 2^64: wraps to 0. */
	req_attach_backing(&r, 1, &b);
	req_set64(&r, ENTRY_ADDR(0), 0 - (uint64_t)b.len[0]);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "entry 0: addr 0xffffffffffffff38 + length 200 wraps around");
	assert_int_equal(h->translate_calls, 0); /* refused before any mapping */
	backing_free(&b);
}

static void test_attach_backing_unknown_resource(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	backing_make(h, &b, 16 * 16 * 4, 4096);
	req_attach_backing(&r, 1, &b);
	req_set32(&r, ATTACH_ID, 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 2 does not exist");
	req_attach_backing(&r, 1, &b);
	req_set32(&r, ATTACH_ID, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 0 does not exist");
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

static void test_attach_backing_no_entries(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct backing b;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	snapshot_take(h, &s);
	req_attach_backing(&r, 1, NULL);
	expect_nodata(h, &r);
	assert_unchanged(h, &s);
	assert_int_equal(resource_info(h, 1).backed, 0);
	assert_int_equal(h->translate_calls, 0);
	/* Still unbacked: a real backing can come later. */
	backing_make(h, &b, 16 * 16 * 4, 4096);
	req_attach_backing(&r, 1, &b);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 1).backed, 1);
	backing_free(&b);
}

static void test_detach_backing_without_backing(void **state)
{
	struct harness *h = *state;
	struct req r;

	make_resource(h, 1, FMT, 16, 16);
	req_detach_backing(&r, 1);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "resource_id 1 has no backing");
}

static void test_detach_backing_unknown_resource(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	make_backed(h, 1, FMT, 16, 16, &b, 4096);
	req_detach_backing(&r, 1);
	req_set32(&r, DETACH_ID, 3);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 3 does not exist");
	req_detach_backing(&r, 1);
	req_set32(&r, DETACH_ID, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 0 does not exist");
	assert_int_equal(resource_info(h, 1).backed, 1);
	backing_free(&b);
}

/* Fills a backing with a pattern, transfers the whole resource and
 * compares what scanout 0 shows with the pattern. */
static void check_reads(struct harness *h, uint32_t id, const struct backing *b, uint32_t seed)
{
	size_t size = (size_t)b->size;
	uint8_t *src = malloc(size), *got = malloc(size);
	struct vgm_resource_info ri = resource_info(h, id);
	struct vgm_rect all = { 0, 0, ri.width, ri.height };

	assert_non_null(src);
	assert_non_null(got);
	pattern_fill(src, size, seed);
	backing_write(h, b, 0, src, size);
	transfer_ok(h, id, &all, 0);
	show_resource(h, 0, id, ri.width, ri.height);
	read_shown(h, 0, got);
	assert_memory_equal(got, src, size);
	free(src);
	free(got);
}

static void test_detach_backing_then_reattach(void **state)
{
	struct harness *h = *state;
	struct backing b, other;
	struct req r;

	make_backed(h, 1, FMT, 24, 10, &b, 333);
	check_reads(h, 1, &b, 1);
	req_detach_backing(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 1).backed, 0);
	assert_int_equal(h->live_maps, 0);
	assert_int_equal(stats(h).regions, 0);
	/* A second detach has nothing to detach. */
	req_detach_backing(&r, 1);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "resource_id 1 has no backing");
	backing_make(h, &other, 24 * 10 * 4, 4000);
	req_attach_backing(&r, 1, &other);
	expect_nodata(h, &r);
	check_reads(h, 1, &other, 2); /* from the new pages */
	backing_free(&b);
	backing_free(&other);
}

static void assert_backing_stats(struct harness *h, uint32_t regions, uint64_t entries,
				 uint64_t table_bytes)
{
	struct vgm_stats st = stats(h);

	assert_int_equal(st.regions, regions);
	assert_int_equal(st.backing_entries, entries);
	assert_int_equal(st.table_bytes, table_bytes);
	assert_int_equal(st.host_bytes, st.image_bytes + st.table_bytes);
}

static void test_backing_stats_up_and_down(void **state)
{
	struct harness *h = *state;
	struct backing b1, b2;
	uint64_t t1, t2;
	struct req r;

	make_backed(h, 1, FMT, 16, 16, &b1, 512);
	t1 = stats(h).table_bytes;
	assert_true(t1 > 0);
	assert_backing_stats(h, 1, b1.n, t1);
	make_backed(h, 2, FMT, 32, 32, &b2, 1000);
	t2 = stats(h).table_bytes - t1;
	assert_true(t2 > t1); /* more pieces, a larger table */
	assert_backing_stats(h, 2, b1.n + b2.n, t1 + t2);
	assert_int_equal(h->live_maps, b1.n + b2.n);
	req_detach_backing(&r, 1);
	expect_nodata(h, &r);
	assert_backing_stats(h, 1, b2.n, t2);
	assert_int_equal(h->live_maps, b2.n);
	req_unref(&r, 2);
	expect_nodata(h, &r);
	assert_backing_stats(h, 0, 0, 0);
	assert_int_equal(h->live_maps, 0);
	backing_free(&b1);
	backing_free(&b2);
}

/* The VMM hands out at most a page at a time: entries of 10000 bytes at
 * odd addresses become many pieces, and reads still find every byte. */
static void test_attach_backing_split_pages(void **state)
{
	struct harness_opts o = { .with_release = true, .split_pages = true };
	struct harness *h = harness_new(&o);
	static const uint32_t lens[] = { 10000, 4096, 3, 5000 };
	uint64_t pieces = 0;
	struct backing b;
	struct req r;

	(void)state;
	make_resource(h, 1, FMT, 100, 60);
	backing_make_lens(h, &b, 100 * 60 * 4, lens, 4);
	for (uint32_t i = 0; i < b.n; i++) /* pages each entry touches */
		pieces += (b.gpa[i] + b.len[i] - 1) / PAGE_SIZE_4K - b.gpa[i] / PAGE_SIZE_4K + 1;
	assert_true(pieces >= 2 * (uint64_t)b.n);
	req_attach_backing(&r, 1, &b);
	expect_nodata(h, &r);
	assert_int_equal(h->live_maps, pieces);
	assert_int_equal(stats(h).backing_entries, b.n);
	check_reads(h, 1, &b, 3);
	req_unref(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(h->live_maps, 0);
	backing_free(&b);
	harness_free(h);
}

/* A VMM whose RAM is a file: pieces carry file positions, with and
 * without release(); reads are the same. */
static void test_attach_backing_fd_host(void **state)
{
	static const uint32_t lens[] = { 9000, 5, 4096, 333 };

	(void)state;
	for (int rel = 0; rel < 2; rel++) {
		struct harness_opts o = { .with_release = rel, .split_pages = true, .fake_fd = 9 };
		struct harness *h = harness_new(&o);
		struct backing b;
		struct req r;

		make_resource(h, 1, FMT, 70, 50);
		backing_make_lens(h, &b, 70 * 50 * 4, lens, 4);
		req_attach_backing(&r, 1, &b);
		expect_nodata(h, &r);
		assert_int_equal(stats(h).backing_entries, b.n);
		assert_true(stats(h).table_bytes > 0);
		check_reads(h, 1, &b, 4);
		req_detach_backing(&r, 1);
		expect_nodata(h, &r);
		assert_int_equal(stats(h).table_bytes, 0);
		assert_int_equal(h->live_maps, 0);
		backing_free(&b);
		harness_free(h);
	}
}

/* The table of a backing is host memory too: over the budget, it is
 * refused and nothing stays mapped. */
static void test_attach_backing_table_over_budget(void **state)
{
	struct harness_opts o = { .with_release = true, .max_host_memory = 64 * 64 * 4 + 256 };
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;

	(void)state;
	make_resource(h, 1, FMT, 64, 64);
	backing_make(h, &b, 64 * 64 * 4, 64); /* 256 entries: a table of kilobytes */
	req_attach_backing(&r, 1, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "no memory for the table");
	assert_int_equal(h->live_maps, 0);
	backing_free(&b);
	harness_free(h);
}

/* max_table_pieces bounds the translate() calls of one request: a host
 * that maps a page at a time gets 4 calls for 4 pieces, then the guest
 * gets ERR_OUT_OF_MEMORY naming the limit, and nothing stays mapped. */
static void test_attach_backing_over_piece_cap(void **state)
{
	struct harness_opts o = { .with_release = true, .split_pages = true,
				  .max_table_pieces = 4 };
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;

	(void)state;
	make_resource(h, 1, FMT, 64, 128);
	backing_make(h, &b, 64 * 128 * 4, 8 * PAGE_SIZE_4K); /* one entry of 8 pages */
	req_attach_backing(&r, 1, &b);
	h->translate_calls = 0;
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
			"RESOURCE_ATTACH_BACKING: entries: more than max_table_pieces (4) pieces");
	assert_int_equal(h->translate_calls, 4);
	assert_int_equal(h->live_maps, 0);
	backing_free(&b);
	/* Four pages: within the cap. */
	backing_make(h, &b, 4 * PAGE_SIZE_4K, 4 * PAGE_SIZE_4K);
	req_attach_backing(&r, 1, &b);
	expect_nodata(h, &r);
	backing_free(&b);
	harness_free(h);
}

#define T(name) cmocka_unit_test_setup_teardown(name, harness_setup, harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_attach_backing_ok),
		T(test_attach_backing_already_backed),
		cmocka_unit_test(test_attach_backing_entries_above_limit),
		T(test_attach_backing_truncated),
		T(test_attach_backing_truncated_split),
		T(test_attach_backing_split_request_ok),
		T(test_attach_backing_outside_ram),
		T(test_attach_backing_untranslatable_middle),
		T(test_attach_backing_wrapping_range),
		T(test_attach_backing_unknown_resource),
		T(test_attach_backing_no_entries),
		T(test_detach_backing_without_backing),
		T(test_detach_backing_unknown_resource),
		T(test_detach_backing_then_reattach),
		T(test_backing_stats_up_and_down),
		cmocka_unit_test(test_attach_backing_split_pages),
		cmocka_unit_test(test_attach_backing_fd_host),
		cmocka_unit_test(test_attach_backing_table_over_budget),
		cmocka_unit_test(test_attach_backing_over_piece_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
