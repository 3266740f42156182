/* SPDX-License-Identifier: MIT */
/*
 * Guest ids to objects: open addressing with linear probing and
 * backward-shift deletion, at most half full, so a lookup is O(1) whatever
 * the number of live objects. Guests choose the ids, so the hash is keyed
 * with a random seed per table: a guest cannot pick ids that all land in
 * one bucket and turn every lookup into a scan.
 *
 * A slot is the id and a 32-bit tag its owner chooses: what a lookup may
 * learn without touching the object (a resource's size). The objects'
 * pointers are a second array, indexed like the slots, in the same
 * allocation. A lookup that needs no more than the id and the tag (is the
 * id free? the size of a resource to flush?) reads 8 bytes a slot, eight
 * to a cache line: with a million live ids those slots are 16 MiB, which
 * this machine's caches serve far better than the 32 MiB that 16-byte
 * slots of id, tag and pointer took (issue 14: a random lookup among a
 * million cost 150-250 ns more than among a thousand, the latency of one
 * miss that far). A lookup that needs the object reads the pointer's line
 * too; it asks for it before probing, from the id's home slot, so the two
 * misses overlap. Large tables live on huge pages (util/hugemap.c), so a
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

/* A slot and its pointer. */
#define SLOT_BYTES (sizeof(struct idslot) + sizeof(void *))

static size_t slots_bytes(uint32_t capacity)
{
	return (size_t)capacity * SLOT_BYTES;
}

/* Zeroed slots, then their pointers, in one block: calloc, or for large
 * tables a mapping of their own (2 MiB-aligned; from 2^18 slots on, each
 * half starts on a huge page of its own). */
static bool slots_alloc(struct idtable *t, uint32_t capacity)
{
	void *block = slots_bytes(capacity) < HUGE_MAP_MIN ? calloc(capacity, SLOT_BYTES)
							    : huge_map(slots_bytes(capacity));

	if (!block)
		return false;
	t->slots = block;
	t->ptrs = (void **)(t->slots + capacity);
	t->mask = capacity - 1;
	return true;
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
	if (!slots_alloc(t, MIN_CAPACITY)) {
		t->slots = NULL;
		t->ptrs = NULL;
		return -1;
	}
	t->count = 0;
	t->seed = random_seed(t);
	return 0;
}

void idtable_fini(struct idtable *t)
{
	slots_free(t->slots, t->mask + 1);
	t->slots = NULL;
	t->ptrs = NULL;
}

/* The slot index from home holding id, or -1. */
static int64_t probe(const struct idtable *t, uint32_t home, uint32_t id)
{
	if (id == 0)
		return -1;
	for (uint32_t i = home;; i = (i + 1) & t->mask) {
		if (t->slots[i].id == id)
			return i;
		if (t->slots[i].id == 0)
			return -1;
	}
}

bool idtable_has(const struct idtable *t, uint32_t id)
{
	return probe(t, slot_of(t, id), id) >= 0;
}

bool idtable_tag(const struct idtable *t, uint32_t id, uint32_t *tag)
{
	int64_t i = probe(t, slot_of(t, id), id);

	if (i < 0)
		return false;
	*tag = t->slots[i].tag;
	return true;
}

void *idtable_get(const struct idtable *t, uint32_t id)
{
	uint32_t home = slot_of(t, id);
	int64_t i;

	/* Most entries sit in their home slot or the next few: the pointer's
	 * line is fetched while the probe waits for the slot's. */
	__builtin_prefetch(&t->ptrs[home]);
	i = probe(t, home, id);
	return i < 0 ? NULL : t->ptrs[i];
}

void idtable_prefetch_insert(const struct idtable *t, uint32_t id)
{
	__builtin_prefetch(&t->ptrs[slot_of(t, id)], 1);
}

/* Puts an entry in the first free slot of its chain. */
static void place(struct idtable *t, uint32_t id, uint32_t tag, void *ptr)
{
	uint32_t i = slot_of(t, id);

	while (t->slots[i].id != 0)
		i = (i + 1) & t->mask;
	t->slots[i] = (struct idslot){ .id = id, .tag = tag };
	t->ptrs[i] = ptr;
}

static bool grow(struct idtable *t, uint32_t capacity)
{
	struct idtable old = *t;

	if (!slots_alloc(t, capacity))
		return false;
	for (uint32_t i = 0; i <= old.mask; i++) {
		if (old.slots[i].id)
			place(t, old.slots[i].id, old.slots[i].tag, old.ptrs[i]);
	}
	slots_free(old.slots, old.mask + 1);
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
	place(t, id, tag, ptr);
	t->count++;
}

void idtable_insert(struct idtable *t, uint32_t id, void *ptr)
{
	idtable_insert_tagged(t, id, 0, ptr);
}

static void empty(struct idtable *t, uint32_t i)
{
	t->slots[i] = (struct idslot){ 0, 0 };
	t->ptrs[i] = NULL;
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
			t->ptrs[hole] = t->ptrs[i];
			empty(t, i);
			hole = i;
		}
	}
}

void *idtable_remove(struct idtable *t, uint32_t id)
{
	int64_t i = probe(t, slot_of(t, id), id);
	void *ptr;

	if (i < 0)
		return NULL;
	ptr = t->ptrs[i];
	empty(t, (uint32_t)i);
	t->count--;
	shift_back(t, (uint32_t)i);
	return ptr;
}

void *idtable_next(const struct idtable *t, uint32_t *pos)
{
	while (*pos <= t->mask) {
		uint32_t i = (*pos)++;

		if (t->slots[i].id)
			return t->ptrs[i];
	}
	return NULL;
}

uint64_t idtable_bytes(const struct idtable *t)
{
	return slots_bytes(t->mask + 1);
}

void idtable_clear(struct idtable *t)
{
	struct idtable old = *t;

	if (!slots_alloc(t, MIN_CAPACITY)) {
		/* Keep the big arrays, emptied: correct, only larger. */
		for (uint32_t i = 0; i <= t->mask; i++)
			empty(t, i);
	} else {
		slots_free(old.slots, old.mask + 1);
	}
	t->count = 0;
}
