/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "util/util.h"
#include "vring.h"

#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u
#define AVAIL_F_NO_INTERRUPT 1u
#define DESC_SIZE 16u

/* A descriptor, decoded from its 16 bytes. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* The table a chain is being read from: the ring's, or an indirect one. */
struct walk {
	const uint8_t *table;
	uint32_t size; /* entries in the table */
	uint32_t seen; /* descriptors taken from it */
	bool indirect;
	bool writable; /* a device-writable descriptor was seen */
};

/* A split ring's size is a power of two (the virtio spec): its 16-bit
 * indices taken modulo any other size would put two entries in one slot
 * when they wrap. */
int vring_set_num(struct vring *vr, uint32_t num)
{
	if (num == 0 || num > VRING_MAX_NUM || (num & (num - 1)))
		return -EINVAL;
	vr->num = num;
	vring_map(vr, NULL);
	return 0;
}

void vring_set_addr(struct vring *vr, uint64_t desc, uint64_t avail, uint64_t used)
{
	vr->desc_addr = desc;
	vr->avail_addr = avail;
	vr->used_addr = used;
	vr->addr_set = true;
	vr->broken = false;
	vring_map(vr, NULL);
}

void vring_set_base(struct vring *vr, uint16_t base)
{
	vr->last_avail = base;
	vr->signalled_valid = false;
	vr->broken = false;
}

uint16_t vring_get_base(const struct vring *vr)
{
	return vr->last_avail;
}

void vring_set_features(struct vring *vr, bool indirect, bool event_idx)
{
	vr->indirect = indirect;
	vr->event_idx = event_idx;
	vr->signalled_valid = false;
}

bool vring_ready(const struct vring *vr)
{
	return vr->desc && vr->avail && vr->used;
}

/* 16- and 32-bit words shared with the guest, little-endian in memory. */
static uint16_t load16(const uint8_t *p, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, order));
}

static void store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), order);
}

static void store32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, htole32(v), __ATOMIC_RELAXED);
}

static uint8_t *map_part(const struct memtable *mt, uint64_t uva, uint64_t len, uintptr_t align)
{
	uint8_t *p = memtable_uva(mt, uva, len);

	return p && (uintptr_t)p % align == 0 ? p : NULL;
}

int vring_map(struct vring *vr, const struct memtable *mt)
{
	uint64_t n = vr->num;

	vr->desc = vr->avail = vr->used = NULL;
	vr->mt = mt;
	if (!mt)
		return 0;
	if (!n || !vr->addr_set)
		return -EINVAL;
	/* Sizes and alignments of virtio 1.x 2.7, event words included. */
	vr->desc = map_part(mt, vr->desc_addr, DESC_SIZE * n, 16);
	vr->avail = map_part(mt, vr->avail_addr, 6 + 2 * n, 2);
	vr->used = map_part(mt, vr->used_addr, 6 + 8 * n, 4);
	if (!vring_ready(vr)) {
		vr->desc = vr->avail = vr->used = NULL;
		return -EINVAL;
	}
	vr->used_idx = load16(vr->used + 2, __ATOMIC_ACQUIRE);
	return 0;
}

static void read_desc(const uint8_t *table, uint32_t i, struct desc *d)
{
	uint8_t b[DESC_SIZE];

	/* One copy: the guest may rewrite the entry while we look at it. */
	memcpy(b, table + (size_t)i * DESC_SIZE, DESC_SIZE);
	d->addr = le64(b);
	d->len = le32(b + 8);
	d->flags = le16(b + 12);
	d->next = le16(b + 14);
}

/* Adds a buffer to the chain, one iovec per region it crosses. */
static bool add_buffer(struct vring *vr, struct vring_chain *c, const struct desc *d)
{
	uint64_t done = 0, end;

	if (__builtin_add_overflow(d->addr, (uint64_t)d->len, &end))
		goto outside;
	while (done < d->len) {
		uint32_t n = c->n_read + c->n_write;
		uint64_t contig;
		uint8_t *p = memtable_gpa(vr->mt, d->addr + done, d->len - done, &contig);

		if (!p)
			goto outside;
		if (n == VRING_MAX_IOV) {
			log_guest("vring: chain maps to more than %u pieces", VRING_MAX_IOV);
			return false;
		}
		c->iov[n] = (struct iovec){ .iov_base = p, .iov_len = (size_t)contig };
		if (d->flags & DESC_F_WRITE)
			c->n_write++;
		else
			c->n_read++;
		done += contig;
	}
	return true;
outside:
	log_guest("vring: buffer 0x%llx+%u is outside guest memory", (unsigned long long)d->addr,
		  d->len);
	return false;
}

