/* SPDX-License-Identifier: MIT */
/*
 * The vgm-trace v1 writer (tools/trace-write.c): what it writes, the parser
 * reads back as the same operations, and its "# expect:" lines are the
 * lines vgm-replay's executor prints for the same response and the same
 * pixels.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace.h"

/* Text written to a memory stream. */
struct text {
	FILE *f;
	char *buf;
	size_t len;
};

static int setup(void **state)
{
	struct text *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->f = open_memstream(&t->buf, &t->len);
	*state = t;
	return t->f ? 0 : -1;
}

static int teardown(void **state)
{
	struct text *t = *state;

	fclose(t->f);
	free(t->buf);
	free(t);
	return 0;
}

static const char *text_of(struct text *t)
{
	assert_int_equal(fflush(t->f), 0);
	return t->buf;
}

static void parse(const char *text, struct trace *tr)
{
	struct trace_error err = { 0 };

	if (trace_parse_buffer(text, strlen(text), tr, &err) != 0)
		fail_msg("line %lu of\n%s\ndoes not parse: %s", err.line, text, err.msg);
}

static int no_ram(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -EFAULT;
}

/* An EDID the library takes: the one it makes for an 800x600 display. */
static size_t library_edid(uint8_t *edid, size_t size)
{
	struct vgm_host_ops ops = { .size = sizeof(ops), .translate = no_ram };
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.scanouts = { { 1, 800, 600 } },
		.ops = &ops,
	};
	uint8_t req[32] = { (uint8_t)VGM_GPU_CMD_GET_EDID, (uint8_t)(VGM_GPU_CMD_GET_EDID >> 8) };
	uint8_t resp[32 + 1024];
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	struct vgm_device *dev;
	size_t written = 0, len;

	assert_int_equal(vgm_device_new(&cfg, &dev), 0);
	assert_int_equal(vgm_device_set_features(dev, 1ull << VGM_GPU_F_EDID), 0);
	assert_int_equal(vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written), 0);
	vgm_device_destroy(dev);
	len = (size_t)resp[24] | (size_t)resp[25] << 8;
	assert_true(written == sizeof(resp) && len >= 128 && len <= size);
	memcpy(edid, resp + 32, len);
	return len;
}

/* ---- device and ram lines ---------------------------------------------------- */

static void test_trace_write_device_round_trip(void **state)
{
	struct text *t = *state;
	uint8_t edid[1024];
	struct trace_device d = {
		.dialect = VGM_DIALECT_MEMORY_RFC,
		.have_features = true,
		.features = 0x6,
		.num_scanouts = 3,
		.scanouts = { { 1, 640, 480 }, { 0, 0, 0 }, { 1, 0, 0 } },
		.hostmem = 1u << 20,
		.max_entries = 100,
		.max_resources = 7,
		.max_regions = 9,
		.renderer = VGM_RENDERER_VIRGL,
	};
	struct trace tr = { 0 };
	const struct trace_device *got;

	d.edid[1].data = edid;
	d.edid[1].len = library_edid(edid, sizeof(edid));
	trace_write_device(t->f, &d);
	trace_write_ram(t->f, 0x10000, 0x3000);
	parse(text_of(t), &tr);
	assert_int_equal(tr.n, 2);
	assert_int_equal(tr.ops[0].kind, TRACE_DEVICE);
	got = &tr.ops[0].u.device;
	assert_int_equal(got->dialect, VGM_DIALECT_MEMORY_RFC);
	assert_true(got->have_features);
	assert_int_equal(got->features, 0x6);
	assert_int_equal(got->num_scanouts, 3);
	assert_memory_equal(&got->scanouts[0], &d.scanouts[0], sizeof(d.scanouts[0]));
	assert_int_equal(got->scanouts[1].enabled, 0);
	/* 0x0: the library's default size, written as such. */
	assert_int_equal(got->scanouts[2].width, VGM_DEFAULT_WIDTH);
	assert_int_equal(got->scanouts[2].height, VGM_DEFAULT_HEIGHT);
	assert_int_equal(got->hostmem, 1u << 20);
	assert_int_equal(got->max_entries, 100);
	assert_int_equal(got->max_resources, 7);
	assert_int_equal(got->max_regions, 9);
	assert_int_equal(got->renderer, VGM_RENDERER_VIRGL);
	assert_null(got->edid[0].data);
	assert_int_equal(got->edid[1].len, d.edid[1].len);
	assert_memory_equal(got->edid[1].data, edid, d.edid[1].len);
	assert_int_equal(tr.ops[1].kind, TRACE_RAM);
	assert_int_equal(tr.ops[1].u.ram.gpa, 0x10000);
	assert_int_equal(tr.ops[1].u.ram.size, 0x3000);
	trace_free(&tr);
}

