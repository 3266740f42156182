/* SPDX-License-Identifier: MIT */
/*
 * The host memory and the work of one request are bounded while a backing
 * table is built, not only once it is complete (issue 9, fault 1).
 *
 * The worst case: one RESOURCE_ATTACH_BACKING of 1,024 entries of 64 MiB,
 * every one naming the same 64 MiB of guest RAM, on a host whose
 * translate() returns one 4 KiB page at a time and that has release(), so
 * pieces never join: 16,777,216 pieces of table. Each case runs the request
 * in a forked child, whose peak RSS at the end (getrusage's ru_maxrss) less
 * its RSS before the request is the peak the request cost, and asserts:
 * - with a 1 MiB budget, the peak stays within what the budget has left
 *   plus 1 MiB, and translate() stops once the table would pass it;
 * - with a budget the table fits (1 GiB), the cap on pieces per request
 *   (max_table_pieces, default 262,144) stops translate() at the cap.
 * Both are answered ERR_OUT_OF_MEMORY. It prints the peak, the translate()
 * calls and the wall time.
 *
 * Skipped under valgrind and AddressSanitizer, whose own memory is in the
 * RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0 /* without valgrind's header, no valgrind to run under */
#endif

#include "harness.h"

#define MIB (1ull << 20)
#define ENTRIES 1024u
#define ENTRY_LEN (64u << 20)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* What the child saw. */
struct outcome {
	uint64_t rss_start; /* at the start of the child */
	uint64_t peak_rss;  /* its high-water mark at the end */
	uint32_t resp;
	uint64_t translate_calls;
	int64_t live_maps;
	double seconds;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t current_rss(void)
{
	unsigned long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu %llu", &size, &resident), 2);
	fclose(f);
	return resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* ATTACH_BACKING of resource 1: ENTRIES entries of ENTRY_LEN at RAM_BASE. */
static void build_request(struct req *r)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
	req_u32(r, 1);
	req_u32(r, ENTRIES);
	for (uint32_t i = 0; i < ENTRIES; i++) {
		req_u64(r, RAM_BASE);
		req_u32(r, ENTRY_LEN);
		req_u32(r, 0);
	}
}

static void child(struct harness *h, struct req *r, int fd)
{
	struct outcome out = { 0 };
	struct rusage ru;
	double t0;

	/* Fork copies no page table entries of the parent's file mappings:
	 * the child's RSS starts below the parent's, so measure from here. */
	out.rss_start = current_rss();
	t0 = now();
	out.resp = submit(h, r);
	out.seconds = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	out.peak_rss = (uint64_t)ru.ru_maxrss * 1024;
	out.translate_calls = h->translate_calls;
	out.live_maps = h->live_maps;
	if (write(fd, &out, sizeof(out)) != (ssize_t)sizeof(out))
		_exit(1);
	_exit(0);
}

/* Runs the request in a child of a device set up with this budget. */
static struct outcome measure(uint64_t budget)
{
	struct harness_opts opts = {
		.dialect = VGM_DIALECT_STANDARD,
		.max_host_memory = budget,
		.ram_size = ENTRY_LEN,
		.with_release = true,
		.split_pages = true,
	};
	struct harness *h = harness_new(&opts);
	struct outcome out = { 0 };
	struct req r;
	int fds[2], status = 0;
	pid_t pid;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1);
	build_request(&r);
	h->translate_calls = 0;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(h, &r, fds[1]);
	close(fds[1]);
	assert_int_equal(read(fds[0], &out, sizeof(out)), (ssize_t)sizeof(out));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	req_free(&r);
	harness_free(h);
	return out;
}

static uint64_t peak_cost(const struct outcome *o)
{
	return o->peak_rss > o->rss_start ? o->peak_rss - o->rss_start : 0;
}

static void report(const char *what, const struct outcome *o)
{
	print_message("%s: peak RSS +%llu KiB, %llu translate() calls, %.3f s, answer 0x%04x\n",
		      what, (unsigned long long)(peak_cost(o) >> 10),
		      (unsigned long long)o->translate_calls, o->seconds, o->resp);
}

static void test_request_peak_within_budget(void **state)
{
	const uint64_t budget = MIB, image = 4; /* resource 1 is 1x1 */
	/* A piece costs 24 bytes here: 16 of table, 8 for release()'s cookie. */
	const uint64_t max_calls = (budget - image) / 24 + 1;
	struct outcome o;

	(void)state;
	o = measure(budget);
	report("1,024 x 64 MiB, 1 MiB budget", &o);
	assert_int_equal(o.resp, VGM_GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_int_equal(o.live_maps, 0); /* every mapping given back */
	assert_true(peak_cost(&o) <= budget - image + MIB);
	assert_true(o.translate_calls <= max_calls);
}

static void test_request_peak_piece_cap(void **state)
{
	const uint64_t budget = 1024 * MIB;
	struct outcome o;

	(void)state;
	o = measure(budget);
	report("1,024 x 64 MiB, 1 GiB budget", &o);
	assert_int_equal(o.resp, VGM_GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_int_equal(o.live_maps, 0);
	/* Stopped at the default cap, before a table of 16,777,216 pieces. */
	assert_int_equal(o.translate_calls, VGM_DEFAULT_MAX_TABLE_PIECES);
	assert_true(peak_cost(&o) <= (uint64_t)VGM_DEFAULT_MAX_TABLE_PIECES * 24 + MIB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_peak_within_budget),
		cmocka_unit_test(test_request_peak_piece_cap),
	};

#ifdef UNDER_ASAN
	printf("SKIP: AddressSanitizer's shadow memory and quarantine are in the RSS\n");
	return 77;
#endif
	if (RUNNING_ON_VALGRIND) {
		printf("SKIP: valgrind's own memory is in the RSS\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
