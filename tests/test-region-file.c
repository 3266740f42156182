/* SPDX-License-Identifier: MIT */
/*
 * region-file.c and region_span() through the core's API: the list of file
 * ranges a dma-buf of a region's range is made of (udmabuf_create() and a
 * missing /dev/udmabuf: test-udmabuf).
 *
 * The regions come from a core of their own (the harness gives the guest
 * RAM with guard pages and the fake VMM); the fixture sits between the
 * core and the harness's callbacks so translate() can say which file holds
 * each guest range.
 */
#include <stdlib.h>
#include <string.h>

#include "core-fixture.h"
#include "core/core-impl.h"
#include "harness.h"

#define FD_A 40
#define FD_B 41
#define HALF (8ull << 20) /* the harness's 16 MiB of RAM in two halves */
#define PG 4096u
#define MAX_REGIONS 4
#define MAX_ITEMS 16

/* What translate() says about the files behind guest RAM (offsets from RAM_BASE). */
enum fd_mode {
	FD_NONE,	/* no files */
	FD_LINEAR,	/* all of RAM is FD_A at its offset: a memfd */
	FD_TWO_HALVES,	/* the low half FD_A at off, the high half FD_B at off - HALF */
	FD_LOW_ONLY,	/* the low half FD_A at off, the high half in no file */
	FD_SHIFTED,	/* FD_A at off + 512: never page aligned in the file */
};

struct fixture {
	struct harness *h;
	struct core_fixture cf;
	struct vgm_host_ops inner; /* the harness's callbacks */
	enum fd_mode mode;
	struct region *rg[MAX_REGIONS];
	size_t nrg;
};

static int fx_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct fixture *f = host;
	uint64_t off = gpa - RAM_BASE;

	if (f->inner.translate(f->h, gpa, len, map) < 0)
		return -14;
	if (off < HALF && map->len > HALF - off)
		map->len = HALF - off; /* the halves may be different files */
	switch (f->mode) {
	case FD_NONE:
		break;
	case FD_LINEAR:
		map->fd = FD_A;
		map->fd_offset = off;
		break;
	case FD_TWO_HALVES:
		map->fd = off < HALF ? FD_A : FD_B;
		map->fd_offset = off < HALF ? off : off - HALF;
		break;
	case FD_LOW_ONLY:
		if (off < HALF) {
			map->fd = FD_A;
			map->fd_offset = off;
		}
		break;
	case FD_SHIFTED:
		map->fd = FD_A;
		map->fd_offset = off + 512;
		break;
	}
	return 0;
}

static void fx_release(void *host, const struct vgm_guest_map *map)
{
	struct fixture *f = host;

	f->inner.release(f->h, map);
}

static void fx_log(void *host, enum vgm_log_level level, const char *msg)
{
	struct fixture *f = host;

	f->inner.log(f->h, level, msg);
}

/* with_release: every entry stays a piece of its own, even where it
 * continues the previous one in memory and in the file. */
static struct fixture *fixture_new(enum fd_mode mode, bool with_release)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = with_release };
	struct fixture *f = calloc(1, sizeof(*f));
	struct vgm_host_ops ops;

	assert_non_null(f);
	f->h = harness_new(&o);
	f->inner = f->h->ops;
	f->mode = mode;
	ops = (struct vgm_host_ops){
		.size = sizeof(ops),
		.translate = fx_translate,
		.release = with_release ? fx_release : NULL,
		.log = fx_log,
	};
	core_fixture_init(&f->cf, &ops, f, 0);
	return f;
}

#define SETUP(name, mode, release)                                                                 \
	static int name(void **state)                                                              \
	{                                                                                          \
		*state = fixture_new(mode, release);                                               \
		return 0;                                                                          \
	}

SETUP(setup_linear, FD_LINEAR, true)
SETUP(setup_linear_plain, FD_LINEAR, false)
SETUP(setup_none, FD_NONE, true)
SETUP(setup_two_halves, FD_TWO_HALVES, true)
SETUP(setup_low_only, FD_LOW_ONLY, true)
SETUP(setup_shifted, FD_SHIFTED, true)

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < f->nrg; i++)
		region_unref(f->cf.core, f->rg[i]);
	core_fixture_fini(&f->cf);
	harness_free(f->h); /* every mapping given back */
	free(f);
	return 0;
}

