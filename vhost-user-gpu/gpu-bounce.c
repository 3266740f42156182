/* SPDX-License-Identifier: MIT */
/*
 * Responses written in host memory first. The library writes a request's
 * response where the backend says, now or when its fence completes
 * (request_done()), or when a device reset cancels it. A reset that the
 * backend learns of late (QEMU resets a guest between GET_VRING_BASE and
 * SET_VRING_BASE(0) of its next session) cancels requests of rings that
 * no longer exist, whose buffers the guest may already use again: virtio
 * (2.4.1) forbids the device to touch them. So the library gets a buffer
 * of ours, and the bytes go into the chain's writable part only when the
 * caller says the chain still belongs to a live ring (gpu_bounce_give()).
 *
 * A slot holds one request: its buffer and where its chain's writable
 * part is. Free slots are kept on a list and reused: a request costs no
 * allocation while a kept slot is free, and a copy of its response (24
 * bytes for most). What a burst made is not all kept: a slot given back
 * drops a buffer past GPU_BOUNCE_KEEP bytes, and past GPU_BOUNCE_IDLE free
 * slots it is freed itself, its index kept on a second list for the next
 * slot made. When no request holds a slot the indexes are renumbered and
 * the arrays cut to fit. So once the rings are quiet the slots keep at
 * most GPU_BOUNCE_IDLE * (GPU_BOUNCE_KEEP + 256) bytes, 576 KiB, whatever
 * was in flight before (up to GPU_BOUNCE_SLOTS slots of 8 KiB and 1024
 * pieces each, 1.5 GiB); while a request is held, the index arrays too
 * (12 bytes an index, 768 KiB at most). The tag given to the library
 * names the slot's index.
 */
#include <stdlib.h>
#include <string.h>

#include "gpu-private.h"
#include "iovec.h"
#include "log.h"

/*
 * Bytes of a response kept in a slot at most. The longest response the
 * library writes is GET_CAPSET's: a 24-byte header and at most 4096
 * capset bytes (EDIDs and display info are shorter); this leaves room. A
 * longer writable part has only its first GPU_BOUNCE_MAX bytes offered.
 */
#define GPU_BOUNCE_MAX 8192u
/* Pieces of a chain's writable part a free slot keeps room for. */
#define GPU_BOUNCE_KEEP_PIECES 4u
/* A tag without a slot (no memory for one): the response went straight
 * into guest memory; queue and head are in the low bits. */
#define TAG_DIRECT (1ull << 63)

struct gpu_bounce {
	uint8_t *buf;
	uint32_t buf_cap;
	struct iovec resp; /* buf, and the bytes the library may write */
	struct iovec *out; /* the chain's writable pieces that hold resp */
	uint32_t n_out, out_cap;
	uint32_t qi;
	uint16_t head;
	bool busy; /* a request's, until given back */
};

/* arr (n elements of size bytes) grown to at least want elements, an
 * allocation counted in b. @return the array, or NULL without memory (arr
 * and *n unchanged). */
static void *grow(struct gpu_bounces *b, void *arr, uint32_t *n, uint32_t want, size_t size)
{
	uint32_t cap = *n ? *n : 4;
	void *p;

	while (cap < want)
		cap *= 2;
	if (cap == *n)
		return arr;
	p = realloc(arr, (size_t)cap * size);
	b->allocs++;
	if (p)
		*n = cap;
	return p;
}

/* The busy slot a tag names, or NULL (a tag given back twice, or never
 * ours: the library gives each back once). */
static struct gpu_bounce *slot_of(const struct gpu_bounces *b, uint64_t tag)
{
	if ((tag & TAG_DIRECT) || tag >= b->n || !b->slot[tag] || !b->slot[tag]->busy)
		return NULL;
	return b->slot[tag];
}

