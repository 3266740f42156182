/* SPDX-License-Identifier: MIT */
/*
 * The memory-rfc dialect: MEMORY_CREATE, MEMORY_UNREF and
 * RESOURCE_ATTACH_MEMORY, the reference counting of regions through every
 * valid order of commands, and pooling several resources in one region.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MC_SIZE offsetof(struct vgm_gpu_memory_create, size)
#define MC_ID offsetof(struct vgm_gpu_memory_create, memory_id)
#define MC_NR offsetof(struct vgm_gpu_memory_create, nr_entries)
#define MC_FLAGS offsetof(struct vgm_gpu_memory_create, flags)
#define MU_ID offsetof(struct vgm_gpu_memory_unref, memory_id)
#define AM_RES offsetof(struct vgm_gpu_resource_attach_memory, resource_id)
#define AM_MEM offsetof(struct vgm_gpu_resource_attach_memory, memory_id)
#define AM_OFF(i) (offsetof(struct vgm_gpu_resource_attach_memory, offset) + 8 * (i))
#define FMT VGM_GPU_FORMAT_B8G8R8A8_UNORM
#define BAD_ID 0xffffffffu

/* Wire offset of a field of entry i of a MEMORY_CREATE request. */
static size_t entry_field(uint32_t i, size_t field)
{
	return sizeof(struct vgm_gpu_memory_create) + i * sizeof(struct vgm_gpu_mem_entry) + field;
}

#define ENTRY_ADDR(i) entry_field(i, offsetof(struct vgm_gpu_mem_entry, addr))
#define ENTRY_LEN(i) entry_field(i, offsetof(struct vgm_gpu_mem_entry, length))

static const uint32_t lens_mixed[] = { 1000, 16, 4, 3, 4096, 777, 5 };

static struct vgm_stats stats(struct harness *h)
{
	struct vgm_stats st = { .size = sizeof(st) };

	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	return st;
}

static struct harness *rfc_harness(const struct harness_opts *extra)
{
	struct harness_opts o = *extra;

	o.dialect = VGM_DIALECT_MEMORY_RFC;
	o.with_release = true;
	return harness_new(&o);
}

static void make_region(struct harness *h, uint32_t memory_id, const struct backing *b)
{
	struct req r;

	req_memory_create(&r, memory_id, b);
	expect_nodata(h, &r);
}

static void attach_memory(struct harness *h, uint32_t id, uint32_t memory_id, uint64_t off)
{
	struct req r;

	req_attach_memory(&r, id, memory_id, off);
	expect_nodata(h, &r);
}

/* ---- MEMORY_CREATE ---------------------------------------------------------------- */

static void test_memory_create_ok(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st;
	struct backing b;

	backing_make_lens(h, &b, 10000, lens_mixed, 7);
	make_region(h, 5, &b);
	st = stats(h);
	assert_int_equal(st.regions, 1);
	assert_int_equal(st.memory_ids, 1);
	assert_int_equal(st.backing_entries, b.n);
	assert_true(st.table_bytes > 0);
	assert_int_equal(st.host_bytes, st.table_bytes);
	assert_int_equal(h->live_maps, b.n);
	backing_free(&b);
}

static void test_memory_create_not_negotiated(void **state)
{
	struct harness_opts o = { .no_accept = true };
	struct harness *h = rfc_harness(&o);
	struct backing b;
	struct req r;

	(void)state;
	backing_make(h, &b, 8192, 4096);
	req_memory_create(&r, 5, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "feature bit 2 not negotiated");
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
	harness_free(h);
}

