/* SPDX-License-Identifier: MIT */
/*
 * Guest ids to objects: open addressing with linear probing and
 * backward-shift deletion, at most 13/16 full, so a lookup is O(1) whatever
 * the number of live objects. Guests choose the ids, so the hash is keyed
 * with a random seed per table: a guest cannot pick ids that all land in
 * one bucket and turn every lookup into a scan.
 *
 * Three arrays, indexed alike, in one allocation (17 bytes a slot):
 * - a control byte per slot: 0 when empty, else 8 bits of the id's hash
 *   that are not its home's. A probe reads these first and the slot only
 *   where they match, so finding that an id is free (a create) reads one
 *   byte a slot: with a million live ids 1.5 MiB, which stays in the
 *   caches, where the slots do not (issue 14: each new id cost a miss);
 * - the slots: the id and a 32-bit tag its owner chooses, what a lookup
 *   may learn without the object (a resource's size), 8 bytes, eight to a
 *   line: 12 MiB for a million ids, far better served by this machine's
 *   caches than the 32 MiB that 16-byte slots of id, tag and pointer took
 *   at half full (a flush among a million resources missed once that far,
 *   280-310 ns);
 * - the objects' pointers, read only by lookups that need the object.
 * A lookup asks for the lines it will read from the id's home slot before
 * probing, so their misses overlap. Large tables live on huge pages
 * (util/hugemap.c), so a miss is not also a TLB miss.
 */
#include <stdlib.h>
#include <sys/random.h>

#include "core-impl.h"

#define MIN_CAPACITY 16u
/* Capacities run 16, 24, 32, 48, 64 ...: a table that has just grown is
 * 54% to 61% full. Doubling at half full left a million ids in 2^21 slots
 * (48% full, 16 MiB of slots); these steps put them in 1.5 * 2^20 (64%,
 * 12 MiB). Alone, a chain of random reads cost this machine 40-44 ns a
 * read in 12 MiB against 57-92 in 16; in bench-submit a flush's miss
 * among a million resources got 8% shorter (issue 14, docs/benchmarks.md).
 * With the control bytes, a probe at 13/16 full still reads one line of
 * them: an absent id's about 15 bytes on average, a present one's 3. */
#define FULL_NUM 13u
#define FULL_DEN 16u

/* How many entries a table of this capacity may hold. */
static uint64_t room(uint64_t capacity)
{
	return capacity * FULL_NUM / FULL_DEN;
}

/* The next capacity: 2^k -> 1.5 * 2^k -> 2^(k+1). */
static uint64_t next_capacity(uint64_t capacity)
{
	return (capacity & (capacity - 1)) ? capacity / 3 * 4 : capacity / 2 * 3;
}

static uint64_t random_seed(const void *salt)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)(uintptr_t)salt * 0x9e3779b97f4a7c15ull; /* still unknown to guests */
	return seed | 1;
}

static uint64_t hash(const struct idtable *t, uint32_t id)
{
	return ((uint64_t)id ^ (t->seed >> 32)) * t->seed;
}

/* The home slot: the hash's top 32 bits scaled to the capacity (a
 * multiply, not a mask: capacities are not all powers of two). */
static uint32_t slot_of(const struct idtable *t, uint32_t id)
{
	return (uint32_t)(((hash(t, id) >> 32) * t->capacity) >> 32);
}

static uint32_t next_slot(const struct idtable *t, uint32_t i)
{
	return i + 1 == t->capacity ? 0 : i + 1;
}

/* How far i lies after from, going round the end. */
static uint32_t distance(const struct idtable *t, uint32_t from, uint32_t i)
{
	return i >= from ? i - from : i + t->capacity - from;
}

/* The control byte of a slot holding id: bits below the home's, never 0. */
static uint8_t control_of(const struct idtable *t, uint32_t id)
{
	uint8_t b = (uint8_t)(hash(t, id) >> 24);

	return b ? b : 1;
}

