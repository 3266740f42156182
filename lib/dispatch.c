/* SPDX-License-Identifier: MIT */
/*
 * The path of a request: copy the header, find the command, check the
 * feature and the length, copy and decode the body, validate, execute,
 * encode the response and echo the fence.
 *
 * Every request gets exactly one response on the control queue, whatever
 * it holds: a short or unknown request is an error response, never a
 * stalled queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "private.h"

static const struct cmd_desc *const families[] = {
	cmds_display, cmds_resource, cmds_backing, cmds_transfer, cmds_scanout, cmds_cursor,
};

static const struct cmd_desc *const memory_rfc_families[] = { cmds_region };
static const struct cmd_desc *const standard_families[] = { cmds_blob };

static struct cmd_slot *slot(struct cmd_slot table[3][16], uint32_t type)
{
	uint32_t group = type >> 8;

	if (group < 1 || group > 3 || (type & 0xff) >= 16)
		return NULL;
	return &table[group - 1][type & 0xff];
}

static const struct cmd_desc *find_in(const struct cmd_desc *family, uint32_t type)
{
	for (const struct cmd_desc *d = family; d->type; d++) {
		if (d->type == type)
			return d;
	}
	return NULL;
}

/* The handlers of a command in the dialect, or NULL. */
static const struct cmd_desc *handlers(enum vgm_dialect dialect, uint32_t type)
{
	const struct cmd_desc *const *extra = dialect == VGM_DIALECT_MEMORY_RFC
						      ? memory_rfc_families
						      : standard_families;
	const struct cmd_desc *d = NULL;

	for (size_t i = 0; !d && i < ARRAY_SIZE(families); i++)
		d = find_in(families[i], type);
	return d ? d : find_in(extra[0], type);
}

void dispatch_init(struct vgm_device *dev)
{
	const struct vgm_wire_command *w;

	for (size_t i = 0; (w = wire_command_at(i)); i++) {
		struct cmd_slot *s = slot(dev->cmds, w->type);

		if (!(w->dialects & (1u << core_dialect(dev->core))))
			continue;
		/* A table names a type outside the ranges, or a request too
		 * large for struct cmd: broken invariants. */
		if (!s || w->request->size > sizeof(((struct cmd *)0)->u))
			abort();
		*s = (struct cmd_slot){ w, handlers(core_dialect(dev->core), w->type) };
	}
}

static const struct cmd_slot *lookup(struct vgm_device *dev, uint32_t type)
{
	return slot(dev->cmds, type);
}

bool rect_inside(const struct vgm_gpu_rect *r, uint32_t width, uint32_t height)
{
	/* In 64 bits: x + width must not wrap around (CVE-2017-5580-style checks). */
	return (uint64_t)r->x + r->width <= width && (uint64_t)r->y + r->height <= height;
}

static const char *cmd_name(const struct cmd *c)
{
	return c->wire ? c->wire->name : "request";
}

uint32_t guest_error(struct vgm_device *dev, const struct cmd *c, uint32_t code, const char *fmt,
		     ...)
{
	char msg[192];
	va_list ap;

	if (!logger_wants(dev->log, VGM_LOG_WARNING))
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->queue == VGM_QUEUE_CURSOR)
		logger_guest(dev->log, "%s: %s: ignored", cmd_name(c), msg);
	else
		logger_guest(dev->log, "%s: %s: %s", cmd_name(c), msg,
			      wire_response_name(core_dialect(dev->core), code));
	return code;
}

/* Entries are copied this many bytes at a time. */
#define ENTRY_BATCH 1024u

uint32_t cmd_read_entries(struct vgm_device *dev, struct cmd *c, uint32_t nr_entries,
			  uint32_t short_code)
{
	const struct vgm_wire_layout *rec = c->wire->request->record;
	uint64_t sum = 0;

	if (c->rest->left / rec->size < nr_entries)
		return guest_error(dev, c, short_code, "nr_entries %u: the entries are truncated",
				   nr_entries);
	if (nr_entries > dev->entries_cap) {
		struct vgm_gpu_mem_entry *e = realloc(dev->entries, (size_t)nr_entries * sizeof(*e));

		if (!e)
			return guest_error(dev, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
					   "no memory for %u entries", nr_entries);
		dev->entries = e;
		dev->entries_cap = nr_entries;
	}
	for (uint32_t i = 0; i < nr_entries;) {
		uint8_t raw[ENTRY_BATCH];
		uint32_t n = nr_entries - i < ENTRY_BATCH / rec->size ? nr_entries - i
								       : ENTRY_BATCH / rec->size;

		if (!iov_reader_copy(c->rest, raw, (size_t)n * rec->size))
			abort(); /* the length was checked above */
		for (uint32_t k = 0; k < n; k++, i++) {
			if (!wire_decode_record(rec, raw + (size_t)k * rec->size, rec->size,
						&dev->entries[i]))
				abort(); /* a record's fields fill its size (test-wire) */
			sum += dev->entries[i].length; /* < 2^32 entries of < 2^32: no overflow */
		}
	}
	c->entries = dev->entries;
	c->nr_entries = nr_entries;
	c->entries_size = sum;
	return 0;
}

/* Whether the feature that gates a command lets it through. */
static bool gate_open(const struct vgm_device *dev, const struct cmd *c)
{
	if (c->desc->open_when_offered)
		return core_offered(dev->core) & (1ull << c->wire->feature);
	return core_accepted(dev->core, (uint32_t)c->wire->feature);
}