static void test_memory_create_bad_id(void **state)
{
	const uint32_t M = VGM_GPU_RESP_ERR_INVALID_MEMORY_ID;
	struct harness *h = *state;
	struct backing b, other;
	struct req r;

	backing_make(h, &b, 8192, 4096);
	backing_make(h, &other, 8192, 4096);
	make_region(h, 5, &b);
	req_memory_create(&r, 6, &other);
	req_set32(&r, MC_ID, 0);
	expect_rejected(h, &r, M, "memory_id 0x0 is reserved");
	req_memory_create(&r, 6, &other);
	req_set32(&r, MC_ID, BAD_ID);
	expect_rejected(h, &r, M, "memory_id 0xffffffff is reserved");
	req_memory_create(&r, 6, &other);
	req_set32(&r, MC_ID, 5);
	expect_rejected(h, &r, M, "memory_id 5 is in use");
	backing_free(&b);
	backing_free(&other);
}

static void test_memory_create_bad_flags(void **state)
{
	static const uint32_t flags[] = { 1u << 0, 1u << 1, 1u << 2, 1u << 7, 1u << 31, BAD_ID };
	struct harness *h = *state;
	struct backing b;

	backing_make(h, &b, 8192, 4096);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char needle[64];
		struct req r;

		snprintf(needle, sizeof(needle), "flags 0x%x has unknown bits", flags[i]);
		req_memory_create(&r, 5, &b);
		req_set32(&r, MC_FLAGS, flags[i]);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
	}
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

static void test_memory_create_bad_nr_entries(void **state)
{
	const uint32_t P = VGM_GPU_RESP_ERR_INVALID_PARAMETER;
	struct harness_opts o = { .max_backing_entries = 4 };
	struct harness *h = rfc_harness(&o);
	struct backing b;
	struct req r;

	(void)state;
	backing_make(h, &b, 4000, 1000); /* 4 entries: at the limit */
	req_memory_create(&r, 5, &b);
	req_set32(&r, MC_NR, 0);
	expect_rejected(h, &r, P, "nr_entries 0 is not in 1..4");
	req_memory_create(&r, 5, &b);
	req_set32(&r, MC_NR, 5);
	expect_rejected(h, &r, P, "nr_entries 5 is not in 1..4");
	req_memory_create(&r, 5, &b);
	req_set32(&r, MC_NR, BAD_ID);
	expect_rejected(h, &r, P, "nr_entries 4294967295 is not in 1..4");
	make_region(h, 5, &b); /* the request itself was valid */
	backing_free(&b);
	harness_free(h);
}

static void test_memory_create_truncated(void **state)
{
	static const size_t chunks[] = { 1, 7, 16, 33 };
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 1000, 100);
	req_memory_create(&r, 5, &b);
	req_set32(&r, MC_NR, b.n + 1);
	assert_int_equal(b.n, 10);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "nr_entries 11: the entries are truncated");
	req_memory_create(&r, 5, &b);
	r.len--; /* the last entry lacks a byte */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "nr_entries 10: the entries are truncated");
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct snapshot s;

		snapshot_take(h, &s);
		req_memory_create(&r, 5, &b);
		req_set32(&r, MC_NR, b.n + 1);
		assert_int_equal(submit_split(h, &r, chunks[i], sizeof(h->resp)), 24);
		assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
		assert_unchanged(h, &s);
		assert_logged(h, "nr_entries 11: the entries are truncated");
	}
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

static void test_memory_create_zero_length_entry(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 1000, 100);
	req_memory_create(&r, 5, &b);
	req_set32(&r, ENTRY_LEN(1), 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "entry 1 has length 0");
	req_memory_create(&r, 5, &b);
	req_set32(&r, ENTRY_LEN(b.n - 1), 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "entry 9 has length 0");
	backing_free(&b);
}

static void test_memory_create_size_mismatch(void **state)
{
	static const uint64_t sizes[] = { 999, 1001, 0, 1000 + (1ull << 32), UINT64_MAX };
	struct harness *h = *state;
	struct backing b;

	backing_make(h, &b, 1000, 100);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char needle[80];
		struct req r;

		snprintf(needle, sizeof(needle), "size %llu: the entries add up to 1000",
			 (unsigned long long)sizes[i]);
		req_memory_create(&r, 5, &b);
		req_set64(&r, MC_SIZE, sizes[i]);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
	}
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

