/* SPDX-License-Identifier: MIT */
/*
 * region.c through its internal API: tables of host-contiguous pieces made
 * from guest entries, reads across pieces, the cursor, references and the
 * mappings given back to the host.
 *
 * A core of its own, the layer under test; the harness gives the guest RAM
 * with guard pages and the fake VMM, and the fixture sits between the core
 * and the harness's callbacks so it can make translate() misbehave, hand
 * out fds, and record every release().
 */
#include <stdlib.h>
#include <string.h>

#include "core-fixture.h"
#include "core/core-impl.h"
#include "harness.h"

#define MAX_RELEASED 256
#define SENTINEL 0xa5

enum bad_map { MAP_GOOD, MAP_ZERO_LEN, MAP_TOO_LONG, MAP_NULL_PTR };

/* What translate() says about files behind guest RAM. */
enum fd_mode {
	FD_NONE,
	FD_LINEAR,	/* fd 77 at offset gpa - RAM_BASE: a memfd */
	FD_SCRAMBLED,	/* fd 77 at offset 2 * (gpa - RAM_BASE): never contiguous */
	FD_TWO,		/* fds 77 and 78 by turns */
	FD_HUGE,	/* offsets from 2^48: more than a table keeps */
	FD_LATE,	/* none on the first call, then fd 77 at late_offset */
	FD_EDGE,	/* fd 77 ending at offset 2^48, then fd 78 from offset 0 */
};

#define FD_A 77

struct fixture {
	struct harness *h;
	struct core_fixture cf;
	struct core *core;
	struct vgm_host_ops inner; /* the harness's callbacks */
	enum bad_map bad;
	uint32_t bad_call; /* translate() call (from 1) that misbehaves */
	uint32_t calls;
	enum fd_mode fd_mode;
	uint64_t late_offset;
	struct vgm_guest_map released[MAX_RELEASED];
	size_t nreleased;
};

static int fx_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct fixture *f = host;

	if (++f->calls == f->bad_call && f->bad != MAP_GOOD) {
		/* Not a harness mapping: nothing for release() to give back. */
		map->ptr = f->bad == MAP_NULL_PTR ? NULL : ram_ptr(f->h, gpa);
		map->len = f->bad == MAP_ZERO_LEN ? 0 : f->bad == MAP_TOO_LONG ? len + 1 : len;
		return 0;
	}
	if (f->inner.translate(f->h, gpa, len, map) < 0)
		return -14;
	switch (f->fd_mode) {
	case FD_NONE:
		break;
	case FD_LINEAR:
	case FD_SCRAMBLED:
	case FD_HUGE:
		map->fd = FD_A;
		map->fd_offset = (gpa - RAM_BASE) * (f->fd_mode == FD_SCRAMBLED ? 2 : 1);
		if (f->fd_mode == FD_HUGE)
			map->fd_offset += 1ull << 48;
		break;
	case FD_TWO:
		map->fd = FD_A + (int)(f->calls % 2);
		map->fd_offset = gpa - RAM_BASE;
		break;
	case FD_EDGE:
		map->fd = f->calls == 1 ? FD_A : FD_A + 1;
		map->fd_offset = f->calls == 1 ? (1ull << 48) - map->len : 0;
		break;
	case FD_LATE:
		if (f->calls > 1) {
			map->fd = FD_A;
			map->fd_offset = f->late_offset;
		}
		break;
	}
	return 0;
}

static void fx_release(void *host, const struct vgm_guest_map *map)
{
	struct fixture *f = host;

	assert_true(f->nreleased < MAX_RELEASED);
	f->released[f->nreleased++] = *map;
	f->inner.release(f->h, map);
}

static void fx_log(void *host, enum vgm_log_level level, const char *msg)
{
	struct fixture *f = host;

	f->inner.log(f->h, level, msg);
}

static struct fixture *fixture_new(bool with_release, bool split_pages, uint64_t max_host_memory)
{
	struct harness_opts o = {
		.dialect = VGM_DIALECT_STANDARD,
		.with_release = with_release,
		.split_pages = split_pages,
	};
	struct fixture *f = calloc(1, sizeof(*f));
	struct vgm_host_ops ops;

	assert_non_null(f);
	f->h = harness_new(&o);
	f->inner = f->h->ops;
	/* Only the callbacks region.c may call; each goes through the fixture. */
	ops = (struct vgm_host_ops){
		.size = sizeof(ops),
		.translate = fx_translate,
		.release = with_release ? fx_release : NULL,
		.log = fx_log,
	};
	core_fixture_init(&f->cf, &ops, f, max_host_memory);
	f->core = f->cf.core;
	return f;
}

static int setup_plain(void **state)
{
	*state = fixture_new(false, false, 0);
	return 0;
}

static int setup_release(void **state)
{
	*state = fixture_new(true, false, 0);
	return 0;
}

static int setup_split(void **state)
{
	*state = fixture_new(false, true, 0);
	return 0;
}

static int setup_split_release(void **state)
{
	*state = fixture_new(true, true, 0);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	core_fixture_fini(&f->cf);
	harness_free(f->h); /* asserts every mapping was released, no stray errors */
	free(f);
	return 0;
}

static bool has_release(const struct fixture *f)
{
	return f->h->opts.with_release;
}

/* The core's counters, as vgm_device_get_stats() gives them. */
static struct vgm_stats stats(struct fixture *f)
{
	struct core_stats cs;

	core_stats(f->core, &cs);
	return (struct vgm_stats){
		.size = sizeof(struct vgm_stats),
		.resources = cs.resources,
		.regions = cs.regions,
		.memory_ids = cs.memory_ids,
		.host_bytes = cs.image_bytes + cs.table_bytes,
		.image_bytes = cs.image_bytes,
		.table_bytes = cs.table_bytes,
		.object_bytes = cs.object_bytes,
		.backing_entries = cs.backing_entries,
	};
}

/* n entries of the given lengths, each in pages of its own at an odd
 * offset: never adjacent in guest RAM. Fills RAM with a pattern. */
static uint64_t scattered_entries(struct fixture *f, struct vgm_gpu_mem_entry *e,
				  const uint32_t *lens, uint32_t n)
{
	uint64_t size = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t skew = 1 + i % 7 * 13;
		uint64_t gpa = ram_alloc(f->h, lens[i] + skew + 1) + skew;
		uint8_t *p = ram_ptr(f->h, gpa);

		e[i] = (struct vgm_gpu_mem_entry){ .addr = gpa, .length = lens[i] };
		for (uint32_t b = 0; b < lens[i]; b++)
			p[b] = (uint8_t)(size + b + (size + b) / 251 * 7);
		size += lens[i];
	}
	return size;
}

