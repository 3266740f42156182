/* SPDX-License-Identifier: MIT */
/*
 * Responses written in host memory first (gpu-bounce.c): the library's
 * buffer is not the guest's; the response reaches the chain's writable
 * pieces only when delivered, and not a byte of them otherwise; slots are
 * reused, a steady stream of small responses without an allocation; what a
 * burst of large ones made is given back down to GPU_BOUNCE_IDLE slots of
 * at most GPU_BOUNCE_KEEP bytes; a writable part past the cap offers only
 * the cap; tags that are not a busy slot's name nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "gpu-private.h"

#define GUEST_BYTES 16384u
#define PATTERN 0x5a
/* Requests in flight at once in the burst tests: more than the slots kept. */
#define BURST 2000u
/* Bytes the slots may keep once no request holds one: GPU_BOUNCE_IDLE
 * slots, each its struct, a buffer of at most GPU_BOUNCE_KEEP bytes, a few
 * pieces and its entries in the index arrays. */
#define RETAINED_MAX (GPU_BOUNCE_IDLE * (GPU_BOUNCE_KEEP + 256u))

struct fixture {
	struct gpu_bounces b;
	struct vring_chain *c;
	uint8_t *map;	/* the guest's bytes, then a PROT_NONE page */
	uint8_t *guest; /* GUEST_BYTES that end at the guard page */
	size_t map_len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	assert_non_null(f);
	f->c = calloc(1, sizeof(*f->c));
	assert_non_null(f->c);
	f->map_len = (GUEST_BYTES + page - 1) / page * page + page;
	f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->map != MAP_FAILED);
	assert_int_equal(mprotect(f->map + f->map_len - page, page, PROT_NONE), 0);
	f->guest = f->map + f->map_len - page - GUEST_BYTES;
	memset(f->guest, PATTERN, GUEST_BYTES);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gpu_bounce_fini(&f->b);
	munmap(f->map, f->map_len);
	free(f->c);
	free(f);
	return 0;
}

/* Chain head with one readable piece, then writable pieces of the given
 * lengths laid end to end from the start of the guest's bytes. */
static void chain(struct fixture *f, uint16_t head, const size_t *lens, uint32_t n)
{
	size_t at = 0;

	f->c->head = head;
	f->c->n_read = 1;
	f->c->iov[0] = (struct iovec){ .iov_base = f->guest, .iov_len = 16 };
	f->c->n_write = n;
	for (uint32_t i = 0; i < n; i++) {
		f->c->iov[1 + i] = (struct iovec){ .iov_base = f->guest + at, .iov_len = lens[i] };
		at += lens[i];
	}
}

/* The library's writing: len bytes of value v into out. */
static void respond(const struct iovec *out, size_t cnt, size_t len, uint8_t v)
{
	assert_int_equal(cnt, 1);
	assert_true(out[0].iov_len >= len);
	memset(out[0].iov_base, v, len);
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

static void test_bounce_delivered_into_the_chain_pieces(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 10, 14 };
	const struct iovec *out;
	size_t cnt;
	uint64_t tag;

	chain(f, 5, lens, 2);
	tag = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	/* The library's buffer is the host's, as long as the writable part. */
	assert_int_equal(cnt, 1);
	assert_int_equal(out[0].iov_len, 24);
	assert_true((uint8_t *)out[0].iov_base + 24 <= f->map ||
		    (uint8_t *)out[0].iov_base >= f->map + f->map_len);
	respond(out, cnt, 24, 0x11);
	assert_true(all(f->guest, GUEST_BYTES, PATTERN));
	gpu_bounce_give(&f->b, tag, 20, true);
	assert_true(all(f->guest, 20, 0x11));
	assert_true(all(f->guest + 20, GUEST_BYTES - 20, PATTERN));
}

static void test_bounce_dropped_writes_nothing(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 24 };
	const struct iovec *out;
	size_t cnt;
	uint64_t tag;

	chain(f, 7, lens, 1);
	tag = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	respond(out, cnt, 24, 0x22);
	gpu_bounce_give(&f->b, tag, 24, false);
	assert_true(all(f->guest, GUEST_BYTES, PATTERN));
}