/* Two entries of 0xffffffff bytes: 0x1fffffffe in all. A sum kept in 32
 * bits would be 0xfffffffe and accept that size. */
static void req_huge(struct req *r, uint64_t size)
{
	req_init(r, VGM_GPU_CMD_MEMORY_CREATE);
	req_u64(r, size);
	req_u32(r, 5);
	req_u32(r, 2);
	req_u32(r, 0);
	req_u32(r, 0);
	for (int i = 0; i < 2; i++) {
		req_u64(r, RAM_BASE);
		req_u32(r, 0xffffffffu);
		req_u32(r, 0);
	}
}

static void test_memory_create_size_overflow_32(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_huge(&r, 0x1fffffffeull);
	req_set64(&r, MC_SIZE, 0xfffffffeull);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "size 4294967294: the entries add up to 8589934590");
	req_huge(&r, 0x1fffffffeull);
	req_set64(&r, MC_SIZE, 0xffffffffull);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "size 4294967295:");
	/* Adding up, but 8 GiB is not in 16 MiB of RAM: mapped in part, undone. */
	req_huge(&r, 0x1fffffffeull);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	assert_true(h->translate_calls > 0);
	assert_int_equal(h->live_maps, 0);
}

static void test_memory_create_untranslatable(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 3000, 300);
	req_memory_create(&r, 5, &b);
	req_set64(&r, ENTRY_ADDR(4), 0x2000); /* below RAM, after 4 mapped entries */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	h->fail_gpa = b.gpa[6] + 299; /* the VMM refuses one page in the middle */
	req_memory_create(&r, 5, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entries: a range is not guest RAM");
	req_memory_create(&r, 5, &b);
	req_set64(&r, ENTRY_ADDR(2), UINT64_MAX - 10); /* wraps around */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "entry 2: addr 0xfffffffffffffff5 + length 300 wraps around");
	assert_int_equal(h->live_maps, 0);
	/* Nothing was kept: the id is still free. */
	h->fail_gpa = 0;
	make_region(h, 5, &b);
	assert_int_equal(h->live_maps, b.n);
	backing_free(&b);
}

static void test_memory_create_region_limit(void **state)
{
	struct harness_opts o = { .max_regions = 2 };
	struct harness *h = rfc_harness(&o);
	struct backing b;
	struct req r;

	(void)state;
	backing_make(h, &b, 4096, 4096);
	make_region(h, 1, &b);
	make_region(h, 2, &b);
	req_memory_create(&r, 3, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY, "the limit of 2 regions");
	req_memory_unref(&r, 1);
	expect_nodata(h, &r);
	make_region(h, 3, &b);
	assert_int_equal(stats(h).memory_ids, 2);
	backing_free(&b);
	harness_free(h);
}

/* ---- MEMORY_UNREF ------------------------------------------------------------------- */

static void test_memory_unref_unknown(void **state)
{
	const uint32_t M = VGM_GPU_RESP_ERR_INVALID_MEMORY_ID;
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 4096, 4096);
	make_region(h, 5, &b);
	req_memory_unref(&r, 5);
	req_set32(&r, MU_ID, 7);
	expect_rejected(h, &r, M, "memory_id 7 does not exist");
	req_memory_unref(&r, 5);
	req_set32(&r, MU_ID, 0);
	expect_rejected(h, &r, M, "memory_id 0 does not exist");
	req_memory_unref(&r, 5);
	req_set32(&r, MU_ID, BAD_ID);
	expect_rejected(h, &r, M, "memory_id 4294967295 does not exist");
	req_memory_unref(&r, 5);
	expect_nodata(h, &r);
	req_memory_unref(&r, 5); /* twice */
	expect_rejected(h, &r, M, "memory_id 5 does not exist");
	assert_int_equal(h->live_maps, 0);
	backing_free(&b);
}