/* The guest's view of the entries, concatenated. */
static uint8_t *reference(struct fixture *f, const struct vgm_gpu_mem_entry *e, uint32_t n,
			  uint64_t size)
{
	uint8_t *ref = malloc(size ? size : 1);
	uint64_t off = 0;

	assert_non_null(ref);
	for (uint32_t i = 0; i < n; i++) {
		memcpy(ref + off, ram_ptr(f->h, e[i].addr), e[i].length);
		off += e[i].length;
	}
	assert_int_equal(off, size);
	return ref;
}

static struct region *create_ok(struct fixture *f, const struct vgm_gpu_mem_entry *e, uint32_t n,
				uint64_t size)
{
	struct region *rg = NULL;

	assert_int_equal(region_create(f->core, e, n, size, &rg), 0);
	assert_non_null(rg);
	assert_int_equal(rg->refs, 1);
	assert_int_equal(rg->size, size);
	assert_int_equal(rg->nentries, n);
	assert_int_equal(rg->memory_id, 0);
	assert_int_equal(rg->seg[0].start, 0);
	assert_int_equal(rg->seg[rg->nseg].start, size);
	for (uint32_t i = 0; i < rg->nseg; i++)
		assert_true(rg->seg[i].start < rg->seg[i + 1].start);
	assert_true((rg->cookies != NULL) == has_release(f));
	assert_true((rg->fd_pos != NULL) == (f->fd_mode != FD_NONE && !rg->fd_lost));
	return rg;
}

/* Asserts piece i starts at offset start and maps gpa. */
static void assert_piece(struct fixture *f, const struct region *rg, uint32_t i, uint64_t start,
			 uint64_t gpa)
{
	assert_true(i < rg->nseg);
	assert_int_equal(rg->seg[i].start, start);
	assert_ptr_equal(rg->seg[i].ptr, ram_ptr(f->h, gpa));
}

/* ---- pieces ------------------------------------------------------------------- */

static void test_region_pieces_from_entries(void **state)
{
	struct fixture *f = *state;
	static const uint32_t lens[] = { 100, 4096, 37 };
	struct vgm_gpu_mem_entry e[3];
	uint64_t size = scattered_entries(f, e, lens, 3);
	struct region *rg = create_ok(f, e, 3, size);

	assert_int_equal(size, 4233);
	assert_int_equal(rg->nseg, 3);
	assert_piece(f, rg, 0, 0, e[0].addr);
	assert_piece(f, rg, 1, 100, e[1].addr);
	assert_piece(f, rg, 2, 4196, e[2].addr);
	assert_int_equal(f->h->translate_calls, 3);
	if (has_release(f)) {
		assert_int_equal(f->h->live_maps, 3);
		for (uint32_t i = 0; i < 3; i++) {
			assert_ptr_equal(rg->cookies[i], f->h);
		}
	}
	region_unref(f->core, rg);
	assert_int_equal(f->nreleased, has_release(f) ? 3 : 0);
}

/* translate() stops at page boundaries: one entry over four pages. */
static void test_region_split_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t gpa = ram_alloc(f->h, 4 * PAGE_SIZE_4K) + 100;
	struct vgm_gpu_mem_entry e = { .addr = gpa, .length = 3 * PAGE_SIZE_4K };
	struct region *rg = create_ok(f, &e, 1, e.length);

	assert_int_equal(f->h->translate_calls, 4);
	if (!has_release(f)) {
		/* The host's pieces are contiguous in host memory: one piece. */
		assert_int_equal(rg->nseg, 1);
		assert_piece(f, rg, 0, 0, gpa);
	} else {
		/* Each mapping must go back on its own: the pieces stay. */
		assert_int_equal(rg->nseg, 4);
		assert_piece(f, rg, 0, 0, gpa);
		assert_piece(f, rg, 1, 3996, gpa + 3996);
		assert_piece(f, rg, 2, 8092, gpa + 8092);
		assert_piece(f, rg, 3, 12188, gpa + 12188);
		assert_int_equal(f->h->live_maps, 4);
	}
	region_unref(f->core, rg);
	if (has_release(f)) {
		static const uint64_t lens[] = { 3996, 4096, 4096, 100 };

		assert_int_equal(f->nreleased, 4);
		for (size_t i = 0; i < 4; i++)
			assert_int_equal(f->released[i].len, lens[i]);
	}
}

/* Entries adjacent in guest RAM, in order: one piece unless release()
 * needs them apart; out of order they never merge. */
static void test_region_adjacent_entries(void **state)
{
	struct fixture *f = *state;
	uint64_t gpa = ram_alloc(f->h, 3 * PAGE_SIZE_4K);
	struct vgm_gpu_mem_entry in_order[3] = {
		{ .addr = gpa, .length = 4096 },
		{ .addr = gpa + 4096, .length = 1000 },
		{ .addr = gpa + 5096, .length = 7 },
	};
	struct vgm_gpu_mem_entry reversed[2] = {
		{ .addr = gpa + 4096, .length = 1000 },
		{ .addr = gpa, .length = 4096 },
	};
	struct region *a = create_ok(f, in_order, 3, 5103);
	struct region *b = create_ok(f, reversed, 2, 5096);

	if (has_release(f)) {
		assert_int_equal(a->nseg, 3);
		assert_piece(f, a, 1, 4096, gpa + 4096);
		assert_piece(f, a, 2, 5096, gpa + 5096);
	} else {
		assert_int_equal(a->nseg, 1);
	}
	assert_piece(f, a, 0, 0, gpa);
	assert_int_equal(b->nseg, 2);
	assert_piece(f, b, 0, 0, gpa + 4096);
	assert_piece(f, b, 1, 1000, gpa);
	assert_int_equal(stats(f).backing_entries, 5);
	region_unref(f->core, a);
	region_unref(f->core, b);
	assert_int_equal(f->nreleased, has_release(f) ? 5 : 0);
}

/* A piece's file position as the table keeps it: fd slot and offset. */
static uint64_t fd_pos(uint32_t slot, uint64_t offset)
{
	return (uint64_t)slot << FD_POS_SHIFT | offset;
}

/* Two entries adjacent in guest RAM, in order. */
static uint64_t adjacent_pair(struct fixture *f, struct vgm_gpu_mem_entry *e)
{
	uint64_t gpa = ram_alloc(f->h, 2 * PAGE_SIZE_4K);

	e[0] = (struct vgm_gpu_mem_entry){ .addr = gpa, .length = 4096 };
	e[1] = (struct vgm_gpu_mem_entry){ .addr = gpa + 4096, .length = 10 };
	return 4106;
}

/* Asserts release() got piece i back as entry e with the fd translate() gave. */
static void assert_released(struct fixture *f, size_t i, const struct vgm_gpu_mem_entry *e,
			    int fd, uint64_t fd_offset)
{
	assert_true(i < f->nreleased);
	assert_ptr_equal(f->released[i].ptr, ram_ptr(f->h, e->addr));
	assert_int_equal(f->released[i].len, e->length);
	assert_ptr_equal(f->released[i].cookie, f->h);
	assert_int_equal(f->released[i].fd, fd);
	assert_int_equal(f->released[i].fd_offset, fd_offset);
}

