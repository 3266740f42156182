/* SPDX-License-Identifier: MIT */
/*
 * The vgm-trace v1 parser (tools/trace-*.c): every directive, the symbolic
 * encoder, and every way a line can be malformed. Each negative test starts
 * from lines that parse and changes one thing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace-private.h" /* struct bytes, for the allocation test */
#include "trace.h"

/* A dump directory, a directory outside it, and a replay showing a 4x4
 * image on scanout 0. */
struct dump_env {
	char dir[64], outside[64];
	struct trace_exec *x;
};

struct fixture {
	struct trace_parser p;
	struct trace_op op;
	struct trace_error err;
	struct dump_env env;
	bool env_live; /* teardown removes it when a test fails */
};


static void dump_env_fini(struct dump_env *e);

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	trace_parser_init(&f->p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->env_live)
		dump_env_fini(&f->env);
	trace_op_fini(&f->op);
	trace_parser_fini(&f->p);
	free(f);
	return 0;
}

static int parse(struct fixture *f, const char *line)
{
	trace_op_fini(&f->op);
	memset(&f->err, 0, sizeof(f->err));
	return trace_parse_line(&f->p, line, strlen(line), &f->op, &f->err);
}

/* The line parses into an operation of that kind. */
static void ok(struct fixture *f, const char *line, enum trace_kind kind)
{
	if (parse(f, line) != 0)
		fail_msg("'%s' failed: %s", line, f->err.msg);
	assert_int_equal(f->op.kind, kind);
}

/* The line is an error whose message contains what. */
static void bad(struct fixture *f, const char *line, const char *what)
{
	unsigned long line_no = f->p.line + 1;

	if (parse(f, line) == 0)
		fail_msg("'%s' parsed, expected an error containing '%s'", line, what);
	if (!strstr(f->err.msg, what))
		fail_msg("'%s': error '%s' does not contain '%s'", line, f->err.msg, what);
	assert_int_equal(f->err.line, line_no);
	assert_int_equal(f->op.kind, TRACE_NONE);
}

static void hex_of(const struct trace_request *req, char *out)
{
	for (size_t i = 0; i < req->len; i++)
		sprintf(out + 2 * i, "%02x", req->data[i]);
	out[2 * req->len] = '\0';
}

/* The request's bytes are hex (spaces in hex are ignored). */
static void assert_req(const struct fixture *f, const char *hex)
{
	char want[4096], got[4096];
	size_t n = 0;

	for (; *hex; hex++) {
		if (*hex != ' ')
			want[n++] = *hex;
	}
	want[n] = '\0';
	assert_true(f->op.u.req.len < sizeof(got) / 2);
	hex_of(&f->op.u.req, got);
	assert_string_equal(got, want);
}

/* A 24-byte header with that type (8 hex digits), no flags, no fence. */
#define HDR(type) type "00000000" "0000000000000000" "00000000" "00000000"

/* ---- lines that parse ------------------------------------------------------------ */

static void test_parse_blank_and_comments(void **state)
{
	struct fixture *f = *state;

	ok(f, "", TRACE_NONE);
	ok(f, "   \t  ", TRACE_NONE);
	ok(f, "# a comment", TRACE_NONE);
	ok(f, "   # indented comment\r\n", TRACE_NONE);
	ok(f, "ctrl 0001 # a comment after bytes 0203", TRACE_CTRL);
	assert_req(f, "0001");
	assert_int_equal(f->op.line, 5);
}

static void test_parse_numbers(void **state)
{
	struct fixture *f = *state;

	ok(f, "ram 4096 0x1000", TRACE_RAM);
	assert_int_equal(f->op.u.ram.gpa, 4096);
	assert_int_equal(f->op.u.ram.size, 4096);
	ok(f, "ram 0XfFfF0000 010", TRACE_RAM);
	assert_int_equal(f->op.u.ram.gpa, 0xffff0000ull);
	assert_int_equal(f->op.u.ram.size, 10);
	ok(f, "ram 0xfffffffffffff000 0xfff", TRACE_RAM);
	assert_true(f->op.u.ram.gpa == 0xfffffffffffff000ull);
}

static void test_parse_bad_numbers(void **state)
{
	struct fixture *f = *state;

	bad(f, "ram 0x 16", "not a number");
	bad(f, "ram -1 16", "not a number");
	bad(f, "ram +1 16", "not a number");
	bad(f, "ram 1k 16", "not a number");
	bad(f, "ram 0x1g 16", "not a number");
	bad(f, "ram 12a 16", "not a number");
	bad(f, "ram 0 18446744073709551616", "not a number");
	bad(f, "ram 0 0x10000000000000000", "not a number");
	bad(f, "fill 0 1 0x100", "not a number");
	bad(f, "ram 1 2 3", "takes 2 arguments");
	bad(f, "ram 1", "takes 2 arguments");
}

static void test_parse_hex_bytes(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl 00 01\t02AbcD", TRACE_CTRL);
	assert_req(f, "000102abcd");
	assert_int_equal(f->op.u.req.ncuts, 0);
	assert_int_equal(f->op.u.req.nresp, 1);
	assert_int_equal(f->op.u.req.resp[0], TRACE_DEFAULT_RESP);
	/* Digits pair up across tokens. */
	ok(f, "ctrl 0 1 2 3", TRACE_CTRL);
	assert_req(f, "0123");
	ok(f, "ctrl", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 0);
	ok(f, "cursor 0003", TRACE_CURSOR);
	assert_int_equal(f->op.u.req.nresp, 0);
}

static void test_parse_bad_hex(void **state)
{
	struct fixture *f = *state;

	bad(f, "ctrl 012", "odd number of hex digits");
	bad(f, "ctrl 0 1 2", "odd number of hex digits");
	bad(f, "ctrl 00 0g", "is not a hex byte string");
	bad(f, "ctrl 0x00", "is not a hex byte string");
	bad(f, "ctrl 00|01", "is not a hex byte string");
	bad(f, "write 0 00 | 01", "no '|'");
	bad(f, "cursor 01 zz", "is not a hex byte string");
	bad(f, "ctrl 00 GET_DISPLAY_INFO", "a name after hex bytes");
}

static void test_parse_descriptor_boundaries(void **state)
{
	struct fixture *f = *state;
	const struct trace_request *req = &f->op.u.req;

	ok(f, "ctrl 0001 | 02 | 030405", TRACE_CTRL);
	assert_req(f, "0001 02 030405");
	assert_int_equal(req->ncuts, 2);
	assert_int_equal(req->cuts[0], 2);
	assert_int_equal(req->cuts[1], 3);
}

static void test_parse_bad_descriptor_boundaries(void **state)
{
	struct fixture *f = *state;

	bad(f, "ctrl | 00", "at the start");
	bad(f, "ctrl 00 |", "at the end");
	bad(f, "ctrl 00 | | 01", "empty descriptor");
	bad(f, "ctrl 0 | 0", "splits a byte");
	bad(f, "ctrl |", "at the start");
	bad(f, "ctrl GET_DISPLAY_INFO |", "not inside the 24 bytes");
}

