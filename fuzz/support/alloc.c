/* SPDX-License-Identifier: MIT */
/*
 * The memory one request makes the library hold, counted. The fuzz
 * programs are linked with -Wl,--wrap for malloc, calloc, realloc, free,
 * mmap64 and munmap (fuzz/meson.build): every such call of the code linked
 * into them (the library, the harness) passes here. While the meter runs,
 * heap blocks count their usable size and anonymous mappings their pages,
 * and the peak of what is held beyond where the meter started is kept.
 * Nothing in the library or its API knows.
 *
 * What the fake VMM allocates for itself inside callbacks (the records of
 * its mappings) goes through fuzz_host_alloc()/fuzz_host_free(), which
 * are not counted: only the library's memory is the budget's business.
 * Shared libraries (pixman) allocate unseen; what they hold per object is
 * small and bounded by the object limits.
 *
 * The wrappers cannot take a context, so the meter is the one global of a
 * fuzz program.
 */
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static struct {
	bool on;
	int64_t held; /* bytes, from where the meter started: may go below 0 */
	int64_t peak;
} meter;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);

static void count(int64_t bytes)
{
	if (!meter.on)
		return;
	meter.held += bytes;
	if (meter.held > meter.peak)
		meter.peak = meter.held;
}

static int64_t usable(void *p)
{
	return p ? (int64_t)malloc_usable_size(p) : 0;
}

static int64_t pages(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (int64_t)((len + page - 1) / page * page);
}

void *__wrap_malloc(size_t size)
{
	void *p = __real_malloc(size);

	count(usable(p));
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);

	count(usable(p));
	return p;
}

/* Counted as the change of size: glibc moves a large block with mremap,
 * without holding both; a small one's copy is within the slack. */
void *__wrap_realloc(void *p, size_t size)
{
	int64_t before = usable(p);
	void *q = __real_realloc(p, size);

	if (q || size == 0)
		count(usable(q) - before);
	return q;
}

void __wrap_free(void *p)
{
	count(-usable(p));
	__real_free(p);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = __real_mmap64(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && (flags & MAP_ANONYMOUS))
		count(pages(len));
	return p;
}

/* Only the library's anonymous mappings are unmapped while the meter runs. */
int __wrap_munmap(void *addr, size_t len)
{
	int ret = __real_munmap(addr, len);

	if (ret == 0)
		count(-pages(len));
	return ret;
}

void alloc_meter_start(void)
{
	meter.on = true;
	meter.held = 0;
	meter.peak = 0;
}

uint64_t alloc_meter_stop(void)
{
	meter.on = false;
	return (uint64_t)meter.peak;
}

void *fuzz_host_alloc(size_t size)
{
	void *p = __real_malloc(size);

	FUZZ_CHECK(p, "out of memory");
	return p;
}

void fuzz_host_free(void *p)
{
	__real_free(p);
}