/* A memfd host: contiguous in memory and in the file is one piece
 * (without release()); the file position is kept and given back. */
static void test_region_fd_contiguous_file(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[2];
	uint64_t size = adjacent_pair(f, e);
	uint64_t off0 = e[0].addr - RAM_BASE;
	struct region *rg;

	f->fd_mode = FD_LINEAR;
	rg = create_ok(f, e, 2, size);
	assert_int_equal(rg->nfds, 1);
	assert_int_equal(rg->fds[0], FD_A);
	assert_false(rg->fd_lost);
	assert_int_equal(rg->fd_pos[0], fd_pos(0, off0));
	if (has_release(f)) {
		assert_int_equal(rg->nseg, 2);
		assert_int_equal(rg->fd_pos[1], fd_pos(0, off0 + 4096));
		/* 16 bytes a piece and the sentinel, a cookie and a position a piece, the fd. */
		assert_int_equal(rg->table_bytes,
				 3 * sizeof(struct region_seg) + 2 * 8 + 2 * 8 + 4);
	} else {
		assert_int_equal(rg->nseg, 1);
		assert_int_equal(rg->table_bytes, 2 * sizeof(struct region_seg) + 8 + 4);
	}
	region_unref(f->core, rg);
	if (has_release(f)) {
		assert_int_equal(f->nreleased, 2);
		assert_released(f, 0, &e[0], FD_A, off0);
		assert_released(f, 1, &e[1], FD_A, off0 + 4096);
	}
}

/* Contiguous in memory but not in the file: two pieces, each with its
 * own position. */
static void test_region_fd_noncontiguous_file(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[2];
	uint64_t size = adjacent_pair(f, e);
	struct region *rg;

	f->fd_mode = FD_SCRAMBLED;
	rg = create_ok(f, e, 2, size);
	assert_int_equal(rg->nseg, 2);
	assert_int_equal(rg->fd_pos[0], fd_pos(0, 2 * (e[0].addr - RAM_BASE)));
	assert_int_equal(rg->fd_pos[1], fd_pos(0, 2 * (e[1].addr - RAM_BASE)));
	region_unref(f->core, rg);
	if (has_release(f)) {
		assert_released(f, 0, &e[0], FD_A, 2 * (e[0].addr - RAM_BASE));
		assert_released(f, 1, &e[1], FD_A, 2 * (e[1].addr - RAM_BASE));
	}
}

/* Two files: each fd is kept once, pieces in different files never join. */
static void test_region_fd_two_files(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[2];
	uint64_t size = adjacent_pair(f, e);
	struct region *rg;

	f->fd_mode = FD_TWO;
	rg = create_ok(f, e, 2, size);
	assert_int_equal(rg->nseg, 2);
	assert_int_equal(rg->nfds, 2);
	assert_int_equal(rg->fds[0], FD_A + 1); /* the first call */
	assert_int_equal(rg->fds[1], FD_A);
	assert_int_equal(rg->fd_pos[0], fd_pos(0, e[0].addr - RAM_BASE));
	assert_int_equal(rg->fd_pos[1], fd_pos(1, e[1].addr - RAM_BASE));
	region_unref(f->core, rg);
	if (has_release(f)) {
		assert_released(f, 0, &e[0], FD_A + 1, e[0].addr - RAM_BASE);
		assert_released(f, 1, &e[1], FD_A, e[1].addr - RAM_BASE);
	}
}

/* Offsets past 2^48 do not fit a position: the region forgets its files
 * but works, and joins pieces by memory alone. */
static void test_region_fd_offset_too_large(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[2];
	uint64_t size = adjacent_pair(f, e);
	uint8_t *ref = reference(f, e, 2, size);
	struct region_cursor cur = { 0 };
	uint8_t out[4106];
	struct region *rg;

	f->fd_mode = FD_HUGE;
	rg = create_ok(f, e, 2, size);
	assert_true(rg->fd_lost);
	assert_null(rg->fd_pos);
	assert_int_equal(rg->nseg, has_release(f) ? 2 : 1);
	assert_int_equal(region_read(rg, &cur, 0, out, sizeof(out)), size);
	assert_memory_equal(out, ref, size);
	region_unref(f->core, rg);
	if (has_release(f)) {
		assert_released(f, 0, &e[0], -1, 0);
		assert_released(f, 1, &e[1], -1, 0);
	}
	free(ref);
}

/* A piece without a file, then one with: contiguous in memory, but the
 * first has no place in the file, so they are not one piece in it, even
 * when the second's offset is where "no position" plus the length wraps. */
static void test_region_fd_after_unfiled_piece(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[2];
	uint64_t size = adjacent_pair(f, e);
	static const uint64_t offsets[] = { 4095, 0, 4096, 1 << 20 };

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		struct region *rg;

		f->fd_mode = FD_LATE;
		f->late_offset = offsets[i];
		f->calls = 0;
		rg = create_ok(f, e, 2, size);
		if (rg->nseg != 2)
			fail_msg("offset %llu: %u pieces", (unsigned long long)offsets[i],
				 rg->nseg);
		assert_int_equal(rg->fd_pos[0], FD_POS_NONE);
		assert_int_equal(rg->fd_pos[1], fd_pos(0, offsets[i]));
		region_unref(f->core, rg);
	}
}

/* The first file's last byte sits just below 2^48 and the second file
 * starts at 0: end of one plus length must not carry into the next
 * file's slot and make them look contiguous. */
static void test_region_fd_offset_end_of_range(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[2];
	uint64_t size = adjacent_pair(f, e);
	struct region *rg;

	f->fd_mode = FD_EDGE;
	rg = create_ok(f, e, 2, size);
	assert_int_equal(rg->nseg, 2);
	assert_int_equal(rg->nfds, 2);
	assert_int_equal(rg->fd_pos[0], fd_pos(0, (1ull << 48) - 4096));
	assert_int_equal(rg->fd_pos[1], fd_pos(1, 0));
	region_unref(f->core, rg);
	if (has_release(f)) {
		assert_released(f, 0, &e[0], FD_A, (1ull << 48) - 4096);
		assert_released(f, 1, &e[1], FD_A + 1, 0);
	}
}

/* ---- reads --------------------------------------------------------------------- */

static const uint32_t odd_lens[] = { 1, 3, 5, 7, 2, 9, 4, 11, 6, 13 };

