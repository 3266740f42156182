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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-impl.h"

static const struct cmd_desc *const families[] = {
	cmds_display, cmds_resource, cmds_backing, cmds_transfer,
	cmds_scanout, cmds_cursor,   cmds_capset,
};

/* Only a device with a 3D renderer implements them. */
static const struct cmd_desc *const families_3d[] = { cmds_ctx, cmds_res3d, cmds_submit };

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
	for (const struct cmd_desc *h = family; h->type; h++) {
		if (h->type == type)
			return h;
	}
	return NULL;
}

/* The handlers of a command in the dialect, or NULL. */
static const struct cmd_desc *handlers(enum vgm_dialect dialect, bool has_3d, uint32_t type)
{
	const struct cmd_desc *const *extra = dialect == VGM_DIALECT_MEMORY_RFC
						      ? memory_rfc_families
						      : standard_families;
	const struct cmd_desc *h = NULL;

	for (size_t i = 0; !h && i < ARRAY_SIZE(families); i++)
		h = find_in(families[i], type);
	for (size_t i = 0; has_3d && !h && i < ARRAY_SIZE(families_3d); i++)
		h = find_in(families_3d[i], type);
	return h ? h : find_in(extra[0], type);
}

size_t dispatch_size(void)
{
	return place_round(sizeof(struct dispatch));
}

void dispatch_init(struct dispatch *d, struct core *c, struct render *r, struct host *host,
		   struct logger *log)
{
	const struct vgm_wire_command *w;

	*d = (struct dispatch){
		.core = c,
		.render = r,
		.host = host,
		.log = log,
		.dialect = core_dialect(c),
		.hdr_flat = wire_layout_flat(wire_header()),
	};
	for (size_t i = 0; (w = wire_command_at(i)); i++) {
		struct cmd_slot *s = slot(d->cmds, w->type);

		if (!(w->dialects & (1u << d->dialect)))
			continue;
		/* A table names a type outside the ranges, or a request too
		 * large for struct cmd: broken invariants. */
		if (!s || w->request->size > sizeof(((struct cmd *)0)->u))
			abort();
		*s = (struct cmd_slot){
			.wire = w,
			.desc = handlers(d->dialect, render_3d(r) != NULL, w->type),
			.flat = wire_layout_flat(w->request),
			.flat_records = w->request->record && wire_layout_flat(w->request->record) &&
					w->request->record->size == sizeof(*d->entries),
		};
		s->resource_at = prefetch_resource_at(s);
	}
}

void dispatch_fini(struct dispatch *d)
{
	struct dispatch_done done[16];

	while (dispatch_cancel(d, done, ARRAY_SIZE(done)))
		continue;
	free(d->entries);
	dispatch_reset(d);
}

void dispatch_reset(struct dispatch *d)
{
	free(d->submit_buf);
	budget_release(d->core, BUDGET_IMAGE, d->submit_cap);
	d->submit_buf = NULL;
	d->submit_cap = 0;
}

const struct cmd_slot *dispatch_slot(struct dispatch *d, uint32_t type)
{
	const struct cmd_slot *s = slot(d->cmds, type);

	return s && s->wire ? s : NULL;
}

/* Entries are copied this many bytes at a time. */
#define ENTRY_BATCH 1024u

/* The number of entries the request says follow (its VGM_WIRE_COUNT field). */
static uint32_t entry_count(const struct cmd *c)
{
	const struct vgm_wire_layout *l = c->wire->request;
	uint32_t n = 0;

	for (uint32_t i = 0; i < l->nfields; i++) {
		if (l->fields[i].flags & VGM_WIRE_COUNT)
			memcpy(&n, (const uint8_t *)&c->u + l->fields[i].offset, sizeof(n));
	}
	return n;
}

/* Entries whose C struct is their wire bytes: copied at once. Returns the
 * sum of their lengths. */
static uint64_t copy_entries(struct dispatch *d, struct cmd *c, uint32_t nr_entries)
{
	uint64_t sum = 0;

	if (nr_entries == 0)
		return 0; /* d->entries may be NULL yet */
	if (!iov_reader_copy(c->rest, d->entries, (size_t)nr_entries * sizeof(*d->entries)))
		abort(); /* the length was checked */
	for (uint32_t i = 0; i < nr_entries; i++)
		sum += d->entries[i].length; /* < 2^32 entries of < 2^32: no overflow */
	return sum;
}

/* Entries decoded one by one by their layout, in batches. Returns the sum
 * of their lengths. */
static uint64_t decode_entries(struct dispatch *d, struct cmd *c,
			       const struct vgm_wire_layout *rec, uint32_t nr_entries)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < nr_entries;) {
		uint8_t raw[ENTRY_BATCH];
		uint32_t n = nr_entries - i < ENTRY_BATCH / rec->size ? nr_entries - i
								       : ENTRY_BATCH / rec->size;

		if (!iov_reader_copy(c->rest, raw, (size_t)n * rec->size))
			abort(); /* the length was checked above */
		for (uint32_t k = 0; k < n; k++, i++) {
			if (!wire_decode_record(rec, raw + (size_t)k * rec->size, rec->size,
						&d->entries[i]))
				abort(); /* a record's fields fill its size (test-wire) */
			sum += d->entries[i].length; /* < 2^32 entries of < 2^32: no overflow */
		}
	}
	return sum;
}

