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
	free(ram->r);
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
	if (ram->n == ram->cap) {
		size_t cap = ram->cap ? ram->cap * 2 : 8;
		struct ram_range *rs = realloc(ram->r, cap * sizeof(*rs));

		if (!rs)
			return -ENOMEM;
		ram->r = rs;
		ram->cap = cap;
	}
	err = map_range(&r, size);
	if (err < 0)
		return err;
	memmove(&ram->r[at + 1], &ram->r[at], (ram->n - at) * sizeof(*ram->r));
	ram->r[at] = r;
	ram->n++;
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