/* v1 has no way to say "no display": the line says so in a comment. */
static void test_trace_write_device_no_display(void **state)
{
	struct text *t = *state;
	struct trace_device d = { .num_scanouts = 2 };

	trace_write_device(t->f, &d);
	assert_string_equal(text_of(t),
			    "# No display is connected: vgm-trace v1 cannot say so, the replay "
			    "has the default one.\ndevice dialect=standard scanouts=2\n");
}

/* ---- guest memory ---------------------------------------------------------------- */

static void apply(const struct trace *tr, uint64_t base, uint8_t *mem, size_t size)
{
	for (size_t i = 0; i < tr->n; i++) {
		const struct trace_op *op = &tr->ops[i];

		if (op->kind == TRACE_WRITE) {
			assert_true(op->u.write.gpa >= base &&
				    op->u.write.gpa - base + op->u.write.len <= size);
			assert_true(op->u.write.len <= 128);
			memcpy(mem + (op->u.write.gpa - base), op->u.write.data, op->u.write.len);
		} else if (op->kind == TRACE_FILL) {
			assert_true(op->u.fill.gpa >= base &&
				    op->u.fill.gpa - base + op->u.fill.len <= size);
			assert_true(op->u.fill.len >= 16);
			memset(mem + (op->u.fill.gpa - base), op->u.fill.byte, op->u.fill.len);
		}
	}
}

static size_t count(const struct trace *tr, enum trace_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < tr->n; i++)
		n += tr->ops[i].kind == kind;
	return n;
}

static void test_trace_write_memory_round_trip(void **state)
{
	struct text *t = *state;
	uint8_t bytes[1000], mem[1000];
	struct trace tr = { 0 };

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 7 + 3);
	memset(bytes + 100, 0xab, 40); /* a fill */
	memset(bytes + 300, 0x11, 15); /* too short for one: in a write */
	memset(bytes + 800, 0, 200);   /* a fill at the end */
	memset(mem, 0x5a, sizeof(mem));
	fputs("ram 0x10000 0x1000\n", t->f);
	trace_write_memory(t->f, 0x10000, bytes, sizeof(bytes));
	parse(text_of(t), &tr);
	apply(&tr, 0x10000, mem, sizeof(mem));
	assert_memory_equal(mem, bytes, sizeof(bytes));
	assert_int_equal(count(&tr, TRACE_FILL), 2);
	assert_true(count(&tr, TRACE_WRITE) >= 6); /* 760 bytes, 128 a line */
	trace_free(&tr);
}

/* ---- requests ------------------------------------------------------------------------ */

static void test_trace_write_resp_limits(void **state)
{
	struct iovec out[18];
	struct trace_request req = { 0 };

	(void)state;
	for (size_t i = 0; i < 18; i++)
		out[i] = (struct iovec){ NULL, i + 1 };
	trace_request_set_resp(&req, out, 18);
	assert_int_equal(req.nresp, TRACE_MAX_RESP);
	for (uint32_t i = 0; i + 1 < TRACE_MAX_RESP; i++)
		assert_int_equal(req.resp[i], i + 1);
	assert_int_equal(req.resp[TRACE_MAX_RESP - 1], 16 + 17 + 18); /* the rest */
	out[0].iov_len = 20u << 20;
	trace_request_set_resp(&req, out, 1);
	assert_int_equal(req.nresp, 1);
	assert_int_equal(req.resp[0], TRACE_MAX_RESP_SIZE);
	/* The limit is the elements' total, as the parser's: past it they
	 * are empty. */
	out[0].iov_len = 10u << 20;
	out[1].iov_len = 10u << 20;
	out[2].iov_len = 24;
	trace_request_set_resp(&req, out, 3);
	assert_int_equal(req.nresp, 3);
	assert_int_equal(req.resp[0], 10u << 20);
	assert_int_equal(req.resp[1], 6u << 20);
	assert_int_equal(req.resp[2], 0);
	trace_request_set_resp(&req, out, 0);
	assert_int_equal(req.nresp, 1);
	assert_int_equal(req.resp[0], 0);
}

