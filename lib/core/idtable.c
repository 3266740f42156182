/* SPDX-License-Identifier: MIT */
/*
 * Guest ids to objects: open addressing with linear probing and
 * backward-shift deletion, at most half full, so a lookup is O(1) whatever
 * the number of live objects. Guests choose the ids, so the hash is keyed
 * with a random seed per table: a guest cannot pick ids that all land in
 * one bucket and turn every lookup into a scan.
 *
 * A slot is the id, the object's pointer and a 32-bit tag its owner
 * chooses: what a lookup may learn without touching the object (a
 * resource's size). 16 bytes, four to a cache line and never across two,
 * so a lookup that needs no more than the tag reads one line (two when its
 * chain runs over a line's end): with a million live ids the table is
 * 32 MiB, which no cache holds, and every lookup of a random id misses
 * once, not twice; large tables live on huge pages (util/hugemap.c), so that
 * miss is not also a TLB miss.
 */
#include <stdlib.h>
#include <sys/random.h>

#include "core-impl.h"

#define MIN_CAPACITY 16u

static uint64_t random_seed(const void *salt)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)(uintptr_t)salt * 0x9e3779b97f4a7c15ull; /* still unknown to guests */
	return seed | 1;
}

static uint32_t slot_of(const struct idtable *t, uint32_t id)
{
	uint64_t x = ((uint64_t)id ^ (t->seed >> 32)) * t->seed;

	return (uint32_t)(x >> 32) & t->mask;
}

static size_t slots_bytes(uint32_t capacity)
{
	return (size_t)capacity * sizeof(struct idslot);
}

/* Zeroed slots: calloc, or for large tables a mapping of their own. */
static struct idslot *slots_alloc(uint32_t capacity)
{
	if (slots_bytes(capacity) < HUGE_MAP_MIN)
		return calloc(capacity, sizeof(struct idslot));
	return huge_map(slots_bytes(capacity));
}

static void slots_free(struct idslot *slots, uint32_t capacity)
{
	if (slots_bytes(capacity) < HUGE_MAP_MIN)
		free(slots);
	else
		huge_unmap(slots, slots_bytes(capacity));
}

int idtable_init(struct idtable *t)
{
	t->slots = slots_alloc(MIN_CAPACITY);
	if (!t->slots)
		return -1;
	t->mask = MIN_CAPACITY - 1;
	t->count = 0;
	t->seed = random_seed(t);
	return 0;
}

void idtable_fini(struct idtable *t)
{
	slots_free(t->slots, t->mask + 1);
	t->slots = NULL;
}

const struct idslot *idtable_find(const struct idtable *t, uint32_t id)
{
	if (id == 0)
		return NULL;
	for (uint32_t i = slot_of(t, id);; i = (i + 1) & t->mask) {
		if (t->slots[i].id == id)
			return &t->slots[i];
		if (t->slots[i].id == 0)
			return NULL;
	}
}

void *idtable_get(const struct idtable *t, uint32_t id)
{
	const struct idslot *s = idtable_find(t, id);

	return s ? s->ptr : NULL;
}

static void place(struct idtable *t, const struct idslot *entry)
{
	uint32_t i = slot_of(t, entry->id);

	while (t->slots[i].id != 0)
		i = (i + 1) & t->mask;
	t->slots[i] = *entry;
}

static bool grow(struct idtable *t, uint32_t capacity)
{
	struct idslot *old = t->slots;
	uint32_t old_cap = t->mask + 1;
	struct idslot *slots = slots_alloc(capacity);

	if (!slots)
		return false;
	t->slots = slots;
	t->mask = capacity - 1;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].id)
			place(t, &old[i]);
	}
	slots_free(old, old_cap);
	return true;
}

bool idtable_reserve(struct idtable *t, uint32_t n)
{
	uint64_t need = ((uint64_t)t->count + n) * 2;
	uint64_t capacity = (uint64_t)t->mask + 1;

	if (need <= capacity)
		return true;
	while (capacity < need)
		capacity *= 2;
	if (capacity > (1ull << 31))
		return false;
	return grow(t, (uint32_t)capacity);
}

void idtable_insert_tagged(struct idtable *t, uint32_t id, uint32_t tag, void *ptr)
{
	if (id == 0 || ((uint64_t)t->count + 1) * 2 > (uint64_t)t->mask + 1)
		abort(); /* callers reserve first */
	place(t, &(struct idslot){ .id = id, .tag = tag, .ptr = ptr });
	t->count++;
}

void idtable_insert(struct idtable *t, uint32_t id, void *ptr)
{
	idtable_insert_tagged(t, id, 0, ptr);
}

/* Backward-shift deletion keeps every probe chain unbroken without
 * tombstones, so lookups never slow down after many deletions. */
static void shift_back(struct idtable *t, uint32_t hole)
{
	for (uint32_t i = (hole + 1) & t->mask; t->slots[i].id; i = (i + 1) & t->mask) {
		uint32_t home = slot_of(t, t->slots[i].id);

		/* Move the entry into the hole unless its home lies cyclically in (hole, i]. */
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slots[hole] = t->slots[i];
			t->slots[i] = (struct idslot){ 0, 0, NULL };
			hole = i;
		}
	}
}

void *idtable_remove(struct idtable *t, uint32_t id)
{
	if (id == 0)
		return NULL;
	for (uint32_t i = slot_of(t, id);; i = (i + 1) & t->mask) {
		if (t->slots[i].id == 0)
			return NULL;
		if (t->slots[i].id == id) {
			void *ptr = t->slots[i].ptr;

			t->slots[i] = (struct idslot){ 0, 0, NULL };
			t->count--;
			shift_back(t, i);
			return ptr;
		}
	}
}

void *idtable_next(const struct idtable *t, uint32_t *pos)
{
	while (*pos <= t->mask) {
		const struct idslot *s = &t->slots[(*pos)++];

		if (s->id)
			return s->ptr;
	}
	return NULL;
}

uint64_t idtable_bytes(const struct idtable *t)
{
	return ((uint64_t)t->mask + 1) * sizeof(struct idslot);
}

void idtable_clear(struct idtable *t)
{
	struct idslot *slots = slots_alloc(MIN_CAPACITY);

	if (!slots) {
		/* Keep the big array, emptied: correct, only larger. */
		for (uint32_t i = 0; i <= t->mask; i++)
			t->slots[i] = (struct idslot){ 0, 0, NULL };
	} else {
		slots_free(t->slots, t->mask + 1);
		t->slots = slots;
		t->mask = MIN_CAPACITY - 1;
	}
	t->count = 0;
}