static void test_bounce_slots_reused(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 24 };
	const struct iovec *out1, *out2, *out3;
	size_t cnt;
	uint64_t t1, t2, t3;
	uint32_t qi;
	uint16_t head;

	chain(f, 3, lens, 1);
	t1 = gpu_bounce_take(&f->b, VGM_QUEUE_CURSOR, f->c, &out1, &cnt);
	chain(f, 4, lens, 1);
	t2 = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out2, &cnt);
	assert_true(t1 != t2 && out1[0].iov_base != out2[0].iov_base);
	assert_true(gpu_bounce_chain(&f->b, t1, &qi, &head));
	assert_int_equal(qi, VGM_QUEUE_CURSOR);
	assert_int_equal(head, 3);
	assert_true(gpu_bounce_chain(&f->b, t2, &qi, &head));
	assert_int_equal(qi, VGM_QUEUE_CONTROL);
	assert_int_equal(head, 4);
	gpu_bounce_give(&f->b, t1, 0, false);
	/* The slot given back is the next one taken, buffer and all. */
	t3 = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out3, &cnt);
	assert_true(t3 == t1 && out3[0].iov_base == out1[0].iov_base);
	assert_int_equal(f->b.n, 2);
}

static void test_bounce_capped_at_8k(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 4096, 4096, 4096 };
	const struct iovec *out;
	size_t cnt;
	uint64_t tag;

	chain(f, 1, lens, 3);
	tag = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	assert_int_equal(out[0].iov_len, 8192);
	respond(out, cnt, 8192, 0x33);
	gpu_bounce_give(&f->b, tag, 8192, true);
	assert_true(all(f->guest, 8192, 0x33));
	assert_true(all(f->guest + 8192, GUEST_BYTES - 8192, PATTERN));
}

static void test_bounce_no_writable_part(void **state)
{
	struct fixture *f = *state;
	const struct iovec *out = NULL;
	size_t cnt = 9;
	uint64_t tag;

	chain(f, 2, NULL, 0);
	tag = gpu_bounce_take(&f->b, VGM_QUEUE_CURSOR, f->c, &out, &cnt);
	assert_non_null(out);
	assert_int_equal(cnt, 0);
	gpu_bounce_give(&f->b, tag, 0, true);
	assert_true(all(f->guest, GUEST_BYTES, PATTERN));
}

static void test_bounce_foreign_tags_name_nothing(void **state)
{
	struct fixture *f = *state;
	const size_t lens[] = { 24 };
	const struct iovec *out;
	size_t cnt;
	uint64_t t1, t2, t3;
	uint32_t qi = 9;
	uint16_t head = 9;

	assert_false(gpu_bounce_chain(&f->b, 0, &qi, &head));
	chain(f, 6, lens, 1);
	t1 = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	assert_false(gpu_bounce_chain(&f->b, t1 + 1, &qi, &head));
	respond(out, cnt, 24, 0x44);
	gpu_bounce_give(&f->b, t1, 24, false);
	/* Given back: named no more, and a second give changes nothing. */
	assert_false(gpu_bounce_chain(&f->b, t1, &qi, &head));
	gpu_bounce_give(&f->b, t1, 24, true);
	assert_true(all(f->guest, GUEST_BYTES, PATTERN));
	assert_int_equal(qi, 9);
	t2 = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	t3 = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	assert_true(t2 != t3);
}

/* A request of a chain with the given writable pieces, answered at once. */
static void answer(struct fixture *f, uint16_t head, const size_t *lens, uint32_t n)
{
	const struct iovec *out;
	size_t cnt;
	uint64_t tag;

	chain(f, head, lens, n);
	tag = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	gpu_bounce_give(&f->b, tag, 24, true);
}

/* Tags of n requests taken at once, each with 8 KiB writable in 8 pieces
 * (a buffer and a piece array larger than a slot keeps). */