/* Decodes the entries that follow the struct into the dispatch's scratch,
 * c->entries (validate() checked their number against the limit).
 * Returns 0, short_code when the request is too short for them, or
 * ERR_OUT_OF_MEMORY; logs. */
static uint32_t read_entries(struct dispatch *d, struct cmd *c, uint32_t short_code)
{
	const struct vgm_wire_layout *rec = c->wire->request->record;
	uint32_t nr_entries = entry_count(c);
	uint64_t sum;

	if (c->rest->left / rec->size < nr_entries)
		return guest_error(d, c, short_code, "nr_entries %u: the entries are truncated",
				   nr_entries);
	if (nr_entries > d->entries_cap) {
		struct vgm_gpu_mem_entry *e = realloc(d->entries, (size_t)nr_entries * sizeof(*e));

		if (!e)
			return guest_error(d, c, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
					   "no memory for %u entries", nr_entries);
		d->entries = e;
		d->entries_cap = nr_entries;
	}
	sum = c->slot->flat_records ? copy_entries(d, c, nr_entries)
				    : decode_entries(d, c, rec, nr_entries);
	c->entries = d->entries;
	c->nr_entries = nr_entries;
	c->entries_size = sum;
	return 0;
}

/* Whether the feature that gates a command lets it through. */
static bool gate_open(const struct dispatch *d, const struct cmd *c)
{
	if (c->desc->open_when_offered)
		return core_offered(d->core) & (1ull << c->wire->feature);
	return core_accepted(d->core, (uint32_t)c->wire->feature);
}

/* Finds the command and checks what the table says about it. */
static uint32_t admit(struct dispatch *d, struct cmd *c, enum vgm_queue queue)
{
	const struct cmd_slot *s = dispatch_slot(d, c->hdr.type);

	c->slot = s;
	c->wire = s ? s->wire : NULL;
	c->desc = s ? s->desc : NULL;
	if (!c->wire)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "unknown type 0x%04x",
				   c->hdr.type);
	if (c->wire->queue != queue)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "sent on the wrong queue");
	if (!c->desc)
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "not supported by this device");
	if (c->wire->feature >= 0 && !gate_open(d, c))
		return guest_error(d, c, VGM_GPU_RESP_ERR_UNSPEC, "feature bit %d not %s",
				   c->wire->feature,
				   c->desc->open_when_offered ? "offered" : "negotiated");
	return 0;
}

/* Takes and decodes the rest of the fixed part (raw: scratch for it, after
 * the header's place), validates, executes. */
static uint32_t run(struct dispatch *d, struct cmd *c, struct iov_reader *ir, uint8_t *raw)
{
	const struct vgm_wire_layout *l = c->wire->request;
	size_t n = l->size - WIRE_HDR_SIZE;
	const uint8_t *body = iov_reader_take(ir, raw + WIRE_HDR_SIZE, n);
	uint32_t err;

	if (!body)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "request has %zu bytes, needs %u", WIRE_HDR_SIZE + ir->left,
				   l->size);
	/* Most requests' structs are their wire bytes: a copy decodes them
	 * (the walk through the table cost 10-15% of a small request). The
	 * header inside c->u is not used, so only the body is copied. */
	if (c->slot->flat) {
		memcpy((uint8_t *)&c->u + WIRE_HDR_SIZE, body, n);
	} else {
		if (body != raw + WIRE_HDR_SIZE)
			memcpy(raw + WIRE_HDR_SIZE, body, n);
		if (!wire_decode_body(l, raw, l->size, &c->u))
			abort(); /* the length was checked above */
	}
	c->rest = ir;
	err = c->desc->validate(d, c);
	if (!err && l->trailer == VGM_WIRE_TRAILER_RECORDS)
		err = read_entries(d, c, c->desc->entries_short);
	if (!err && c->desc->validate_entries)
		err = c->desc->validate_entries(d, c);
	return err ? err : c->desc->execute(d, c);
}

/* A request's start: every field zero but the two written whole before
 * they are read (rd, u). Field by field, because the compiler clears a
 * block of more than 32 bytes with `rep stos`, slow to start on this
 * machine: clearing the whole struct cost a FLUSH 8-10 ns of its ~87. */
static void cmd_start(struct cmd *c, union cmd_resp *resp)
{
	c->wire = NULL;
	c->slot = NULL;
	c->desc = NULL;
	c->queue = VGM_QUEUE_CONTROL;
	c->hdr = (struct vgm_gpu_ctrl_hdr){ 0 };
	c->rest = NULL;
	c->entries = NULL;
	c->nr_entries = 0;
	c->entries_size = 0;
	c->res = NULL;
	c->region = NULL;
	c->fmt = NULL;
	c->resp = resp;
	c->tail_len = 0;
}

