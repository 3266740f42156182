/* SPDX-License-Identifier: MIT */
/*
 * The memory table over real file descriptors (memfds) and the SIGBUS
 * guard: regions that do not fit their file are refused; a file that
 * shrinks after it was mapped costs zeros, a lost region and a counted
 * fault, not the process; a fault the guard does not own still kills.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"
#include "log.h"
#include "memtable.h"

#define FILE_SIZE 0x40000u
#define GPA 0x100000u
#define UVA 0x7f0000000000ull

struct fixture {
	int fd; /* the test's; the table gets dups */
	struct memtable *mt;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	log_set_level(VGM_LOG_ERROR); /* the refusals below are logged by design */
	f->fd = memfd_create("guest", MFD_CLOEXEC);
	assert_true(f->fd >= 0);
	assert_int_equal(ftruncate(f->fd, FILE_SIZE), 0);
	assert_int_equal(memtable_new(&f->mt), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	memtable_destroy(f->mt);
	close(f->fd);
	free(f);
	return 0;
}

static int add(struct fixture *f, uint64_t size, uint64_t offset)
{
	struct memtable_entry e = { .gpa = GPA, .size = size, .uva = UVA, .mmap_offset = offset };

	return memtable_add_fd(f->mt, &e, dup(f->fd));
}

static void test_memtable_fits_file(void **state)
{
	struct fixture *f = *state;
	uint64_t contig = 0;

	assert_int_equal(add(f, FILE_SIZE / 2, FILE_SIZE / 2), 0);
	assert_non_null(memtable_gpa(f->mt, GPA + FILE_SIZE / 2 - 1, 1, &contig));
	assert_int_equal(contig, 1);
}

static void test_memtable_region_larger_than_file(void **state)
{
	struct fixture *f = *state;
	uint64_t contig;

	assert_int_equal(add(f, FILE_SIZE + 1, 0), -EINVAL);
	assert_null(memtable_gpa(f->mt, GPA, 1, &contig));
}

static void test_memtable_offset_past_file(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(add(f, FILE_SIZE / 2, FILE_SIZE / 2 + 4096), -EINVAL);
	assert_int_equal(add(f, 4096, FILE_SIZE), -EINVAL);
}

/* The file shrinks after set-up: reading the lost page gives zeros,
 * writing it is absorbed, the region is lost, the rest of the process is
 * unharmed. */
static void test_guard_truncated_file(void **state)
{
	struct fixture *f = *state;
	unsigned long faults = guard_faults();
	struct mem_span span;
	volatile uint8_t *p;
	uint64_t contig;

	/* cmocka has a SIGBUS handler of its own while a test runs. */
	assert_int_equal(guard_install(), 0);
	assert_int_equal(add(f, FILE_SIZE, 0), 0);
	p = memtable_gpa(f->mt, GPA, FILE_SIZE, &contig);
	assert_non_null(p);
	p[0] = 1;
	p[FILE_SIZE - 1] = 7;
	assert_int_equal(ftruncate(f->fd, FILE_SIZE / 2), 0);
	assert_int_equal(p[0], 1); /* still in the file */
	assert_int_equal(guard_faults(), faults);
	assert_int_equal(p[FILE_SIZE - 1], 0); /* past its end: a page of zeros */
	assert_int_equal(guard_faults(), faults + 1);
	p[FILE_SIZE - 2] = 5; /* the same page: no fault any more */
	assert_int_equal(guard_faults(), faults + 1);
	/* A lost region is not guest memory for new translations. */
	assert_null(memtable_gpa(f->mt, GPA, 1, &contig));
	assert_null(memtable_uva(f->mt, UVA, 1));
	assert_int_equal(memtable_map_gpa(f->mt, GPA, 1, &span), -EFAULT);
	memtable_log_lost(f->mt);
}

/* hugetlbfs: a mapping splits on huge pages only, so the guard replaces a
 * whole huge page. Skipped without huge pages (vm.nr_hugepages). */
static void test_guard_truncated_hugetlb(void **state)
{
	struct fixture *f = *state;
	unsigned long faults = guard_faults();
	struct memtable_entry e = { .gpa = GPA, .size = 4u << 20, .uva = UVA };
	int fd = memfd_create("guest-huge", MFD_CLOEXEC | MFD_HUGETLB);
	volatile uint8_t *p;
	uint64_t contig;

	assert_int_equal(guard_install(), 0);
	if (fd < 0 || ftruncate(fd, 4 << 20) < 0 || memtable_add_fd(f->mt, &e, dup(fd)) < 0) {
		if (fd >= 0)
			close(fd);
		skip(); /* no hugetlbfs, or no huge pages reserved */
	}
	p = memtable_gpa(f->mt, GPA, e.size, &contig);
	assert_non_null(p);
	p[0] = 1; /* the first huge page; the mapping fails here if none is free */
	assert_int_equal(ftruncate(fd, 2 << 20), 0);
	assert_int_equal(p[(3u << 20) + 5], 0);
	assert_int_equal(guard_faults(), faults + 1);
	assert_int_equal(p[(4u << 20) - 1], 0); /* the same huge page: no new fault */
	assert_int_equal(guard_faults(), faults + 1);
	assert_int_equal(p[0], 1);
	close(fd);
}

/* The guard repairs faults in guest memory only: a SIGBUS anywhere else
 * kills as it would without it. In a child, which must die of SIGBUS. */
static void test_guard_other_fault_kills(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	(void)f;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = memfd_create("not-guest", 0);
		volatile uint8_t *p;

		/* As the backend has it: the default action behind the guard. */
		signal(SIGBUS, SIG_DFL);
		if (guard_install() < 0 || fd < 0 || ftruncate(fd, 4096) < 0)
			_exit(2);
		p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(2);
		(void)p[4096]; /* past the file, not a guarded range */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGBUS);
}

/* A region a translation still holds after its table is gone stays
 * guarded until it is given back. */
static void test_guard_outlives_table(void **state)
{
	struct fixture *f = *state;
	unsigned long faults = guard_faults();
	struct mem_span span;

	assert_int_equal(guard_install(), 0);
	assert_int_equal(add(f, FILE_SIZE, 0), 0);
	assert_int_equal(memtable_map_gpa(f->mt, GPA, FILE_SIZE, &span), 0);
	memtable_destroy(f->mt);
	assert_int_equal(memtable_new(&f->mt), 0);
	assert_int_equal(ftruncate(f->fd, 0), 0);
	assert_int_equal(((volatile uint8_t *)span.ptr)[FILE_SIZE - 1], 0);
	assert_int_equal(guard_faults(), faults + 1);
	mem_region_unref(span.region);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memtable_fits_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memtable_region_larger_than_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_memtable_offset_past_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_truncated_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_truncated_hugetlb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_other_fault_kills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_outlives_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