/* A region of entries at RAM offsets offs[i], lens[i] bytes each; kept
 * until teardown. */
static struct region *make_region(struct fixture *f, const uint64_t *offs, const uint32_t *lens,
				  uint32_t n)
{
	struct vgm_gpu_mem_entry e[MAX_ITEMS];
	struct region *rg = NULL;
	uint64_t size = 0;

	assert_true(n <= MAX_ITEMS && f->nrg < MAX_REGIONS);
	for (uint32_t i = 0; i < n; i++) {
		e[i] = (struct vgm_gpu_mem_entry){ .addr = RAM_BASE + offs[i], .length = lens[i] };
		size += lens[i];
	}
	assert_int_equal(region_create(f->cf.core, e, n, size, &rg), 0);
	assert_non_null(rg);
	f->rg[f->nrg++] = rg;
	return rg;
}

/* n pages, page i at RAM offset offs[i]. */
static struct region *make_pages(struct fixture *f, const uint64_t *offs, uint32_t n)
{
	uint32_t lens[MAX_ITEMS];

	for (uint32_t i = 0; i < n; i++)
		lens[i] = PG;
	return make_region(f, offs, lens, n);
}

static void assert_item(const struct file_item *it, int32_t fd, uint64_t offset,
			uint64_t size)
{
	assert_int_equal(it->fd, fd);
	assert_int_equal(it->offset, offset);
	assert_int_equal(it->size, size);
}

/* udmabuf_list with room for MAX_ITEMS, lead checked when it succeeds. */
static int list(const struct region *rg, uint64_t off, uint64_t len, struct file_item *items)
{
	uint64_t lead = 12345;
	int n;

	memset(items, 0, sizeof(*items) * MAX_ITEMS);
	n = region_file_items(rg, off, len, PG, items, MAX_ITEMS, &lead);
	if (n >= 0)
		assert_int_equal(lead, off % PG);
	return n;
}

/* ---- udmabuf_list ------------------------------------------------------------------------ */

static void test_udmabuf_list_single_piece(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_region(f, (const uint64_t[]){ 0x10000 }, (const uint32_t[]){ 4 * PG },
					1);

	assert_int_equal(rg->nseg, 1);
	assert_int_equal(list(rg, 0, 4 * PG, it), 1);
	assert_item(&it[0], FD_A, 0x10000, 4 * PG);
	assert_int_equal(list(rg, PG, 2 * PG, it), 1); /* a part of it */
	assert_item(&it[0], FD_A, 0x10000 + PG, 2 * PG);
	assert_int_equal(list(rg, 3 * PG, PG, it), 1); /* its last page */
	assert_item(&it[0], FD_A, 0x10000 + 3 * PG, PG);
}

/* Pieces that continue each other in the file are one item, even where the
 * region keeps them apart. */
static void test_udmabuf_list_merges_contiguous_pieces(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	uint64_t offs[8];
	struct region *rg;

	for (uint32_t i = 0; i < 8; i++)
		offs[i] = 0x20000 + (uint64_t)i * PG;
	rg = make_pages(f, offs, 8);
	assert_int_equal(rg->nseg, 8); /* release() keeps each mapping apart */
	assert_int_equal(list(rg, 0, 8 * PG, it), 1);
	assert_item(&it[0], FD_A, 0x20000, 8 * PG);
	assert_int_equal(list(rg, 3 * PG, 2 * PG, it), 1);
	assert_item(&it[0], FD_A, 0x20000 + 3 * PG, 2 * PG);
}

/* Pages in another order than the file's: one item each, in the region's order. */
static void test_udmabuf_list_file_order_not_merged(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	uint64_t rev[8];
	struct region *rg;

	for (uint32_t i = 0; i < 8; i++)
		rev[i] = 0x20000 + (uint64_t)(7 - i) * PG;
	rg = make_pages(f, rev, 8);
	assert_int_equal(list(rg, 0, 8 * PG, it), 8);
	for (uint32_t i = 0; i < 8; i++)
		assert_item(&it[i], FD_A, 0x20000 + (uint64_t)(7 - i) * PG, PG);
	/* Pairs in order, the pairs swapped: two items. */
	rg = make_pages(f, (const uint64_t[]){ 0x40000 + 2 * PG, 0x40000 + 3 * PG, 0x40000,
					       0x40000 + PG },
			4);
	assert_int_equal(list(rg, 0, 4 * PG, it), 2);
	assert_item(&it[0], FD_A, 0x40000 + 2 * PG, 2 * PG);
	assert_item(&it[1], FD_A, 0x40000, 2 * PG);
}