/* Room for index b->n in both arrays. @return false without memory. */
static bool grow_index(struct gpu_bounces *b)
{
	uint32_t cap = b->cap;
	struct gpu_bounce **slot = grow(b, b->slot, &cap, b->n + 1, sizeof(*slot));
	uint32_t *next;

	if (!slot)
		return false;
	b->slot = slot; /* maybe longer than b->cap says: grown again in place */
	cap = b->cap;
	next = grow(b, b->next, &cap, b->n + 1, sizeof(*next));
	if (!next)
		return false;
	b->next = next;
	b->cap = cap;
	return true;
}

/* An index for a new slot: one whose slot was freed, else a new one.
 * @return false past the limit or without memory. */
static bool index_get(struct gpu_bounces *b, uint32_t *index)
{
	if (b->hole) {
		*index = b->hole - 1;
		b->hole = b->next[*index];
		return true;
	}
	if (b->n == GPU_BOUNCE_SLOTS || !grow_index(b))
		return false;
	*index = b->n++;
	return true;
}

/* A free slot, made when none is. NULL without memory or past the limit. */
static struct gpu_bounce *slot_get(struct gpu_bounces *b, uint32_t *index)
{
	struct gpu_bounce *s;

	if (b->free) {
		*index = b->free - 1;
		b->free = b->next[*index];
		b->idle--;
		return b->slot[*index];
	}
	s = calloc(1, sizeof(*s));
	b->allocs++;
	if (!s)
		return NULL;
	if (!index_get(b, index)) {
		free(s);
		return NULL;
	}
	b->slot[*index] = s;
	return s;
}

static void slot_free(struct gpu_bounce *s)
{
	free(s->buf);
	free(s->out);
	free(s);
}

/* s keeps what a common response needs: its buffer and piece array go
 * when larger (a GET_CAPSET's, a guest's 8 KiB in 1024 pieces). */
static void slot_trim(struct gpu_bounce *s)
{
	if (s->buf_cap > GPU_BOUNCE_KEEP) {
		free(s->buf);
		s->buf = NULL;
		s->buf_cap = 0;
	}
	if (s->out_cap > GPU_BOUNCE_KEEP_PIECES) {
		free(s->out);
		s->out = NULL;
		s->out_cap = 0;
	}
}

/* Slot index is free: kept, trimmed, for the next request, or freed past
 * GPU_BOUNCE_IDLE kept ones (its index kept for the next slot made). */
static void slot_put(struct gpu_bounces *b, uint32_t index)
{
	struct gpu_bounce *s = b->slot[index];

	if (s->busy)
		b->busy--;
	s->busy = false;
	if (b->idle < GPU_BOUNCE_IDLE) {
		slot_trim(s);
		b->next[index] = b->free;
		b->free = index + 1;
		b->idle++;
		return;
	}
	slot_free(s);
	b->slot[index] = NULL;
	b->next[index] = b->hole;
	b->hole = index + 1;
}

/* No request holds a slot, so no tag names one: the kept slots are
 * renumbered from 0, the freed indexes forgotten, the arrays cut. */
static void compact(struct gpu_bounces *b)
{
	uint32_t n = 0, cap = 4;
	void *p;

	for (uint32_t i = 0; i < b->n; i++) {
		if (b->slot[i])
			b->slot[n++] = b->slot[i];
	}
	for (uint32_t i = 0; i < n; i++)
		b->next[i] = i + 1 < n ? i + 2 : 0;
	b->free = n ? 1 : 0;
	b->hole = 0;
	b->n = n;
	while (cap < n)
		cap *= 2;
	if (cap >= b->cap)
		return;
	p = realloc(b->slot, (size_t)cap * sizeof(*b->slot));
	if (p)
		b->slot = p;
	p = realloc(b->next, (size_t)cap * sizeof(*b->next));
	if (p)
		b->next = p;
	b->cap = cap; /* both hold that many at least, cut or not */
}

/* Bytes of the writable part, up to GPU_BOUNCE_MAX; *pieces: how many of
 * its pieces hold them. */
