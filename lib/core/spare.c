/* SPDX-License-Identifier: MIT */
/*
 * Spare tables: the mappings of freed large backing tables, kept for the
 * next attach instead of given back to the system.
 *
 * Tables from SPARE_MIN on are mappings of their own (region.c), on huge
 * pages from HUGE_MAP_MIN. A mapping the system gives anew is
 * page-faulted in and zeroed by the kernel as it is first written; so was
 * a large malloc block, which glibc gives back to the system when freed: a table of 262,144 scattered pages (8 MiB)
 * cost 4x per entry what a table of 1,024 does, most of it in faults
 * (issue 14). A guest that detaches and attaches large backings (a resize,
 * a new frame buffer) reuses the memory of the ones it freed.
 *
 * What is kept stays within the host-memory budget: a mapping is kept only
 * if the tables charged, the images and the spares together stay within
 * max_host_memory, and spares are given back as soon as a charge leaves
 * less room than they hold (budget.c). So the library never holds more
 * than the VMM allowed, and spares never make a guest's request fail.
 */
#include <sys/mman.h>

#include "core-impl.h"

/* Stored in the spare's own first bytes. */
struct spare {
	struct spare *next;
	size_t bytes; /* what the mapping was made for (map()) */
};

#define SMALL_PAGE 4096u

/* The bytes a mapping of len holds: whole huge pages from HUGE_MAP_MIN on
 * (hugemap.c), else whole pages. */
static size_t mapped_size(size_t len)
{
	size_t unit = len >= HUGE_MAP_MIN ? HUGE_MAP_MIN : SMALL_PAGE;

	return (len + unit - 1) & ~(size_t)(unit - 1);
}

/* A mapping of its own for len (>= SPARE_MIN) bytes, zeroed. Below
 * HUGE_MAP_MIN, small pages: a huge one would hold 4 to 16 times the table. */
static void *map(size_t len)
{
	void *p;

	if (len >= HUGE_MAP_MIN)
		return huge_map(len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void unmap(void *p, size_t len)
{
	if (len >= HUGE_MAP_MIN)
		huge_unmap(p, len);
	else
		munmap(p, len);
}

bool spare_holds(size_t have, size_t bytes)
{
	size_t room = mapped_size(have);

	/* Large enough, and not so large that the table wastes it: less than
	 * a huge page, or a quarter of a small table. */
	return bytes >= SPARE_MIN && room >= bytes &&
	       room - bytes < (bytes >= HUGE_MAP_MIN ? HUGE_MAP_MIN : bytes / 4 + SMALL_PAGE);
}

void *spare_take(struct core *c, size_t bytes, size_t *got)
{
	struct spare **p = &c->spares;

	for (; *p; p = &(*p)->next) {
		struct spare *s = *p;

		if (spare_holds(s->bytes, bytes)) {
			*p = s->next;
			c->spare_bytes -= mapped_size(s->bytes);
			*got = s->bytes;
			return s;
		}
	}
	*got = bytes;
	return map(bytes);
}

void spare_give(struct core *c, void *p, size_t bytes)
{
	size_t have = mapped_size(bytes);
	struct spare *s = p;

	if (!p)
		return;
	if (have > budget_room(c) || c->spare_bytes > budget_room(c) - have) {
		unmap(p, bytes);
		return;
	}
	*s = (struct spare){ .next = c->spares, .bytes = bytes };
	c->spares = s;
	c->spare_bytes += have;
}

void spare_trim(struct core *c, uint64_t room)
{
	while (c->spares && c->spare_bytes > room) {
		struct spare *s = c->spares;

		c->spares = s->next;
		c->spare_bytes -= mapped_size(s->bytes);
		unmap(s, s->bytes);
	}
}
