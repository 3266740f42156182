/* SPDX-License-Identifier: MIT */
/*
 * reader.c: the bounded reader, the iovec copier and scatterer, and the
 * writer of responses.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "wire/wire.h"

#define SENTINEL 0xa5

/* Bytes that differ from their neighbours and have the top bit set in
 * half of them, so a sign extension or a byte swap shows. */
static void pattern(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x81 + i * 0x35);
}

static uint64_t le_value(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* ---- struct reader ------------------------------------------------------ */

enum read_op { OP_U8, OP_U32, OP_U64, OP_BYTES, OP_SKIP };

/* Runs one read of n bytes; out receives what it produced, little-endian
 * values as their bytes in host order so they compare with memcmp. */
static bool do_read(struct reader *r, enum read_op op, size_t n, uint8_t *out)
{
	uint8_t v8 = SENTINEL;
	uint32_t v32 = 0xa5a5a5a5u;
	uint64_t v64 = 0xa5a5a5a5a5a5a5a5ull;
	bool ok = false;

	switch (op) {
	case OP_U8:
		ok = reader_u8(r, &v8);
		memcpy(out, &v8, 1);
		break;
	case OP_U32:
		ok = reader_u32(r, &v32);
		memcpy(out, &v32, 4);
		break;
	case OP_U64:
		ok = reader_u64(r, &v64);
		memcpy(out, &v64, 8);
		break;
	case OP_BYTES:
		ok = reader_bytes(r, out, n);
		break;
	case OP_SKIP:
		ok = reader_skip(r, n);
		break;
	}
	return ok;
}

/* For one kind of read of n bytes: every start position and every number
 * of bytes left from 0 to n + 2. With fewer than n left the read fails,
 * leaves the output and the position alone, and a read that fits still
 * sees the bytes at the old position; otherwise it consumes exactly n. */
static void check_read_boundaries(enum read_op op, size_t n)
{
	uint8_t buf[64];
	static const size_t starts[] = { 0, 1, 3, 7, 16 };

	pattern(buf, sizeof(buf));
	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		for (size_t left = 0; left <= n + 2; left++) {
			size_t start = starts[s];
			struct reader r;
			uint8_t out[32];
			uint8_t untouched[32];
			bool ok;

			assert_true(start + left <= sizeof(buf));
			reader_init(&r, buf, start + left);
			assert_true(reader_skip(&r, start));
			assert_int_equal(reader_left(&r), left);
			memset(out, SENTINEL, sizeof(out));
			memset(untouched, SENTINEL, sizeof(untouched));
			ok = do_read(&r, op, n, out);
			if (left < n) {
				assert_false(ok);
				assert_int_equal(r.pos, start);
				assert_int_equal(r.len, start + left);
				assert_int_equal(reader_left(&r), left);
				assert_memory_equal(out, untouched, sizeof(out));
				/* Still in step: what is left reads from the old position. */
				if (left > 0) {
					assert_true(reader_bytes(&r, out, left));
					assert_memory_equal(out, buf + start, left);
				}
				continue;
			}
			assert_true(ok);
			assert_int_equal(r.pos, start + n);
			assert_int_equal(reader_left(&r), left - n);
			if (op == OP_SKIP)
				assert_memory_equal(out, untouched, sizeof(out));
			else if (n > 0)
				assert_memory_equal(out, buf + start, n);
			if (op == OP_BYTES)
				assert_memory_equal(out + n, untouched, sizeof(out) - n);
		}
	}
}

static void test_reader_u8_boundaries(void **state)
{
	(void)state;
	check_read_boundaries(OP_U8, 1);
}

static void test_reader_u32_boundaries(void **state)
{
	(void)state;
	check_read_boundaries(OP_U32, 4);
}

static void test_reader_u64_boundaries(void **state)
{
	(void)state;
	check_read_boundaries(OP_U64, 8);
}

static void test_reader_bytes_boundaries(void **state)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 24 };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_read_boundaries(OP_BYTES, lens[i]);
}

static void test_reader_skip_boundaries(void **state)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 24 };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_read_boundaries(OP_SKIP, lens[i]);
}

/* A u64 whose high half is missing must not consume its low half: a
 * decoder that fails half way would otherwise resume out of step. */