static void test_trace_write_request_round_trip(void **state)
{
	struct text *t = *state;
	uint8_t data[100];
	size_t cuts[] = { 24, 60 };
	struct iovec out[] = { { NULL, 24 }, { NULL, 384 } };
	struct trace_request req = { .data = data, .len = sizeof(data), .cuts = cuts, .ncuts = 2 };
	struct trace_request cursor = { .data = data, .len = 56 };
	struct trace_request empty = { 0 };
	struct trace tr = { 0 };
	const struct trace_request *got;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(255 - i);
	trace_request_set_resp(&req, out, 2);
	trace_write_request(t->f, TRACE_CTRL, &req, "SOMETHING");
	trace_write_request(t->f, TRACE_CURSOR, &cursor, NULL);
	trace_request_set_resp(&empty, NULL, 0);
	trace_write_request(t->f, TRACE_CTRL, &empty, "?");
	parse(text_of(t), &tr);
	assert_int_equal(tr.n, 3);
	assert_int_equal(tr.ops[0].kind, TRACE_CTRL);
	got = &tr.ops[0].u.req;
	assert_int_equal(got->len, sizeof(data));
	assert_memory_equal(got->data, data, sizeof(data));
	assert_int_equal(got->ncuts, 2);
	assert_memory_equal(got->cuts, cuts, sizeof(cuts));
	assert_int_equal(got->nresp, 2);
	assert_int_equal(got->resp[0], 24);
	assert_int_equal(got->resp[1], 384);
	assert_int_equal(tr.ops[1].kind, TRACE_CURSOR);
	assert_int_equal(tr.ops[1].u.req.len, 56);
	assert_memory_equal(tr.ops[1].u.req.data, data, 56);
	assert_int_equal(tr.ops[1].u.req.ncuts, 0);
	assert_int_equal(tr.ops[2].kind, TRACE_CTRL);
	assert_int_equal(tr.ops[2].u.req.len, 0);
	assert_int_equal(tr.ops[2].u.req.nresp, 1);
	assert_int_equal(tr.ops[2].u.req.resp[0], 0);
	assert_non_null(strstr(t->buf, "  # SOMETHING\n"));
	trace_free(&tr);
}

/* ---- "# expect:" lines against the executor's output ---------------------------------- */

/* An executor, what it printed, and the last response it gave. */
struct run {
	struct trace_parser p; /* what the lines before said */
	FILE *f;	       /* the executor's output */
	char *out;
	size_t out_len;
	uint8_t resp[4096];
	size_t written;
	struct trace_exec *x;
};

static void after(void *ctx, struct vgm_device *dev, const struct trace_op *op,
		  const uint8_t *resp, size_t written)
{
	struct run *r = ctx;

	(void)dev;
	(void)op;
	assert_true(written <= sizeof(r->resp));
	if (written) /* resp may be NULL then */
		memcpy(r->resp, resp, written);
	r->written = written;
}

static void run_init(struct run *r)
{
	struct trace_exec_opts opts = { .after = after, .ctx = r }; /* no dump files */

	r->f = open_memstream(&r->out, &r->out_len);
	assert_non_null(r->f);
	opts.out = r->f;
	assert_int_equal(trace_exec_new(&opts, &r->x), 0);
	trace_parser_init(&r->p);
}

static void run_fini(struct run *r)
{
	trace_parser_fini(&r->p);
	trace_exec_destroy(r->x);
	fclose(r->f);
	free(r->out);
}

/* Runs text, which follows what ran before; returns what it printed (the
 * caller frees it). */
static char *run_text(struct run *r, const char *text)
{
	struct trace tr = { 0 };
	struct trace_error err = { 0 };
	size_t start;
	char *printed;

	assert_int_equal(fflush(r->f), 0);
	start = r->out_len;
	if (trace_parse_buffer_with(&r->p, text, strlen(text), &tr, &err) != 0)
		fail_msg("line %lu of\n%s\ndoes not parse: %s", err.line, text, err.msg);
	if (trace_exec_trace(r->x, &tr, &err) != 0)
		fail_msg("line %lu: %s", err.line, err.msg);
	trace_free(&tr);
	assert_int_equal(fflush(r->f), 0);
	printed = strndup(r->out + start, r->out_len - start);
	assert_non_null(printed);
	return printed;
}