static uint32_t handle(struct dispatch *d, struct cmd *c, struct iov_reader *ir,
		       enum vgm_queue queue)
{
	uint8_t raw[sizeof(c->u)];
	const uint8_t *hdr = iov_reader_take(ir, raw, WIRE_HDR_SIZE);
	uint32_t err;

	c->queue = queue;
	if (!hdr)
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "request has %zu bytes, shorter than the header", ir->left);
	if (d->hdr_flat)
		memcpy(&c->hdr, hdr, WIRE_HDR_SIZE);
	else
		wire_decode_hdr(hdr, WIRE_HDR_SIZE, &c->hdr);
	err = admit(d, c, queue);
	return err ? err : run(d, c, ir, raw);
}

/* Most answers are the header alone (OK_NODATA, every error), which
 * response_hdr() builds whole, padding zeroed: where its struct is its
 * wire bytes, a copy encodes it (the walk through the table cost a FLUSH
 * about 5 ns). */
static void encode_response(const struct dispatch *d, const struct vgm_wire_layout *l,
			    const union cmd_resp *resp, struct writer *w)
{
	if (d->hdr_flat && l == wire_header())
		writer_bytes(w, &resp->hdr, WIRE_HDR_SIZE);
	else
		wire_encode(l, resp, w);
}

/* A fenced request's timeline: a context's ring, or the global one. */
static struct render_timeline timeline_of(const struct vgm_gpu_ctrl_hdr *h)
{
	bool ring = h->flags & VGM_GPU_FLAG_INFO_RING_IDX;

	return (struct render_timeline){
		.ring = ring,
		.ring_idx = ring ? h->ring_idx : 0,
		.ctx_id = ring ? h->ctx_id : 0,
	};
}

/* Answers a fenced request now, or puts it in flight: when its work is
 * not done (the renderer says), or an earlier one of its timeline is in
 * flight (answers keep the order of their fences). An error answer does
 * not reach the renderer, but waits its turn too. */
static bool answer_later(struct dispatch *d, const struct cmd *c, uint32_t err,
			 const uint8_t *resp, size_t len, struct dispatch_tag tag,
			 const struct iovec *out, size_t out_cnt)
{
	struct render_timeline t = timeline_of(&c->hdr);
	uint64_t seq = ++d->seq;
	bool done = err || render_fence(d->render, &t, seq);

	if (done && !inflight_busy(d, &t))
		return false;
	if (inflight_add(d, c, &t, seq, done, resp, len, tag, out, out_cnt))
		return true;
	/* No memory to keep it: answered now, out of its turn. */
	logger_msg(d->log, VGM_LOG_ERROR, "no memory to keep a request in flight: answered now");
	return false;
}

static enum dispatch_state control(struct dispatch *d, struct iov_reader *ir,
				   const struct iovec *out, size_t out_cnt, struct dispatch_tag tag,
				   size_t *written)
{
	union cmd_resp resp;
	uint8_t bytes[sizeof(resp) + CMD_TAIL_MAX];
	struct writer w;
	struct cmd c;
	bool fenced = ir->left >= WIRE_HDR_SIZE;
	uint32_t err;
	const struct vgm_wire_layout *l;

	cmd_start(&c, &resp);
	err = handle(d, &c, ir, VGM_QUEUE_CONTROL);
	l = err ? wire_header() : c.wire->response;

	fenced = fenced && (c.hdr.flags & VGM_GPU_FLAG_FENCE);
	response_hdr(&resp.hdr, &c, err ? err : c.wire->ok, fenced);
	writer_init(&w, bytes, sizeof(bytes));
	encode_response(d, l, &resp, &w);
	if (!err && c.tail_len)
		writer_bytes(&w, d->tail, c.tail_len);
	*written = 0;
	if (fenced && answer_later(d, &c, err, bytes, w.pos, tag, out, out_cnt))
		return DISPATCH_PENDING;
	*written = dispatch_answer(d, cmd_name(&c), out, out_cnt, bytes, w.pos);
	if (fenced) {
		core_fence_done(d->core, timeline_of(&c.hdr).ring, c.hdr.fence_id);
		host_fence_done(d->host, c.hdr.ctx_id, timeline_of(&c.hdr).ring_idx,
				c.hdr.fence_id);
	}
	return DISPATCH_DONE;
}

enum dispatch_state dispatch_submit(struct dispatch *d, enum vgm_queue queue,
				    const struct iovec *in, size_t in_cnt,
				    const struct iovec *out, size_t out_cnt, struct dispatch_tag tag,
				    size_t *written)
{
	struct iov_reader ir;

	iov_reader_init(&ir, in, in_cnt);
	if (queue == VGM_QUEUE_CURSOR) {
		struct cmd c;

		cmd_start(&c, NULL);
		handle(d, &c, &ir, VGM_QUEUE_CURSOR); /* the cursor queue has no responses */
		*written = 0;
		return DISPATCH_DONE;
	}
	return control(d, &ir, out, out_cnt, tag, written);
}