static void test_parse_resp(void **state)
{
	struct fixture *f = *state;
	const struct trace_request *req = &f->op.u.req;

	ok(f, "ctrl resp=10 00", TRACE_CTRL);
	assert_int_equal(req->nresp, 1);
	assert_int_equal(req->resp[0], 10);
	ok(f, "ctrl resp=0 00", TRACE_CTRL);
	assert_int_equal(req->resp[0], 0);
	ok(f, "ctrl resp=24,0x10,1 GET_DISPLAY_INFO", TRACE_CTRL);
	assert_int_equal(req->nresp, 3);
	assert_int_equal(req->resp[1], 16);
	bad(f, "ctrl resp= 00", "needs a size");
	bad(f, "ctrl resp=x 00", "resp=x");
	bad(f, "ctrl resp=1, 00", "resp=1,");
	bad(f, "ctrl resp=16777217 00", "resp=");
	bad(f, "ctrl resp=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1 00", "resp=");
	/* Allocated for each line: 16 MiB in all, not each. */
	ok(f, "ctrl resp=8388608,8388608 00", TRACE_CTRL);
	bad(f, "ctrl resp=16777216,1 00", "more than 16777216 bytes in all");
	bad(f, "ctrl resp=16777216,16777216,16777216,16777216,16777216 00", "in all");
	bad(f, "cursor resp=10 00", "no responses");
	/* resp= is only recognised first. */
	bad(f, "ctrl 00 resp=10", "is not a hex byte string");
}

/* hostdep: after ctrl and resp=, marks the response host-dependent. */
static void test_parse_hostdep(void **state)
{
	struct fixture *f = *state;
	const struct trace_request *req = &f->op.u.req;

	ok(f, "ctrl GET_CAPSET capset_id=2", TRACE_CTRL);
	assert_false(req->host_dependent);
	ok(f, "ctrl hostdep GET_CAPSET capset_id=2", TRACE_CTRL);
	assert_true(req->host_dependent);
	assert_int_equal(req->len, 32);
	ok(f, "ctrl resp=64 hostdep 0003000000000000", TRACE_CTRL);
	assert_true(req->host_dependent);
	assert_int_equal(req->resp[0], 64);
	assert_req(f, "0003000000000000");
	/* Only before the request, and only on ctrl. */
	bad(f, "ctrl hostdep resp=64 00", "resp=64");
	bad(f, "ctrl GET_CAPSET hostdep", "hostdep");
	bad(f, "cursor hostdep 00", "hostdep");
}

static void test_parse_unknown_keyword(void **state)
{
	struct fixture *f = *state;

	bad(f, "ctrls 00", "unknown keyword 'ctrls'");
	bad(f, "CTRL 00", "unknown keyword");
	bad(f, "resp=10", "unknown keyword");
}

static void test_parse_nul_byte(void **state)
{
	struct fixture *f = *state;
	static const char line[] = "ctrl 00\0 01";

	assert_int_equal(trace_parse_line(&f->p, line, sizeof(line) - 1, &f->op, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "NUL"));
}

/* ---- ram, write, fill ---------------------------------------------------------- */

static void test_parse_ram_overlap(void **state)
{
	struct fixture *f = *state;

	ok(f, "ram 0x10000 0x10000", TRACE_RAM);
	ok(f, "ram 0x20000 0x1000", TRACE_RAM); /* adjacent: fine */
	ok(f, "ram 0x8000 0x8000", TRACE_RAM);	/* adjacent below */
	bad(f, "ram 0x10000 0x10000", "overlaps");
	bad(f, "ram 0x1ffff 2", "overlaps");
	bad(f, "ram 0x7fff 2", "overlaps");
	bad(f, "ram 0x0 0x100000", "overlaps");
	bad(f, "ram 0x18000 1", "overlaps");
	bad(f, "ram 0 0", "size must be 1 or more");
	bad(f, "ram 0xffffffffffffffff 1", "below 2^64");
}

static void test_parse_ram_limits(void **state)
{
	struct fixture *f = *state;

	f->p.max_ram = 0x2000;
	f->p.max_ranges = 2;
	ok(f, "ram 0 0x1000", TRACE_RAM);
	bad(f, "ram 0x1000 0x1001", "bytes in all");
	ok(f, "ram 0x1000 0x1000", TRACE_RAM);
	bad(f, "ram 0x4000 1", "ranges");
}

static void test_parse_write_fill(void **state)
{
	struct fixture *f = *state;

	ok(f, "ram 0x1000 0x1000", TRACE_RAM);
	ok(f, "ram 0x2000 0x1000", TRACE_RAM);
	ok(f, "write 0x1ffe 0a 0b", TRACE_WRITE);
	assert_int_equal(f->op.u.write.gpa, 0x1ffe);
	assert_int_equal(f->op.u.write.len, 2);
	assert_int_equal(f->op.u.write.data[1], 0x0b);
	ok(f, "fill 0x2000 0x1000 255", TRACE_FILL);
	assert_int_equal(f->op.u.fill.byte, 255);
	assert_int_equal(f->op.u.fill.len, 0x1000);
}

static void test_parse_write_outside_ram(void **state)
{
	struct fixture *f = *state;

	ok(f, "ram 0x1000 0x1000", TRACE_RAM);
	ok(f, "ram 0x2000 0x1000", TRACE_RAM);
	bad(f, "write 0x0 00", "not inside one ram range");
	bad(f, "write 0x3000 00", "not inside one ram range");
	bad(f, "write 0xfff 0001", "not inside one ram range");
	/* Adjacent ranges are still two ranges. */
	bad(f, "write 0x1fff 0001", "not inside one ram range");
	bad(f, "fill 0x2fff 2 0", "not inside one ram range");
	bad(f, "fill 0x1000 0x2000 0", "not inside one ram range");
	bad(f, "fill 0x1000 0xffffffffffffffff 0", "not inside one ram range");
	bad(f, "fill 0x1000 0 0", "len must be 1 or more");
	bad(f, "write 0x1000", "takes a gpa and hex bytes");
	bad(f, "write 0x1000 0", "odd number");
	bad(f, "fill 0x1000 1", "takes 3 arguments");
}

/* ---- device ---------------------------------------------------------------------- */

static void test_parse_device_defaults(void **state)
{
	struct fixture *f = *state;
	const struct trace_device *d = &f->op.u.device;

	ok(f, "device", TRACE_DEVICE);
	assert_int_equal(d->dialect, VGM_DIALECT_STANDARD);
	assert_false(d->have_features);
	assert_int_equal(d->num_scanouts, 1);
	assert_int_equal(d->scanouts[0].enabled, 1);
	assert_int_equal(d->scanouts[0].width, 1024);
	assert_int_equal(d->scanouts[0].height, 768);
	assert_int_equal(d->hostmem, 0);
	assert_int_equal(d->max_entries, 0);
}

static void test_parse_device_keys(void **state)
{
	struct fixture *f = *state;
	const struct trace_device *d = &f->op.u.device;

	ok(f, "device dialect=memory-rfc features=0x6 scanouts=3 display=2:640x480 display=1:800x600 "
	      "hostmem=1048576 max-entries=4 max-resources=5 max-regions=6",
	   TRACE_DEVICE);
	assert_int_equal(d->dialect, VGM_DIALECT_MEMORY_RFC);
	assert_true(d->have_features);
	assert_int_equal(d->features, 6);
	assert_int_equal(d->num_scanouts, 3);
	/* display= replaces the default display 0. */
	assert_int_equal(d->scanouts[0].enabled, 0);
	assert_int_equal(d->scanouts[1].enabled, 1);
	assert_int_equal(d->scanouts[1].width, 800);
	assert_int_equal(d->scanouts[2].height, 480);
	assert_int_equal(d->hostmem, 1048576);
	assert_int_equal(d->max_entries, 4);
	assert_int_equal(d->max_resources, 5);
	assert_int_equal(d->max_regions, 6);
	assert_int_equal(f->p.dialect, VGM_DIALECT_MEMORY_RFC);
	assert_int_equal(f->p.num_scanouts, 3);
	assert_int_equal(d->renderer, VGM_RENDERER_2D);
}