/* Finds the command and checks what the table says about it. */
static uint32_t admit(struct vgm_device *dev, struct cmd *c, enum vgm_queue queue)
{
	const struct cmd_slot *s = lookup(dev, c->hdr.type);

	c->wire = s ? s->wire : NULL;
	c->desc = s ? s->desc : NULL;
	if (!c->wire)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "unknown type 0x%04x",
				   c->hdr.type);
	if (c->wire->queue != queue)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "sent on the wrong queue");
	if (!c->desc)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "not supported by this device");
	if (c->wire->feature >= 0 && !gate_open(dev, c))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "feature bit %d not %s",
				   c->wire->feature,
				   c->desc->open_when_offered ? "offered" : "negotiated");
	return 0;
}

/* Copies and decodes the rest of the fixed part (raw holds the header),
 * validates, executes. */
static uint32_t run(struct vgm_device *dev, struct cmd *c, struct iov_reader *ir, uint8_t *raw)
{
	const struct vgm_wire_layout *l = c->wire->request;
	uint32_t err;

	if (!iov_reader_copy(ir, raw + WIRE_HDR_SIZE, l->size - WIRE_HDR_SIZE))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "request has %zu bytes, needs %u", WIRE_HDR_SIZE + ir->left,
				   l->size);
	if (!wire_decode_body(l, raw, l->size, &c->u))
		abort(); /* the length was checked above */
	c->rest = ir;
	err = c->desc->validate(dev, c);
	if (err)
		return err;
	return c->desc->execute(dev, c);
}

static uint32_t handle(struct vgm_device *dev, struct cmd *c, struct iov_reader *ir,
		       enum vgm_queue queue)
{
	uint8_t raw[sizeof(c->u)];
	uint32_t err;

	c->queue = queue;
	if (!iov_reader_copy(ir, raw, WIRE_HDR_SIZE))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "request has %zu bytes, shorter than the header", ir->left);
	wire_decode_hdr(raw, WIRE_HDR_SIZE, &c->hdr);
	err = admit(dev, c, queue);
	return err ? err : run(dev, c, ir, raw);
}

/* The response header, with the fence echoed only if the request had one. */
static void response_hdr(struct vgm_gpu_ctrl_hdr *h, const struct cmd *c, uint32_t type,
			 bool have_hdr)
{
	*h = (struct vgm_gpu_ctrl_hdr){ .type = type };
	if (have_hdr && (c->hdr.flags & VGM_GPU_FLAG_FENCE)) {
		h->flags = VGM_GPU_FLAG_FENCE;
		h->fence_id = c->hdr.fence_id;
		h->ctx_id = c->hdr.ctx_id;
		if (c->hdr.flags & VGM_GPU_FLAG_INFO_RING_IDX) {
			h->flags |= VGM_GPU_FLAG_INFO_RING_IDX;
			h->ring_idx = c->hdr.ring_idx;
		}
	}
}

static size_t control(struct vgm_device *dev, struct iov_reader *ir, const struct iovec *out,
		      size_t out_cnt)
{
	union cmd_resp resp;
	uint8_t bytes[sizeof(resp)];
	struct writer w;
	struct cmd c = { .resp = &resp };
	bool have_hdr = ir->left >= WIRE_HDR_SIZE;
	uint32_t err = handle(dev, &c, ir, VGM_QUEUE_CONTROL);
	const struct vgm_wire_layout *l = err ? wire_header() : c.wire->response;
	size_t written;

	response_hdr(&resp.hdr, &c, err ? err : c.wire->ok, have_hdr);
	writer_init(&w, bytes, sizeof(bytes));
	wire_encode(l, &resp, &w);
	written = iov_scatter(out, out_cnt, bytes, w.pos);
	if (written < w.pos)
		logger_guest(dev->log, "%s: response of %zu bytes truncated to %zu", cmd_name(&c),
			  w.pos, written);
	if (have_hdr && (c.hdr.flags & VGM_GPU_FLAG_FENCE)) {
		uint8_t ring = (c.hdr.flags & VGM_GPU_FLAG_INFO_RING_IDX) ? c.hdr.ring_idx : 0;

		host_fence_done(dev->host, c.hdr.ctx_id, ring, c.hdr.fence_id);
	}
	return written;
}

VGM_EXPORT int vgm_device_submit(struct vgm_device *dev, enum vgm_queue queue,
				 const struct iovec *in, size_t in_cnt, const struct iovec *out,
				 size_t out_cnt, size_t *written)
{
	struct iov_reader ir;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!written || (queue != VGM_QUEUE_CONTROL && queue != VGM_QUEUE_CURSOR) ||
	    (!in && in_cnt) || (!out && out_cnt)) {
		logger_msg(dev->log, VGM_LOG_ERROR, "API misuse: vgm_device_submit: bad arguments");
		return -EINVAL;
	}
	iov_reader_init(&ir, in, in_cnt);
	if (queue == VGM_QUEUE_CURSOR) {
		struct cmd c = { 0 };

		handle(dev, &c, &ir, VGM_QUEUE_CURSOR); /* the cursor queue has no responses */
		*written = 0;
		return 0;
	}
	*written = control(dev, &ir, out, out_cnt);
	return 0;
}