/* Every offset and length, from a fresh cursor, against the reference. */
static void test_region_read_every_offset(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[10];
	uint64_t size = scattered_entries(f, e, odd_lens, 10);
	struct region *rg = create_ok(f, e, 10, size);
	uint8_t *ref = reference(f, e, 10, size);
	uint8_t out[80];

	assert_int_equal(size, 61);
	assert_int_equal(rg->nseg, 10);
	for (uint64_t off = 0; off <= size + 2; off++) {
		for (size_t len = 0; len <= size + 2; len++) {
			struct region_cursor cur = { 0 };
			size_t expect = 0, got;

			if (off < size)
				expect = len < size - off ? len : (size_t)(size - off);
			memset(out, SENTINEL, sizeof(out));
			got = region_read(rg, &cur, off, out, len);
			assert_int_equal(got, expect);
			if (expect)
				assert_memory_equal(out, ref + off, expect);
			for (size_t i = expect; i < sizeof(out); i++)
				assert_int_equal(out[i], SENTINEL);
		}
	}
	free(ref);
	region_unref(f->core, rg);
}

/* Pieces of one power-of-two length are found by a shift: only when all
 * but the last have it and the last is no longer; reads agree either way. */
static void read_all_ways(struct fixture *f, const uint32_t *lens, uint32_t n,
			  uint32_t want_shift)
{
	struct vgm_gpu_mem_entry e[8];
	uint64_t size = scattered_entries(f, e, lens, n);
	struct region *rg = create_ok(f, e, n, size);
	uint8_t *ref = reference(f, e, n, size);
	uint8_t out[700];

	assert_int_equal(rg->page_shift, want_shift);
	for (uint64_t off = 0; off < size; off += 97) {
		struct region_cursor cur = { .idx = (uint32_t)(off % 3) };
		size_t got = region_read(rg, &cur, off, out, sizeof(out));

		assert_int_equal(got, size - off < sizeof(out) ? size - off : sizeof(out));
		assert_memory_equal(out, ref + off, got);
	}
	free(ref);
	region_unref(f->core, rg);
}

static void test_region_uniform_pages(void **state)
{
	struct fixture *f = *state;
	static const uint32_t pages[] = { 4096, 4096, 4096, 1000 };
	static const uint32_t longer_last[] = { 4096, 4096, 8192 };
	static const uint32_t mixed[] = { 4096, 2048, 4096 };
	static const uint32_t small[] = { 256, 256, 256 };
	static const uint32_t odd[] = { 3000, 3000, 3000 };

	read_all_ways(f, pages, 4, 12);
	read_all_ways(f, longer_last, 3, 0);
	read_all_ways(f, mixed, 3, 0);
	read_all_ways(f, small, 3, 0); /* below 512 bytes: not worth a shift */
	read_all_ways(f, odd, 3, 0);
}

static void test_region_read_at_end(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[10];
	uint64_t size = scattered_entries(f, e, odd_lens, 10);
	struct region *rg = create_ok(f, e, 10, size);
	uint8_t *ref = reference(f, e, 10, size);
	struct region_cursor cur = { 0 };
	uint8_t out[80];

	memset(out, SENTINEL, sizeof(out));
	assert_int_equal(region_read(rg, &cur, size, out, 1), 0);
	assert_int_equal(region_read(rg, &cur, size + 1, out, 10), 0);
	assert_int_equal(region_read(rg, &cur, UINT64_MAX, out, 10), 0);
	assert_int_equal(region_read(rg, &cur, UINT64_MAX - 3, out, SIZE_MAX), 0);
	assert_int_equal(out[0], SENTINEL);
	/* Partial: stops at the end. */
	assert_int_equal(region_read(rg, &cur, size - 3, out, 10), 3);
	assert_memory_equal(out, ref + size - 3, 3);
	assert_int_equal(out[3], SENTINEL);
	assert_int_equal(region_read(rg, &cur, 0, out, SIZE_MAX), size);
	assert_memory_equal(out, ref, size);
	assert_int_equal(out[size], SENTINEL);
	assert_int_equal(region_read(rg, &cur, size - 1, out, SIZE_MAX), 1);
	assert_int_equal(out[0], ref[size - 1]);
	free(ref);
	region_unref(f->core, rg);
}

/* What region_read_rows() must give: rows copied one by one from ref
 * (size bytes), each as far as the region goes, the first short one
 * ending the copy, as does an offset past 2^64. Returns the whole rows. */
static uint32_t rows_model(const uint8_t *ref, uint64_t size, const struct region_rows *rr,
			   uint8_t *dst)
{
	uint64_t off = rr->off;

	for (uint32_t h = 0; h < rr->count; h++) {
		size_t n = off < size ? (size_t)(size - off < rr->len ? size - off : rr->len) : 0;

		memcpy(dst + h * rr->dst_stride, ref + (n ? off : 0), n);
		if (n < rr->len)
			return h;
		if (__builtin_add_overflow(off, rr->stride, &off))
			return h + 1;
	}
	return rr->count;
}

#define ROWS_ROOM 4200u

/* region_read_rows() at any offset, stride, row length, count and hint,
 * on pieces of odd sizes (found by search) and on uniform pages (by a
 * shift, rows prefetched ahead): the bytes and the count of the model,
 * nothing written past the rows, no entry read past the table's end
 * (ASan and valgrind see it). */
static void rows_everywhere(struct fixture *f, const uint32_t *lens, uint32_t n)
{
	struct vgm_gpu_mem_entry e[10];
	uint64_t size = scattered_entries(f, e, lens, n);
	struct region *rg = create_ok(f, e, n, size);
	uint8_t *ref = reference(f, e, n, size);
	static uint8_t out[ROWS_ROOM], want[ROWS_ROOM];
	const uint32_t hints[] = { 0, n, UINT32_MAX };
	const size_t row_lens[] = { 1, 3, 64, 100 };
	const uint32_t counts[] = { 0, 1, 13, 40 };

	assert_int_equal(rg->page_shift, lens[0] == 4096 ? 12 : 0);
	for (size_t l = 0; l < 4; l++) {
		const uint64_t strides[] = { row_lens[l], row_lens[l] + 1, 97, 4096, UINT64_MAX };
		/* ... lens[0] + 1 - len: a row one byte past the first piece */
		const uint64_t offs[] = { 0, 1, lens[0] - 1, lens[0] + 1 - row_lens[l], size - 1,
					  size, size + 1, UINT64_MAX - 1 };

		for (size_t i = 0; i < 8 * 5 * 4 * 3; i++) {
			struct region_rows rr = {
				.off = offs[i % 8],
				.stride = strides[i / 8 % 5],
				.len = row_lens[l],
				.count = counts[i / 40 % 4],
				.dst = out,
			};
			struct region_cursor cur = { .idx = hints[i / 160] };

			rr.dst_stride = rr.stride == rr.len ? rr.len : rr.len + 3;
			memset(out, SENTINEL, sizeof(out));
			memset(want, SENTINEL, sizeof(want));
			assert_int_equal(region_read_rows(rg, &cur, &rr), rows_model(ref, size, &rr, want));
			assert_memory_equal(out, want, sizeof(out));
		}
	}
	free(ref);
	region_unref(f->core, rg);
}

