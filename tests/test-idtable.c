/* SPDX-License-Identifier: MIT */
/*
 * idtable.c against a reference model: a plain array indexed by id.
 *
 * The table's hash is keyed by a random seed; every fixture overwrites it
 * with a fixed one (allowed while the table is empty) so runs are
 * deterministic, and model_home() predicts where an id lands so the tests
 * can build clusters of colliding ids on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core-impl.h"

#define NIDS 4096u /* ids of the model: 1..NIDS-1 */
#define SEED 0x2545f4914f6cdd1dull
/* What a slot costs: its id and tag, its object's pointer, its control
 * byte. */
#define SLOT_BYTES 17u

struct fixture {
	struct idtable t;
	uint64_t rng;
	uint32_t nref;
	void *ref[NIDS];	 /* the model: ref[id] is what get(id) must return */
	uint8_t tokens[NIDS];	 /* &tokens[id] is the object stored under id */
	uint8_t seen[NIDS];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(idtable_init(&f->t), 0);
	assert_int_equal(f->t.count, 0);
	f->t.seed = SEED | 1;
	f->rng = 0x9e3779b97f4a7c15ull;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	idtable_fini(&f->t);
	assert_null(f->t.slots);
	free(f);
	return 0;
}

/* xorshift64*: deterministic, good enough to shuffle ids. */
static uint32_t rnd(struct fixture *f, uint32_t bound)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return (uint32_t)((f->rng * 0x2545f4914f6cdd1dull) >> 33) % bound;
}

/* The table's hash, copied; test_idtable_home_model_matches keeps it honest. */
static uint32_t model_home(uint64_t seed, uint32_t capacity, uint32_t id)
{
	uint64_t x = ((uint64_t)id ^ (seed >> 32)) * seed;

	return (uint32_t)(((x >> 32) * capacity) >> 32);
}

/* Capacities: 16, 24, 32, 48, ... (2^k or 3 * 2^k, from 16) and at most
 * 13/16 full. */
static bool capacity_allowed(uint32_t c)
{
	uint32_t p = c % 3 == 0 ? c / 3 : c;

	return c >= 16 && (p & (p - 1)) == 0;
}

static bool within_load(uint32_t count, uint32_t capacity)
{
	return (uint64_t)count * 16 <= (uint64_t)capacity * 13;
}

/* The control byte of a slot holding id, copied likewise. */
static uint8_t model_control(uint64_t seed, uint32_t id)
{
	uint8_t b = (uint8_t)((((uint64_t)id ^ (seed >> 32)) * seed) >> 24);

	return b ? b : 1;
}

static uint32_t capacity(const struct idtable *t)
{
	return t->capacity;
}

static void model_insert(struct fixture *f, uint32_t id)
{
	assert_true(id > 0 && id < NIDS);
	assert_null(f->ref[id]);
	assert_true(idtable_reserve(&f->t, 1));
	idtable_insert(&f->t, id, &f->tokens[id]);
	f->ref[id] = &f->tokens[id];
	f->nref++;
}

static void model_remove(struct fixture *f, uint32_t id)
{
	uint32_t count = f->t.count;
	void *expect = f->ref[id];

	assert_ptr_equal(idtable_remove(&f->t, id), expect);
	if (expect) {
		f->ref[id] = NULL;
		f->nref--;
		assert_int_equal(f->t.count, count - 1);
	} else {
		assert_int_equal(f->t.count, count);
	}
}

/* The slots: at most 13/16 full, count right, no duplicates, and every
 * probe chain unbroken (every slot from an entry's home to the entry is
 * occupied), which is what backward-shift deletion must preserve. */