/* The "# expect: " line of text, without its prefix, equals line. */
static void expect_equals(const char *text, const char *prefix, const char *line)
{
	const char *at = strstr(text, prefix);

	if (!at)
		fail_msg("no '%s' in:\n%s", prefix, text);
	at += strlen(prefix);
	if (strncmp(at, line, strlen(line)) != 0 || at[strlen(line)] != '\n')
		fail_msg("'%s%.*s' is not the replay's '%s'", prefix, (int)strcspn(at, "\n"), at, line);
}

static void expect_ctrl_as_replayed(struct text *t, const char *request)
{
	struct run r = { 0 };
	char *printed, *line;
	size_t len;

	run_init(&r);
	printed = run_text(&r, request);
	/* The executor's output ends with the response's ctrl line. */
	len = strlen(printed);
	assert_true(len > 0 && printed[len - 1] == '\n');
	printed[len - 1] = '\0';
	line = strrchr(printed, '\n') ? strrchr(printed, '\n') + 1 : printed;
	assert_memory_equal(line, "ctrl", 4);
	trace_write_expect_ctrl(t->f, true, false, r.resp, r.written);
	trace_write_expect_ctrl(t->f, false, false, r.resp, r.written);
	expect_equals(text_of(t), "# expect: ", line);
	expect_equals(t->buf, "# recorded: ", line);
	free(printed);
	run_fini(&r);
}

static void test_trace_write_expect_ctrl_as_replayed(void **state)
{
	expect_ctrl_as_replayed(*state, "ctrl GET_DISPLAY_INFO\n");
}

static void test_trace_write_expect_ctrl_empty_as_replayed(void **state)
{
	expect_ctrl_as_replayed(*state, "ctrl resp=0 GET_DISPLAY_INFO\n");
}

static void test_trace_write_dump_as_replayed(void **state)
{
	struct text *t = *state;
	struct run r = { 0 };
	char *dumps = NULL, *replayed;
	size_t len = 0;
	FILE *f = open_memstream(&dumps, &len);
	const struct vgm_device *dev;

	assert_non_null(f);
	run_init(&r);
	free(run_text(&r, "device scanouts=2 display=0:64x64 display=1:64x64\n"
			  "ram 0x10000 0x1000\n"
			  "fill 0x10000 0x1000 0x3c\n"
			  "write 0x10010 00ff00ff112233\n"
			  "ctrl RESOURCE_CREATE_2D id=1 format=B8G8R8X8 width=16 height=8\n"
			  "ctrl RESOURCE_ATTACH_BACKING id=1 entries=0x10000:0x1000\n"
			  "ctrl TRANSFER_TO_HOST_2D id=1 rect=0,0,16,8\n"
			  "ctrl SET_SCANOUT scanout_id=0 resource_id=1 rect=0,0,16,8\n"));
	dev = trace_exec_device(r.x);
	assert_int_equal(trace_write_dump(f, dev, 0, "s0.ppm"), 0);
	assert_int_equal(trace_write_dump(f, dev, 1, "s1.ppm"), 0);
	assert_int_equal(trace_write_dump(f, dev, 5, "s5.ppm"), -EINVAL);
	fclose(f);
	assert_null(strstr(dumps, "s5.ppm"));
	/* Replayed: the dump lines the expectations name. */
	replayed = run_text(&r, dumps);
	assert_non_null(strstr(replayed, "dump 0 16x8 crc="));
	assert_non_null(strstr(replayed, "dump 1 off\n"));
	fputs(dumps, t->f);
	for (char *line = strtok(replayed, "\n"); line; line = strtok(NULL, "\n")) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "# expect: dump %c", line[5]);
		expect_equals(text_of(t), prefix, line + 6);
	}
	free(replayed);
	free(dumps);
	run_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trace_write_device_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_write_device_no_display, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_write_memory_round_trip, setup, teardown),
		cmocka_unit_test(test_trace_write_resp_limits),
		cmocka_unit_test_setup_teardown(test_trace_write_request_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_write_expect_ctrl_as_replayed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_write_expect_ctrl_empty_as_replayed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_write_dump_as_replayed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
