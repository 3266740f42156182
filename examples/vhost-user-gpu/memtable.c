/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtable.h"

struct mem_region {
	uint64_t gpa, size, uva;
	uint8_t *host; /* first byte of the region */
	void *map_base; /* what munmap() gets, NULL for host memory */
	size_t map_len;
	int fd;
	uint64_t fd_offset; /* of the region's first byte */
	uint32_t refs;
};

struct memtable {
	struct mem_region *rg[MEMTABLE_MAX];
	uint32_t n;
};

int memtable_new(struct memtable **out)
{
	struct memtable *mt = calloc(1, sizeof(*mt));

	if (!mt)
		return -ENOMEM;
	*out = mt;
	return 0;
}

void mem_region_unref(struct mem_region *rg)
{
	if (!rg || --rg->refs > 0)
		return;
	if (rg->map_base)
		munmap(rg->map_base, rg->map_len);
	if (rg->fd >= 0)
		close(rg->fd);
	free(rg);
}

void memtable_destroy(struct memtable *mt)
{
	if (!mt)
		return;
	for (uint32_t i = 0; i < mt->n; i++)
		mem_region_unref(mt->rg[i]);
	free(mt);
}

static bool wraps(uint64_t start, uint64_t len)
{
	uint64_t end;

	return __builtin_add_overflow(start, len, &end);
}

/* Checks e against the table before anything is mapped. */
static int check_entry(const struct memtable *mt, const struct memtable_entry *e)
{
	if (mt->n == MEMTABLE_MAX)
		return -ENOSPC;
	if (e->size == 0 || wraps(e->gpa, e->size) || wraps(e->uva, e->size) ||
	    wraps(e->mmap_offset, e->size))
		return -EINVAL;
	for (uint32_t i = 0; i < mt->n; i++) {
		const struct mem_region *o = mt->rg[i];

		if (e->gpa < o->gpa + o->size && o->gpa < e->gpa + e->size)
			return -EINVAL;
	}
	return 0;
}

static int add_region(struct memtable *mt, const struct memtable_entry *e, struct mem_region *rg)
{
	rg->gpa = e->gpa;
	rg->size = e->size;
	rg->uva = e->uva;
	rg->refs = 1;
	mt->rg[mt->n++] = rg;
	return 0;
}

/* mmap needs a page-aligned offset: map from the page holding the first
 * byte and point past the slack. */
static int map_fd(struct mem_region *rg, const struct memtable_entry *e, int fd)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t slack = e->mmap_offset % page;
	uint64_t len = e->size + slack;
	void *p;

	if (len < e->size || len > SIZE_MAX || e->mmap_offset - slack > (uint64_t)INT64_MAX)
		return -EINVAL;
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)(e->mmap_offset - slack));
	if (p == MAP_FAILED)
		return -errno;
	rg->map_base = p;
	rg->map_len = (size_t)len;
	rg->host = (uint8_t *)p + slack;
	rg->fd = fd;
	rg->fd_offset = e->mmap_offset;
	return 0;
}

int memtable_add_fd(struct memtable *mt, const struct memtable_entry *e, int fd)
{
	struct mem_region *rg;
	int err = check_entry(mt, e);

	if (err)
		goto fail;
	err = -ENOMEM;
	rg = calloc(1, sizeof(*rg));
	if (!rg)
		goto fail;
	err = map_fd(rg, e, fd);
	if (err) {
		free(rg);
		goto fail;
	}
	return add_region(mt, e, rg);
fail:
	close(fd);
	return err;
}

int memtable_add_host(struct memtable *mt, const struct memtable_entry *e, void *host)
{
	struct mem_region *rg;
	int err = check_entry(mt, e);

	if (err)
		return err;
	rg = calloc(1, sizeof(*rg));
	if (!rg)
		return -ENOMEM;
	rg->host = host;
	rg->fd = -1;
	return add_region(mt, e, rg);
}

static struct mem_region *find_gpa(const struct memtable *mt, uint64_t gpa)
{
	for (uint32_t i = 0; i < mt->n; i++) {
		struct mem_region *rg = mt->rg[i];

		if (gpa >= rg->gpa && gpa - rg->gpa < rg->size)
			return rg;
	}
	return NULL;
}

uint8_t *memtable_gpa(const struct memtable *mt, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	const struct mem_region *rg = find_gpa(mt, gpa);
	uint64_t off, left;

	if (!rg)
		return NULL;
	off = gpa - rg->gpa;
	left = rg->size - off;
	*contig = len < left ? len : left;
	return rg->host + off;
}

int memtable_map_gpa(const struct memtable *mt, uint64_t gpa, uint64_t len,
		     struct mem_span *span)
{
	struct mem_region *rg = find_gpa(mt, gpa);
	uint64_t off;

	if (!rg || len == 0)
		return -EFAULT;
	off = gpa - rg->gpa;
	span->ptr = rg->host + off;
	span->len = len < rg->size - off ? len : rg->size - off;
	span->region = rg;
	span->fd = rg->fd;
	span->fd_offset = rg->fd_offset + off;
	rg->refs++;
	return 0;
}

uint8_t *memtable_uva(const struct memtable *mt, uint64_t uva, uint64_t len)
{
	for (uint32_t i = 0; i < mt->n; i++) {
		const struct mem_region *rg = mt->rg[i];

		if (uva >= rg->uva && uva - rg->uva < rg->size && len <= rg->size - (uva - rg->uva))
			return rg->host + (uva - rg->uva);
	}
	return NULL;
}