static void test_reader_u64_short_consumes_nothing(void **state)
{
	uint8_t buf[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct reader r;
	uint64_t v = 42;
	uint32_t w;

	(void)state;
	reader_init(&r, buf, sizeof(buf));
	assert_false(reader_u64(&r, &v));
	assert_int_equal(v, 42);
	assert_int_equal(reader_left(&r), 7);
	assert_true(reader_u32(&r, &w));
	assert_int_equal(w, 0x04030201u);
}

static void test_reader_decodes_little_endian(void **state)
{
	static const struct {
		uint8_t bytes[8];
		uint32_t u32;
		uint64_t u64;
	} cases[] = {
		{ { 1, 2, 3, 4, 5, 6, 7, 8 }, 0x04030201u, 0x0807060504030201ull },
		{ { 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8 }, 0xfcfdfeffu,
		  0xf8f9fafbfcfdfeffull },
		{ { 0x80, 0, 0, 0, 0, 0, 0, 0 }, 0x80u, 0x80ull },
		{ { 0, 0, 0, 0x80, 0, 0, 0, 0 }, 0x80000000u, 0x80000000ull },
		{ { 0, 0, 0, 0, 0x80, 0, 0, 0 }, 0, 0x8000000000ull },
		{ { 0, 0, 0, 0, 0, 0, 0, 0x80 }, 0, 0x8000000000000000ull },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, UINT32_MAX, UINT64_MAX },
		{ { 0, 0, 0, 0, 0, 0, 0, 0 }, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reader r;
		uint8_t v8;
		uint32_t v32;
		uint64_t v64;

		reader_init(&r, cases[i].bytes, 8);
		assert_true(reader_u32(&r, &v32));
		assert_int_equal(v32, cases[i].u32);
		reader_init(&r, cases[i].bytes, 8);
		assert_true(reader_u64(&r, &v64));
		assert_int_equal(v64, cases[i].u64);
		assert_int_equal(reader_left(&r), 0);
		for (size_t b = 0; b < 8; b++) {
			reader_init(&r, cases[i].bytes + b, 1);
			assert_true(reader_u8(&r, &v8));
			assert_int_equal(v8, cases[i].bytes[b]);
		}
	}
}

/* Mixed reads walk through the buffer in order. */
static void test_reader_sequence(void **state)
{
	uint8_t buf[1 + 4 + 8 + 3 + 2 + 4];
	struct reader r;
	uint8_t v8, b3[3];
	uint32_t v32;
	uint64_t v64;

	(void)state;
	pattern(buf, sizeof(buf));
	reader_init(&r, buf, sizeof(buf));
	assert_true(reader_u8(&r, &v8));
	assert_int_equal(v8, buf[0]);
	assert_true(reader_u32(&r, &v32));
	assert_int_equal(v32, le_value(buf + 1, 4));
	assert_true(reader_u64(&r, &v64));
	assert_int_equal(v64, le_value(buf + 5, 8));
	assert_true(reader_bytes(&r, b3, 3));
	assert_memory_equal(b3, buf + 13, 3);
	assert_true(reader_skip(&r, 2));
	assert_int_equal(reader_left(&r), 4);
	assert_true(reader_u32(&r, &v32));
	assert_int_equal(v32, le_value(buf + 18, 4));
	assert_int_equal(reader_left(&r), 0);
	assert_false(reader_u8(&r, &v8));
	assert_true(reader_skip(&r, 0));
	assert_true(reader_bytes(&r, b3, 0));
}

/* A skip as large as the address space is a short skip, not a wrap. */
static void test_reader_skip_huge(void **state)
{
	uint8_t buf[10] = { 0 };
	struct reader r;

	(void)state;
	reader_init(&r, buf, sizeof(buf));
	assert_true(reader_skip(&r, 3));
	assert_false(reader_skip(&r, SIZE_MAX));
	assert_false(reader_skip(&r, SIZE_MAX - 2));
	assert_false(reader_skip(&r, 8));
	assert_int_equal(r.pos, 3);
	assert_true(reader_skip(&r, 7));
	assert_int_equal(reader_left(&r), 0);
	assert_false(reader_skip(&r, 1));
	assert_int_equal(r.pos, 10);
}

/* ---- struct iov_reader ---------------------------------------------------- */

/* Cuts ref into elements of the given lengths; a length of -1 stands for
 * a zero-length element with a NULL base, 0 for one with a real base. */
static size_t make_iov(struct iovec *iov, uint8_t *ref, const int *lens, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		if (lens[i] < 0) {
			iov[i] = (struct iovec){ NULL, 0 };
			continue;
		}
		iov[i] = (struct iovec){ ref + off, (size_t)lens[i] };
		off += (size_t)lens[i];
	}
	return off;
}