static uint64_t *take_burst(struct fixture *f, uint32_t n)
{
	const size_t lens[] = { 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024 };
	uint64_t *tags = calloc(n, sizeof(*tags));
	const struct iovec *out;
	size_t cnt;

	assert_non_null(tags);
	for (uint32_t i = 0; i < n; i++) {
		chain(f, (uint16_t)i, lens, 8);
		tags[i] = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
		assert_true(tags[i] < GPU_BOUNCE_SLOTS); /* a slot, not the guest's buffer */
		assert_int_equal(out[0].iov_len, 8192);
	}
	return tags;
}

static void give_burst(struct fixture *f, uint64_t *tags, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		gpu_bounce_give(&f->b, tags[i], 24, false);
	free(tags);
}

static size_t retained(const struct gpu_bounces *b)
{
	size_t bytes;
	uint64_t allocs;

	gpu_bounce_usage(b, &bytes, &allocs);
	return bytes;
}

static uint64_t allocations(const struct gpu_bounces *b)
{
	size_t bytes;
	uint64_t allocs;

	gpu_bounce_usage(b, &bytes, &allocs);
	return allocs;
}

/* A 2D stream: nodata responses, one or two in flight, now and then a
 * display info and an EDID; once its slots exist, no allocation. */
static void test_bounce_steady_stream_allocates_nothing(void **state)
{
	struct fixture *f = *state;
	const size_t nodata[] = { 24 }, info[] = { 408 }, edid[] = { 1056 };
	const struct iovec *out;
	size_t cnt, bytes;
	uint64_t allocs, held;

	for (uint32_t round = 0; round < 1001; round++) {
		if (round == 1) {
			allocs = allocations(&f->b);
			bytes = retained(&f->b);
		}
		chain(f, 1, nodata, 1);
		held = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
		answer(f, 2, nodata, 1);
		answer(f, 3, round % 10 ? nodata : info, 1);
		answer(f, 4, round % 100 ? nodata : edid, 1);
		gpu_bounce_give(&f->b, held, 24, true);
	}
	assert_int_equal(allocations(&f->b), allocs);
	assert_int_equal(retained(&f->b), bytes);
}

/* After a burst of large responses in flight, given back, the slots keep
 * at most RETAINED_MAX bytes, and the next burst is served again. */
static void test_bounce_burst_given_back(void **state)
{
	struct fixture *f = *state;
	const size_t nodata[] = { 24 };

	for (uint32_t round = 0; round < 2; round++) {
		uint64_t *tags = take_burst(f, BURST);

		assert_true(retained(&f->b) > (size_t)BURST * 8192);
		give_burst(f, tags, BURST);
		assert_true(retained(&f->b) <= RETAINED_MAX);
		assert_true(f->b.n <= GPU_BOUNCE_IDLE);
	}
	answer(f, 1, nodata, 1);
	assert_true(retained(&f->b) <= RETAINED_MAX);
}

/* A request held through bursts (a fence that does not complete): the
 * slots released meanwhile are taken again, not more made; once it is
 * given back too, the slots keep at most RETAINED_MAX bytes. */
static void test_bounce_burst_while_one_held(void **state)
{
	struct fixture *f = *state;
	const size_t nodata[] = { 24 };
	const struct iovec *out;
	size_t cnt;
	uint64_t held;
	uint32_t n;

	chain(f, 1, nodata, 1);
	held = gpu_bounce_take(&f->b, VGM_QUEUE_CONTROL, f->c, &out, &cnt);
	give_burst(f, take_burst(f, BURST), BURST);
	n = f->b.n;
	assert_int_equal(n, BURST + 1);
	/* The index arrays stay as the burst left them while held. */
	assert_true(retained(&f->b) <= RETAINED_MAX + (size_t)2 * n * (sizeof(void *) + 4));
	give_burst(f, take_burst(f, BURST), BURST);
	assert_int_equal(f->b.n, n);
	gpu_bounce_give(&f->b, held, 24, true);
	assert_true(retained(&f->b) <= RETAINED_MAX);
	assert_true(f->b.n <= GPU_BOUNCE_IDLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bounce_delivered_into_the_chain_pieces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bounce_dropped_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_slots_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_capped_at_8k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_no_writable_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_foreign_tags_name_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bounce_steady_stream_allocates_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bounce_burst_given_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounce_burst_while_one_held, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