static void check_slots(struct fixture *f)
{
	const struct idtable *t = &f->t;
	uint32_t used = 0;

	assert_true(capacity_allowed(capacity(t)));
	memset(f->seen, 0, sizeof(f->seen));
	for (uint32_t i = 0; i < capacity(t); i++) {
		uint32_t id = t->slots[i].id;

		if (id == 0) {
			assert_int_equal(t->ctrl[i], 0);
			assert_int_equal(t->slots[i].tag, 0);
			assert_null(t->ptrs[i]);
			continue;
		}
		assert_int_equal(t->ctrl[i], model_control(t->seed, id));
		used++;
		assert_true(id < NIDS);
		assert_int_equal(f->seen[id], 0);
		f->seen[id] = 1;
		assert_ptr_equal(t->ptrs[i], &f->tokens[id]);
		for (uint32_t j = model_home(t->seed, capacity(t), id); j != i;
		     j = (j + 1) % capacity(t)) {
			if (t->slots[j].id == 0)
				fail_msg("id %u in slot %u: hole at %u in its chain", id, i, j);
		}
	}
	assert_int_equal(used, t->count);
	assert_true(within_load(t->count, capacity(t)));
}

/* Iteration visits every entry exactly once, then stays at the end. */
static void check_iteration(struct fixture *f)
{
	uint32_t pos = 0, n = 0;
	void *p;

	memset(f->seen, 0, sizeof(f->seen));
	while ((p = idtable_next(&f->t, &pos))) {
		size_t id = (size_t)((uint8_t *)p - f->tokens);

		assert_true(id > 0 && id < NIDS);
		assert_ptr_equal(f->ref[id], p);
		assert_int_equal(f->seen[id], 0);
		f->seen[id] = 1;
		n++;
	}
	assert_int_equal(n, f->nref);
	assert_null(idtable_next(&f->t, &pos));
	assert_null(idtable_next(&f->t, &pos));
}

/* Everything the model knows, and ids it cannot hold. */
static void check_model(struct fixture *f)
{
	static const uint32_t absent[] = { NIDS, NIDS + 1, 0x10000, 0x7fffffffu, 0x80000000u,
					   UINT32_MAX };

	assert_int_equal(f->t.count, f->nref);
	for (uint32_t id = 0; id < NIDS; id++)
		assert_ptr_equal(idtable_get(&f->t, id), f->ref[id]);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(idtable_get(&f->t, absent[i]));
	check_slots(f);
	check_iteration(f);
}

/* Finds n ids whose home slot is home at this capacity, after after. */
static void ids_with_home(uint32_t capacity, uint32_t home, uint32_t after, uint32_t *out, size_t n)
{
	uint32_t id = after;

	for (size_t k = 0; k < n; k++) {
		do
			id++;
		while (id < NIDS && model_home(SEED | 1, capacity, id) != home);
		assert_true(id < NIDS);
		out[k] = id;
	}
}

