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

/* The largest fixed part of a request (SET_SCANOUT_BLOB). */
#define CMD_MAX_SIZE 96u

static const struct cmd_desc *const families[] = {
	cmds_display, cmds_resource, cmds_backing, cmds_transfer,
	cmds_scanout, cmds_cursor,   cmds_unsupported,
};

static const struct cmd_desc *const memory_rfc_families[] = { cmds_region };
static const struct cmd_desc *const standard_families[] = { cmds_blob };

static const struct cmd_desc **slot(const struct cmd_desc *table[3][16], uint32_t type)
{
	uint32_t group = type >> 8;

	if (group < 1 || group > 3 || (type & 0xff) >= 16)
		return NULL;
	return &table[group - 1][type & 0xff];
}

static void add_family(const struct cmd_desc *table[3][16], const struct cmd_desc *family)
{
	for (const struct cmd_desc *d = family; d->type; d++) {
		const struct cmd_desc **s = slot(table, d->type);

		if (!s)
			abort(); /* a table names a type outside the ranges */
		*s = d;
	}
}

static void build_table(const struct cmd_desc *table[3][16], enum vgm_dialect dialect)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		add_family(table, families[i]);
	for (size_t i = 0; dialect == VGM_DIALECT_MEMORY_RFC && i < ARRAY_SIZE(memory_rfc_families);
	     i++)
		add_family(table, memory_rfc_families[i]);
	for (size_t i = 0; dialect == VGM_DIALECT_STANDARD && i < ARRAY_SIZE(standard_families); i++)
		add_family(table, standard_families[i]);
}

void dispatch_init(struct vgm_device *dev)
{
	build_table(dev->cmds, dev->dialect);
}

static const struct cmd_desc *lookup(const struct vgm_device *dev, uint32_t type)
{
	const struct cmd_desc **s = slot((const struct cmd_desc *(*)[16])dev->cmds, type);

	return s ? *s : NULL;
}

bool rect_inside(const struct vgm_gpu_rect *r, uint32_t width, uint32_t height)
{
	/* In 64 bits: x + width must not wrap around (CVE-2017-5580-style checks). */
	return (uint64_t)r->x + r->width <= width && (uint64_t)r->y + r->height <= height;
}

static const char *cmd_name(const struct cmd *c)
{
	return c->desc ? c->desc->name : "request";
}

uint32_t guest_error(struct vgm_device *dev, const struct cmd *c, uint32_t code, const char *fmt,
		     ...)
{
	char msg[192];
	va_list ap;

	if (!log_wanted(dev->log, VGM_LOG_WARNING))
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->queue == VGM_QUEUE_CURSOR)
		log_guest(dev->log, "%s: %s: ignored", cmd_name(c), msg);
	else
		log_guest(dev->log, "%s: %s: %s", cmd_name(c), msg,
			      vgm_response_name(dev->dialect, code));
	return code;
}

uint32_t cmd_read_entries(struct vgm_device *dev, struct cmd *c, uint32_t nr_entries,
			  uint32_t short_code)
{
	uint64_t sum = 0;

	if (c->rest->left / WIRE_ENTRY_SIZE < nr_entries)
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
	for (uint32_t i = 0; i < nr_entries; i++) {
		uint8_t raw[WIRE_ENTRY_SIZE];
		struct reader r;

		if (!iov_reader_copy(c->rest, raw, sizeof(raw)))
			abort(); /* the length was checked above */
		reader_init(&r, raw, sizeof(raw));
		wire_get_entry(&r, &dev->entries[i]);
		sum += dev->entries[i].length; /* < 2^32 entries of < 2^32: no overflow */
	}
	c->entries = dev->entries;
	c->nr_entries = nr_entries;
	c->entries_size = sum;
	return 0;
}

/* Whether the feature that gates a command lets it through. */
static bool gate_open(const struct vgm_device *dev, const struct cmd_desc *d)
{
	if (d->open_when_offered)
		return dev->offered & (1ull << d->feature);
	return feature_accepted(dev, (uint32_t)d->feature);
}

