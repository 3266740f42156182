/* SPDX-License-Identifier: MIT */
/*
 * The output of a replay: one line per response and per event, each
 * starting with its own word, with nothing in it that changes from run to
 * run (no pointers, no times). docs/trace-format.md lists the lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trace-private.h"

static FILE *out_of(void *host)
{
	return ((struct trace_exec *)host)->opts.out;
}

static void on_fence(void *host, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	if (out_of(host))
		fprintf(out_of(host), "fence ctx=%" PRIu32 " ring=%u id=%" PRIu64 "\n", ctx_id,
			ring_idx, fence_id);
}

static void on_config_changed(void *host)
{
	if (out_of(host))
		fputs("config-changed\n", out_of(host));
}

static void put_fourcc(FILE *f, uint32_t fourcc)
{
	char c[4];

	for (int i = 0; i < 4; i++) {
		c[i] = (char)(fourcc >> (8 * i));
		if (c[i] < 0x20 || c[i] > 0x7e) {
			fprintf(f, "0x%08" PRIx32, fourcc);
			return;
		}
	}
	fprintf(f, "%.4s", c);
}

static void on_scanout_set(void *host, uint32_t scanout, const struct vgm_pixels *px)
{
	FILE *f = out_of(host);

	if (!f)
		return;
	fprintf(f, "scanout %" PRIu32 " set %" PRIu32 "x%" PRIu32 " fourcc=", scanout, px->width,
		px->height);
	put_fourcc(f, px->fourcc);
	fprintf(f, " stride=%" PRIu32 "\n", px->stride);
}

static void on_scanout_disable(void *host, uint32_t scanout)
{
	if (out_of(host))
		fprintf(out_of(host), "scanout %" PRIu32 " off\n", scanout);
}

static void on_scanout_update(void *host, uint32_t scanout, const struct vgm_rect *r)
{
	if (out_of(host))
		fprintf(out_of(host), "update %" PRIu32 " %" PRIu32 ",%" PRIu32 " %" PRIu32 "x%" PRIu32 "\n",
			scanout, r->x, r->y, r->width, r->height);
}

static void on_cursor_set(void *host, uint32_t scanout, const struct vgm_cursor *c)
{
	uint32_t crc;

	if (!out_of(host))
		return;
	/* The pixels are host-endian words; the library only runs little-endian. */
	crc = crc32_update(0, c->pixels, VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * sizeof(uint32_t));
	fprintf(out_of(host),
		"cursor %" PRIu32 " set hot=%" PRIu32 ",%" PRIu32 " pos=%" PRIu32 ",%" PRIu32
		" crc=%08" PRIx32 "\n",
		scanout, c->hot_x, c->hot_y, c->x, c->y, crc);
}

static void on_cursor_move(void *host, uint32_t scanout, uint32_t x, uint32_t y)
{
	if (out_of(host))
		fprintf(out_of(host), "cursor %" PRIu32 " move %" PRIu32 ",%" PRIu32 "\n", scanout, x,
			y);
}

static void on_cursor_hide(void *host, uint32_t scanout)
{
	if (out_of(host))
		fprintf(out_of(host), "cursor %" PRIu32 " hide\n", scanout);
}

static void on_log(void *host, enum vgm_log_level level, const char *msg)
{
	static const char *const names[] = { "?", "error", "warning", "info", "debug" };
	FILE *f = out_of(host);

	if (!f)
		return;
	fprintf(f, "log %s ", (unsigned)level < ARRAY_SIZE(names) ? names[level] : "?");
	for (; *msg; msg++)
		fputc(*msg >= 0x20 && *msg <= 0x7e ? *msg : '?', f);
	fputc('\n', f);
}

/* RFC 4122 text form. The library draws UUIDs at random: golden traces
 * compare them by identity, not by value (tests/traces/run-trace.py). */
static void on_resource_uuid(void *host, uint32_t resource_id, const uint8_t uuid[16])
{
	FILE *f = out_of(host);

	if (!f)
		return;
	fprintf(f, "uuid %" PRIu32 " ", resource_id);
	for (int i = 0; i < 16; i++)
		fprintf(f, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", uuid[i]);
	fputc('\n', f);
}

void print_install(struct vgm_host_ops *ops)
{
	ops->fence_done = on_fence;
	ops->config_changed = on_config_changed;
	ops->scanout_set = on_scanout_set;
	ops->scanout_disable = on_scanout_disable;
	ops->scanout_update = on_scanout_update;
	ops->cursor_set = on_cursor_set;
	ops->cursor_move = on_cursor_move;
	ops->cursor_hide = on_cursor_hide;
	ops->log = on_log;
	ops->resource_uuid = on_resource_uuid;
	/* No scanout_dmabuf: the fake RAM has no fds, scanouts come as pixels. */
}

/*
 * A response that depends on the host (a capset, which changes with Mesa)
 * prints its 24-byte header and its size only, so that a golden output
 * holds on every host that answers with the same type and length.
 */
void print_ctrl(const struct trace_exec *x, const uint8_t *resp, size_t written,
		bool host_dependent)
{
	if (x->opts.out)
		text_ctrl(x->opts.out, resp, written, host_dependent);
}

/* A command or response type by name, or in hex when it has none. */
static void put_type(FILE *f, const char *name, const uint8_t *bytes, size_t len)
{
	if (len == 0)
		fputs("(none)", f);
	else if (len < 4)
		fputs("(short)", f);
	else if (name)
		fputs(name, f);
	else
		fprintf(f, "0x%04" PRIx32, le32(bytes));
}

/* What lives in the device, when it changed since the previous note:
 * enough to follow reference counts through a trace. Table bytes are left
 * out: they depend on the host's pointer size. */
static void put_stats(FILE *f, struct trace_exec *x)
{
	struct vgm_stats st = { .size = sizeof(st) };
	uint64_t now[5];

	if (vgm_device_get_stats(x->dev, &st) < 0)
		return;
	now[0] = st.resources;
	now[1] = st.regions;
	now[2] = st.memory_ids;
	now[3] = st.image_bytes;
	now[4] = st.backing_entries;
	if (memcmp(now, x->last_stats, sizeof(now)) == 0)
		return;
	memcpy(x->last_stats, now, sizeof(now));
	fprintf(f, " resources=%" PRIu64 " regions=%" PRIu64 " ids=%" PRIu64 " image=%" PRIu64
		" entries=%" PRIu64, now[0], now[1], now[2], now[3], now[4]);
}

void print_note(struct trace_exec *x, const struct trace_op *op, const uint8_t *resp,
		size_t written)
{
	const struct trace_request *req = &op->u.req;
	enum vgm_dialect d = x->cfg.dialect;
	FILE *f = x->opts.out;

	if (!f || !x->opts.annotate)
		return;
	fprintf(f, "note line=%lu %s ", op->line, op->kind == TRACE_CTRL ? "ctrl" : "cursor");
	put_type(f, req->len >= 4 ? vgm_command_name(d, le32(req->data)) : NULL, req->data,
		 req->len);
	if (op->kind == TRACE_CTRL) {
		fputs(" -> ", f);
		put_type(f, written >= 4 ? vgm_response_name(d, le32(resp)) : NULL, resp, written);
	}
	put_stats(f, x);
	fputc('\n', f);
}