static uint32_t slot_of_id(const struct idtable *t, uint32_t id)
{
	for (uint32_t i = 0; i < capacity(t); i++) {
		if (t->slots[i].id == id)
			return i;
	}
	fail_msg("id %u is in no slot", id);
	return UINT32_MAX;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_idtable_home_model_matches(void **state)
{
	struct fixture *f = *state;
	static const uint32_t reserve[] = { 1, 32, 500, 3000 };

	for (size_t r = 0; r < sizeof(reserve) / sizeof(reserve[0]); r++) {
		assert_true(idtable_reserve(&f->t, reserve[r]));
		for (uint32_t id = 1; id < 300; id++) {
			uint32_t home = model_home(f->t.seed, capacity(&f->t), id);

			model_insert(f, id); /* alone in the table: lands at its home */
			assert_int_equal(slot_of_id(&f->t, id), home);
			model_remove(f, id);
		}
	}
}

static void test_idtable_empty(void **state)
{
	struct fixture *f = *state;
	uint32_t pos = 0;

	assert_int_equal(capacity(&f->t), 16);
	assert_int_equal(idtable_bytes(&f->t), 16 * SLOT_BYTES);
	assert_null(idtable_get(&f->t, 0));
	assert_null(idtable_get(&f->t, 1));
	assert_null(idtable_remove(&f->t, 0));
	assert_null(idtable_remove(&f->t, 1));
	assert_null(idtable_next(&f->t, &pos));
	check_model(f);
}

/* Id 0 is never an entry and absent ids are NULL, in a full table too. */
static void test_idtable_absent_and_zero(void **state)
{
	struct fixture *f = *state;

	for (uint32_t id = 2; id < NIDS; id += 2)
		model_insert(f, id);
	for (uint32_t id = 1; id < NIDS; id += 2)
		assert_null(idtable_get(&f->t, id));
	assert_null(idtable_get(&f->t, 0));
	assert_null(idtable_remove(&f->t, 0));
	for (uint32_t id = 1; id < NIDS; id += 2)
		model_remove(f, id);
	check_model(f);
}

/* Ids inserted one by one: capacity grows 2^k -> 1.5 * 2^k -> 2^(k+1),
 * only when an insert would pass 13/16 full, and every entry survives
 * every rehash. */
static void test_idtable_grows_in_steps(void **state)
{
	struct fixture *f = *state;
	uint32_t steps = 0, cap = capacity(&f->t);

	for (uint32_t id = 1; id <= 3000; id++) {
		model_insert(f, id);
		if (capacity(&f->t) != cap) {
			uint32_t want = (cap & (cap - 1)) ? cap / 3 * 4 : cap / 2 * 3;

			assert_int_equal(capacity(&f->t), want);
			assert_false(within_load(f->t.count, cap)); /* grew only when full */
			cap = capacity(&f->t);
			steps++;
			check_model(f);
		}
		assert_true(within_load(f->t.count, cap));
		assert_int_equal(idtable_bytes(&f->t), (uint64_t)cap * SLOT_BYTES);
	}
	/* 16 24 32 48 64 96 128 192 256 384 512 768 1024 1536 2048 3072 4096:
	 * 3000 entries pass 2048's 1664 and 3072's 2496, not 4096's 3328. */
	assert_int_equal(cap, 4096);
	assert_int_equal(steps, 16);
	check_model(f);
}

/* After reserve(n) the next n inserts do not grow the table. */
static void test_idtable_reserve_then_insert(void **state)
{
	struct fixture *f = *state;
	uint32_t cap;

	assert_true(idtable_reserve(&f->t, 1000));
	cap = capacity(&f->t);
	assert_int_equal(cap, 1536); /* 1024 holds 832, 1536 holds 1248 */
	for (uint32_t id = 1; id <= 1000; id++) {
		idtable_insert(&f->t, id * 3, &f->tokens[id * 3]);
		f->ref[id * 3] = &f->tokens[id * 3];
		f->nref++;
	}
	assert_int_equal(capacity(&f->t), cap);
	assert_true(idtable_reserve(&f->t, 248)); /* 1248 entries: still room */
	assert_int_equal(capacity(&f->t), cap);
	assert_true(idtable_reserve(&f->t, 249));
	assert_int_equal(capacity(&f->t), 2048);
	check_model(f);
}

/* Random inserts, removes and lookups against the model: first mostly
 * inserts (growth), then mostly removes (long chains emptied), then mixed. */
static void test_idtable_random_against_model(void **state)
{
	struct fixture *f = *state;
	static const struct {
		uint32_t ops, insert, remove; /* per mille */
		uint32_t ids;
	} phases[] = {
		{ 6000, 700, 150, 1500 },
		{ 6000, 150, 700, 1500 },
		{ 8000, 400, 400, 300 },  /* few ids: many collisions per slot */
		{ 8000, 450, 450, NIDS - 1 },
	};

	for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); p++) {
		for (uint32_t n = 0; n < phases[p].ops; n++) {
			uint32_t id = 1 + rnd(f, phases[p].ids);
			uint32_t dice = rnd(f, 1000);

			if (dice < phases[p].insert) {
				if (!f->ref[id])
					model_insert(f, id);
			} else if (dice < phases[p].insert + phases[p].remove) {
				model_remove(f, id);
			} else {
				assert_ptr_equal(idtable_get(&f->t, id), f->ref[id]);
			}
			if (n % 97 == 0)
				check_model(f);
		}
		check_model(f);
	}
}

