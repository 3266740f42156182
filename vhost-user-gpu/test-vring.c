/* SPDX-License-Identifier: MIT */
/*
 * The split-ring code against crafted rings: a fake memory table of two
 * regions (contiguous in guest physical addresses, apart on the host, each
 * followed by a PROT_NONE guard page), normal chains, and every hostile
 * case vring.h lists, changed one field at a time from a valid chain.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "memtable.h"
#include "vring.h"

#define REGION 0x10000u
#define GPA_A 0x100000u
#define GPA_B (GPA_A + REGION)
#define UVA_A 0x7f0000000000ull
#define UVA_B 0x7f0000100000ull
#define NUM 8u
/* Ring parts in region A, data after them. */
#define DESC_OFF 0x0000u
#define AVAIL_OFF 0x1000u
#define USED_OFF 0x2000u
#define INDIRECT_OFF 0x3000u
#define DATA_OFF 0x8000u

#define F_NEXT 1u
#define F_WRITE 2u
#define F_INDIRECT 4u

struct fixture {
	uint8_t *map; /* A, guard, B, guard */
	size_t map_len;
	uint8_t *a, *b;
	struct memtable *mt;
	struct vring vr;
	struct vring_chain *chain;
	uint16_t avail_idx; /* the driver's */
};

static int setup(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct fixture *f = calloc(1, sizeof(*f));
	struct memtable_entry ea = { .gpa = GPA_A, .size = REGION, .uva = UVA_A };
	struct memtable_entry eb = { .gpa = GPA_B, .size = REGION, .uva = UVA_B };

	assert_non_null(f);
	log_set_level(VGM_LOG_ERROR); /* the hostile cases warn by design */
	f->map_len = 2 * (REGION + page);
	f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->map != MAP_FAILED);
	f->a = f->map;
	f->b = f->map + REGION + page;
	assert_int_equal(mprotect(f->a + REGION, page, PROT_NONE), 0);
	assert_int_equal(mprotect(f->b + REGION, page, PROT_NONE), 0);
	assert_int_equal(memtable_new(&f->mt), 0);
	assert_int_equal(memtable_add_host(f->mt, &ea, f->a), 0);
	assert_int_equal(memtable_add_host(f->mt, &eb, f->b), 0);
	f->chain = malloc(sizeof(*f->chain));
	assert_non_null(f->chain);
	assert_int_equal(vring_set_num(&f->vr, NUM), 0);
	vring_set_addr(&f->vr, UVA_A + DESC_OFF, UVA_A + AVAIL_OFF, UVA_A + USED_OFF);
	assert_int_equal(vring_map(&f->vr, f->mt), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	memtable_destroy(f->mt);
	munmap(f->map, f->map_len);
	free(f->chain);
	free(f);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

/* Writes entry i of a descriptor table. */
static void desc_at(uint8_t *table, uint32_t i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint8_t *d = table + 16 * i;

	put64(d, addr);
	put32(d + 8, len);
	put16(d + 12, flags);
	put16(d + 14, next);
}

static void desc(struct fixture *f, uint32_t i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	desc_at(f->a + DESC_OFF, i, addr, len, flags, next);
}

/* The driver makes head available. */
static void offer(struct fixture *f, uint16_t head)
{
	put16(f->a + AVAIL_OFF + 4 + 2 * (f->avail_idx % NUM), head);
	f->avail_idx++;
	put16(f->a + AVAIL_OFF + 2, f->avail_idx);
}

/* The valid chain the negative tests start from: 24 readable bytes, then
 * 24 writable ones. */
static void offer_valid(struct fixture *f)
{
	desc(f, 0, GPA_A + DATA_OFF, 24, F_NEXT, 1);
	desc(f, 1, GPA_A + DATA_OFF + 0x100, 24, F_WRITE, 0);
	offer(f, 0);
}

static void test_vring_normal_chain(void **state)
{
	struct fixture *f = *state;
	struct vring_chain *c = f->chain;

	offer_valid(f);
	assert_int_equal(vring_pop(&f->vr, c), VRING_CHAIN);
	assert_int_equal(c->head, 0);
	assert_int_equal(c->n_read, 1);
	assert_int_equal(c->n_write, 1);
	assert_ptr_equal(c->iov[0].iov_base, f->a + DATA_OFF);
	assert_int_equal(c->iov[0].iov_len, 24);
	assert_ptr_equal(c->iov[1].iov_base, f->a + DATA_OFF + 0x100);
	assert_int_equal(c->iov[1].iov_len, 24);
	vring_push(&f->vr, c->head, 24);
	assert_int_equal(get16(f->a + USED_OFF + 2), 1);
	assert_int_equal(get32(f->a + USED_OFF + 4), 0);
	assert_int_equal(get32(f->a + USED_OFF + 8), 24);
	assert_int_equal(vring_pop(&f->vr, c), VRING_EMPTY);
	assert_int_equal(vring_get_base(&f->vr), 1);
}

static void test_vring_empty(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_EMPTY);
	assert_int_equal(vring_get_base(&f->vr), 0);
}