/* A slot, its pointer and its control byte. */
#define SLOT_BYTES (sizeof(struct idslot) + sizeof(void *) + 1)

static size_t slots_bytes(uint32_t capacity)
{
	return (size_t)capacity * SLOT_BYTES;
}

/* Zeroed pointers, slots and control bytes, in one block (the pointers
 * first: the most aligned): calloc, or for large tables a mapping of their
 * own (2 MiB-aligned). */
static bool slots_alloc(struct idtable *t, uint32_t capacity)
{
	void *block = slots_bytes(capacity) < HUGE_MAP_MIN ? calloc(capacity, SLOT_BYTES)
							    : huge_map(slots_bytes(capacity));

	if (!block)
		return false;
	t->ptrs = block;
	t->slots = (struct idslot *)(t->ptrs + capacity);
	t->ctrl = (uint8_t *)(t->slots + capacity);
	t->capacity = capacity;
	return true;
}

/* Frees the block that begins with ptrs. */
static void slots_free(void **ptrs, uint32_t capacity)
{
	if (slots_bytes(capacity) < HUGE_MAP_MIN)
		free(ptrs);
	else
		huge_unmap(ptrs, slots_bytes(capacity));
}

int idtable_init(struct idtable *t)
{
	if (!slots_alloc(t, MIN_CAPACITY)) {
		*t = (struct idtable){ 0 };
		return -1;
	}
	t->count = 0;
	t->seed = random_seed(t);
	return 0;
}

void idtable_fini(struct idtable *t)
{
	slots_free(t->ptrs, t->capacity);
	t->slots = NULL;
	t->ptrs = NULL;
	t->ctrl = NULL;
}

/* The slot index from home holding id, or -1: a slot is read only where
 * its control byte matches. */
static int64_t probe(const struct idtable *t, uint32_t home, uint32_t id)
{
	uint8_t want = control_of(t, id);

	if (id == 0)
		return -1;
	for (uint32_t i = home; t->ctrl[i]; i = next_slot(t, i)) {
		if (t->ctrl[i] == want && t->slots[i].id == id)
			return i;
	}
	return -1;
}

bool idtable_has(const struct idtable *t, uint32_t id)
{
	return probe(t, slot_of(t, id), id) >= 0;
}

bool idtable_tag(const struct idtable *t, uint32_t id, uint32_t *tag)
{
	uint32_t home = slot_of(t, id);
	int64_t i;

	__builtin_prefetch(&t->slots[home]); /* while the control byte is read */
	i = probe(t, home, id);

	if (i < 0)
		return false;
	*tag = t->slots[i].tag;
	return true;
}

void *idtable_get(const struct idtable *t, uint32_t id)
{
	uint32_t home = slot_of(t, id);
	int64_t i;

	/* Most entries sit in their home slot or the next few: the slot's and
	 * the pointer's lines are fetched while the probe reads the control
	 * bytes. */
	__builtin_prefetch(&t->slots[home]);
	__builtin_prefetch(&t->ptrs[home]);
	i = probe(t, home, id);
	return i < 0 ? NULL : t->ptrs[i];
}

/* The first empty slot from i on: where an insert from i goes. The table
 * is never full (at most 13/16), so the walk ends. */
static uint32_t first_free(const struct idtable *t, uint32_t i)
{
	while (t->ctrl[i])
		i = next_slot(t, i);
	return i;
}

/* The slot 7 after i (going round the end): its line and slot i's hold
 * every slot from i to i + 7, however i sits in its line. */
static uint32_t ahead(const struct idtable *t, uint32_t i)
{
	return i + 7 >= t->capacity ? i + 7 - t->capacity : i + 7;
}