static void assert_iov_reader_equal(const struct iov_reader *a, const struct iov_reader *b)
{
	assert_ptr_equal(a->iov, b->iov);
	assert_int_equal(a->cnt, b->cnt);
	assert_int_equal(a->idx, b->idx);
	assert_int_equal(a->off, b->off);
	assert_int_equal(a->left, b->left);
}

/* Reads everything in copies of k bytes, then one copy too many. */
static void read_all_in_steps(const struct iovec *iov, size_t cnt, const uint8_t *ref,
			      size_t total, size_t k)
{
	struct iov_reader ir, before;
	uint8_t out[64], untouched[64];
	size_t done = 0;

	assert_true(total + k <= sizeof(out));
	iov_reader_init(&ir, iov, cnt);
	assert_int_equal(ir.left, total);
	while (ir.left >= k && k > 0) {
		memset(out, SENTINEL, sizeof(out));
		assert_true(iov_reader_copy(&ir, out, k));
		assert_memory_equal(out, ref + done, k);
		assert_int_equal(out[k], SENTINEL);
		done += k;
		assert_int_equal(ir.left, total - done);
	}
	if (k > 0) {
		/* More than is left: fails and changes nothing. */
		before = ir;
		memset(out, SENTINEL, sizeof(out));
		memset(untouched, SENTINEL, sizeof(untouched));
		assert_false(iov_reader_copy(&ir, out, ir.left + 1));
		assert_false(iov_reader_copy(&ir, out, SIZE_MAX));
		assert_iov_reader_equal(&ir, &before);
		assert_memory_equal(out, untouched, sizeof(out));
	}
	/* The rest, exactly. */
	assert_true(iov_reader_copy(&ir, out, ir.left));
	assert_memory_equal(out, ref + done, total - done);
	assert_int_equal(ir.left, 0);
	assert_true(iov_reader_copy(&ir, out, 0));
	assert_false(iov_reader_copy(&ir, out, 1));
	assert_int_equal(ir.left, 0);
}

/* Takes everything in steps of k bytes, in lockstep with a reader that
 * copies: the same bytes and the same cursor after every step; in place
 * exactly when the element at the cursor holds the k bytes (else in the
 * scratch); then one take too many, which takes nothing. */
static void take_all_in_steps(const struct iovec *iov, size_t cnt, const uint8_t *ref,
			      size_t total, size_t k)
{
	struct iov_reader ir, copier, before;
	uint8_t scratch[64], out[64];
	size_t done = 0;

	assert_true(total + k < sizeof(scratch));
	iov_reader_init(&ir, iov, cnt);
	iov_reader_init(&copier, iov, cnt);
	while (ir.left >= k) {
		const struct iovec *v = k ? &iov[ir.idx] : NULL;
		bool in_place = v && v->iov_len - ir.off >= k;
		const uint8_t *want = in_place ? (const uint8_t *)v->iov_base + ir.off : scratch;
		const uint8_t *got;

		memset(scratch, SENTINEL, sizeof(scratch));
		got = iov_reader_take(&ir, scratch, k);
		assert_ptr_equal(got, want);
		assert_memory_equal(got, ref + done, k);
		assert_int_equal(scratch[in_place ? 0 : k], SENTINEL);
		assert_true(iov_reader_copy(&copier, out, k));
		assert_iov_reader_equal(&ir, &copier);
		done += k;
		if (k == 0)
			break;
	}
	before = ir;
	assert_null(iov_reader_take(&ir, scratch, ir.left + 1));
	assert_null(iov_reader_take(&ir, scratch, SIZE_MAX));
	assert_iov_reader_equal(&ir, &before);
}

static void test_iov_reader_many_elements(void **state)
{
	static const int lens[] = { -1, 3, 0, 1, 7, -1, -1, 2, 5, 0, 1, -1, 4, 0, -1 };
	struct iovec iov[sizeof(lens) / sizeof(lens[0])];
	uint8_t ref[64];
	size_t total;

	(void)state;
	pattern(ref, sizeof(ref));
	total = make_iov(iov, ref, lens, sizeof(lens) / sizeof(lens[0]));
	assert_int_equal(total, 23);
	for (size_t k = 0; k <= total + 1; k++) {
		read_all_in_steps(iov, sizeof(lens) / sizeof(lens[0]), ref, total, k);
		take_all_in_steps(iov, sizeof(lens) / sizeof(lens[0]), ref, total, k);
	}
}