static void test_parse_device_renderer(void **state)
{
	struct fixture *f = *state;
	const struct trace_device *d = &f->op.u.device;

	ok(f, "device renderer=virgl", TRACE_DEVICE);
	assert_int_equal(d->renderer, VGM_RENDERER_VIRGL);
}

static void test_parse_device_renderer_bad(void **state)
{
	struct fixture *f = *state;

	bad(f, "device renderer=gl", "renderer=gl: not 2d or virgl");
	bad(f, "device renderer=", "not 2d or virgl");
	bad(f, "device renderer=virgl renderer=2d", "given twice");
	ok(f, "device renderer=2d", TRACE_DEVICE);
	assert_int_equal(f->op.u.device.renderer, VGM_RENDERER_2D);
}

static void test_parse_device_bad_keys(void **state)
{
	struct fixture *f = *state;

	bad(f, "device dialect=virgl", "not standard or memory-rfc");
	bad(f, "device scanouts=0", "not in 1..16");
	bad(f, "device scanouts=17", "not in 1..16");
	bad(f, "device scanouts=2 display=2:64x64", "not below scanouts=2");
	bad(f, "device display=16:64x64 scanouts=16", "not below 16");
	bad(f, "device display=0:0x64", "not <scanout>:<width>x<height>");
	bad(f, "device display=0:64x16385", "not <scanout>:<width>x<height>");
	bad(f, "device display=0:64", "not <scanout>:<width>x<height>");
	bad(f, "device display=0:64x64 display=0:32x32", "given twice");
	bad(f, "device features=1 features=2", "given twice");
	bad(f, "device features=-1", "not a number");
	bad(f, "device hostmem=1M", "not a number");
	bad(f, "device max-entries=0x100000000", "not a number");
	bad(f, "device colour=blue", "unknown key 'colour'");
	bad(f, "device standard", "not key=value");
	bad(f, "device =1", "not key=value");
}

static void test_parse_device_twice(void **state)
{
	struct fixture *f = *state;

	ok(f, "ram 0 4096", TRACE_RAM); /* ram may come first */
	ok(f, "device", TRACE_DEVICE);
	bad(f, "device", "a second device line");
}

static void test_parse_device_after_ctrl(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl 00", TRACE_CTRL);
	bad(f, "device", "after the first ctrl");
}

static void test_parse_device_after_cursor_or_dump(void **state)
{
	struct fixture *f = *state;

	ok(f, "dump 0 x.ppm", TRACE_DUMP);
	bad(f, "device", "after the first ctrl, cursor or dump");
	trace_parser_fini(&f->p);
	trace_parser_init(&f->p);
	ok(f, "cursor 00", TRACE_CURSOR);
	bad(f, "device", "after the first ctrl, cursor or dump");
}

/* ---- device edid= ------------------------------------------------------------------ */

/* A valid EDID of blocks * 128 bytes (base block with extension count
 * blocks - 1, then empty CTA-861 blocks; tag marks byte 12, the serial),
 * as hex into out. */
static void edid_hex(unsigned blocks, uint8_t tag, char *out)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t e[1024] = { 0 };

	memcpy(e, header, sizeof(header));
	e[12] = tag;
	e[126] = (uint8_t)(blocks - 1);
	for (unsigned b = 1; b < blocks; b++) {
		e[b * 128] = 0x02;
		e[b * 128 + 1] = 0x03;
		e[b * 128 + 2] = 0x04;
	}
	for (unsigned b = 0; b < blocks; b++) {
		uint8_t sum = 0;

		for (unsigned i = 0; i < 127; i++)
			sum = (uint8_t)(sum + e[b * 128 + i]);
		e[b * 128 + 127] = (uint8_t)(0x100 - sum);
	}
	for (unsigned i = 0; i < blocks * 128; i++)
		sprintf(out + 2 * i, "%02x", e[i]);
}

static void assert_edid(const struct trace_edid *e, unsigned blocks, uint8_t tag)
{
	char want[2049], got[2049];

	assert_non_null(e->data);
	assert_int_equal(e->len, blocks * 128);
	edid_hex(blocks, tag, want);
	for (size_t i = 0; i < e->len; i++)
		sprintf(got + 2 * i, "%02x", e->data[i]);
	assert_string_equal(got, want);
}

static void test_parse_device_edid(void **state)
{
	struct fixture *f = *state;
	const struct trace_device *d = &f->op.u.device;
	char one[257], two[513], eight[2049], line[4096];

	edid_hex(1, 1, one);
	edid_hex(2, 2, two);
	edid_hex(8, 8, eight);
	snprintf(line, sizeof(line), "device scanouts=3 edid=2:%s display=0:64x64 edid=0:%s "
		 "edid=1:%s", one, eight, two);
	ok(f, line, TRACE_DEVICE);
	assert_edid(&d->edid[0], 8, 8);
	assert_edid(&d->edid[1], 2, 2);
	assert_edid(&d->edid[2], 1, 1);
	for (unsigned i = 3; i < VGM_MAX_SCANOUTS; i++)
		assert_null(d->edid[i].data);
	/* edid= leaves the displays alone. */
	assert_int_equal(d->scanouts[0].width, 64);
	/* Either case of hex digits; the op owns the bytes (teardown frees them). */
	trace_parser_fini(&f->p);
	trace_parser_init(&f->p);
	for (char *c = one; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'f' ? *c - 'a' + 'A' : *c);
	snprintf(line, sizeof(line), "device edid=0:%s", one);
	ok(f, line, TRACE_DEVICE);
	assert_edid(&d->edid[0], 1, 1);
	/* Without edid=, none. */
	trace_parser_fini(&f->p);
	trace_parser_init(&f->p);
	ok(f, "device", TRACE_DEVICE);
	for (unsigned i = 0; i < VGM_MAX_SCANOUTS; i++)
		assert_null(d->edid[i].data);
}

/* Each bad line in a fresh parser (a device line parses once). */
static void bad_device(struct fixture *f, const char *line, const char *what)
{
	trace_parser_fini(&f->p);
	trace_parser_init(&f->p);
	bad(f, line, what);
}

