/* SPDX-License-Identifier: MIT */
/*
 * Large buffers on mappings of their own, aligned to 2 MiB with huge pages
 * advised: a 4K frame is 8,100 small pages otherwise, and a table of a
 * million ids 8,192, each a TLB miss when touched at random (a page walk,
 * two-dimensional in a VM). In util because both the core (id tables,
 * backing tables) and the renderer (images) keep such buffers.
 */
#include <sys/mman.h>

#include "util.h"

#define HUGE_PAGE (2u << 20)

/* Whole 2 MiB pages, so the trims below stay page aligned whatever the
 * system's page size. */
static size_t huge_len(size_t len)
{
	return (len + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
}

void *huge_map(size_t len)
{
	size_t n = huge_len(len), slack;
	uint8_t *map, *p;

	if (n < len || n + HUGE_PAGE < n)
		return NULL; /* no such mapping: len is near SIZE_MAX */
	map = mmap(NULL, n + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	p = (uint8_t *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	slack = (size_t)(p - map);
	if (slack)
		munmap(map, slack);
	munmap(p + n, HUGE_PAGE - slack);
	madvise(p, n, MADV_HUGEPAGE); /* a hint: without it, small pages work */
	return p;
}

void huge_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, huge_len(len));
}