/* Finds the command and checks what the table says about it. */
static uint32_t admit(struct vgm_device *dev, struct cmd *c, enum vgm_queue queue)
{
	const struct cmd_desc *d = lookup(dev, c->hdr.type);

	c->desc = d;
	if (!d)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "unknown type 0x%04x",
				   c->hdr.type);
	if (d->queue != queue)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "sent on the wrong queue");
	if (!d->validate)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "not supported by this device");
	if (d->feature >= 0 && !gate_open(dev, d))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "feature bit %d not %s",
				   d->feature, d->open_when_offered ? "offered" : "negotiated");
	return 0;
}

/* Copies and decodes the body, validates, executes. */
static uint32_t run(struct vgm_device *dev, struct cmd *c, struct iov_reader *ir, uint8_t *raw)
{
	size_t body = c->desc->size - WIRE_HDR_SIZE;
	struct reader r;
	uint32_t err;

	if (!iov_reader_copy(ir, raw, body))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "request has %zu bytes, needs %u", WIRE_HDR_SIZE + ir->left,
				   c->desc->size);
	reader_init(&r, raw, body);
	if (!c->desc->decode(&r, c))
		abort(); /* decoders read exactly the body whose length was checked */
	c->rest = ir;
	err = c->desc->validate(dev, c);
	if (err)
		return err;
	return c->desc->execute(dev, c);
}

static uint32_t handle(struct vgm_device *dev, struct cmd *c, struct iov_reader *ir,
		       enum vgm_queue queue)
{
	uint8_t raw[CMD_MAX_SIZE];
	uint8_t hdr[WIRE_HDR_SIZE];
	struct reader r;
	uint32_t err;

	c->queue = queue;
	if (!iov_reader_copy(ir, hdr, sizeof(hdr)))
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "request has %zu bytes, shorter than the header", ir->left);
	reader_init(&r, hdr, sizeof(hdr));
	wire_get_hdr(&r, &c->hdr);
	err = admit(dev, c, queue);
	return err ? err : run(dev, c, ir, raw);
}

/* The response header, with the fence echoed only if the request had one. */
static void put_response_hdr(struct writer *w, const struct cmd *c, uint32_t type, bool have_hdr)
{
	struct vgm_gpu_ctrl_hdr h = { .type = type };

	if (have_hdr && (c->hdr.flags & VGM_GPU_FLAG_FENCE)) {
		h.flags = VGM_GPU_FLAG_FENCE;
		h.fence_id = c->hdr.fence_id;
		h.ctx_id = c->hdr.ctx_id;
		if (c->hdr.flags & VGM_GPU_FLAG_INFO_RING_IDX) {
			h.flags |= VGM_GPU_FLAG_INFO_RING_IDX;
			h.ring_idx = c->hdr.ring_idx;
		}
	}
	wire_put_hdr(w, &h);
}