static void test_region_read_rows(void **state)
{
	static const uint32_t pages[] = { 4096, 4096, 4096, 100 };

	rows_everywhere(*state, odd_lens, 10);
	rows_everywhere(*state, pages, 4);
}

#define BIG_N 131072u
/* The mapping of BIG_N scattered one-byte entries' table: BIG_N ranges and
 * BIG_N + 1 pieces, 16 bytes each, in whole 2 MiB pages. */
#define BIG_MAPPED ((((size_t)BIG_N * 32 + 16) + HUGE_MAP_MIN - 1) & ~(size_t)(HUGE_MAP_MIN - 1))

/* BIG_N one-byte entries, one every gap bytes, each byte set from seed. */
static struct vgm_gpu_mem_entry *big_entries(struct fixture *f, uint32_t gap, uint32_t seed)
{
	struct vgm_gpu_mem_entry *e = calloc(BIG_N, sizeof(*e));
	uint64_t gpa = ram_alloc(f->h, (size_t)BIG_N * gap);
	uint8_t *p = ram_ptr(f->h, gpa);

	assert_non_null(e);
	for (uint32_t i = 0; i < BIG_N; i++) {
		e[i] = (struct vgm_gpu_mem_entry){ .addr = gpa + (uint64_t)i * gap, .length = 1 };
		p[(size_t)i * gap] = (uint8_t)(i * 13 + i / 256 + seed);
	}
	return e;
}

/* The region reads back the bytes big_entries() set. */
static void check_big(struct region *rg, uint32_t seed)
{
	uint8_t *out = malloc(BIG_N);
	struct region_cursor cur = { 0 };

	assert_non_null(out);
	assert_int_equal(region_read(rg, &cur, 0, out, BIG_N), BIG_N);
	for (uint32_t i = 0; i < BIG_N; i++)
		assert_int_equal(out[i], (uint8_t)(i * 13 + i / 256 + seed));
	free(out);
}

/* A table of HUGE_MAP_MIN and more is a mapping of its own, 2 MiB aligned:
 * every other byte (scattered: 4 MiB of ranges and pieces, kept mapped),
 * then every byte (one range and one piece: the table starts mapped, with
 * room for every entry, and shrinks to a malloc block, its mapping kept
 * spare). Either reads the guest's bytes back. */
static void big_table(struct fixture *f, uint32_t gap)
{
	struct vgm_gpu_mem_entry *e = big_entries(f, gap, 0);
	struct region *rg = create_ok(f, e, BIG_N, BIG_N);

	assert_int_equal(rg->nseg, gap > 1 ? BIG_N : 1);
	assert_int_equal(rg->block_mapped, gap > 1);
	if (gap > 1)
		assert_int_equal((uintptr_t)rg->ranges % HUGE_MAP_MIN, 0);
	check_big(rg, 0);
	assert_int_equal(rg->ranges[0].addr, e[0].addr);
	region_unref(f->core, rg);
	free(e);
}

static void test_region_big_table_mapped(void **state)
{
	big_table(*state, 2);
	big_table(*state, 1);
}

/* A freed large table's mapping is kept, within the budget's room, for the
 * next one (what the first left in it does not matter: the second table
 * reads its own bytes);
 * a charge that leaves less room gives it back; so does the core's end. */
static void test_region_big_table_spare(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry *e1 = big_entries(f, 2, 0), *e2 = big_entries(f, 2, 7);
	struct region *rg = create_ok(f, e1, BIG_N, BIG_N);
	const void *first = rg->ranges;
	uint64_t room;

	assert_int_equal(f->core->spare_bytes, 0);
	region_unref(f->core, rg);
	assert_int_equal(f->core->spare_bytes, BIG_MAPPED);
	rg = create_ok(f, e2, BIG_N, BIG_N);
	assert_ptr_equal(rg->ranges, first);
	assert_int_equal(f->core->spare_bytes, 0);
	check_big(rg, 7);
	region_unref(f->core, rg);
	assert_int_equal(f->core->spare_bytes, BIG_MAPPED);
	/* A charge that leaves the budget less room than the spare holds. */
	room = budget_room(f->core);
	assert_int_equal(budget_charge(f->core, BUDGET_IMAGE, room - BIG_MAPPED + 1), CORE_OK);
	assert_int_equal(f->core->spare_bytes, 0);
	budget_release(f->core, BUDGET_IMAGE, room - BIG_MAPPED + 1);
	/* Kept again, then given back at the end (teardown: core_fini). */
	rg = create_ok(f, e1, BIG_N, BIG_N);
	region_unref(f->core, rg);
	assert_int_equal(f->core->spare_bytes, BIG_MAPPED);
	spare_trim(f->core, 0);
	assert_int_equal(f->core->spare_bytes, 0);
	assert_null(f->core->spares);
	free(e1);
	free(e2);
}

/* A table of SPARE_MIN to HUGE_MAP_MIN (4,096 scattered entries: 128 KiB
 * and 16 bytes) is a mapping of small pages, kept spare too, and serves a
 * table of the same size; a much smaller one is malloc's. */
static void test_region_small_mapping_spare(void **state)
{
	struct fixture *f = *state;
	static uint32_t lens[4096];
	struct vgm_gpu_mem_entry *e = calloc(4096, sizeof(*e));
	struct region *rg;
	const void *first;
	uint64_t size;
	uint8_t *ref;

	assert_non_null(e);
	for (uint32_t i = 0; i < 4096; i++)
		lens[i] = 3;
	size = scattered_entries(f, e, lens, 4096);
	ref = reference(f, e, 4096, size);
	rg = create_ok(f, e, 4096, size);
	assert_true(rg->block_mapped);
	first = rg->ranges;
	region_unref(f->core, rg);
	assert_int_equal(f->core->spare_bytes, (4096 * 32 + 16 + 4095) & ~4095u);
	rg = create_ok(f, e, 4096, size);
	assert_ptr_equal(rg->ranges, first);
	assert_int_equal(f->core->spare_bytes, 0);
	{
		uint8_t *out = malloc(size);
		struct region_cursor cur = { 0 };

		assert_non_null(out);
		assert_int_equal(region_read(rg, &cur, 0, out, size), size);
		assert_memory_equal(out, ref, size);
		free(out);
	}
	region_unref(f->core, rg);
	rg = create_ok(f, e, 2048, size / 2); /* 64 KiB: malloc's */
	assert_false(rg->block_mapped);
	region_unref(f->core, rg);
	free(ref);
	free(e);
}

/* With a budget that has no room for a spare beside what is charged, the
 * mapping is given back at once. */
static void test_region_big_table_no_room(void **state)
{
	struct fixture *f = fixture_new(false, false, 8u << 20);
	struct vgm_gpu_mem_entry *e = big_entries(f, 2, 0);
	struct region *rg = create_ok(f, e, BIG_N, BIG_N);

	(void)state;
	assert_int_equal(budget_charge(f->core, BUDGET_IMAGE, 3u << 20), CORE_OK);
	region_unref(f->core, rg); /* 8 MiB - 3 MiB of room: no 6 MiB spare */
	assert_int_equal(f->core->spare_bytes, 0);
	budget_release(f->core, BUDGET_IMAGE, 3u << 20);
	free(e);
	teardown((void **)&f);
}