static size_t writable_len(const struct iovec *w, uint32_t n, uint32_t *pieces)
{
	size_t len = 0;
	uint32_t i = 0;

	while (i < n && len < GPU_BOUNCE_MAX)
		len += w[i++].iov_len;
	*pieces = i;
	return len < GPU_BOUNCE_MAX ? len : GPU_BOUNCE_MAX;
}

/* Fits slot s to chain c's writable part. @return false without memory. */
static bool slot_fit(struct gpu_bounces *b, struct gpu_bounce *s, const struct vring_chain *c)
{
	const struct iovec *w = c->iov + c->n_read;
	uint32_t pieces;
	size_t len = writable_len(w, c->n_write, &pieces);
	uint8_t *buf = grow(b, s->buf, &s->buf_cap, (uint32_t)len, 1);
	struct iovec *out;

	if (!buf)
		return false;
	s->buf = buf;
	out = grow(b, s->out, &s->out_cap, pieces, sizeof(*s->out));
	if (!out)
		return false;
	s->out = out;
	memcpy(s->out, w, pieces * sizeof(*w));
	s->n_out = pieces;
	s->resp = (struct iovec){ .iov_base = s->buf, .iov_len = len };
	return true;
}

uint64_t gpu_bounce_take(struct gpu_bounces *b, uint32_t qi, const struct vring_chain *c,
			 const struct iovec **out, size_t *out_cnt)
{
	uint32_t index;
	struct gpu_bounce *s = slot_get(b, &index);

	if (!s || !slot_fit(b, s, c)) {
		if (s)
			slot_put(b, index);
		/* Past the limit only a guest that offers chains in flight
		 * again gets here: its own buffers are written. */
		log_guest("no host copy for a response (no memory, or %u in flight): written "
			  "in guest memory", b->busy);
		*out = c->iov + c->n_read;
		*out_cnt = c->n_write;
		return TAG_DIRECT | (uint64_t)qi << 16 | c->head;
	}
	s->qi = qi;
	s->head = c->head;
	s->busy = true;
	b->busy++;
	*out = &s->resp;
	*out_cnt = s->resp.iov_len ? 1 : 0;
	return index;
}

bool gpu_bounce_chain(const struct gpu_bounces *b, uint64_t tag, uint32_t *qi, uint16_t *head)
{
	const struct gpu_bounce *s = slot_of(b, tag);

	if (tag & TAG_DIRECT) {
		*qi = (uint32_t)(tag >> 16 & 0xffff);
		*head = (uint16_t)tag;
		return *qi < GPU_NUM_QUEUES;
	}
	if (!s)
		return false;
	*qi = s->qi;
	*head = s->head;
	return true;
}

void gpu_bounce_give(struct gpu_bounces *b, uint64_t tag, size_t written, bool deliver)
{
	struct gpu_bounce *s = slot_of(b, tag);

	if (!s)
		return;
	if (deliver)
		iovec_scatter(s->out, s->n_out, s->buf,
			      written < s->resp.iov_len ? written : s->resp.iov_len);
	slot_put(b, (uint32_t)tag);
	if (!b->busy && b->hole)
		compact(b);
}

void gpu_bounce_fini(struct gpu_bounces *b)
{
	for (uint32_t i = 0; i < b->n; i++) {
		if (b->slot[i])
			slot_free(b->slot[i]);
	}
	free(b->slot);
	free(b->next);
	*b = (struct gpu_bounces){ 0 };
}

void gpu_bounce_usage(const struct gpu_bounces *b, size_t *bytes, uint64_t *allocs)
{
	size_t sum = (size_t)b->cap * (sizeof(*b->slot) + sizeof(*b->next));

	for (uint32_t i = 0; i < b->n; i++) {
		const struct gpu_bounce *s = b->slot[i];

		if (s)
			sum += sizeof(*s) + s->buf_cap + (size_t)s->out_cap * sizeof(*s->out);
	}
	*bytes = sum;
	*allocs = b->allocs;
}
