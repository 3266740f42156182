/* SPDX-License-Identifier: MIT */
/*
 * Hints (vgm_device_prefetch()): a VMM that holds the next request while it
 * submits the current one tells the device. Among many resources, the
 * lookup of the resource a request names misses the caches (a million
 * resources: about 145 ns of a RESOURCE_FLUSH's 235), and one request at a
 * time keeps each miss from overlapping anything; asked for one request
 * ahead, it overlaps the work of the request before it. A hint reads the
 * request's type and resource_id, nothing else, and changes nothing: the
 * request is decoded and checked when it is submitted, as any other.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd-impl.h"

/* A hint copies the request's bytes up to its resource_id, no more. */
#define HINT_BYTES 64u

uint32_t prefetch_resource_at(const struct cmd_slot *s)
{
	const struct vgm_wire_layout *l = s->wire->request;

	if (!s->desc || s->desc->lookup == CMD_LOOKUP_NONE)
		return 0;
	for (uint32_t i = 0; i < l->nfields; i++) {
		const struct vgm_wire_field *f = &l->fields[i];

		if (strcmp(f->name, "resource_id") == 0 && f->kind == VGM_WIRE_U32 &&
		    f->offset >= WIRE_HDR_SIZE && f->offset + 4 <= HINT_BYTES)
			return f->offset;
	}
	abort(); /* a command that looks a resource up names it: broken table */
}

/* The request's first n bytes, in place when its first element holds them
 * (a hint is made per request, so it must cost less than the miss it
 * saves), else copied into bytes. NULL when it is shorter. */
static const uint8_t *head(const struct iovec *in, size_t in_cnt, uint8_t *bytes, size_t n)
{
	struct iov_reader ir;

	if (in_cnt && in[0].iov_len >= n)
		return in[0].iov_base; /* without summing every element's length */
	iov_reader_init(&ir, in, in_cnt);
	return iov_reader_take(&ir, bytes, n);
}

/* The type, then the id, read from the guest's bytes as they are: a
 * guest that changes its request meanwhile gets a useless hint, nothing
 * else (the request is copied once and checked when it is submitted). */
uint32_t dispatch_prefetch(struct dispatch *d, enum vgm_queue queue, const struct iovec *in,
			   size_t in_cnt)
{
	uint8_t bytes[HINT_BYTES];
	const uint8_t *p = head(in, in_cnt, bytes, 4);
	const struct cmd_slot *s = p ? dispatch_slot(d, le32(p)) : NULL;
	uint32_t id;

	if (!s || !s->resource_at || s->wire->queue != (uint32_t)queue)
		return 0;
	p = head(in, in_cnt, bytes, s->resource_at + 4);
	if (!p)
		return 0;
	id = le32(p + s->resource_at);
	if (id)
		resource_prefetch(d->core, id, s->desc->lookup == CMD_LOOKUP_OBJECT);
	return id;
}