/* Two files: an offset that continues the other file's item is not merged. */
static void test_udmabuf_list_two_fds(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_pages(f, (const uint64_t[]){ 0x1000, HALF + 0x2000, HALF + 0x3000,
							      0x4000 },
				       4);

	assert_int_equal(rg->nfds, 2);
	assert_int_equal(list(rg, 0, 4 * PG, it), 3);
	assert_item(&it[0], FD_A, 0x1000, PG);
	assert_item(&it[1], FD_B, 0x2000, 2 * PG);
	assert_item(&it[2], FD_A, 0x4000, PG);
	assert_int_equal(list(rg, 2 * PG, PG, it), 1);
	assert_item(&it[0], FD_B, 0x3000, PG);
}

/* An offset inside a page: the list starts at the page, lead says where. */
static void test_udmabuf_list_lead(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	uint64_t lead = 0;
	struct region *rg = make_region(f, (const uint64_t[]){ 0x30000 }, (const uint32_t[]){ 3 * PG },
					1);

	assert_int_equal(list(rg, 100, 5000, it), 1); /* 100..5100: two pages */
	assert_item(&it[0], FD_A, 0x30000, 2 * PG);
	assert_int_equal(list(rg, PG + 10, 10, it), 1);
	assert_item(&it[0], FD_A, 0x30000 + PG, PG);
	assert_int_equal(region_file_items(rg, 2 * PG + 4095, 1, PG, it, MAX_ITEMS, &lead), 1);
	assert_int_equal(lead, 4095);
	assert_item(&it[0], FD_A, 0x30000 + 2 * PG, PG);
}

/* A range ending inside a page takes the whole page, if the region has it. */
static void test_udmabuf_list_end_mid_page(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_region(f, (const uint64_t[]){ 0x30000 }, (const uint32_t[]){ 3 * PG },
					1);
	struct region *tail;

	assert_int_equal(list(rg, 0, PG + 1, it), 1);
	assert_item(&it[0], FD_A, 0x30000, 2 * PG);
	assert_int_equal(list(rg, 0, 3 * PG - 1, it), 1);
	assert_item(&it[0], FD_A, 0x30000, 3 * PG);
	/* Two pages and 100 bytes: the third page is not all the region's. */
	tail = make_region(f, (const uint64_t[]){ 0x40000, 0x50000 }, (const uint32_t[]){ 2 * PG, 100 },
			   2);
	assert_int_equal(tail->size, 2 * PG + 100);
	assert_int_equal(list(tail, 0, 2 * PG, it), 1);
	assert_item(&it[0], FD_A, 0x40000, 2 * PG);
	assert_int_equal(list(tail, 0, 2 * PG + 1, it), -1);
	assert_int_equal(list(tail, 0, 2 * PG + 100, it), -1);
	assert_int_equal(list(tail, 2 * PG, 100, it), -1);
	assert_int_equal(list(tail, 2 * PG + 99, 1, it), -1);
}

/* A piece in no file: no dma-buf of any range that touches it. */
static void test_udmabuf_list_piece_without_fd(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *filed_first = make_pages(f, (const uint64_t[]){ 0x1000, HALF + 0x1000 }, 2);
	struct region *filed_last = make_pages(f, (const uint64_t[]){ HALF + 0x3000, 0x3000 }, 2);

	assert_int_equal(list(filed_first, 0, 2 * PG, it), -1);
	assert_int_equal(list(filed_first, PG, PG, it), -1);
	assert_int_equal(list(filed_first, PG - 1, 2, it), -1);
	assert_int_equal(list(filed_first, 0, PG, it), 1); /* the filed page alone */
	assert_item(&it[0], FD_A, 0x1000, PG);
	/* The first fd came with the second piece. */
	assert_int_equal(list(filed_last, 0, 2 * PG, it), -1);
	assert_int_equal(list(filed_last, 0, PG, it), -1);
	assert_int_equal(list(filed_last, PG, PG, it), 1);
	assert_item(&it[0], FD_A, 0x3000, PG);
}