/* A cluster that wraps around the end of the array, 48 slots (not a power
 * of two: the wrap is a compare, not a mask):
 *   A1 A2 A3 (home 46) -> slots 46, 47, 0
 *   B1 B2    (home 47) -> slots 1, 2
 *   C1       (home 0)  -> slot 3
 *   D1       (home 2)  -> slot 4
 * Removing them in every one of the 7! orders, every lookup and every chain
 * must stay right after each removal. */
enum { CLUSTER = 7 };

static void build_cluster(struct fixture *f, const uint32_t *ids)
{
	idtable_clear(&f->t);
	memset(f->ref, 0, sizeof(f->ref));
	f->nref = 0;
	assert_true(idtable_reserve(&f->t, 32));
	assert_int_equal(capacity(&f->t), 48);
	for (size_t i = 0; i < CLUSTER; i++)
		model_insert(f, ids[i]);
	assert_int_equal(capacity(&f->t), 48);
}

static bool next_permutation(uint32_t *a, size_t n)
{
	size_t i = n - 1, j = n - 1;

	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return false;
	while (a[j] <= a[i - 1])
		j--;
	uint32_t tmp = a[i - 1];
	a[i - 1] = a[j];
	a[j] = tmp;
	for (j = n - 1; i < j; i++, j--) {
		tmp = a[i];
		a[i] = a[j];
		a[j] = tmp;
	}
	return true;
}

static void test_idtable_remove_wrapping_cluster(void **state)
{
	struct fixture *f = *state;
	static const uint32_t expect_slot[CLUSTER] = { 46, 47, 0, 1, 2, 3, 4 };
	uint32_t ids[CLUSTER], order[CLUSTER], stray;
	uint32_t permutations = 0;

	ids_with_home(48, 46, 0, ids, 3);
	ids_with_home(48, 47, 0, ids + 3, 2);
	ids_with_home(48, 0, 0, ids + 5, 1);
	ids_with_home(48, 2, 0, ids + 6, 1);
	ids_with_home(48, 46, ids[2], &stray, 1); /* collides, never inserted */
	build_cluster(f, ids);
	for (size_t i = 0; i < CLUSTER; i++)
		assert_int_equal(slot_of_id(&f->t, ids[i]), expect_slot[i]);
	check_model(f);
	/* An absent id whose probe walks the whole wrapped chain. */
	assert_null(idtable_get(&f->t, stray));
	assert_null(idtable_remove(&f->t, stray));
	assert_int_equal(f->t.count, CLUSTER);

	for (uint32_t i = 0; i < CLUSTER; i++)
		order[i] = i;
	do {
		build_cluster(f, ids);
		for (size_t k = 0; k < CLUSTER; k++) {
			model_remove(f, ids[order[k]]);
			for (size_t i = 0; i < CLUSTER; i++)
				assert_ptr_equal(idtable_get(&f->t, ids[i]), f->ref[ids[i]]);
			assert_null(idtable_get(&f->t, stray));
			check_slots(f);
		}
		assert_int_equal(f->t.count, 0);
		permutations++;
	} while (next_permutation(order, CLUSTER));
	assert_int_equal(permutations, 5040);
}

/* Removing from the middle of a long chain that wraps, then reinserting. */
static void test_idtable_reinsert_after_wrap_removal(void **state)
{
	struct fixture *f = *state;
	uint32_t ids[12];

	assert_true(idtable_reserve(&f->t, 32));
	assert_int_equal(capacity(&f->t), 48);
	ids_with_home(48, 44, 0, ids, 12); /* slots 44..47, 0..7 */
	for (size_t i = 0; i < 12; i++)
		model_insert(f, ids[i]);
	assert_int_equal(slot_of_id(&f->t, ids[4]), 0);
	assert_int_equal(slot_of_id(&f->t, ids[11]), 7);
	check_model(f);
	for (size_t i = 1; i < 12; i += 3)
		model_remove(f, ids[i]);
	check_model(f);
	for (size_t i = 1; i < 12; i += 3)
		model_insert(f, ids[i]);
	check_model(f);
	for (size_t i = 0; i < 12; i++)
		model_remove(f, ids[i]);
	check_model(f);
	assert_int_equal(f->t.count, 0);
}