/* Every way of cutting 12 bytes into elements, with a zero-length element
 * (NULL base) before, between and after them, read in copies of 1..12. */
static void test_iov_reader_every_split(void **state)
{
	enum { TOTAL = 12 };
	uint8_t ref[TOTAL];

	(void)state;
	pattern(ref, sizeof(ref));
	for (uint32_t cuts = 0; cuts < 1u << (TOTAL - 1); cuts++) {
		struct iovec iov[2 * TOTAL + 1];
		size_t cnt = 0, start = 0;

		iov[cnt++] = (struct iovec){ NULL, 0 };
		for (size_t i = 1; i <= TOTAL; i++) {
			if (i == TOTAL || cuts & (1u << (i - 1))) {
				iov[cnt++] = (struct iovec){ ref + start, i - start };
				iov[cnt++] = (struct iovec){ NULL, 0 };
				start = i;
			}
		}
		for (size_t k = 1; k <= TOTAL; k++) {
			read_all_in_steps(iov, cnt, ref, TOTAL, k);
			take_all_in_steps(iov, cnt, ref, TOTAL, k);
		}
	}
}

static void test_iov_reader_empty(void **state)
{
	struct iovec zero[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	struct iov_reader ir;
	uint8_t out[4] = { SENTINEL, SENTINEL, SENTINEL, SENTINEL };

	(void)state;
	iov_reader_init(&ir, NULL, 0);
	assert_int_equal(ir.left, 0);
	assert_true(iov_reader_copy(&ir, out, 0));
	assert_false(iov_reader_copy(&ir, out, 1));
	iov_reader_init(&ir, zero, 3);
	assert_int_equal(ir.left, 0);
	assert_true(iov_reader_copy(&ir, out, 0));
	assert_false(iov_reader_copy(&ir, out, 1));
	assert_ptr_equal(iov_reader_take(&ir, out, 0), out);
	assert_null(iov_reader_take(&ir, out, 1));
	iov_reader_init(&ir, NULL, 0);
	assert_ptr_equal(iov_reader_take(&ir, out, 0), out);
	assert_null(iov_reader_take(&ir, out, 1));
	assert_int_equal(out[0], SENTINEL);
}

/* Element lengths that add up past SIZE_MAX saturate instead of wrapping
 * to a small total (the bases are never dereferenced here). */
static void test_iov_reader_total_saturates(void **state)
{
	uint8_t byte;
	struct iovec iov[3] = {
		{ &byte, SIZE_MAX / 2 + 1 },
		{ &byte, SIZE_MAX / 2 + 1 },
		{ &byte, 5 },
	};
	struct iov_reader ir;

	(void)state;
	iov_reader_init(&ir, iov, 3);
	assert_int_equal(ir.left, SIZE_MAX);
	iov_reader_init(&ir, iov, 1);
	assert_int_equal(ir.left, SIZE_MAX / 2 + 1);
}

/* ---- iov_scatter ------------------------------------------------------------ */

static void test_iov_scatter_fills_elements(void **state)
{
	uint8_t a[3], b[5], c[1], d[2], src[16];
	struct iovec iov[] = {
		{ a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) }, { c, 0 }, { d, sizeof(d) },
	};
	static const size_t lens[] = { 0, 1, 3, 4, 8, 9, 10, 11, 16 };

	(void)state;
	pattern(src, sizeof(src));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i], fit = len < 10 ? len : 10;
		uint8_t flat[10];

		memset(a, SENTINEL, sizeof(a));
		memset(b, SENTINEL, sizeof(b));
		memset(c, SENTINEL, sizeof(c));
		memset(d, SENTINEL, sizeof(d));
		assert_int_equal(iov_scatter(iov, 5, src, len), fit);
		memcpy(flat, a, 3);
		memcpy(flat + 3, b, 5);
		memcpy(flat + 8, d, 2);
		assert_memory_equal(flat, src, fit);
		for (size_t j = fit; j < sizeof(flat); j++)
			assert_int_equal(flat[j], SENTINEL);
		assert_int_equal(c[0], SENTINEL);
	}
	assert_int_equal(iov_scatter(NULL, 0, src, sizeof(src)), 0);
	assert_int_equal(iov_scatter(iov, 2, src, sizeof(src)), 3);
}

/* ---- struct writer ------------------------------------------------------------ */

