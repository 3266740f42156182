/* SPDX-License-Identifier: MIT */
/*
 * The fake guest RAM of a trace: ranges of zeroed memory, each mapped on its
 * own and ending at a PROT_NONE page, so a read past a range faults even
 * without a sanitizer. Addresses outside every range do not translate.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace-private.h"

void ram_init(struct trace_ram *ram)
{
	*ram = (struct trace_ram){ 0 };
}

void ram_fini(struct trace_ram *ram)
{
	for (size_t i = 0; i < ram->n; i++)
		munmap(ram->r[i].map, ram->r[i].map_len);
	for (size_t i = 0; i < ram->nold; i++)
		munmap(ram->old[i].map, ram->old[i].map_len);
	free(ram->r);
	free(ram->old);
	ram_init(ram);
}

/* The range holding gpa, or NULL: binary search over the sorted ranges. */
static const struct ram_range *find(const struct trace_ram *ram, uint64_t gpa)
{
	size_t lo = 0, hi = ram->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ram_range *r = &ram->r[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static bool overlaps(const struct trace_ram *ram, uint64_t gpa, uint64_t size, size_t *at)
{
	size_t i = 0;

	while (i < ram->n && ram->r[i].gpa < gpa)
		i++;
	*at = i;
	return (i > 0 && ram->r[i - 1].gpa + ram->r[i - 1].size > gpa) ||
	       (i < ram->n && gpa + size > ram->r[i].gpa);
}

/* size bytes that end where a PROT_NONE page starts. */
static int map_range(struct ram_range *r, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t body = (size + page - 1) / page * page;

	if (body < size || body + page < body || body + page > SIZE_MAX)
		return -ENOMEM;
	r->map_len = (size_t)(body + page);
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		      MAP_NORESERVE, -1, 0);
	if (r->map == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(r->map + body, (size_t)page, PROT_NONE) < 0) {
		munmap(r->map, r->map_len);
		return -ENOMEM;
	}
	r->host = r->map + (body - size);
	return 0;
}

/* Room for one more range in an array of n with room for *cap. */
static int room_for_one(struct ram_range **arr, size_t n, size_t *cap)
{
	size_t want = *cap ? *cap * 2 : 8;
	struct ram_range *rs;

	if (n < *cap)
		return 0;
	rs = realloc(*arr, want * sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	*arr = rs;
	*cap = want;
	return 0;
}

int ram_add(struct trace_ram *ram, uint64_t gpa, uint64_t size)
{
	struct ram_range r = { .gpa = gpa, .size = size };
	uint64_t end;
	size_t at;
	int err;

	if (size == 0 || __builtin_add_overflow(gpa, size, &end))
		return -EINVAL;
	if (overlaps(ram, gpa, size, &at))
		return -EEXIST;
	if (room_for_one(&ram->r, ram->n, &ram->cap) < 0)
		return -ENOMEM;
	err = map_range(&r, size);
	if (err < 0)
		return err;
	memmove(&ram->r[at + 1], &ram->r[at], (ram->n - at) * sizeof(*ram->r));
	ram->r[at] = r;
	ram->n++;
	return 0;
}

/* Moves one range's bytes to a new mapping; the old one stays, PROT_NONE. */
static int move_range(struct ram_range *r, struct ram_range *old)
{
	size_t body = r->map_len - (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *to = mmap(NULL, r->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			   -1, 0);

	if (to == MAP_FAILED)
		return -ENOMEM;
	if (mremap(r->map, body, body, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED) {
		munmap(to, r->map_len);
		return -ENOMEM;
	}
	/* The old bytes' place: inaccessible, and reserved so no later
	 * mapping lands there. */
	if (mmap(r->map, body, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		abort(); /* the range moved already: nothing to undo */
	*old = *r;
	r->host = to + (r->host - r->map);
	r->map = to;
	return 0;
}

int ram_move(struct trace_ram *ram)
{
	for (size_t i = 0; i < ram->n; i++) {
		if (room_for_one(&ram->old, ram->nold, &ram->capold) < 0 ||
		    move_range(&ram->r[i], &ram->old[ram->nold]) < 0)
			return -ENOMEM;
		ram->nold++;
	}
	return 0;
}

uint8_t *ram_span(const struct trace_ram *ram, uint64_t gpa, uint64_t len)
{
	const struct ram_range *r = find(ram, gpa);

	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->host + (gpa - r->gpa);
}

int ram_translate(const struct trace_ram *ram, uint64_t gpa, uint64_t len,
		  struct vgm_guest_map *map)
{
	const struct ram_range *r = find(ram, gpa);
	uint64_t left;

	if (!r || len == 0)
		return -EFAULT;
	left = r->size - (gpa - r->gpa);
	map->ptr = r->host + (gpa - r->gpa);
	map->len = len < left ? len : left;
	return 0;
}