static void test_udmabuf_list_no_fds_at_all(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_pages(f, (const uint64_t[]){ 0x1000, 0x3000 }, 2);

	assert_null(rg->fd_pos);
	assert_int_equal(list(rg, 0, 2 * PG, it), -1);
	assert_int_equal(list(rg, 0, PG, it), -1);
}

/* udmabuf takes whole pages of the file: a piece elsewhere is refused. */
static void test_udmabuf_list_not_page_aligned_in_file(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_pages(f, (const uint64_t[]){ 0x1000, 0x2000 }, 2);

	assert_int_equal(list(rg, 0, 2 * PG, it), -1); /* at 0x1200 in the file */
	assert_int_equal(list(rg, 0, 1, it), -1);
}

static void test_udmabuf_list_pieces_not_whole_pages(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	/* Starting inside a page of RAM, hence of the file. */
	struct region *odd = make_region(f, (const uint64_t[]){ 0x1000 + 100 },
					 (const uint32_t[]){ 2 * PG }, 1);
	/* Page aligned starts, lengths that are not whole pages. */
	struct region *ragged = make_region(f, (const uint64_t[]){ 0x10000, 0x20000 },
					    (const uint32_t[]){ 6000, 2192 }, 2);

	assert_int_equal(list(odd, 0, 2 * PG, it), -1);
	assert_int_equal(list(odd, 0, 10, it), -1);
	assert_int_equal(list(ragged, 0, 2 * PG, it), -1);
	assert_int_equal(list(ragged, 0, PG, it), 1); /* the first page is fine */
	assert_item(&it[0], FD_A, 0x10000, PG);
}

static void test_udmabuf_list_cap(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	uint64_t lead = 12345, rev[8], fwd[8];
	struct region *scattered, *merged;

	for (uint32_t i = 0; i < 8; i++) {
		rev[i] = 0x20000 + (uint64_t)(7 - i) * PG;
		fwd[i] = 0x40000 + (uint64_t)i * PG;
	}
	scattered = make_pages(f, rev, 8);
	merged = make_pages(f, fwd, 8);
	assert_int_equal(region_file_items(scattered, 0, 8 * PG, PG, it, 7, &lead), -1);
	assert_int_equal(region_file_items(scattered, 0, 8 * PG, PG, it, 0, &lead), -1);
	assert_int_equal(region_file_items(scattered, 0, 8 * PG, PG, it, 8, &lead), 8);
	assert_int_equal(region_file_items(scattered, 0, 7 * PG, PG, it, 7, &lead), 7);
	assert_int_equal(region_file_items(merged, 0, 8 * PG, PG, it, 1, &lead), 1);
	assert_item(&it[0], FD_A, 0x40000, 8 * PG);
}

static void test_udmabuf_list_bad_range(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_pages(f, (const uint64_t[]){ 0x1000, 0x2000 }, 2);

	assert_int_equal(list(rg, 0, 0, it), -1);
	assert_int_equal(list(rg, PG, 0, it), -1);
	assert_int_equal(list(rg, UINT64_MAX - 10, 20, it), -1); /* off + len wraps */
	assert_int_equal(list(rg, 1, UINT64_MAX, it), -1);
	assert_int_equal(list(rg, 0, 2 * PG + 1, it), -1); /* past the end */
	assert_int_equal(list(rg, 2 * PG, 1, it), -1);
	assert_int_equal(list(rg, UINT64_MAX, 1, it), -1);
	assert_int_equal(list(rg, 0, 2 * PG, it), 1); /* and all of it is fine */
}

/* Pages larger than the pieces' alignment (64 KiB pages, say). */
static void test_udmabuf_list_larger_page(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	uint64_t lead = 0;
	struct region *rg4k = make_region(f, (const uint64_t[]){ 0x11000 },
					  (const uint32_t[]){ 0x10000 }, 1);
	struct region *rg64k = make_region(f, (const uint64_t[]){ 0x20000 },
					   (const uint32_t[]){ 0x20000 }, 1);

	assert_int_equal(region_file_items(rg4k, 0, 0x10000, 0x10000, it, MAX_ITEMS, &lead), -1);
	assert_int_equal(region_file_items(rg64k, 0x10000 + 5, 10, 0x10000, it, MAX_ITEMS, &lead), 1);
	assert_int_equal(lead, 5);
	assert_item(&it[0], FD_A, 0x30000, 0x10000);
}