void idtable_prefetch_insert(const struct idtable *t, uint32_t id)
{
	uint32_t home, i;

	if (t->capacity == 0)
		return; /* no arrays (init failed) */
	home = slot_of(t, id);
	__builtin_prefetch(&t->slots[home], 1);
	__builtin_prefetch(&t->ptrs[home], 1);
	/* The insert writes the first empty slot of the chain: with a
	 * million ids in 1.5 * 2^20 slots 3.3 past home on average, in
	 * another line than home's for 31% of new ids (a simulation of the
	 * table); and a removal reads the slots after it. Once the control
	 * bytes say where, their lines are fetched too: a store that misses
	 * holds up every store behind it, which is how CREATE_2D + UNREF
	 * among a million resources paid for it: 1.29x the cost among a
	 * thousand (median of 38 runs, above 1.3x in 13), 1.24x with this
	 * (above 1.3x in 1; docs/benchmarks.md, "Lookups again"). */
	i = first_free(t, home);
	__builtin_prefetch(&t->slots[i], 1);
	__builtin_prefetch(&t->ptrs[i], 1);
	__builtin_prefetch(&t->slots[ahead(t, i)]);
}

void idtable_prefetch(const struct idtable *t, uint32_t id, bool object)
{
	uint32_t home;

	if (t->capacity == 0)
		return; /* no arrays (init failed) */
	home = slot_of(t, id);
	__builtin_prefetch(&t->ctrl[home]);
	__builtin_prefetch(&t->slots[home]);
	if (object)
		__builtin_prefetch(&t->ptrs[home]);
}

/* Puts an entry in the first free slot of its chain. */
static void place(struct idtable *t, uint32_t id, uint32_t tag, void *ptr)
{
	uint32_t i = first_free(t, slot_of(t, id));

	t->ctrl[i] = control_of(t, id);
	t->slots[i] = (struct idslot){ .id = id, .tag = tag };
	t->ptrs[i] = ptr;
}

static bool grow(struct idtable *t, uint32_t capacity)
{
	struct idtable old = *t;

	if (!slots_alloc(t, capacity))
		return false;
	for (uint32_t i = 0; i < old.capacity; i++) {
		if (old.ctrl[i])
			place(t, old.slots[i].id, old.slots[i].tag, old.ptrs[i]);
	}
	slots_free(old.ptrs, old.capacity);
	return true;
}

bool idtable_reserve(struct idtable *t, uint32_t n)
{
	uint64_t need = (uint64_t)t->count + n;
	uint64_t capacity = t->capacity;

	if (need <= room(capacity))
		return true;
	while (room(capacity) < need)
		capacity = next_capacity(capacity);
	if (capacity > (1ull << 31))
		return false;
	return grow(t, (uint32_t)capacity);
}

void idtable_insert_tagged(struct idtable *t, uint32_t id, uint32_t tag, void *ptr)
{
	if (id == 0 || (uint64_t)t->count + 1 > room(t->capacity))
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
	t->ctrl[i] = 0;
	t->slots[i] = (struct idslot){ 0, 0 };
	t->ptrs[i] = NULL;
}

/* Backward-shift deletion keeps every probe chain unbroken without
 * tombstones, so lookups never slow down after many deletions. */
static void shift_back(struct idtable *t, uint32_t hole)
{
	for (uint32_t i = next_slot(t, hole); t->ctrl[i]; i = next_slot(t, i)) {
		uint32_t home = slot_of(t, t->slots[i].id);

		/* Move the entry into the hole unless its home lies cyclically in (hole, i]. */
		if (distance(t, home, i) >= distance(t, hole, i)) {
			t->ctrl[hole] = t->ctrl[i];
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
	while (*pos < t->capacity) {
		uint32_t i = (*pos)++;

		if (t->ctrl[i])
			return t->ptrs[i];
	}
	return NULL;
}

uint64_t idtable_bytes(const struct idtable *t)
{
	return slots_bytes(t->capacity);
}

void idtable_clear(struct idtable *t)
{
	struct idtable old = *t;

	if (!slots_alloc(t, MIN_CAPACITY)) {
		/* Keep the big arrays, emptied: correct, only larger. */
		for (uint32_t i = 0; i < t->capacity; i++)
			empty(t, i);
	} else {
		slots_free(old.ptrs, old.capacity);
	}
	t->count = 0;
}