static void test_idtable_clear(void **state)
{
	struct fixture *f = *state;
	uint32_t pos = 0;

	for (uint32_t id = 1; id <= 500; id++)
		model_insert(f, id * 7 % NIDS);
	assert_int_equal(capacity(&f->t), 768); /* 512 holds 416, 768 holds 624 */
	idtable_clear(&f->t);
	memset(f->ref, 0, sizeof(f->ref));
	f->nref = 0;
	assert_int_equal(f->t.count, 0);
	assert_int_equal(capacity(&f->t), 16);
	assert_int_equal(idtable_bytes(&f->t), 16 * SLOT_BYTES);
	assert_null(idtable_next(&f->t, &pos));
	check_model(f);
	/* Usable again. */
	for (uint32_t id = 1; id <= 40; id++)
		model_insert(f, id);
	check_model(f);
}

/* Tags travel with their entries through growth and backward shifts, an
 * empty slot's is 0, and has() and tag() agree with get(). */
static void test_idtable_tags_follow_entries(void **state)
{
	struct fixture *f = *state;
	uint32_t tag = 5;

	for (uint32_t id = 1; id < 2000; id++) {
		assert_true(idtable_reserve(&f->t, 1));
		idtable_insert_tagged(&f->t, id, id * 3 + 1, &f->tokens[id]);
		f->ref[id] = &f->tokens[id];
		f->nref++;
	}
	for (uint32_t n = 0; n < 1500; n++)
		model_remove(f, 1 + rnd(f, 1999));
	check_model(f);
	for (uint32_t id = 1; id < 2000; id++) {
		assert_int_equal(idtable_has(&f->t, id), f->ref[id] != NULL);
		if (!f->ref[id]) {
			assert_false(idtable_tag(&f->t, id, &tag));
			continue;
		}
		assert_true(idtable_tag(&f->t, id, &tag));
		assert_int_equal(tag, id * 3 + 1);
		assert_ptr_equal(idtable_get(&f->t, id), f->ref[id]);
	}
	assert_false(idtable_has(&f->t, 0));
	assert_false(idtable_tag(&f->t, 0, &tag));
	/* Untagged inserts read as tag 0. */
	model_insert(f, 3000);
	assert_true(idtable_tag(&f->t, 3000, &tag));
	assert_int_equal(tag, 0);
}

/* has() and tag() read the slots only: with the pointers' array out of
 * reach they still answer (a flush among a million resources reads one
 * cache line of the table, issue 14). */
static void test_idtable_tag_reads_no_pointer(void **state)
{
	struct fixture *f = *state;
	void **ptrs;
	uint32_t tag = 0;

	for (uint32_t id = 1; id < 300; id++) {
		assert_true(idtable_reserve(&f->t, 1));
		idtable_insert_tagged(&f->t, id, id + 7, &f->tokens[id]);
	}
	ptrs = f->t.ptrs;
	f->t.ptrs = NULL; /* any read through it faults */
	for (uint32_t id = 1; id < 600; id++) {
		assert_int_equal(idtable_has(&f->t, id), id < 300);
		assert_int_equal(idtable_tag(&f->t, id, &tag), id < 300);
		if (id < 300)
			assert_int_equal(tag, id + 7);
	}
	f->t.ptrs = ptrs;
	assert_ptr_equal(idtable_get(&f->t, 299), &f->tokens[299]);
}