/* The cursor names the piece that holds the last byte read. */
static void assert_cursor_at(const struct region *rg, const struct region_cursor *cur,
			     uint64_t last)
{
	assert_true(cur->idx < rg->nseg);
	assert_true(rg->seg[cur->idx].start <= last);
	assert_true(last < rg->seg[cur->idx + 1].start);
}

/* 40 small pieces: rows of a transfer read with one cursor give what fresh
 * cursors give, forwards and backwards. */
static void test_region_cursor_rows(void **state)
{
	struct fixture *f = *state;
	uint32_t lens[40];
	struct vgm_gpu_mem_entry e[40];
	uint64_t size;
	struct region *rg;
	uint8_t *ref;
	static const struct {
		uint64_t base, stride;
		size_t row;
	} shapes[] = { { 0, 24, 16 }, { 5, 17, 17 }, { 3, 40, 9 }, { 1, 7, 3 }, { 0, 1, 1 } };

	for (uint32_t i = 0; i < 40; i++)
		lens[i] = odd_lens[i % 10] + i % 3;
	size = scattered_entries(f, e, lens, 40);
	rg = create_ok(f, e, 40, size);
	ref = reference(f, e, 40, size);
	assert_int_equal(rg->nseg, 40);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		uint64_t rows = (size - shapes[s].base) / shapes[s].stride;
		struct region_cursor fwd = { 0 }, back = { 0 };

		for (uint64_t j = 0; j < rows; j++) {
			uint64_t off_f = shapes[s].base + j * shapes[s].stride;
			uint64_t off_b = shapes[s].base + (rows - 1 - j) * shapes[s].stride;
			size_t row = shapes[s].row;
			uint8_t a[64], b[64], fresh[64];
			struct region_cursor cur = { 0 };
			size_t got = region_read(rg, &fwd, off_f, a, row);

			assert_int_equal(region_read(rg, &cur, off_f, fresh, row), got);
			assert_memory_equal(a, fresh, got);
			assert_memory_equal(a, ref + off_f, got);
			assert_cursor_at(rg, &fwd, off_f + got - 1);
			got = region_read(rg, &back, off_b, b, row);
			assert_memory_equal(b, ref + off_b, got);
			assert_cursor_at(rg, &back, off_b + got - 1);
		}
	}
	free(ref);
	region_unref(f->core, rg);
}

/* From every cursor position (and nonsense ones), every offset is found:
 * nearby pieces by walking on, earlier and far ones by binary search. */
static void test_region_cursor_any_start(void **state)
{
	struct fixture *f = *state;
	uint32_t lens[40];
	struct vgm_gpu_mem_entry e[40];
	uint64_t size;
	struct region *rg;
	uint8_t *ref;

	for (uint32_t i = 0; i < 40; i++)
		lens[i] = odd_lens[(i * 3) % 10];
	size = scattered_entries(f, e, lens, 40);
	rg = create_ok(f, e, 40, size);
	ref = reference(f, e, 40, size);
	for (uint32_t start = 0; start <= rg->nseg + 2; start++) {
		for (uint64_t off = 0; off < size; off++) {
			struct region_cursor cur = { .idx = start == rg->nseg + 2 ? UINT32_MAX : start };
			uint8_t out[5];
			size_t got = region_read(rg, &cur, off, out, sizeof(out));

			assert_int_equal(got, size - off < 5 ? size - off : 5);
			assert_memory_equal(out, ref + off, got);
			assert_cursor_at(rg, &cur, off + got - 1);
		}
	}
	/* A cursor left at the last piece still finds the first bytes. */
	{
		struct region_cursor cur = { 0 };
		uint8_t out[4];

		assert_int_equal(region_read(rg, &cur, size - 2, out, 2), 2);
		assert_int_equal(cur.idx, rg->nseg - 1);
		assert_int_equal(region_read(rg, &cur, 0, out, 4), 4);
		assert_memory_equal(out, ref, 4);
		assert_cursor_at(rg, &cur, 3);
	}
	free(ref);
	region_unref(f->core, rg);
}

/* ---- references and mappings ------------------------------------------------------- */

static void test_region_refcount_releases_at_last_unref(void **state)
{
	struct fixture *f = *state;
	uint64_t gpa = ram_alloc(f->h, 4 * PAGE_SIZE_4K);
	struct vgm_gpu_mem_entry e[2] = {
		/* two pages each */
		{ .addr = gpa + 2 * PAGE_SIZE_4K + 8, .length = 2 * PAGE_SIZE_4K - 8 },
		{ .addr = gpa + 5, .length = PAGE_SIZE_4K + 9 },
	};
	uint64_t size = e[0].length + e[1].length;
	struct vgm_guest_map pieces[4];
	struct region *rg = create_ok(f, e, 2, size);

	assert_int_equal(rg->nseg, 4);
	assert_int_equal(f->h->live_maps, 4);
	for (uint32_t i = 0; i < 4; i++) {
		pieces[i].ptr = rg->seg[i].ptr;
		pieces[i].len = rg->seg[i + 1].start - rg->seg[i].start;
	}
	region_ref(rg);
	region_ref(rg);
	assert_int_equal(rg->refs, 3);
	region_unref(f->core, rg);
	region_unref(f->core, rg);
	assert_int_equal(f->nreleased, 0);
	assert_int_equal(f->h->live_maps, 4);
	assert_int_equal(stats(f).regions, 1);
	region_unref(f->core, rg);
	assert_int_equal(f->h->live_maps, 0);
	assert_int_equal(f->nreleased, 4);
	/* Once per piece, with what translate() gave. */
	for (uint32_t i = 0; i < 4; i++) {
		assert_ptr_equal(f->released[i].ptr, pieces[i].ptr);
		assert_int_equal(f->released[i].len, pieces[i].len);
		assert_ptr_equal(f->released[i].cookie, f->h);
	}
	assert_int_equal(stats(f).regions, 0);
	assert_int_equal(stats(f).table_bytes, 0);
	assert_int_equal(stats(f).backing_entries, 0);
}

/* A remap makes the new mappings before it gives the old ones back, which
 * region_release_old() does (once the scanouts show the new ones); where
 * the budget has no room for both tables, the old ones go first and the
 * remap still succeeds. */