static void test_writer_encodes_little_endian(void **state)
{
	static const uint8_t expect[] = {
		0xa7,			       /* u8 */
		0x01, 0x02, 0x03, 0x84,	       /* u32 0x84030201 */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* u64 */
		'x',  'y',  'z',	       /* bytes */
		0,    0,    0,	  0,	0,     /* zero */
		0xff, 0xff, 0xff, 0xff,	       /* u32 max */
	};
	uint8_t buf[sizeof(expect) + 8];
	struct writer w;

	(void)state;
	memset(buf, SENTINEL, sizeof(buf));
	writer_init(&w, buf, sizeof(expect));
	writer_u8(&w, 0xa7);
	assert_int_equal(w.pos, 1);
	writer_u32(&w, 0x84030201u);
	assert_int_equal(w.pos, 5);
	writer_u64(&w, 0x8877665544332211ull);
	assert_int_equal(w.pos, 13);
	writer_bytes(&w, "xyz", 3);
	writer_zero(&w, 5);
	writer_u32(&w, UINT32_MAX);
	assert_int_equal(w.pos, sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
	for (size_t i = sizeof(expect); i < sizeof(buf); i++)
		assert_int_equal(buf[i], SENTINEL);
	/* Nothing more is nothing past the end. */
	writer_bytes(&w, "", 0);
	writer_zero(&w, 0);
	assert_int_equal(w.pos, w.cap);
}

enum write_op { W_U8, W_U32, W_U64, W_BYTES, W_ZERO };

struct write_case {
	enum write_op op;
	size_t n;   /* bytes the write needs */
	size_t cap; /* writer capacity */
	size_t pre; /* bytes written first */
};

static void run_write(struct writer *w, enum write_op op, size_t n)
{
	static const uint8_t src[32];

	switch (op) {
	case W_U8:
		writer_u8(w, 1);
		break;
	case W_U32:
		writer_u32(w, 1);
		break;
	case W_U64:
		writer_u64(w, 1);
		break;
	case W_BYTES:
		writer_bytes(w, src, n);
		break;
	case W_ZERO:
		writer_zero(w, n);
		break;
	}
}

/* Runs the write in a child: abort() cannot be caught in-process. Exit
 * status 0 means the write returned. */
static int write_in_child(const struct write_case *c)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		uint8_t buf[64];
		struct writer w;

		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGABRT, SIG_DFL);
		writer_init(&w, buf, c->cap);
		writer_zero(&w, c->pre);
		run_write(&w, c->op, c->n);
		_exit(w.pos == c->pre + c->n ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_writer_past_end_aborts(void **state)
{
	static const struct write_case cases[] = {
		{ W_U8, 1, 0, 0 },    { W_U8, 1, 8, 8 },	{ W_U32, 4, 3, 0 },
		{ W_U32, 4, 24, 21 }, { W_U64, 8, 7, 0 },	{ W_U64, 8, 24, 17 },
		{ W_BYTES, 5, 4, 0 }, { W_BYTES, 1, 24, 24 }, { W_BYTES, 32, 40, 9 },
		{ W_ZERO, 1, 0, 0 },  { W_ZERO, 16, 24, 9 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct write_case fits = cases[i];
		int status = write_in_child(&cases[i]);

		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("case %zu: expected SIGABRT, got status 0x%x", i, status);
		/* One byte more room and the same write returns normally. */
		fits.cap++;
		status = write_in_child(&fits);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("case %zu: a write that fits failed, status 0x%x", i, status);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_u8_boundaries),
		cmocka_unit_test(test_reader_u32_boundaries),
		cmocka_unit_test(test_reader_u64_boundaries),
		cmocka_unit_test(test_reader_bytes_boundaries),
		cmocka_unit_test(test_reader_skip_boundaries),
		cmocka_unit_test(test_reader_u64_short_consumes_nothing),
		cmocka_unit_test(test_reader_decodes_little_endian),
		cmocka_unit_test(test_reader_sequence),
		cmocka_unit_test(test_reader_skip_huge),
		cmocka_unit_test(test_iov_reader_many_elements),
		cmocka_unit_test(test_iov_reader_every_split),
		cmocka_unit_test(test_iov_reader_empty),
		cmocka_unit_test(test_iov_reader_total_saturates),
		cmocka_unit_test(test_iov_scatter_fills_elements),
		cmocka_unit_test(test_writer_encodes_little_endian),
		cmocka_unit_test(test_writer_past_end_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
