/* SPDX-License-Identifier: MIT */
/*
 * fuzz/trace: the vgm-trace v1 parser (tools/trace.h), which vgm-replay
 * runs on files users hand it, and the executor behind it. Any text either
 * parses or is refused with a message naming a line; a trace that parses
 * is run with no files written, and each control response is checked
 * against the rules of check_response() (the trace's device answers with
 * every offered feature unless the device line says otherwise).
 *
 * The parser gets 16 MiB of guest RAM in 64 ranges at most and a data
 * budget of 16 MiB (checked as it parses, as vgm-replay's), and the
 * executor's device a budget of 64 MiB, so a short input cannot ask for
 * gigabytes.
 *
 * One input in three runs as vgm-replay --save-restore does: after each
 * request the device is saved, destroyed, made anew and loaded, its guest
 * RAM moved to new host addresses (mremap) and the device resumed, so the
 * state format, load and resume see whatever state a trace can build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trace.h"

#define MAX_RAM (16ull << 20)
#define MAX_DATA (16ull << 20)
#define MAX_HOSTMEM (64ull << 20)
#define MAX_RESP 4096u

struct run {
	struct resp_ctx ctx;
	bool ctx_set;
};

static void after(void *opaque, struct vgm_device *dev, const struct trace_op *op,
		  const uint8_t *resp, size_t written)
{
	struct run *r = opaque;
	size_t writable = 0;
	struct chain c;

	if (op->kind != TRACE_CTRL)
		return;
	if (!r->ctx_set) {
		uint8_t cfg[16];

		/* The executor accepts what the device line says; read it back. */
		FUZZ_CHECK(vgm_device_config_read(dev, 8, cfg, 4) == 0, "config read");
		r->ctx.num_scanouts = le32(cfg);
		r->ctx_set = true;
	}
	for (size_t i = 0; i < op->u.req.nresp; i++)
		writable += op->u.req.resp[i];
	memset(&c, 0, sizeof(c));
	c.writable = writable;
	if (written)
		memcpy(c.resp, resp, written < sizeof(c.resp) ? written : sizeof(c.resp));
	/* The executor's callbacks are its own: no fence count to check. */
	check_response(&r->ctx, NULL, op->u.req.data, op->u.req.len, &c, written);
}

/* Keeps what a short input can ask for within a fuzzer's means. */
static void tame(struct trace *t, struct run *r, uint64_t *offered_features)
{
	for (size_t i = 0; i < t->n; i++) {
		struct trace_op *op = &t->ops[i];

		if (op->kind == TRACE_DEVICE) {
			struct trace_device *d = &op->u.device;

			if (d->hostmem == 0 || d->hostmem > MAX_HOSTMEM)
				d->hostmem = MAX_HOSTMEM;
			r->ctx.dialect = d->dialect;
			r->ctx.offered = d->dialect == VGM_DIALECT_MEMORY_RFC
						 ? 1u << VGM_GPU_F_EDID | 1u << VGM_GPU_F_MEMORY
						 : *offered_features;
			r->ctx.accepted = d->have_features ? d->features & 0xffffff
							   : r->ctx.offered;
		}
		if (op->kind == TRACE_CTRL) {
			for (size_t j = 0; j < op->u.req.nresp; j++) {
				if (op->u.req.resp[j] > MAX_RESP)
					op->u.req.resp[j] = MAX_RESP;
			}
		}
	}
}

static FILE *devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_parser p;
	struct trace t;
	struct trace_error err = { 0 };
	struct trace_exec *x = NULL;
	struct run r = { .ctx = { .dialect = VGM_DIALECT_STANDARD } };
	uint64_t standard = 1u << VGM_GPU_F_EDID | 1u << VGM_GPU_F_RESOURCE_UUID |
			    1u << VGM_GPU_F_RESOURCE_BLOB;
	struct trace_exec_opts opts = {
		.out = devnull(),
		.write_dumps = false,
		.annotate = size % 2 == 0,
		.save_restore = size % 3 == 0,
		.after = after,
		.ctx = &r,
	};
	int ret;

	r.ctx.accepted = standard;
	r.ctx.offered = standard;
	trace_parser_init(&p);
	p.max_ram = MAX_RAM;
	p.max_ranges = 64;
	p.max_data = MAX_DATA;
	ret = trace_parse_buffer_with(&p, (const char *)data, size, &t, &err);
	trace_parser_fini(&p);
	if (ret < 0) {
		FUZZ_CHECK(t.n == 0 && err.msg[0] && memchr(err.msg, 0, sizeof(err.msg)),
			   "a refused trace must be empty and say why");
		return 0;
	}
	FUZZ_CHECK(err.msg[0] == 0, "a trace that parses reports an error: %s", err.msg);
	tame(&t, &r, &standard);
	FUZZ_CHECK(trace_exec_new(&opts, &x) == 0, "trace_exec_new");
	/* A line that cannot run (a write outside RAM, features the device
	 * does not offer) stops the replay: that is the trace's error. */
	if (trace_exec_trace(x, &t, &err) < 0)
		FUZZ_CHECK(err.msg[0] && err.line > 0, "a failed line must say which and why");
	trace_exec_destroy(x);
	trace_free(&t);
	return 0;
}