static void test_region_remap_new_before_old(void **state)
{
	(void)state;
	for (int tight = 0; tight < 2; tight++) {
		struct fixture *f = fixture_new(true, false, 0);
		uint64_t gpa = ram_alloc(f->h, 4 * PAGE_SIZE_4K);
		const struct vgm_gpu_mem_entry e[2] = {
			{ .addr = gpa + 2 * PAGE_SIZE_4K, .length = 2 * PAGE_SIZE_4K },
			{ .addr = gpa, .length = PAGE_SIZE_4K },
		};
		struct region *rg = create_ok(f, e, 2, 3 * PAGE_SIZE_4K);
		int64_t maps = f->h->live_maps;
		uint64_t room = tight ? budget_room(f->core) : 0;
		void *fp = f;

		assert_int_equal(memory_name(f->core, 7, rg), CORE_OK); /* what a remap visits */
		assert_int_equal(budget_charge(f->core, BUDGET_IMAGE, room), CORE_OK);
		assert_int_equal(region_remap(f->core, 0, UINT64_MAX), 0);
		assert_true(region_moved(f->core, rg) && region_mapped(rg));
		assert_int_equal(f->h->live_maps, tight ? maps : 2 * maps);
		assert_int_equal(stats(f).regions, 2); /* the old table, until released */
		region_release_old(f->core);
		assert_int_equal(f->h->live_maps, maps);
		assert_int_equal(stats(f).regions, 1);
		assert_int_equal(stats(f).backing_entries, 2);
		assert_int_equal(stats(f).table_bytes, rg->table_bytes);
		budget_release(f->core, BUDGET_IMAGE, room);
		memory_unref(f->core, 7);
		assert_int_equal(f->h->live_maps, 0);
		teardown(&fp);
	}
}

/* Entries whose ranges are not all guest RAM: ERR_UNSPEC, nothing kept,
 * every mapping made before the failure given back. */
static void test_region_translate_failure_releases(void **state)
{
	struct fixture *f = *state;
	static const uint32_t lens[] = { 5000, 300, 9000 };
	struct vgm_gpu_mem_entry e[3];
	uint64_t size = scattered_entries(f, e, lens, 3);
	struct vgm_stats before = stats(f);
	struct region untouched;
	uint64_t fail_at[] = { e[0].addr, e[1].addr + 299, e[2].addr + 5000 };

	for (size_t k = 0; k < 3; k++) {
		struct region *out = &untouched;
		struct vgm_stats now;

		f->h->fail_gpa = fail_at[k];
		f->nreleased = 0;
		f->h->translate_calls = 0;
		assert_int_equal(region_create(f->core, e, 3, size, &out), CORE_NOT_GUEST_RAM);
		assert_ptr_equal(out, &untouched);
		assert_int_equal(f->h->live_maps, 0);
		if (has_release(f))
			assert_int_equal(f->nreleased, f->h->translate_calls - 1);
		now = stats(f);
		assert_memory_equal(&now, &before, sizeof(now));
	}
	f->h->fail_gpa = 0;
	assert_int_equal(f->h->nlogs, 0); /* the caller logs the guest's error */
}

/* A translate() that breaks its contract is refused and logged as the
 * host's error; the mappings made before are given back. */
static void test_region_bad_mapping_refused(void **state)
{
	struct fixture *f = *state;
	static const uint32_t lens[] = { 3000, 3000, 3000 };
	static const enum bad_map modes[] = { MAP_ZERO_LEN, MAP_TOO_LONG, MAP_NULL_PTR };
	struct vgm_gpu_mem_entry e[3];
	uint64_t size = scattered_entries(f, e, lens, 3);
	struct vgm_stats before = stats(f);

	for (size_t m = 0; m < 3; m++) {
		for (uint32_t call = 1; call <= 3; call++) {
			struct region *out = NULL;
			struct vgm_stats now;

			f->bad = modes[m];
			f->bad_call = call;
			f->calls = 0;
			f->nreleased = 0;
			assert_int_equal(region_create(f->core, e, 3, size, &out),
					 CORE_NOT_GUEST_RAM);
			assert_null(out);
			assert_int_equal(f->calls, call);
			assert_int_equal(f->h->live_maps, 0);
			if (has_release(f))
				assert_int_equal(f->nreleased, call - 1);
			assert_int_equal(f->h->nlogs, 1);
			assert_int_equal(f->h->log_levels[0], VGM_LOG_ERROR);
			assert_logged(f->h, "returned a bad mapping");
			now = stats(f);
			assert_memory_equal(&now, &before, sizeof(now));
		}
	}
	f->bad = MAP_GOOD;
}

/* ---- accounting ---------------------------------------------------------------------- */

static void test_region_stats(void **state)
{
	struct fixture *f = *state;
	static const uint32_t lens_a[] = { 10, 20, 30 };
	static const uint32_t lens_b[] = { 7, 8, 9, 10, 11 };
	struct vgm_gpu_mem_entry a[3], b[5];
	uint64_t size_a = scattered_entries(f, a, lens_a, 3);
	uint64_t size_b = scattered_entries(f, b, lens_b, 5);
	struct vgm_stats before = stats(f), st;
	struct region *ra = create_ok(f, a, 3, size_a);
	struct region *rb;

	/* 16 bytes a piece and the sentinel, and a cookie a piece with release(). */
	assert_int_equal(ra->nseg, 3);
	assert_int_equal(ra->table_bytes, 4 * sizeof(struct region_seg) +
						  (has_release(f) ? 3 * sizeof(void *) : 0));
	st = stats(f);
	assert_int_equal(st.regions, before.regions + 1);
	assert_int_equal(st.table_bytes, before.table_bytes + ra->table_bytes);
	assert_int_equal(st.host_bytes, before.host_bytes + ra->table_bytes);
	assert_int_equal(st.backing_entries, before.backing_entries + 3);
	assert_int_equal(st.object_bytes, before.object_bytes + sizeof(struct region));

	rb = create_ok(f, b, 5, size_b);
	st = stats(f);
	assert_int_equal(st.regions, before.regions + 2);
	assert_int_equal(st.table_bytes, before.table_bytes + ra->table_bytes + rb->table_bytes);
	assert_int_equal(st.backing_entries, before.backing_entries + 8);

	region_unref(f->core, ra);
	st = stats(f);
	assert_int_equal(st.regions, before.regions + 1);
	assert_int_equal(st.table_bytes, before.table_bytes + rb->table_bytes);
	assert_int_equal(st.backing_entries, before.backing_entries + 5);
	region_unref(f->core, rb);
	st = stats(f);
	assert_memory_equal(&st, &before, sizeof(st));
}

/* Tables count against max_host_memory: one that could never fit, or
 * whose entries alone would not fit next to the others, is refused before
 * any translate(). */
