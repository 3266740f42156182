/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "guard.h"
#include "log.h"
#include "memtable.h"

struct mem_region {
	uint64_t gpa, size, uva;
	uint8_t *host; /* first byte of the region */
	struct guard_range map; /* what munmap() gets; start NULL for host memory */
	int fd;
	uint64_t fd_offset; /* of the region's first byte */
	uint32_t refs;
	bool loss_logged;
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
	if (rg->map.start) {
		guard_remove(&rg->map);
		munmap(rg->map.start, rg->map.len);
	}
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

/*
 * The file must hold the whole region: a page of the mapping past its end
 * would raise SIGBUS when touched (issue 9, fault 2). Only regular files
 * (memfd, tmpfs, hugetlbfs, files) have a size to check; others (a DAX
 * device) rely on the guard alone. Also finds the granule the mapping can
 * be split on: a huge page on hugetlbfs.
 */
static int check_file(const struct memtable_entry *e, int fd, size_t *granule)
{
	struct stat st;
	struct statfs sfs;

	*granule = (size_t)sysconf(_SC_PAGESIZE);
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && e->mmap_offset + e->size > (uint64_t)st.st_size) {
		log_error("guest memory: region at gpa 0x%llx (0x%llx bytes at offset 0x%llx) lies "
			  "past the end of its file (%lld bytes)",
			  (unsigned long long)e->gpa, (unsigned long long)e->size,
			  (unsigned long long)e->mmap_offset, (long long)st.st_size);
		return -EINVAL;
	}
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC && st.st_blksize > 0 &&
	    ((size_t)st.st_blksize & ((size_t)st.st_blksize - 1)) == 0)
		*granule = (size_t)st.st_blksize;
	return 0;
}

/* mmap needs an offset aligned to the granule: map from the granule holding
 * the first byte and point past the slack. The mapping is guarded (guard.h). */
static int map_fd(struct mem_region *rg, const struct memtable_entry *e, int fd)
{
	size_t granule;
	uint64_t slack, len;
	void *p;
	int err = check_file(e, fd, &granule);

	if (err)
		return err;
	slack = e->mmap_offset % granule;
	len = e->size + slack;
	if (len < e->size || len > SIZE_MAX || e->mmap_offset - slack > (uint64_t)INT64_MAX)
		return -EINVAL;
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)(e->mmap_offset - slack));
	if (p == MAP_FAILED)
		return -errno;
	rg->map = (struct guard_range){ .start = p, .len = (size_t)len, .granule = granule };
	guard_add(&rg->map);
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

/* A region that lost RAM (guard.h) holds zeros where the guest's bytes
 * were: it is guest memory no more. */
static bool usable(const struct mem_region *rg)
{
	return !rg->map.lost;
}

static struct mem_region *find_gpa(const struct memtable *mt, uint64_t gpa)
{
	for (uint32_t i = 0; i < mt->n; i++) {
		struct mem_region *rg = mt->rg[i];

		if (gpa >= rg->gpa && gpa - rg->gpa < rg->size)
			return usable(rg) ? rg : NULL;
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
			return usable(rg) ? rg->host + (uva - rg->uva) : NULL;
	}
	return NULL;
}

void memtable_log_lost(struct memtable *mt)
{
	for (uint32_t i = 0; i < mt->n; i++) {
		struct mem_region *rg = mt->rg[i];

		if (usable(rg) || rg->loss_logged)
			continue;
		rg->loss_logged = true;
		log_error("guest memory lost: the file of region gpa 0x%llx (0x%llx bytes) shrank "
			  "under us; it is not guest memory any more until the next SET_MEM_TABLE",
			  (unsigned long long)rg->gpa, (unsigned long long)rg->size);
	}
}