static void test_parse_device_edid_bad(void **state)
{
	struct fixture *f = *state;
	char one[257], two[513], big[2049 + 256], line[4096];

	edid_hex(1, 1, one);
	edid_hex(2, 2, two);
	/* Not hex. */
	snprintf(line, sizeof(line), "device edid=0:%.254sxy", one);
	bad_device(f, line, "is not <scanout>:<hex bytes>");
	snprintf(line, sizeof(line), "device edid=0:%.128s %s", one, one + 128);
	bad_device(f, line, "64 bytes; an EDID is"); /* one token only */
	bad_device(f, "device edid=0:", "is not <scanout>:<hex bytes>");
	bad_device(f, "device edid=0", "is not <scanout>:<hex bytes>");
	bad_device(f, "device edid=", "is not <scanout>:<hex bytes>");
	snprintf(line, sizeof(line), "device edid=0:0x%s", one);
	bad_device(f, line, "is not <scanout>:<hex bytes>");
	snprintf(line, sizeof(line), "device edid=0:%s0", one);
	bad_device(f, line, "an odd number of hex digits");
	/* Bad scanout. */
	snprintf(line, sizeof(line), "device edid=x:%s", one);
	bad_device(f, line, "is not <scanout>:<hex bytes>");
	snprintf(line, sizeof(line), "device edid=-1:%s", one);
	bad_device(f, line, "is not <scanout>:<hex bytes>");
	snprintf(line, sizeof(line), "device scanouts=16 edid=16:%s", one);
	bad_device(f, line, "scanout 16 is not below 16");
	snprintf(line, sizeof(line), "device edid=0x100000000:%s", one);
	bad_device(f, line, "is not <scanout>:<hex bytes>");
	snprintf(line, sizeof(line), "device scanouts=2 edid=2:%s", one);
	bad_device(f, line, "edid= names a scanout not below scanouts=2");
	snprintf(line, sizeof(line), "device edid=1:%s", one); /* default: 1 scanout */
	bad_device(f, line, "edid= names a scanout not below scanouts=1");
	/* Bad length: 128..1024 bytes in blocks of 128. */
	snprintf(line, sizeof(line), "device edid=0:%.254s", one);
	bad_device(f, line, "127 bytes; an EDID is 128 to 1024 bytes, a multiple of 128");
	snprintf(line, sizeof(line), "device edid=0:%s00", one);
	bad_device(f, line, "129 bytes");
	snprintf(line, sizeof(line), "device edid=0:%.2s", one);
	bad_device(f, line, "1 bytes");
	edid_hex(8, 8, big);
	strcat(big, one); /* 1152 bytes */
	snprintf(line, sizeof(line), "device edid=0:%s", big);
	bad_device(f, line, "1152 bytes");
	/* Twice for one scanout, the same bytes or not. */
	snprintf(line, sizeof(line), "device scanouts=2 edid=0:%s edid=1:%s edid=0:%s", one, two,
		 one);
	bad_device(f, line, "edid=0:...: scanout 0 given twice");
	snprintf(line, sizeof(line), "device edid=0:%s edid=0:%s", one, two);
	bad_device(f, line, "given twice");
	/* EDIDs the library refuses: a checksum off, the header, the
	 * extension count, an extension block's checksum. */
	snprintf(line, sizeof(line), "device edid=0:%.254s%02x", one,
		 (unsigned)((strtoul(one + 254, NULL, 16) + 1) & 0xff));
	bad_device(f, line, "the library refuses this EDID");
	snprintf(line, sizeof(line), "device edid=0:01%s", one + 2);
	bad_device(f, line, "the library refuses this EDID");
	snprintf(line, sizeof(line), "device edid=0:%s%.256s", one, two + 256);
	bad_device(f, line, "the library refuses this EDID"); /* count 0, 2 blocks */
	snprintf(line, sizeof(line), "device edid=0:%.510s00", two);
	bad_device(f, line, "the library refuses this EDID");
	snprintf(line, sizeof(line), "device edid=0:%s", two);
	line[strlen("device edid=0:")] = '1'; /* header, and the sum, off */
	bad_device(f, line, "the library refuses this EDID");
	/* A later key failing frees what edid= took (sanitizers check). */
	snprintf(line, sizeof(line), "device edid=0:%s colour=blue", one);
	bad_device(f, line, "unknown key 'colour'");
	snprintf(line, sizeof(line), "device edid=0:%s scanouts=0", two);
	bad_device(f, line, "not in 1..16");
}

/* The executor keeps its own copy: the device line's op may be gone when
 * the first request makes the device, and GET_EDID answers the bytes. */
struct edid_seen {
	uint8_t resp[1056];
	size_t written;
};

static void edid_after(void *ctx, struct vgm_device *dev, const struct trace_op *op,
		       const uint8_t *resp, size_t written)
{
	struct edid_seen *seen = ctx;

	(void)dev;
	(void)op;
	assert_true(written <= sizeof(seen->resp));
	memcpy(seen->resp, resp, written);
	seen->written = written;
}

static void test_exec_device_edid(void **state)
{
	struct fixture *f = *state;
	struct edid_seen seen = { { 0 }, 0 };
	struct trace_exec_opts opts = { .after = edid_after, .ctx = &seen };
	struct trace_exec *x;
	char two[513], line[1024], got[513];

	edid_hex(2, 0x42, two);
	snprintf(line, sizeof(line), "device scanouts=2 edid=1:%s", two);
	assert_int_equal(trace_exec_new(&opts, &x), 0);
	ok(f, line, TRACE_DEVICE);
	assert_int_equal(trace_exec_op(x, &f->op, &f->err), 0);
	trace_op_fini(&f->op);
	ok(f, "ctrl GET_EDID scanout=1", TRACE_CTRL);
	assert_int_equal(trace_exec_op(x, &f->op, &f->err), 0);
	assert_int_equal(seen.written, 1056);
	assert_int_equal(seen.resp[0], 0x04);
	assert_int_equal(seen.resp[1], 0x11);
	assert_int_equal(seen.resp[24] | seen.resp[25] << 8, 256);
	for (size_t i = 0; i < 256; i++)
		sprintf(got + 2 * i, "%02x", seen.resp[32 + i]);
	assert_string_equal(got, two);
	for (size_t i = 32 + 256; i < 1056; i++)
		assert_int_equal(seen.resp[i], 0);
	/* Scanout 0 has none: the generated one, another serial. */
	ok(f, "ctrl GET_EDID scanout=0", TRACE_CTRL);
	assert_int_equal(trace_exec_op(x, &f->op, &f->err), 0);
	assert_int_equal(seen.written, 1056);
	assert_int_not_equal(seen.resp[32 + 12], 0x42);
	trace_exec_destroy(x);
}

/* An op that did not come from the parser, with an EDID the library
 * refuses: the device is not made, the device line is blamed. */
static void test_exec_device_edid_refused(void **state)
{
	struct fixture *f = *state;
	struct trace_exec_opts opts = { 0 };
	struct trace_exec *x;
	struct trace_op dev = { .kind = TRACE_DEVICE, .line = 7 };
	uint8_t junk[128] = { 1 };

	(void)f;
	trace_device_defaults(&dev.u.device);
	dev.u.device.edid[0] = (struct trace_edid){ junk, sizeof(junk) };
	assert_int_equal(trace_exec_new(&opts, &x), 0);
	assert_int_equal(trace_exec_op(x, &dev, &f->err), 0);
	ok(f, "ctrl GET_EDID scanout=0", TRACE_CTRL);
	assert_int_equal(trace_exec_op(x, &f->op, &f->err), -1);
	assert_int_equal(f->err.line, 7);
	assert_non_null(strstr(f->err.msg, "edid=0:...: the library refuses this EDID"));
	assert_null(trace_exec_device(x));
	trace_exec_destroy(x);
}

/* ---- dump -------------------------------------------------------------------------- */