static void test_vring_split_buffer(void **state)
{
	struct fixture *f = *state;
	struct vring_chain *c = f->chain;

	/* 0x40 bytes before the end of A, 0x20 into B. */
	desc(f, 0, GPA_B - 0x40, 0x60, 0, 0);
	offer(f, 0);
	assert_int_equal(vring_pop(&f->vr, c), VRING_CHAIN);
	assert_int_equal(c->n_read, 2);
	assert_int_equal(c->n_write, 0);
	assert_ptr_equal(c->iov[0].iov_base, f->a + REGION - 0x40);
	assert_int_equal(c->iov[0].iov_len, 0x40);
	assert_ptr_equal(c->iov[1].iov_base, f->b);
	assert_int_equal(c->iov[1].iov_len, 0x20);
}

static void test_vring_zero_length(void **state)
{
	struct fixture *f = *state;

	desc(f, 0, GPA_A + DATA_OFF, 0, F_NEXT, 1);
	desc(f, 1, GPA_A + DATA_OFF, 8, F_WRITE, 0);
	offer(f, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
	assert_int_equal(f->chain->n_read, 0);
	assert_int_equal(f->chain->n_write, 1);
}

static void test_vring_head_out_of_range(void **state)
{
	struct fixture *f = *state;

	offer(f, NUM);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_SKIPPED);
	assert_int_equal(vring_get_base(&f->vr), 1);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_EMPTY);
	/* the ring goes on */
	offer_valid(f);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
}

static void test_vring_next_out_of_range(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 0, GPA_A + DATA_OFF, 24, F_NEXT, NUM);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
	assert_int_equal(f->chain->head, 0);
}

