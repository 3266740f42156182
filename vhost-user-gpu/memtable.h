/* SPDX-License-Identifier: MIT */
/*
 * The memory table: guest RAM as the front-end shares it (SET_MEM_TABLE),
 * up to MEMTABLE_MAX regions, each a mapping of a file descriptor.
 *
 * Every region is known by three addresses: its guest physical address
 * (descriptor buffers use those), the front-end's virtual address
 * (SET_VRING_ADDR uses those) and the host pointer where it is mapped here.
 *
 * Mappings of file descriptors are guarded (guard.h): a region whose file
 * shrank under us is marked lost when a page past the file's end is
 * touched, and from then on is left out of every translation below, as
 * if it were not guest memory.
 *
 * Regions are reference-counted: the table holds one reference, and a
 * translation made with memtable_map_gpa() holds another until
 * mem_region_unref(). A new table replaces an old one while the library
 * still holds mappings into it; the old regions stay mapped until the
 * last of those is given back.
 */
#ifndef VUGPU_MEMTABLE_H
#define VUGPU_MEMTABLE_H

#include <stdint.h>

/* The most regions SET_MEM_TABLE carries (vhost-user's baseline). */
#define MEMTABLE_MAX 8

struct memtable;
struct mem_region;

/* One region as the front-end describes it. */
struct memtable_entry {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

/* A host view of guest bytes, from memtable_map_gpa(). */
struct mem_span {
	uint8_t *ptr;
	uint64_t len; /* contiguous bytes at ptr */
	struct mem_region *region; /* holds a reference */
	int fd; /* the region's fd, or -1; owned by the region */
	uint64_t fd_offset;
};

/* @return 0, -ENOMEM. */
int memtable_new(struct memtable **out);
/* Drops the table's references; regions still referenced stay mapped. NULL: no-op. */
void memtable_destroy(struct memtable *mt);

/*
 * Maps [mmap_offset, mmap_offset + size) of fd shared and read-write, and
 * adds it. Takes ownership of fd (closed on failure too).
 * @return 0; -EINVAL for a zero size, an address range that wraps or
 *         overlaps another region's guest range, a regular file that ends
 *         before mmap_offset + size (logged); -ENOSPC past MEMTABLE_MAX;
 *         -errno from fstat or mmap.
 */
int memtable_add_fd(struct memtable *mt, const struct memtable_entry *e, int fd);

/* Adds memory the caller owns and keeps mapped (tests). Same errors,
 * without mmap's. e->mmap_offset is ignored. */
int memtable_add_host(struct memtable *mt, const struct memtable_entry *e, void *host);

/* Logs, once per region, the regions that lost RAM. */
void memtable_log_lost(struct memtable *mt);

/* Guest physical address to host: NULL when gpa is in no region (or in one
 * that lost RAM, as in the two below); else the
 * pointer, and *contig receives the bytes from there to min(len, region end). */
uint8_t *memtable_gpa(const struct memtable *mt, uint64_t gpa, uint64_t len, uint64_t *contig);

/* As memtable_gpa(), with a reference on the region for span->region.
 * @return 0, -EFAULT when gpa is in no region or len is 0. */
int memtable_map_gpa(const struct memtable *mt, uint64_t gpa, uint64_t len,
		     struct mem_span *span);
void mem_region_unref(struct mem_region *rg);

/* Front-end virtual address to host, only if all of [uva, uva + len) is in
 * one region; else NULL. */
uint8_t *memtable_uva(const struct memtable *mt, uint64_t uva, uint64_t len);

#endif