static void test_parse_dump(void **state)
{
	struct fixture *f = *state;

	ok(f, "device scanouts=2", TRACE_DEVICE);
	ok(f, "dump 1 out/one.ppm", TRACE_DUMP);
	assert_int_equal(f->op.u.dump.scanout, 1);
	assert_string_equal(f->op.u.dump.path, "out/one.ppm");
	bad(f, "dump 2 x.ppm", "not below scanouts=2");
	bad(f, "dump 0x100000000 x.ppm", "not a number");
	bad(f, "dump 0", "takes 2 arguments");
	bad(f, "dump 0 a b", "takes 2 arguments");
}

static void test_parse_dump_default_scanouts(void **state)
{
	struct fixture *f = *state;

	bad(f, "dump 1 x.ppm", "not below scanouts=1");
}

static struct dump_env *dump_env_init(struct fixture *f, bool anywhere)
{
	struct dump_env *e = &f->env;
	static const char *const lines[] = {
		"ram 0x100000 0x4000",
		"ctrl RESOURCE_CREATE_2D resource_id=1 format=B8G8R8X8 width=4 height=4",
		"ctrl RESOURCE_ATTACH_BACKING resource_id=1 entries=0x100000:64",
		"ctrl SET_SCANOUT scanout_id=0 resource_id=1 rect=0,0,4,4",
	};
	struct trace_exec_opts opts = { .write_dumps = true, .dump_anywhere = anywhere };
	char path[160];

	strcpy(e->dir, "/tmp/vgm-dump-XXXXXX");
	strcpy(e->outside, "/tmp/vgm-outside-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_non_null(mkdtemp(e->outside));
	opts.dump_dir = e->dir;
	snprintf(path, sizeof(path), "%s/sub", e->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	/* Links a trace cannot make, but a dump directory may hold. */
	snprintf(path, sizeof(path), "%s/link", e->dir);
	assert_int_equal(symlink(e->outside, path), 0);
	snprintf(path, sizeof(path), "%s/file-link.ppm", e->dir);
	assert_int_equal(symlink("../victim", path), 0);
	assert_int_equal(trace_exec_new(&opts, &e->x), 0);
	f->env_live = true;
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		ok(f, lines[i], i ? TRACE_CTRL : TRACE_RAM);
		assert_int_equal(trace_exec_op(e->x, &f->op, &f->err), 0);
	}
	return e;
}

static void dump_env_fini(struct dump_env *e)
{
	char cmd[200];

	trace_exec_destroy(e->x);
	e->x = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", e->dir, e->outside);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s and %s\n", e->dir, e->outside);
}

/* Runs a dump line: 0, or -1 with the error containing what. */
static int run_dump_line(struct fixture *f, struct dump_env *e, const char *path,
			 const char *what)
{
	char line[200];
	int ret;

	snprintf(line, sizeof(line), "dump 0 %s", path);
	ok(f, line, TRACE_DUMP);
	ret = trace_exec_op(e->x, &f->op, &f->err);
	if (ret < 0 && (!what || !strstr(f->err.msg, what)))
		fail_msg("'%s': '%s', expected '%s'", line, f->err.msg, what ? what : "success");
	if (ret == 0 && what)
		fail_msg("'%s' ran, expected an error containing '%s'", line, what);
	return ret;
}

static bool exists(const char *dir, const char *name)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* A trace's dumps stay below the dump directory. */
static void test_exec_dump_confined(void **state)
{
	struct fixture *f = *state;
	struct dump_env *e = dump_env_init(f, false);
	char path[200], text[8] = { 0 };
	FILE *victim;

	snprintf(path, sizeof(path), "%s/victim", e->outside);
	victim = fopen(path, "w");
	assert_non_null(victim);
	fputs("keep", victim);
	fclose(victim);
	run_dump_line(f, e, "a.ppm", NULL);
	run_dump_line(f, e, "a.ppm", NULL); /* again: truncated, rewritten */
	run_dump_line(f, e, "sub//./b.ppm", NULL);
	assert_true(exists(e->dir, "a.ppm") && exists(e->dir, "sub/b.ppm"));

	snprintf(path, sizeof(path), "%s/abs.ppm", e->outside);
	run_dump_line(f, e, path, "not below the dump directory");
	snprintf(path, sizeof(path), "../%s/up.ppm", strrchr(e->outside, '/') + 1);
	run_dump_line(f, e, path, "not below the dump directory");
	run_dump_line(f, e, "sub/../c.ppm", "not below the dump directory");
	run_dump_line(f, e, "..", "not below the dump directory");
	run_dump_line(f, e, "link/d.ppm", "a symbolic link on the way");
	run_dump_line(f, e, "file-link.ppm", "a symbolic link on the way");
	run_dump_line(f, e, "sub", "Is a directory");
	run_dump_line(f, e, "sub/", "Is a directory");
	assert_false(exists(e->outside, "abs.ppm") || exists(e->outside, "up.ppm") ||
		     exists(e->outside, "d.ppm") || exists(e->dir, "c.ppm"));
	snprintf(path, sizeof(path), "%s/victim", e->outside);
	victim = fopen(path, "r");
	assert_non_null(victim);
	assert_non_null(fgets(text, sizeof(text), victim));
	fclose(victim);
	assert_string_equal(text, "keep");
	assert_int_equal(f->err.line, f->p.line);
	dump_env_fini(e);
	f->env_live = false;
}

/* The path is checked when the scanout shows nothing too: the same trace
 * fails the same way. */
static void test_exec_dump_confined_off(void **state)
{
	struct fixture *f = *state;
	struct trace_exec_opts opts = { .write_dumps = false };
	struct trace_exec *x;

	assert_int_equal(trace_exec_new(&opts, &x), 0);
	ok(f, "dump 0 /tmp/x.ppm", TRACE_DUMP);
	assert_int_equal(trace_exec_op(x, &f->op, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "not below the dump directory"));
	trace_exec_destroy(x);
}

/* dump_anywhere: the paths as given (vgm-replay --dump-anywhere). */
static void test_exec_dump_anywhere(void **state)
{
	struct fixture *f = *state;
	struct dump_env *e = dump_env_init(f, true);
	char path[200];

	snprintf(path, sizeof(path), "%s/abs.ppm", e->outside);
	run_dump_line(f, e, path, NULL);
	snprintf(path, sizeof(path), "../%s/up.ppm", strrchr(e->outside, '/') + 1);
	run_dump_line(f, e, path, NULL);
	run_dump_line(f, e, "link/d.ppm", NULL);
	assert_true(exists(e->outside, "abs.ppm") && exists(e->outside, "up.ppm") &&
		    exists(e->outside, "d.ppm"));
	dump_env_fini(e);
	f->env_live = false;
}

/* ---- symbolic requests -------------------------------------------------------------- */

static void test_parse_symbolic_create_2d(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl RESOURCE_CREATE_2D id=2 format=B8G8R8X8 width=64 height=0x40", TRACE_CTRL);
	assert_req(f, HDR("01010000") "02000000 02000000 40000000 40000000");
	ok(f, "ctrl RESOURCE_CREATE_2D resource_id=7 format=R8G8B8X8_UNORM", TRACE_CTRL);
	assert_req(f, HDR("01010000") "07000000 86000000 00000000 00000000");
	ok(f, "ctrl RESOURCE_CREATE_2D format=999", TRACE_CTRL);
	assert_req(f, HDR("01010000") "00000000 e7030000 00000000 00000000");
}