/* Switches the walk to the indirect table d names. */
static bool enter_indirect(struct vring *vr, struct walk *w, const struct desc *d)
{
	uint64_t contig;
	const uint8_t *table;

	if (!vr->indirect || w->indirect || (d->flags & DESC_F_NEXT)) {
		log_guest("vring: indirect descriptor %s",
			  !vr->indirect ? "without the feature" :
			  w->indirect	? "inside an indirect table" : "with NEXT set");
		return false;
	}
	if (d->len == 0 || d->len % DESC_SIZE || d->len / DESC_SIZE > VRING_MAX_INDIRECT) {
		log_guest("vring: indirect table of %u bytes", d->len);
		return false;
	}
	table = memtable_gpa(vr->mt, d->addr, d->len, &contig);
	if (!table || contig < d->len) {
		log_guest("vring: indirect table 0x%llx+%u is not in one guest memory region",
			  (unsigned long long)d->addr, d->len);
		return false;
	}
	*w = (struct walk){ .table = table, .size = d->len / DESC_SIZE, .indirect = true,
			    .writable = w->writable };
	return true;
}

/* Reads descriptor i of the walk's table, counting it against loops. */
static bool next_desc(struct walk *w, uint32_t i, struct desc *d)
{
	if (i >= w->size) {
		log_guest("vring: descriptor index %u is outside a table of %u", i, w->size);
		return false;
	}
	if (++w->seen > w->size) {
		log_guest("vring: chain loops or is longer than its table (%u)", w->size);
		return false;
	}
	read_desc(w->table, i, d);
	return true;
}

static bool walk_chain(struct vring *vr, struct vring_chain *c)
{
	struct walk w = { .table = vr->desc, .size = vr->num };
	uint32_t i = c->head;
	struct desc d;

	for (;;) {
		if (!next_desc(&w, i, &d))
			return false;
		if (d.flags & DESC_F_INDIRECT) {
			if (!enter_indirect(vr, &w, &d))
				return false;
			i = 0;
			continue;
		}
		if (!(d.flags & DESC_F_WRITE) && w.writable) {
			log_guest("vring: device-readable descriptor after a device-writable one");
			return false;
		}
		if (d.flags & DESC_F_WRITE)
			w.writable = true;
		if (!add_buffer(vr, c, &d))
			return false;
		if (!(d.flags & DESC_F_NEXT))
			return true;
		i = d.next;
	}
}

static uint16_t avail_idx(const struct vring *vr)
{
	/* Acquire: the entries it covers are read after it (2.7.13). */
	return load16(vr->avail + 2, __ATOMIC_ACQUIRE);
}

enum vring_pop vring_pop(struct vring *vr, struct vring_chain *c)
{
	uint16_t avail, ahead, head;

	if (vr->broken || !vring_ready(vr))
		return VRING_BROKEN;
	avail = avail_idx(vr);
	ahead = (uint16_t)(avail - vr->last_avail);
	if (ahead == 0)
		return VRING_EMPTY;
	if (ahead > vr->num) {
		log_guest("vring: available index %u is %u entries ahead of %u, queue size %u",
			  avail, ahead, vr->last_avail, vr->num);
		vr->broken = true;
		return VRING_BROKEN;
	}
	head = load16(vr->avail + 4 + 2 * (vr->last_avail % vr->num), __ATOMIC_RELAXED);
	vr->last_avail++;
	if (head >= vr->num) {
		log_guest("vring: head index %u is outside a queue of %u", head, vr->num);
		return VRING_SKIPPED;
	}
	c->head = head;
	c->n_read = c->n_write = 0;
	return walk_chain(vr, c) ? VRING_CHAIN : VRING_BAD_CHAIN;
}

void vring_unpop(struct vring *vr)
{
	vr->last_avail--;
}

void vring_push(struct vring *vr, uint16_t head, uint32_t len)
{
	uint8_t *elem = vr->used + 4 + 8 * (size_t)(vr->used_idx % vr->num);

	store32(elem, head);
	store32(elem + 4, len);
	vr->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	store16(vr->used + 2, vr->used_idx, __ATOMIC_RELEASE);
}

bool vring_arm(struct vring *vr)
{
	if (!vr->event_idx || !vring_ready(vr) || vr->broken)
		return false;
	/* avail_event: kick me when the entry at last_avail is made available. */
	store16(vr->used + 4 + 8 * (size_t)vr->num, vr->last_avail, __ATOMIC_RELAXED);
	/* The store must be seen before we look at the index again, or a kick
	 * between the two is lost. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return avail_idx(vr) != vr->last_avail;
}

bool vring_should_notify(struct vring *vr)
{
	uint16_t old, event;
	bool valid;

	if (!vring_ready(vr))
		return false;
	/* The used index is published before the driver's wishes are read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vr->event_idx)
		return !(load16(vr->avail, __ATOMIC_RELAXED) & AVAIL_F_NO_INTERRUPT);
	old = vr->signalled_used;
	valid = vr->signalled_valid;
	vr->signalled_used = vr->used_idx;
	vr->signalled_valid = true;
	event = load16(vr->avail + 4 + 2 * (size_t)vr->num, __ATOMIC_RELAXED);
	/* vring_need_event() of the spec (2.7.10). */
	return !valid || (uint16_t)(vr->used_idx - event - 1) < (uint16_t)(vr->used_idx - old);
}