static void check_budget(struct fixture *f)
{
	static const uint32_t lens[] = { 50, 60, 70, 80 };
	struct vgm_gpu_mem_entry e[4];
	uint64_t size = scattered_entries(f, e, lens, 4);
	struct region *rg = NULL, *out = NULL;
	struct vgm_stats st;

	/* 4 entries: a table of 5 slots is above the budget. */
	assert_int_equal(region_create(f->core, e, 4, size, &out), CORE_OVER_BUDGET);
	assert_null(out);
	assert_int_equal(f->h->translate_calls, 0);
	/* 2 entries: exactly the budget. */
	rg = create_ok(f, e, 2, 110);
	st = stats(f);
	assert_int_equal(st.table_bytes, st.host_bytes);
	assert_int_equal(st.host_bytes, f->core->limits.host_memory);
	/* 1 more: the budget has no room left, nothing is translated. */
	assert_int_equal(region_create(f->core, e + 2, 1, 70, &out), CORE_OVER_BUDGET);
	assert_null(out);
	assert_int_equal(f->h->translate_calls, 2);
	if (has_release(f))
		assert_int_equal(f->h->live_maps, 2);
	st = stats(f);
	assert_int_equal(st.regions, 1);
	assert_int_equal(st.backing_entries, 2);
	region_unref(f->core, rg);
}

static void test_region_budget(void **state)
{
	void *f = fixture_new(false, false, 3 * sizeof(struct region_seg));

	(void)state;
	check_budget(f);
	teardown(&f);
}

static void test_region_budget_with_release(void **state)
{
	void *f = fixture_new(true, false,
			      3 * sizeof(struct region_seg) + 2 * sizeof(void *));

	(void)state;
	check_budget(f);
	teardown(&f);
}

/* Bytes of a table with room for n pieces: 16 a piece and the sentinel,
 * and a cookie a piece with release(). */
static uint64_t table_size(const struct fixture *f, uint64_t n)
{
	return (n + 1) * sizeof(struct region_seg) + (has_release(f) ? n * sizeof(void *) : 0);
}

/* The budget holds the table while it grows (issue 9, fault 1): one entry
 * the host maps a page at a time, pieces that never join (release()), a
 * budget with room for 5. Eight pages are refused as the sixth piece
 * comes, after 6 translate() calls, not after the whole table was built;
 * five pages fit exactly, the growth capped at what is left rather than
 * doubled past it. */
static void test_region_budget_bounds_growth(void **state)
{
	struct fixture *f = fixture_new(true, true, 0);
	struct vgm_gpu_mem_entry e = { .addr = ram_alloc(f->h, 8 * PAGE_SIZE_4K),
				       .length = 8 * PAGE_SIZE_4K };
	struct region *rg = NULL;
	struct vgm_stats before, now;

	(void)state;
	f->core->limits.host_memory = table_size(f, 5);
	before = stats(f);
	assert_int_equal(region_create(f->core, &e, 1, e.length, &rg), CORE_OVER_BUDGET);
	assert_null(rg);
	assert_int_equal(f->h->translate_calls, 6);
	assert_int_equal(f->h->live_maps, 0);
	assert_int_equal(f->nreleased, 6);
	now = stats(f);
	assert_memory_equal(&now, &before, sizeof(now));
	e.length = 5 * PAGE_SIZE_4K;
	rg = create_ok(f, &e, 1, e.length);
	assert_int_equal(rg->nseg, 5);
	assert_int_equal(rg->table_bytes, table_size(f, 5));
	assert_int_equal(stats(f).host_bytes, f->core->limits.host_memory);
	region_unref(f->core, rg);
	teardown((void **)&f);
}

/* At most limits.table_pieces translate() results a request, joined or
 * not: refused with CORE_OVER_PIECES as the next would pass it, or at
 * once when the entries alone are more. */
static void test_region_piece_cap(void **state)
{
	struct fixture *f = *state;
	struct vgm_gpu_mem_entry e[5];
	struct region *rg = NULL;

	f->core->limits.table_pieces = 4;
	e[0] = (struct vgm_gpu_mem_entry){ .addr = ram_alloc(f->h, 8 * PAGE_SIZE_4K),
					   .length = 8 * PAGE_SIZE_4K };
	assert_int_equal(region_create(f->core, e, 1, e[0].length, &rg), CORE_OVER_PIECES);
	assert_null(rg);
	assert_int_equal(f->h->translate_calls, 4);
	assert_int_equal(f->h->live_maps, 0);
	/* Four pages: the cap exactly (one piece without release(): joined). */
	e[0].length = 4 * PAGE_SIZE_4K;
	rg = create_ok(f, e, 1, e[0].length);
	assert_int_equal(rg->nseg, has_release(f) ? 4 : 1);
	region_unref(f->core, rg);
	/* Five entries: more than the cap before anything is mapped. */
	for (uint32_t i = 0; i < 5; i++)
		e[i] = (struct vgm_gpu_mem_entry){ .addr = e[0].addr, .length = 16 };
	f->h->translate_calls = 0;
	rg = NULL;
	assert_int_equal(region_create(f->core, e, 5, 80, &rg), CORE_OVER_PIECES);
	assert_null(rg);
	assert_int_equal(f->h->translate_calls, 0);
	assert_int_equal(f->h->nlogs, 0); /* the caller logs the guest's error */
}

#define BOTH(t)                                                   \
	cmocka_unit_test_setup_teardown(t, setup_plain, teardown), \
		cmocka_unit_test_setup_teardown(t, setup_release, teardown)
#define SPLIT(t)                                                  \
	cmocka_unit_test_setup_teardown(t, setup_split, teardown), \
		cmocka_unit_test_setup_teardown(t, setup_split_release, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_region_pieces_from_entries),
		SPLIT(test_region_split_pages),
		BOTH(test_region_adjacent_entries),
		BOTH(test_region_fd_contiguous_file),
		BOTH(test_region_fd_noncontiguous_file),
		BOTH(test_region_fd_two_files),
		BOTH(test_region_fd_offset_too_large),
		BOTH(test_region_fd_after_unfiled_piece),
		BOTH(test_region_fd_offset_end_of_range),
		BOTH(test_region_read_every_offset),
		SPLIT(test_region_read_every_offset),
		BOTH(test_region_read_at_end),
		BOTH(test_region_read_rows),
		cmocka_unit_test_setup_teardown(test_region_big_table_mapped, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_region_big_table_spare, setup_plain, teardown),
		cmocka_unit_test(test_region_big_table_no_room),
		cmocka_unit_test_setup_teardown(test_region_small_mapping_spare, setup_plain, teardown),
		BOTH(test_region_cursor_rows),
		BOTH(test_region_cursor_any_start),
		cmocka_unit_test_setup_teardown(test_region_refcount_releases_at_last_unref,
						setup_split_release, teardown),
		BOTH(test_region_translate_failure_releases),
		SPLIT(test_region_translate_failure_releases),
		BOTH(test_region_bad_mapping_refused),
		BOTH(test_region_uniform_pages),
		SPLIT(test_region_bad_mapping_refused),
		BOTH(test_region_stats),
		cmocka_unit_test(test_region_remap_new_before_old),
		cmocka_unit_test(test_region_budget),
		cmocka_unit_test(test_region_budget_with_release),
		cmocka_unit_test(test_region_budget_bounds_growth),
		SPLIT(test_region_piece_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