static void test_parse_symbolic_header(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl GET_DISPLAY_INFO fence=0x0102030405060708 ctx=3 ring=4", TRACE_CTRL);
	assert_req(f, "00010000 03000000 0807060504030201 03000000 04000000");
	ok(f, "ctrl GET_DISPLAY_INFO fence=5", TRACE_CTRL);
	assert_req(f, "00010000 01000000 0500000000000000 00000000 00000000");
	/* hdr_flags= says exactly which flags, whatever fence= implies. */
	ok(f, "ctrl GET_DISPLAY_INFO fence=5 ring=1 hdr_flags=0", TRACE_CTRL);
	assert_req(f, "00010000 00000000 0500000000000000 00000000 01000000");
	ok(f, "ctrl HDR type=0x0999 hdr_flags=0xffffffff", TRACE_CTRL);
	assert_req(f, "99090000 ffffffff 0000000000000000 00000000 00000000");
	ok(f, "ctrl HDR", TRACE_CTRL);
	assert_req(f, HDR("00000000"));
	ok(f, "ctrl GET_EDID type=0x0100 scanout=1", TRACE_CTRL);
	assert_req(f, HDR("00010000") "01000000 00000000");
	bad(f, "ctrl GET_DISPLAY_INFO ring=256", "ring=256");
	bad(f, "ctrl GET_DISPLAY_INFO ctx=0x100000000", "ctx=");
	bad(f, "ctrl GET_DISPLAY_INFO fence=1 fence=2", "given twice");
}

static void test_parse_symbolic_rect_and_offsets(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl SET_SCANOUT scanout_id=1 resource_id=2 rect=1,2,3,0xffffffff", TRACE_CTRL);
	assert_req(f, HDR("03010000") "01000000 02000000 03000000 ffffffff 01000000 02000000");
	ok(f, "ctrl TRANSFER_TO_HOST_2D id=9 rect=0,0,4,4 offset=0x100000000", TRACE_CTRL);
	assert_req(f, HDR("05010000") "00000000 00000000 04000000 04000000 0000000001000000 "
				      "09000000 00000000");
	ok(f, "ctrl RESOURCE_FLUSH id=3 rect=0,0,1,1 padding=7", TRACE_CTRL);
	assert_req(f, HDR("04010000") "00000000 00000000 01000000 01000000 03000000 07000000");
	bad(f, "ctrl SET_SCANOUT rect=1,2,3", "not x,y,width,height");
	bad(f, "ctrl SET_SCANOUT rect=1,2,3,4,5", "not x,y,width,height");
	bad(f, "ctrl SET_SCANOUT rect=1,2,,4", "not x,y,width,height");
	bad(f, "ctrl SET_SCANOUT rect=0,0,0x100000000,1", "not x,y,width,height");
}

static void test_parse_symbolic_entries(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl RESOURCE_ATTACH_BACKING id=2 entries=0x1000:4096,0x100000000:1", TRACE_CTRL);
	assert_req(f, HDR("06010000") "02000000 02000000 "
				      "0010000000000000 00100000 00000000 "
				      "0000000001000000 01000000 00000000");
	/* nr_entries= overrides the count: short entries. */
	ok(f, "ctrl RESOURCE_ATTACH_BACKING id=2 nr_entries=3 entries=0x1000:4096", TRACE_CTRL);
	assert_req(f, HDR("06010000") "02000000 03000000 0010000000000000 00100000 00000000");
	ok(f, "ctrl RESOURCE_ATTACH_BACKING id=2 entries=", TRACE_CTRL);
	assert_req(f, HDR("06010000") "02000000 00000000");
	bad(f, "ctrl RESOURCE_ATTACH_BACKING entries=0x1000", "not addr:length");
	bad(f, "ctrl RESOURCE_ATTACH_BACKING entries=0x1000:4096,", "not addr:length");
	bad(f, "ctrl RESOURCE_ATTACH_BACKING entries=0:0x100000000", "not addr:length");
	bad(f, "ctrl RESOURCE_CREATE_2D entries=0:1", "has no key 'entries'");
}

static void test_parse_symbolic_memory_rfc(void **state)
{
	struct fixture *f = *state;

	ok(f, "device dialect=memory-rfc", TRACE_DEVICE);
	ok(f, "ctrl MEMORY_CREATE memory_id=1 entries=0x1000:4096,0x3000:0x2000", TRACE_CTRL);
	assert_req(f, HDR("0b010000") "0030000000000000 01000000 02000000 00000000 00000000 "
				      "0010000000000000 00100000 00000000 "
				      "0030000000000000 00200000 00000000");
	ok(f, "ctrl MEMORY_CREATE memory_id=1 size=1 flags=2 entries=0x1000:4096", TRACE_CTRL);
	assert_req(f, HDR("0b010000") "0100000000000000 01000000 01000000 02000000 00000000 "
				      "0010000000000000 00100000 00000000");
	ok(f, "ctrl MEMORY_UNREF memory_id=0xffffffff", TRACE_CTRL);
	assert_req(f, HDR("0c010000") "ffffffff 00000000");
	ok(f, "ctrl RESOURCE_ATTACH_MEMORY id=1 memory_id=2 offset=0x10,1", TRACE_CTRL);
	assert_req(f, HDR("0d010000") "01000000 02000000 1000000000000000 0100000000000000 "
				      "0000000000000000 0000000000000000");
	bad(f, "ctrl RESOURCE_ATTACH_MEMORY offset=1,2,3,4,5", "not 1 to 4");
	bad(f, "ctrl RESOURCE_CREATE_BLOB", "not a command of the memory-rfc dialect");
	bad(f, "ctrl MEMORY_CREATE memory=1", "has no key 'memory'");
}

static void test_parse_symbolic_standard_names(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl RESOURCE_CREATE_BLOB id=1 blob_mem=1 entries=0x1000:16", TRACE_CTRL);
	assert_req(f, HDR("0c010000") "01000000 01000000 00000000 01000000 "
				      "0000000000000000 1000000000000000 "
				      "0010000000000000 10000000 00000000");
	ok(f, "ctrl SET_SCANOUT_BLOB strides=256 format=B8G8R8A8", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 96);
	assert_int_equal(f->op.u.req.data[24 + 32], 1);
	assert_int_equal(f->op.u.req.data[24 + 40], 0);
	assert_int_equal(f->op.u.req.data[24 + 41], 1);
	bad(f, "ctrl MEMORY_CREATE", "not a command of the standard dialect");
	bad(f, "cursor GET_EDIDS", "not a command of the standard dialect");
}