static void test_vring_loop(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 1, GPA_A + DATA_OFF + 0x100, 24, F_WRITE | F_NEXT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_self_loop(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 0, GPA_A + DATA_OFF, 24, F_NEXT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

/* Exactly NUM descriptors is the longest chain; it is accepted. */
static void test_vring_longest_chain(void **state)
{
	struct fixture *f = *state;

	for (uint16_t i = 0; i < NUM; i++)
		desc(f, i, GPA_A + DATA_OFF + 16u * i, 16, i + 1u < NUM ? F_NEXT : 0,
		     (uint16_t)(i + 1));
	offer(f, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
	assert_int_equal(f->chain->n_read, NUM);
}

static void test_vring_outside_memory(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 0, GPA_A - 0x1000, 24, F_NEXT, 1);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_past_last_region(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 1, GPA_B + REGION - 8, 24, F_WRITE, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_address_wraps(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 0, UINT64_MAX - 8, 24, F_NEXT, 1);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_readable_after_writable(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	desc(f, 0, GPA_A + DATA_OFF, 24, F_WRITE | F_NEXT, 1);
	desc(f, 1, GPA_A + DATA_OFF + 0x100, 24, 0, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_avail_too_far_ahead(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	put16(f->a + AVAIL_OFF + 2, NUM + 1);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BROKEN);
	/* broken until set up again */
	put16(f->a + AVAIL_OFF + 2, 1);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BROKEN);
	vring_set_base(&f->vr, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
}

static void test_vring_unpop(void **state)
{
	struct fixture *f = *state;

	offer_valid(f);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
	vring_unpop(&f->vr);
	assert_int_equal(vring_get_base(&f->vr), 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
	assert_int_equal(f->chain->head, 0);
}

static void test_vring_used_wraps(void **state)
{
	struct fixture *f = *state;

	for (uint32_t i = 0; i < NUM + 3; i++) {
		offer_valid(f);
		assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
		vring_push(&f->vr, f->chain->head, i);
	}
	assert_int_equal(get16(f->a + USED_OFF + 2), NUM + 3);
	/* element NUM + 2 went to slot 2 */
	assert_int_equal(get32(f->a + USED_OFF + 4 + 8 * 2 + 4), NUM + 2);
}

/* --- indirect descriptors ------------------------------------------------ */

/* A head that points to an indirect table of n entries in region A. */
static uint8_t *offer_indirect(struct fixture *f, uint32_t n)
{
	uint8_t *table = f->a + INDIRECT_OFF;

	vring_set_features(&f->vr, true, false);
	desc(f, 0, GPA_A + INDIRECT_OFF, 16 * n, F_INDIRECT, 0);
	if (n >= 2) {
		desc_at(table, 0, GPA_A + DATA_OFF, 24, F_NEXT, 1);
		desc_at(table, 1, GPA_A + DATA_OFF + 0x100, 24, F_WRITE, 0);
	}
	offer(f, 0);
	return table;
}

static void test_vring_indirect(void **state)
{
	struct fixture *f = *state;
	struct vring_chain *c = f->chain;

	offer_indirect(f, 2);
	assert_int_equal(vring_pop(&f->vr, c), VRING_CHAIN);
	assert_int_equal(c->head, 0);
	assert_int_equal(c->n_read, 1);
	assert_int_equal(c->n_write, 1);
	assert_ptr_equal(c->iov[1].iov_base, f->a + DATA_OFF + 0x100);
}

static void test_vring_indirect_without_feature(void **state)
{
	struct fixture *f = *state;

	offer_indirect(f, 2);
	vring_set_features(&f->vr, false, false);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_bad_size(void **state)
{
	struct fixture *f = *state;

	offer_indirect(f, 2);
	desc(f, 0, GPA_A + INDIRECT_OFF, 24, F_INDIRECT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_empty(void **state)
{
	struct fixture *f = *state;

	offer_indirect(f, 2);
	desc(f, 0, GPA_A + INDIRECT_OFF, 0, F_INDIRECT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_too_large(void **state)
{
	struct fixture *f = *state;

	offer_indirect(f, 2);
	desc(f, 0, GPA_A + INDIRECT_OFF, 16 * (VRING_MAX_INDIRECT + 1), F_INDIRECT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_outside_memory(void **state)
{
	struct fixture *f = *state;

	offer_indirect(f, 2);
	desc(f, 0, GPA_B + REGION - 16, 32, F_INDIRECT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_with_next(void **state)
{
	struct fixture *f = *state;

	offer_indirect(f, 2);
	desc(f, 0, GPA_A + INDIRECT_OFF, 32, F_INDIRECT | F_NEXT, 1);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_nested(void **state)
{
	struct fixture *f = *state;
	uint8_t *table = offer_indirect(f, 2);

	desc_at(table, 1, GPA_A + INDIRECT_OFF, 32, F_INDIRECT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_loop(void **state)
{
	struct fixture *f = *state;
	uint8_t *table = offer_indirect(f, 2);

	desc_at(table, 1, GPA_A + DATA_OFF + 0x100, 24, F_WRITE | F_NEXT, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

static void test_vring_indirect_next_out_of_range(void **state)
{
	struct fixture *f = *state;
	uint8_t *table = offer_indirect(f, 2);

	desc_at(table, 0, GPA_A + DATA_OFF, 24, F_NEXT, 2);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
}

/* Each 1-byte buffer is a piece: one more than VRING_MAX_IOV is refused. */
static void test_vring_too_many_pieces(void **state)
{
	struct fixture *f = *state;
	uint32_t n = VRING_MAX_IOV + 1;
	uint8_t *table = offer_indirect(f, n);

	for (uint32_t i = 0; i < n; i++)
		desc_at(table, i, GPA_A + DATA_OFF + i, 1, i + 1 < n ? F_NEXT : 0, (uint16_t)(i + 1));
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BAD_CHAIN);
	/* one fewer fits */
	desc_at(table, n - 2, GPA_A + DATA_OFF, 1, 0, 0);
	offer(f, 0);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
	assert_int_equal(f->chain->n_read, VRING_MAX_IOV);
}

/* --- notifications -------------------------------------------------------- */

static void pop_push(struct fixture *f)
{
	offer_valid(f);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_CHAIN);
	vring_push(&f->vr, f->chain->head, 0);
}

static void test_vring_no_interrupt_flag(void **state)
{
	struct fixture *f = *state;

	pop_push(f);
	assert_true(vring_should_notify(&f->vr));
	put16(f->a + AVAIL_OFF, 1); /* VRING_AVAIL_F_NO_INTERRUPT */
	pop_push(f);
	assert_false(vring_should_notify(&f->vr));
}

static void test_vring_event_idx_notify(void **state)
{
	struct fixture *f = *state;
	uint8_t *used_event = f->a + AVAIL_OFF + 4 + 2 * NUM;

	vring_set_features(&f->vr, false, true);
	put16(used_event, 0);
	pop_push(f); /* used 1: the first is always signalled */
	assert_true(vring_should_notify(&f->vr));
	put16(used_event, 4); /* interrupt when entry 4 is used */
	pop_push(f); /* used 2 */
	assert_false(vring_should_notify(&f->vr));
	pop_push(f); /* used 3 */
	pop_push(f); /* used 4 */
	assert_false(vring_should_notify(&f->vr));
	pop_push(f); /* used 5: entry 4 was used */
	assert_true(vring_should_notify(&f->vr));
	pop_push(f); /* used 6 */
	assert_false(vring_should_notify(&f->vr));
}

static void test_vring_event_idx_arm(void **state)
{
	struct fixture *f = *state;
	uint8_t *avail_event = f->a + USED_OFF + 4 + 8 * NUM;

	vring_set_features(&f->vr, false, true);
	pop_push(f);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_EMPTY);
	assert_false(vring_arm(&f->vr));
	assert_int_equal(get16(avail_event), 1);
	/* a buffer that came between the pop and the arm is seen */
	offer_valid(f);
	assert_true(vring_arm(&f->vr));
}

static void test_vring_arm_without_event_idx(void **state)
{
	struct fixture *f = *state;
	uint8_t *avail_event = f->a + USED_OFF + 4 + 8 * NUM;

	put16(avail_event, 0x1234);
	assert_false(vring_arm(&f->vr));
	assert_int_equal(get16(avail_event), 0x1234);
}

/* --- setting the ring up ---------------------------------------------------- */

static void test_vring_bad_num(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vring_set_num(&f->vr, 0), -EINVAL);
	assert_int_equal(vring_set_num(&f->vr, VRING_MAX_NUM + 1), -EINVAL);
	assert_int_equal(vring_set_num(&f->vr, 100), -EINVAL); /* not a power of two */
	assert_int_equal(vring_set_num(&f->vr, VRING_MAX_NUM - 1), -EINVAL);
	assert_int_equal(vring_set_num(&f->vr, 1), 0);
	assert_int_equal(vring_set_num(&f->vr, VRING_MAX_NUM), 0);
	assert_false(vring_ready(&f->vr));
	/* 32768 descriptors do not fit in region A */
	assert_int_equal(vring_map(&f->vr, f->mt), -EINVAL);
	assert_int_equal(vring_pop(&f->vr, f->chain), VRING_BROKEN);
}

static void test_vring_ring_outside_memory(void **state)
{
	struct fixture *f = *state;

	vring_set_addr(&f->vr, UVA_A + DESC_OFF, UVA_A + AVAIL_OFF, UVA_A + REGION - 8);
	assert_int_equal(vring_map(&f->vr, f->mt), -EINVAL);
	vring_set_addr(&f->vr, GPA_A + DESC_OFF, GPA_A + AVAIL_OFF, GPA_A + USED_OFF);
	assert_int_equal(vring_map(&f->vr, f->mt), -EINVAL); /* guest addresses are not user ones */
}

static void test_vring_ring_misaligned(void **state)
{
	struct fixture *f = *state;

	vring_set_addr(&f->vr, UVA_A + DESC_OFF, UVA_A + AVAIL_OFF, UVA_A + USED_OFF + 2);
	assert_int_equal(vring_map(&f->vr, f->mt), -EINVAL);
	vring_set_addr(&f->vr, UVA_A + DESC_OFF + 8, UVA_A + AVAIL_OFF, UVA_A + USED_OFF);
	assert_int_equal(vring_map(&f->vr, f->mt), -EINVAL);
}

static void test_vring_map_reads_used_idx(void **state)
{
	struct fixture *f = *state;

	put16(f->a + USED_OFF + 2, 5);
	assert_int_equal(vring_map(&f->vr, f->mt), 0);
	vring_set_base(&f->vr, 5);
	f->avail_idx = 5;
	pop_push(f);
	assert_int_equal(get16(f->a + USED_OFF + 2), 6);
	assert_int_equal(get32(f->a + USED_OFF + 4 + 8 * 5), 0);
}

/* --- the memory table ------------------------------------------------------- */

static void test_memtable_overlap(void **state)
{
	struct fixture *f = *state;
	struct memtable_entry e = { .gpa = GPA_B + 0x100, .size = 0x100, .uva = 0x1000 };
	struct memtable_entry wrap = { .gpa = UINT64_MAX - 0x10, .size = 0x100, .uva = 0x1000 };
	struct memtable_entry empty = { .gpa = 0, .size = 0, .uva = 0x1000 };

	assert_int_equal(memtable_add_host(f->mt, &e, f->a), -EINVAL);
	assert_int_equal(memtable_add_host(f->mt, &wrap, f->a), -EINVAL);
	assert_int_equal(memtable_add_host(f->mt, &empty, f->a), -EINVAL);
}

static void test_memtable_full(void **state)
{
	struct fixture *f = *state;

	for (uint32_t i = 2; i < MEMTABLE_MAX; i++) {
		struct memtable_entry e = { .gpa = 0x1000u * i, .size = 0x1000, .uva = 0x1000u * i };

		assert_int_equal(memtable_add_host(f->mt, &e, f->a), 0);
	}
	{
		struct memtable_entry e = { .gpa = 0x9000, .size = 0x1000, .uva = 0x9000 };

		assert_int_equal(memtable_add_host(f->mt, &e, f->a), -ENOSPC);
	}
}

static void test_memtable_reference(void **state)
{
	struct fixture *f = *state;
	struct mem_span span;

	assert_int_equal(memtable_map_gpa(f->mt, GPA_B - 4, 16, &span), 0);
	assert_ptr_equal(span.ptr, f->a + REGION - 4);
	assert_int_equal(span.len, 4);
	mem_region_unref(span.region);
	assert_int_equal(memtable_map_gpa(f->mt, GPA_A - 1, 16, &span), -EFAULT);
	assert_int_equal(memtable_map_gpa(f->mt, GPA_A, 16, &span), 0);
	/* the table goes; the region stays until given back */
	memtable_destroy(f->mt);
	f->mt = NULL;
	assert_int_equal(span.ptr[0], 0);
	mem_region_unref(span.region);
	memtable_new(&f->mt);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vring_normal_chain),
		T(test_vring_empty),
		T(test_vring_split_buffer),
		T(test_vring_zero_length),
		T(test_vring_head_out_of_range),
		T(test_vring_next_out_of_range),
		T(test_vring_loop),
		T(test_vring_self_loop),
		T(test_vring_longest_chain),
		T(test_vring_outside_memory),
		T(test_vring_past_last_region),
		T(test_vring_address_wraps),
		T(test_vring_readable_after_writable),
		T(test_vring_avail_too_far_ahead),
		T(test_vring_unpop),
		T(test_vring_used_wraps),
		T(test_vring_indirect),
		T(test_vring_indirect_without_feature),
		T(test_vring_indirect_bad_size),
		T(test_vring_indirect_empty),
		T(test_vring_indirect_too_large),
		T(test_vring_indirect_outside_memory),
		T(test_vring_indirect_with_next),
		T(test_vring_indirect_nested),
		T(test_vring_indirect_loop),
		T(test_vring_indirect_next_out_of_range),
		T(test_vring_too_many_pieces),
		T(test_vring_no_interrupt_flag),
		T(test_vring_event_idx_notify),
		T(test_vring_event_idx_arm),
		T(test_vring_arm_without_event_idx),
		T(test_vring_bad_num),
		T(test_vring_ring_outside_memory),
		T(test_vring_ring_misaligned),
		T(test_vring_map_reads_used_idx),
		T(test_memtable_overlap),
		T(test_memtable_full),
		T(test_memtable_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