/* One page: one item (the list test-udmabuf hands to udmabuf_create()). */
static void test_udmabuf_list_one_page(void **state)
{
	struct fixture *f = *state;
	struct file_item it[MAX_ITEMS];
	struct region *rg = make_pages(f, (const uint64_t[]){ 0x1000 }, 1);

	assert_int_equal(list(rg, 0, PG, it), 1);
	assert_item(&it[0], FD_A, 0x1000, PG);
}

/* ---- region_span ------------------------------------------------------------------------------ */

static void test_region_span_pieces(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct region *rg = make_region(f, (const uint64_t[]){ 0x1000, 0x9000 },
					(const uint32_t[]){ 3000, 5000 }, 2);

	assert_int_equal(rg->nseg, 2);
	assert_ptr_equal(region_span(rg, 0, 3000), ram_ptr(h, RAM_BASE + 0x1000));
	assert_ptr_equal(region_span(rg, 100, 2900), ram_ptr(h, RAM_BASE + 0x1000 + 100));
	assert_ptr_equal(region_span(rg, 2999, 1), ram_ptr(h, RAM_BASE + 0x1000 + 2999));
	assert_ptr_equal(region_span(rg, 3000, 5000), ram_ptr(h, RAM_BASE + 0x9000));
	assert_ptr_equal(region_span(rg, 7999, 1), ram_ptr(h, RAM_BASE + 0x9000 + 4999));
	assert_null(region_span(rg, 2999, 2)); /* across two pieces */
	assert_null(region_span(rg, 0, 8000));
	assert_null(region_span(rg, 0, 0));
	assert_null(region_span(rg, 8000, 1)); /* past the end */
	assert_null(region_span(rg, 7999, 2));
	assert_null(region_span(rg, UINT64_MAX, 2)); /* off + len wraps */
	assert_null(region_span(rg, 1, UINT64_MAX));
}

/* A host without release(): entries adjacent in RAM join into one piece. */
static void test_region_span_joined_pieces(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct region *rg = make_region(f, (const uint64_t[]){ 0x1000, 0x1000 + 3000, 0x8000 },
					(const uint32_t[]){ 3000, 5000, 100 }, 3);

	assert_int_equal(rg->nseg, 2);
	assert_ptr_equal(region_span(rg, 2000, 2000), ram_ptr(h, RAM_BASE + 0x1000 + 2000));
	assert_ptr_equal(region_span(rg, 0, 8000), ram_ptr(h, RAM_BASE + 0x1000));
	assert_ptr_equal(region_span(rg, 8000, 100), ram_ptr(h, RAM_BASE + 0x8000));
	assert_null(region_span(rg, 7999, 2));
}

int main(void)
{
#define T(f, s) cmocka_unit_test_setup_teardown(f, s, teardown)
	const struct CMUnitTest tests[] = {
		T(test_udmabuf_list_single_piece, setup_linear),
		T(test_udmabuf_list_merges_contiguous_pieces, setup_linear),
		T(test_udmabuf_list_file_order_not_merged, setup_linear),
		T(test_udmabuf_list_two_fds, setup_two_halves),
		T(test_udmabuf_list_lead, setup_linear),
		T(test_udmabuf_list_end_mid_page, setup_linear),
		T(test_udmabuf_list_piece_without_fd, setup_low_only),
		T(test_udmabuf_list_no_fds_at_all, setup_none),
		T(test_udmabuf_list_not_page_aligned_in_file, setup_shifted),
		T(test_udmabuf_list_pieces_not_whole_pages, setup_linear),
		T(test_udmabuf_list_cap, setup_linear),
		T(test_udmabuf_list_bad_range, setup_linear),
		T(test_udmabuf_list_larger_page, setup_linear),
		T(test_udmabuf_list_one_page, setup_linear),
		T(test_region_span_pieces, setup_linear),
		T(test_region_span_joined_pieces, setup_linear_plain),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