static size_t control(struct vgm_device *dev, struct iov_reader *ir, const struct iovec *out,
		      size_t out_cnt)
{
	uint8_t resp[WIRE_RESP_MAX];
	struct writer body, head;
	struct cmd c = { .body = &body };
	bool have_hdr = ir->left >= WIRE_HDR_SIZE;
	uint32_t err;
	size_t len, written;

	writer_init(&body, resp + WIRE_HDR_SIZE, sizeof(resp) - WIRE_HDR_SIZE);
	err = handle(dev, &c, ir, VGM_QUEUE_CONTROL);
	len = WIRE_HDR_SIZE + (err ? 0 : body.pos);
	writer_init(&head, resp, WIRE_HDR_SIZE);
	put_response_hdr(&head, &c, err ? err : c.desc->ok, have_hdr);
	written = iov_scatter(out, out_cnt, resp, len);
	if (written < len)
		log_guest(dev->log, "%s: response of %zu bytes truncated to %zu", cmd_name(&c), len,
			      written);
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
		log_msg(dev->log, VGM_LOG_ERROR, "API misuse: vgm_device_submit: bad arguments");
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

/* Names, for logs and tools. */

VGM_EXPORT const char *vgm_command_name(enum vgm_dialect dialect, uint32_t type)
{
	const struct cmd_desc *table[3][16] = { { NULL } };
	const struct cmd_desc **s;

	if (dialect != VGM_DIALECT_STANDARD && dialect != VGM_DIALECT_MEMORY_RFC)
		return NULL;
	build_table(table, dialect);
	s = slot(table, type);
	return s && *s ? (*s)->name : NULL;
}

VGM_EXPORT const char *vgm_response_name(enum vgm_dialect dialect, uint32_t type)
{
	static const char *const ok[] = {
		"OK_NODATA", "OK_DISPLAY_INFO",	   "OK_CAPSET_INFO", "OK_CAPSET",
		"OK_EDID",   "OK_RESOURCE_UUID", "OK_MAP_INFO",
	};
	static const char *const err[] = {
		"ERR_UNSPEC",		  "ERR_OUT_OF_MEMORY",	   "ERR_INVALID_SCANOUT_ID",
		"ERR_INVALID_RESOURCE_ID", "ERR_INVALID_CONTEXT_ID", "ERR_INVALID_PARAMETER",
		"ERR_INVALID_MEMORY_ID",
	};
	bool rfc = dialect == VGM_DIALECT_MEMORY_RFC;

	if (type >= VGM_GPU_RESP_OK_NODATA && type < VGM_GPU_RESP_OK_NODATA + ARRAY_SIZE(ok))
		return rfc && type > VGM_GPU_RESP_OK_EDID ? NULL : ok[type - VGM_GPU_RESP_OK_NODATA];
	if (type >= VGM_GPU_RESP_ERR_UNSPEC && type < VGM_GPU_RESP_ERR_UNSPEC + ARRAY_SIZE(err))
		return !rfc && type == VGM_GPU_RESP_ERR_INVALID_MEMORY_ID
			       ? NULL
			       : err[type - VGM_GPU_RESP_ERR_UNSPEC];
	return NULL;
}

/* Commands the device names but does not implement: 3D needs a renderer,
 * MAP_BLOB host-visible memory. */
#define UNSUPPORTED(t, n) { .type = (t), .name = (n), .size = WIRE_HDR_SIZE, .feature = -1 }

const struct cmd_desc cmds_unsupported[] = {
	UNSUPPORTED(VGM_GPU_CMD_CTX_CREATE, "CTX_CREATE"),
	UNSUPPORTED(VGM_GPU_CMD_CTX_DESTROY, "CTX_DESTROY"),
	UNSUPPORTED(VGM_GPU_CMD_CTX_ATTACH_RESOURCE, "CTX_ATTACH_RESOURCE"),
	UNSUPPORTED(VGM_GPU_CMD_CTX_DETACH_RESOURCE, "CTX_DETACH_RESOURCE"),
	UNSUPPORTED(VGM_GPU_CMD_RESOURCE_CREATE_3D, "RESOURCE_CREATE_3D"),
	UNSUPPORTED(VGM_GPU_CMD_TRANSFER_TO_HOST_3D, "TRANSFER_TO_HOST_3D"),
	UNSUPPORTED(VGM_GPU_CMD_TRANSFER_FROM_HOST_3D, "TRANSFER_FROM_HOST_3D"),
	UNSUPPORTED(VGM_GPU_CMD_SUBMIT_3D, "SUBMIT_3D"),
	UNSUPPORTED(VGM_GPU_CMD_RESOURCE_MAP_BLOB, "RESOURCE_MAP_BLOB"),
	UNSUPPORTED(VGM_GPU_CMD_RESOURCE_UNMAP_BLOB, "RESOURCE_UNMAP_BLOB"),
	{ 0 },
};