static void test_parse_symbolic_3d_and_cursor(void **state)
{
	struct fixture *f = *state;

	ok(f, "ctrl CTX_CREATE ctx=1 debug_name=abc", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 96);
	assert_int_equal(f->op.u.req.data[24], 3); /* nlen */
	assert_memory_equal(f->op.u.req.data + 32, "abc\0", 4);
	ok(f, "ctrl SUBMIT_3D size=4 deadbeef", TRACE_CTRL);
	assert_req(f, HDR("07020000") "04000000 00000000 deadbeef");
	ok(f, "ctrl RESOURCE_CREATE_3D", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 72);
	ok(f, "ctrl TRANSFER_FROM_HOST_3D layer_stride=1", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 72);
	ok(f, "ctrl RESOURCE_MAP_BLOB", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 40);
	ok(f, "cursor UPDATE_CURSOR scanout_id=1 x=2 y=3 id=4 hot_x=5 hot_y=6", TRACE_CURSOR);
	assert_req(f, HDR("00030000") "01000000 02000000 03000000 00000000 "
				      "04000000 05000000 06000000 00000000");
	bad(f, "ctrl CTX_CREATE debug_name=0123456789012345678901234567890123456789012345678901234"
	       "5678901234",
	    "longer than 64");
}

/* Keys are the library's field names, a dotted one also by its last part;
 * the header's fields only through the header keys. */
static void test_parse_symbolic_table_names(void **state)
{
	struct fixture *f = *state;

	ok(f, "cursor MOVE_CURSOR x=1 pos.padding=9 padding=7", TRACE_CURSOR);
	assert_req(f, HDR("01030000") "00000000 01000000 00000000 09000000 "
				      "00000000 00000000 00000000 07000000");
	ok(f, "cursor MOVE_CURSOR pos.x=2", TRACE_CURSOR);
	assert_req(f, HDR("01030000") "00000000 02000000 00000000 00000000 "
				      "00000000 00000000 00000000 00000000");
	ok(f, "ctrl TRANSFER_TO_HOST_3D box.x=1 d=6 level=2", TRACE_CTRL);
	assert_int_equal(f->op.u.req.data[24], 1);
	assert_int_equal(f->op.u.req.data[24 + 20], 6);
	assert_int_equal(f->op.u.req.data[24 + 36], 2);
	ok(f, "ctrl SET_SCANOUT r=1,2,3,4", TRACE_CTRL);
	assert_req(f, HDR("03010000") "01000000 02000000 03000000 04000000 00000000 00000000");
	bad(f, "ctrl RESOURCE_CREATE_2D flags=1", "has no key 'flags'");
	bad(f, "ctrl RESOURCE_CREATE_2D hdr.type=1", "has no key 'hdr.type'");
	bad(f, "cursor MOVE_CURSOR pos.padding=0x100000000", "not a number up to 0xffffffff");
}

static void test_parse_symbolic_len_split_tail(void **state)
{
	struct fixture *f = *state;
	const struct trace_request *req = &f->op.u.req;

	ok(f, "ctrl RESOURCE_UNREF id=1 len=30", TRACE_CTRL);
	assert_req(f, HDR("02010000") "01000000 0000");
	ok(f, "ctrl RESOURCE_UNREF id=1 len=34", TRACE_CTRL);
	assert_req(f, HDR("02010000") "01000000 00000000 0000");
	ok(f, "ctrl RESOURCE_UNREF id=1 ffff | ee", TRACE_CTRL);
	assert_req(f, HDR("02010000") "01000000 00000000 ffff ee");
	assert_int_equal(req->ncuts, 1);
	assert_int_equal(req->cuts[0], 34);
	ok(f, "ctrl RESOURCE_UNREF id=1 split=30,1,24", TRACE_CTRL);
	assert_int_equal(req->ncuts, 3);
	assert_int_equal(req->cuts[0], 1);
	assert_int_equal(req->cuts[1], 24);
	assert_int_equal(req->cuts[2], 30);
	ok(f, "ctrl resp=10 RESOURCE_UNREF id=1", TRACE_CTRL);
	assert_int_equal(req->resp[0], 10);
	bad(f, "ctrl RESOURCE_UNREF split=32", "not inside the 32 bytes");
	bad(f, "ctrl RESOURCE_UNREF split=0", "not inside");
	bad(f, "ctrl RESOURCE_UNREF split=8,8", "given twice");
	bad(f, "ctrl RESOURCE_UNREF split=", "no offsets");
	bad(f, "ctrl RESOURCE_UNREF split=a", "not a list");
	bad(f, "ctrl RESOURCE_UNREF ff | ee split=33", "given twice");
	bad(f, "ctrl RESOURCE_UNREF ff |", "not inside the 33 bytes");
	bad(f, "ctrl RESOURCE_UNREF ff | len=32", "not inside");
	bad(f, "ctrl RESOURCE_UNREF len=0x1000001", "not a length");
	bad(f, "ctrl RESOURCE_UNREF f", "odd number of hex digits");
	bad(f, "ctrl RESOURCE_UNREF zz", "not a hex byte string");
	bad(f, "ctrl RESOURCE_UNREF len=1 len=2", "given twice");
}

static void test_parse_symbolic_unknown_key(void **state)
{
	struct fixture *f = *state;

	bad(f, "ctrl RESOURCE_CREATE_2D id=1 colour=2", "has no key 'colour'");
	bad(f, "ctrl GET_DISPLAY_INFO id=1", "has no key 'id'");
	bad(f, "ctrl RESOURCE_UNREF resource=1", "has no key 'resource'");
	bad(f, "ctrl RESOURCE_CREATE_2D format=B8G8R8", "not a format name");
	bad(f, "ctrl RESOURCE_CREATE_2D width=0x100000000", "not a number up to 0xffffffff");
	bad(f, "ctrl RESOURCE_CREATE_2D id=1 =2", "not a hex byte string");
	bad(f, "ctrl RESOURCE_CREATE_2D resp=10", "has no key 'resp'");
	bad(f, "ctrl TRANSFER_TO_HOST_2D offset=0x10000000000000000", "not a 64-bit number");
}

/* ---- the data budget -------------------------------------------------------------- */

static void test_parse_data_budget_default(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->p.max_data, TRACE_DEFAULT_MAX_DATA);
	assert_int_equal(TRACE_DEFAULT_MAX_DATA, 256ull << 20);
}

/* Every line's bytes are held until the trace runs: a line that would
 * pass the budget is refused, naming the line, before its bytes exist. */
static void test_parse_data_budget(void **state)
{
	struct fixture *f = *state;
	char line[128];

	f->p.max_data = 0x100000;
	ok(f, "ctrl HDR type=0x100 len=0x40000", TRACE_CTRL);
	assert_int_equal(f->op.u.req.len, 0x40000);
	ok(f, "ctrl HDR type=0x100 len=0x40000", TRACE_CTRL);
	ok(f, "ctrl HDR type=0x100 len=0x40000", TRACE_CTRL);
	bad(f, "ctrl HDR type=0x100 len=0x40000", "data budget");
	/* What is left still parses, to the last byte. */
	snprintf(line, sizeof(line), "ctrl HDR type=0x100 len=%llu",
		 (unsigned long long)(f->p.max_data - f->p.data - sizeof(struct trace_op)));
	ok(f, line, TRACE_CTRL);
	assert_int_equal(f->p.data, f->p.max_data);
	bad(f, "ram 0 0x1000", "data budget");
	bad(f, "ctrl 00000000", "data budget");
	bad(f, "dump 0 x.ppm", "data budget");
}

/* A split= or entries= list counts against the budget as it is read, not
 * once the line is whole: a line of them would hold many times its own
 * length before. */