/* The table's three arrays, as bytes, to compare before and after. */
static uint8_t *block_copy(const struct idtable *t)
{
	size_t n = (size_t)capacity(t) * SLOT_BYTES;
	uint8_t *copy = malloc(n);

	assert_non_null(copy);
	memcpy(copy, t->ptrs, n); /* one block, the pointers first */
	return copy;
}

/* A prefetch for an insert, or for a lookup, is a hint: whatever the id
 * (absent, present, 0, at the end of a chain that wraps round), nothing in
 * the table changes, and the inserts that follow land where the model
 * says. */
static void test_idtable_prefetch_insert_changes_nothing(void **state)
{
	struct fixture *f = *state;
	uint32_t ids[12], late[2];
	uint8_t *before;

	assert_true(idtable_reserve(&f->t, 32));
	assert_int_equal(capacity(&f->t), 48);
	ids_with_home(48, 44, 0, ids, 12); /* slots 44..47, 0..7 */
	for (size_t i = 0; i < 12; i++)
		model_insert(f, ids[i]);
	ids_with_home(48, 45, ids[11], late, 2); /* their first free slot: 8 */
	before = block_copy(&f->t);
	for (uint32_t id = 0; id < NIDS; id++) {
		idtable_prefetch_insert(&f->t, id);
		idtable_prefetch(&f->t, id, id & 1);
	}
	idtable_prefetch_insert(&f->t, UINT32_MAX);
	idtable_prefetch(&f->t, UINT32_MAX, true);
	assert_memory_equal(f->t.ptrs, before, (size_t)capacity(&f->t) * SLOT_BYTES);
	assert_int_equal(f->t.count, 12);
	free(before);
	check_model(f);
	for (size_t i = 0; i < 2; i++) {
		idtable_prefetch_insert(&f->t, late[i]);
		model_insert(f, late[i]);
		assert_int_equal(slot_of_id(&f->t, late[i]), 8 + i);
	}
	check_model(f);
}

/* A table whose arrays were never allocated (idtable_init failed) has
 * capacity 0: a prefetch must not read it. */
static void test_idtable_prefetch_insert_no_arrays(void **state)
{
	struct idtable none = { 0 };

	(void)state;
	idtable_prefetch_insert(&none, 1);
	idtable_prefetch_insert(&none, 0);
	idtable_prefetch_insert(&none, UINT32_MAX);
	idtable_prefetch(&none, 1, true);
	idtable_prefetch(&none, UINT32_MAX, false);
	assert_int_equal(none.capacity, 0);
	assert_int_equal(none.count, 0);
	assert_null(none.ctrl);
}

/* A prefetch, then the reserve that grows the table under it (the lines
 * asked for belong to the freed arrays), then the insert: the insert is
 * right in the new arrays. At every size from 16 to 3,000 entries, so
 * every step of growth is crossed. */
static void test_idtable_prefetch_insert_then_grow(void **state)
{
	struct fixture *f = *state;
	uint32_t grown = 0, cap = capacity(&f->t);

	for (uint32_t id = 1; id < 3000; id++) {
		uint32_t next = (id * 2654435761u) % (NIDS - 1) + 1;

		idtable_prefetch_insert(&f->t, next);
		if (f->ref[next])
			continue;
		model_insert(f, next);
		if (capacity(&f->t) != cap) {
			cap = capacity(&f->t);
			grown++;
			check_model(f);
		}
	}
	assert_true(grown >= 8); /* 16 .. 3072 */
	check_model(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idtable_home_model_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_absent_and_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_grows_in_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_reserve_then_insert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_random_against_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_remove_wrapping_cluster, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idtable_reinsert_after_wrap_removal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idtable_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_tags_follow_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_tag_reads_no_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idtable_prefetch_insert_changes_nothing, setup,
						teardown),
		cmocka_unit_test(test_idtable_prefetch_insert_no_arrays),
		cmocka_unit_test_setup_teardown(test_idtable_prefetch_insert_then_grow, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