/* Transfers the whole of resource id, shows it on a scanout and compares
 * what that shows with expect. */
static void check_image(struct harness *h, uint32_t scanout, uint32_t id, const uint8_t *expect)
{
	struct vgm_resource_info ri = resource_info(h, id);
	struct vgm_rect all = { 0, 0, ri.width, ri.height };
	uint8_t *got = malloc((size_t)ri.stride * ri.height);

	assert_non_null(got);
	transfer_ok(h, id, &all, 0);
	show_resource(h, scanout, id, ri.width, ri.height);
	read_shown(h, scanout, got);
	assert_memory_equal(got, expect, (size_t)ri.stride * ri.height);
	free(got);
}

/* The id is free at once; the storage lives on for attached resources. */
static void test_memory_unref_storage_lives_on(void **state)
{
	struct harness *h = *state;
	uint8_t old[16 * 8 * 4], now[16 * 8 * 4];
	struct backing b, other;
	struct req r;

	backing_make_lens(h, &b, sizeof(old), lens_mixed, 7);
	backing_make(h, &other, sizeof(now), 100);
	pattern_fill(old, sizeof(old), 1);
	pattern_fill(now, sizeof(now), 2);
	backing_write(h, &b, 0, old, sizeof(old));
	backing_write(h, &other, 0, now, sizeof(now));
	make_region(h, 5, &b);
	make_resource(h, 1, FMT, 16, 8);
	attach_memory(h, 1, 5, 0);
	req_memory_unref(&r, 5);
	expect_nodata(h, &r);
	assert_int_equal(stats(h).memory_ids, 0);
	assert_int_equal(stats(h).regions, 1);
	assert_int_equal(h->live_maps, b.n);
	assert_int_equal(resource_info(h, 1).memory_id, 0); /* nameless now */
	make_region(h, 5, &other); /* the name again, for other pages */
	make_resource(h, 2, FMT, 16, 8);
	attach_memory(h, 2, 5, 0);
	assert_int_equal(stats(h).regions, 2);
	check_image(h, 0, 1, old);
	check_image(h, 0, 2, now);
	req_unref(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(h->live_maps, other.n);
	backing_free(&b);
	backing_free(&other);
}

/* ---- RESOURCE_ATTACH_MEMORY ------------------------------------------------------------ */

/* Region 5 of size bytes and an unbacked 16x8 resource 1. */
static void attach_setup(struct harness *h, struct backing *b, uint64_t size)
{
	backing_make_lens(h, b, size, lens_mixed, 7);
	make_region(h, 5, b);
	make_resource(h, 1, FMT, 16, 8);
}

static void expect_attach_error(struct harness *h, size_t off, uint64_t value, bool wide,
				uint32_t code, const char *needle)
{
	struct req r;

	req_attach_memory(&r, 1, 5, 0);
	if (wide)
		req_set64(&r, off, value);
	else
		req_set32(&r, off, (uint32_t)value);
	expect_rejected(h, &r, code, needle);
}

static void test_attach_memory_unknown_ids(void **state)
{
	const uint32_t R = VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, M = VGM_GPU_RESP_ERR_INVALID_MEMORY_ID;
	struct harness *h = *state;
	struct backing b;

	attach_setup(h, &b, 4096);
	expect_attach_error(h, AM_RES, 9, false, R, "resource_id 9 does not exist");
	expect_attach_error(h, AM_RES, 0, false, R, "resource_id 0 does not exist");
	expect_attach_error(h, AM_MEM, 9, false, M, "memory_id 9 does not exist");
	expect_attach_error(h, AM_MEM, 0, false, M, "memory_id 0 does not exist");
	expect_attach_error(h, AM_MEM, BAD_ID, false, M, "memory_id 4294967295 does not exist");
	assert_int_equal(resource_info(h, 1).backed, 0);
	backing_free(&b);
}

static void test_attach_memory_already_backed(void **state)
{
	struct harness *h = *state;
	struct backing b, pages;

	attach_setup(h, &b, 4096);
	attach_memory(h, 1, 5, 0);
	expect_attach_error(h, AM_OFF(0), 512, true, VGM_GPU_RESP_ERR_UNSPEC,
			    "resource_id 1 already has backing");
	/* Backed by ATTACH_BACKING counts too. */
	make_backed(h, 2, FMT, 16, 8, &pages, 4096);
	expect_attach_error(h, AM_RES, 2, false, VGM_GPU_RESP_ERR_UNSPEC,
			    "resource_id 2 already has backing");
	backing_free(&b);
	backing_free(&pages);
}

static void test_attach_memory_plane_offsets(void **state)
{
	const uint32_t P = VGM_GPU_RESP_ERR_INVALID_PARAMETER;
	struct harness *h = *state;
	struct backing b;

	attach_setup(h, &b, 4096);
	expect_attach_error(h, AM_OFF(1), 4, true, P, "offset[1] is not 0");
	expect_attach_error(h, AM_OFF(2), 1ull << 40, true, P, "offset[2] is not 0");
	expect_attach_error(h, AM_OFF(3), UINT64_MAX, true, P, "offset[3] is not 0");
	assert_int_equal(resource_info(h, 1).backed, 0);
	backing_free(&b);
}

/* 16x8 at 4 bytes: 512 bytes, in a region of 4000. */
static void test_attach_memory_beyond_region(void **state)
{
	const uint32_t P = VGM_GPU_RESP_ERR_INVALID_PARAMETER;
	struct harness *h = *state;
	struct vgm_resource_info ri;
	struct backing b;

	attach_setup(h, &b, 4000);
	expect_attach_error(h, AM_OFF(0), 4000 - 512 + 1, true, P,
			    "offset[0] 3489 + 512 bytes is beyond the region's 4000");
	expect_attach_error(h, AM_OFF(0), 4000, true, P, "offset[0] 4000 +");
	expect_attach_error(h, AM_OFF(0), 1ull << 32, true, P, "offset[0] 4294967296 +");
	expect_attach_error(h, AM_OFF(0), UINT64_MAX, true, P, "offset[0] 18446744073709551615 +");
	/* offset + 512 wraps to exactly 0. */
	expect_attach_error(h, AM_OFF(0), 0 - 512ull, true, P, "offset[0] 18446744073709551104 +");
	attach_memory(h, 1, 5, 4000 - 512); /* exactly at the end */
	ri = resource_info(h, 1);
	assert_int_equal(ri.backed, 1);
	assert_int_equal(ri.memory_id, 5);
	assert_int_equal(ri.backing_offset, 4000 - 512);
	assert_int_equal(ri.backing_size, 4000);
	backing_free(&b);
}

/* ---- reference counting through every valid order ------------------------------------ */

enum step { S_CREATE, S_ATTACH1, S_ATTACH2, S_UNREF_MEM, S_DETACH1, S_UNREF_RES2, S_COUNT };

/* Each step, and a step that must come before it (or -1). */
static const int needs[S_COUNT][2] = {
	[S_CREATE] = { -1, -1 },
	[S_ATTACH1] = { S_CREATE, -1 },
	[S_ATTACH2] = { S_CREATE, -1 },
	[S_UNREF_MEM] = { S_ATTACH1, S_ATTACH2 }, /* after it, attaching is impossible */
	[S_DETACH1] = { S_ATTACH1, -1 },
	[S_UNREF_RES2] = { S_ATTACH2, -1 },
};

static bool order_valid(const int *order)
{
	int pos[S_COUNT];

	for (int i = 0; i < S_COUNT; i++)
		pos[order[i]] = i;
	for (int s = 0; s < S_COUNT; s++) {
		for (int k = 0; k < 2; k++) {
			if (needs[s][k] >= 0 && pos[needs[s][k]] > pos[s])
				return false;
		}
	}
	return true;
}

/* Lexicographic next permutation; false after the last. */
static bool next_order(int *a, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	t = a[i];
	a[i] = a[j];
	a[j] = t;
	for (int l = i + 1, r = n - 1; l < r; l++, r--) {
		t = a[l];
		a[l] = a[r];
		a[r] = t;
	}
	return true;
}

/* What the region should look like: alive while named or attached. */
struct rc_model {
	bool named, att1, att2, res2;
	uint64_t table_bytes; /* of the region, measured at creation */
	int64_t maps;
	uint32_t entries;
};

static void rc_check(struct harness *h, const struct rc_model *m)
{
	bool alive = m->named || m->att1 || m->att2;
	struct vgm_stats st = stats(h);

	assert_int_equal(st.memory_ids, m->named);
	assert_int_equal(st.regions, alive);
	assert_int_equal(st.table_bytes, alive ? m->table_bytes : 0);
	assert_int_equal(st.backing_entries, alive ? m->entries : 0);
	assert_int_equal(h->live_maps, alive ? m->maps : 0);
	assert_int_equal(st.resources, 1 + m->res2);
	assert_int_equal(resource_info(h, 1).backed, m->att1);
	if (m->att1) {
		struct vgm_rect all = { 0, 0, 8, 8 };

		assert_int_equal(resource_info(h, 1).memory_id, m->named ? 5 : 0);
		transfer_ok(h, 1, &all, 0); /* the storage is still there */
	}
}

static void rc_step(struct harness *h, const struct backing *b, int step, struct rc_model *m)
{
	struct req r;

	switch (step) {
	case S_CREATE:
		req_memory_create(&r, 5, b);
		m->named = true;
		break;
	case S_ATTACH1:
		req_attach_memory(&r, 1, 5, 0);
		m->att1 = true;
		break;
	case S_ATTACH2:
		req_attach_memory(&r, 2, 5, 8 * 8 * 4 + 13);
		m->att2 = true;
		break;
	case S_UNREF_MEM:
		req_memory_unref(&r, 5);
		m->named = false;
		break;
	case S_DETACH1:
		req_detach_backing(&r, 1);
		m->att1 = false;
		break;
	default:
		req_unref(&r, 2);
		m->att2 = m->res2 = false;
		break;
	}
	expect_nodata(h, &r);
	if (step == S_CREATE) {
		m->table_bytes = stats(h).table_bytes;
		m->maps = h->live_maps;
		m->entries = b->n;
		assert_true(m->table_bytes > 0 && m->maps > 0);
	}
	rc_check(h, m);
}

static void rc_run(const int *order)
{
	struct harness_opts o = { .ram_size = 1u << 20 };
	struct harness *h = rfc_harness(&o);
	struct rc_model m = { .res2 = true };
	struct backing b;
	struct req r;

	backing_make_lens(h, &b, 1000, lens_mixed, 7);
	make_resource(h, 1, FMT, 8, 8);
	make_resource(h, 2, FMT, 8, 8);
	rc_check(h, &m);
	for (int i = 0; i < S_COUNT; i++)
		rc_step(h, &b, order[i], &m);
	req_unref(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(stats(h).resources, 0);
	assert_int_equal(stats(h).host_bytes, 0);
	assert_int_equal(stats(h).regions, 0);
	assert_int_equal(h->live_maps, 0);
	backing_free(&b);
	harness_free(h);
}

static void test_region_refcount_every_order(void **state)
{
	int order[S_COUNT] = { 0, 1, 2, 3, 4, 5 };
	int valid = 0, all = 0;

	(void)state;
	do {
		all++;
		if (!order_valid(order))
			continue;
		valid++;
		rc_run(order);
	} while (next_order(order, S_COUNT));
	assert_int_equal(all, 720);
	assert_int_equal(valid, 16); /* counted by hand from the constraints */
}

/* ---- pooling ----------------------------------------------------------------------------- */

struct placed {
	uint32_t id, w, hgt;
	uint64_t off;
};

/* Three resources in one region at odd offsets, each on its own scanout:
 * drawing into one's part changes only that one's image. */
static void test_region_pooling(void **state)
{
	static const struct placed p[3] = {
		{ 1, 20, 10, 0 }, { 2, 16, 16, 813 }, { 3, 10, 30, 1937 },
	};
	const uint64_t size = 1937 + 10 * 30 * 4 + 55;
	struct harness_opts o = { .num_scanouts = 3 };
	struct harness *h = rfc_harness(&o);
	uint8_t *src = malloc((size_t)size);
	struct backing b;

	(void)state;
	assert_non_null(src);
	backing_make_lens(h, &b, size, lens_mixed, 7);
	pattern_fill(src, (size_t)size, 30);
	backing_write(h, &b, 0, src, (size_t)size);
	make_region(h, 5, &b);
	for (int i = 0; i < 3; i++) {
		make_resource(h, p[i].id, FMT, p[i].w, p[i].hgt);
		attach_memory(h, p[i].id, 5, p[i].off);
	}
	assert_int_equal(stats(h).regions, 1);
	for (int i = 0; i < 3; i++)
		check_image(h, (uint32_t)i, p[i].id, src + p[i].off);
	/* The guest redraws the second resource only. */
	pattern_fill(src + p[1].off, 16 * 16 * 4, 31);
	backing_write(h, &b, p[1].off, src + p[1].off, 16 * 16 * 4);
	for (int i = 0; i < 3; i++)
		check_image(h, (uint32_t)i, p[i].id, src + p[i].off);
	free(src);
	backing_free(&b);
	harness_free(h);
}

/* ---- the standard dialect ----------------------------------------------------------------- */

/* 0x010b..0x010d are ASSIGN_UUID, CREATE_BLOB and SET_SCANOUT_BLOB there:
 * memory-rfc requests, read as those, make nothing. */
static void test_standard_has_no_memory_commands(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 4096);
	make_resource(h, 1, FMT, 16, 8);
	/* The same bytes mean RESOURCE_ASSIGN_UUID (of resource 8192, the low
	 * word of size), a short RESOURCE_CREATE_BLOB, a short SET_SCANOUT_BLOB. */
	req_memory_create(&r, 5, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
		     "RESOURCE_ASSIGN_UUID: resource_id 8192 does not exist");
	req_memory_unref(&r, 5);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "RESOURCE_CREATE_BLOB: request has 32 bytes, needs 56");
	req_attach_memory(&r, 1, 5, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "SET_SCANOUT_BLOB: request has 64 bytes, needs 96");
	assert_int_equal(h->translate_calls, 0);
	assert_int_equal(stats(h).regions, 0);
	assert_int_equal(resource_info(h, 1).backed, 0);
	backing_free(&b);
}

#define T(name) cmocka_unit_test_setup_teardown(name, harness_setup_rfc, harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_memory_create_ok),
		cmocka_unit_test(test_memory_create_not_negotiated),
		T(test_memory_create_bad_id),
		T(test_memory_create_bad_flags),
		cmocka_unit_test(test_memory_create_bad_nr_entries),
		T(test_memory_create_truncated),
		T(test_memory_create_zero_length_entry),
		T(test_memory_create_size_mismatch),
		T(test_memory_create_size_overflow_32),
		T(test_memory_create_untranslatable),
		cmocka_unit_test(test_memory_create_region_limit),
		T(test_memory_unref_unknown),
		T(test_memory_unref_storage_lives_on),
		T(test_attach_memory_unknown_ids),
		T(test_attach_memory_already_backed),
		T(test_attach_memory_plane_offsets),
		T(test_attach_memory_beyond_region),
		cmocka_unit_test(test_region_refcount_every_order),
		cmocka_unit_test(test_region_pooling),
		cmocka_unit_test_setup_teardown(test_standard_has_no_memory_commands, harness_setup,
						harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