static void test_parse_data_budget_lists(void **state)
{
	struct fixture *f = *state;
	char line[4096] = "ctrl HDR type=0x100 len=2000 split=";
	size_t n = strlen(line);

	for (unsigned i = 1; i < 600; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%u,", i);
	line[n - 1] = 0;
	f->p.max_data = sizeof(struct trace_op) + 2000 + 2048;
	bad(f, line, "descriptor boundaries");
	f->p.max_data = TRACE_DEFAULT_MAX_DATA;
	ok(f, line, TRACE_CTRL);
	assert_int_equal(f->op.u.req.ncuts, 599);
}

static void test_parse_data_budget_write(void **state)
{
	struct fixture *f = *state;

	ok(f, "ram 0 0x10000", TRACE_RAM);
	f->p.max_data = f->p.data + sizeof(struct trace_op) + 8;
	ok(f, "write 0 0001020304050607", TRACE_WRITE);
	bad(f, "write 0 00", "data budget");
}

/* A whole trace past the budget is refused at the line that passes it. */
static void test_parse_buffer_data_budget(void **state)
{
	static const char text[] = "ctrl HDR type=0x100 len=0x8000\n"
				   "\n"
				   "ctrl HDR type=0x100 len=0x8000\n";
	struct fixture *f = *state;
	struct trace t;

	f->p.max_data = 0x8000 + 2 * sizeof(struct trace_op);
	assert_int_equal(trace_parse_buffer_with(&f->p, text, strlen(text), &t, &f->err), -1);
	assert_int_equal(f->err.line, 3);
	assert_non_null(strstr(f->err.msg, "data budget"));
	assert_int_equal(t.n, 0);
}

/* ---- the byte builder -------------------------------------------------------------- */

/* The buffer of len= is the bytes asked for, not the next power of two. */
static void test_bytes_no_overallocation(void **state)
{
	struct trace_request req = { 0 };
	struct trace_error err = { 0 };
	struct bytes b;

	(void)state;
	bytes_init(&b);
	assert_int_equal(bytes_resize(&b, 100000, &err), 0);
	assert_true(b.cap <= 100001);
	assert_int_equal(b.data[99999], 0);
	assert_int_equal(bytes_token(&b, "0102", &err), 0);
	assert_int_equal(bytes_finish(&b, &req, &err), 0);
	assert_int_equal(req.len, 100002);
	free(req.data);
	free(req.cuts);
}

/* Bytes past the room are refused before anything is allocated. */
static void test_bytes_room(void **state)
{
	struct trace_error err = { 0 };
	struct bytes b;

	(void)state;
	bytes_init(&b);
	b.room = 10;
	assert_int_equal(bytes_token(&b, "00112233445566778899", &err), 0);
	assert_int_equal(bytes_resize(&b, 11, &err), -1);
	assert_non_null(strstr(err.msg, "data budget"));
	bytes_fini(&b);
	bytes_init(&b);
	b.room = 10;
	assert_int_equal(bytes_resize(&b, 1u << 24, &err), -1);
	assert_null(b.data);
	bytes_fini(&b);
}

/* ---- whole traces ----------------------------------------------------------------- */

static void test_parse_buffer(void **state)
{
	static const char text[] = "# a trace\n"
				   "device scanouts=2\n"
				   "ram 0x1000 0x1000\n"
				   "\n"
				   "ctrl GET_DISPLAY_INFO\r\n"
				   "dump 1 x.ppm";
	struct trace t;
	struct trace_error err = { 0 };

	(void)state;
	assert_int_equal(trace_parse_buffer(text, strlen(text), &t, &err), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.ops[0].kind, TRACE_DEVICE);
	assert_int_equal(t.ops[2].kind, TRACE_CTRL);
	assert_int_equal(t.ops[2].line, 5);
	assert_int_equal(t.ops[3].kind, TRACE_DUMP);
	trace_free(&t);
}

static void test_parse_buffer_error_line(void **state)
{
	static const char text[] = "ram 0 0x1000\n\nctrl 00\nwrite 0x1000 00\nctrl 01\n";
	struct trace t;
	struct trace_error err = { 0 };

	(void)state;
	assert_int_equal(trace_parse_buffer(text, strlen(text), &t, &err), -1);
	assert_int_equal(err.line, 4);
	assert_non_null(strstr(err.msg, "not inside one ram range"));
	assert_int_equal(t.n, 0);
	assert_null(t.ops);
}

static void test_parse_buffer_with_limits(void **state)
{
	static const char text[] = "ram 0 0x1000\nram 0x1000 0x1000\n";
	struct fixture *f = *state;
	struct trace t;

	f->p.max_ram = 0x1fff;
	assert_int_equal(trace_parse_buffer_with(&f->p, text, strlen(text), &t, &f->err), -1);
	assert_int_equal(f->err.line, 2);
	assert_non_null(strstr(f->err.msg, "bytes in all"));
	assert_int_equal(t.n, 0);
}

static void test_parse_file(void **state)
{
	static const char text[] = "device dialect=memory-rfc\nctrl MEMORY_UNREF memory_id=1\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct trace t;
	struct trace_error err = { 0 };

	(void)state;
	assert_non_null(fp);
	assert_int_equal(trace_parse_file(fp, &t, &err), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.ops[1].u.req.data[0], 0x0c);
	trace_free(&t);
	fclose(fp);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_blank_and_comments),
		T(test_parse_numbers),
		T(test_parse_bad_numbers),
		T(test_parse_hex_bytes),
		T(test_parse_bad_hex),
		T(test_parse_descriptor_boundaries),
		T(test_parse_bad_descriptor_boundaries),
		T(test_parse_resp),
		T(test_parse_hostdep),
		T(test_parse_unknown_keyword),
		T(test_parse_nul_byte),
		T(test_parse_ram_overlap),
		T(test_parse_ram_limits),
		T(test_parse_write_fill),
		T(test_parse_write_outside_ram),
		T(test_parse_device_defaults),
		T(test_parse_device_keys),
		T(test_parse_device_renderer),
		T(test_parse_device_renderer_bad),
		T(test_parse_device_bad_keys),
		T(test_parse_device_twice),
		T(test_parse_device_after_ctrl),
		T(test_parse_device_after_cursor_or_dump),
		T(test_parse_device_edid),
		T(test_parse_device_edid_bad),
		T(test_exec_device_edid),
		T(test_exec_device_edid_refused),
		T(test_parse_dump),
		T(test_parse_dump_default_scanouts),
		T(test_exec_dump_confined),
		T(test_exec_dump_confined_off),
		T(test_exec_dump_anywhere),
		T(test_parse_symbolic_create_2d),
		T(test_parse_symbolic_header),
		T(test_parse_symbolic_rect_and_offsets),
		T(test_parse_symbolic_entries),
		T(test_parse_symbolic_memory_rfc),
		T(test_parse_symbolic_standard_names),
		T(test_parse_symbolic_3d_and_cursor),
		T(test_parse_symbolic_table_names),
		T(test_parse_symbolic_len_split_tail),
		T(test_parse_symbolic_unknown_key),
		T(test_parse_data_budget_default),
		T(test_parse_data_budget),
		T(test_parse_data_budget_lists),
		T(test_parse_data_budget_write),
		T(test_parse_buffer_data_budget),
		T(test_bytes_no_overallocation),
		T(test_bytes_room),
		T(test_parse_buffer),
		T(test_parse_buffer_error_line),
		T(test_parse_buffer_with_limits),
		T(test_parse_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
