/* SPDX-License-Identifier: MIT */
/*
 * fuzz/vring: the vhost-user backend's split-ring walk
 * (vhost-user-gpu/vring.c) over fuzzed guest memory: a memory
 * table of up to four regions, each followed by a PROT_NONE page, a ring
 * placed anywhere in them, and descriptor tables, available entries,
 * indirect tables and buffers written by the input, then taken as a
 * device takes them.
 *
 * Checked: every chain vring_pop() returns maps only to bytes inside one
 * region (each piece is read at both ends: a piece past a region hits the
 * guard page), has at most VRING_MAX_IOV pieces, none empty; its head is
 * below the queue size; each pop consumes exactly one available entry
 * unless the ring is empty or broken, with at most a queue's worth ahead;
 * a broken ring stays broken until it is set up again; the used index
 * counts the pushes. A POP takes at most a queue's worth of chains, as the
 * backend does in one turn: a ring whose used index lies on its available
 * index never empties (crashes/used-over-avail-never-empties).
 *
 * Input (little-endian):
 *   u8  features  bit 0 INDIRECT_DESC, bit 1 EVENT_IDX
 *   u16 num       queue size (0 or above 32768: refused, the input ends)
 *   u16 base      where the device starts in the available ring
 *   u8  regions   1..4 (low 2 bits + 1); then for each:
 *       u32 pfn   guest address / 4096
 *       u8  pages 1..16 (low 4 bits + 1)
 *   3 x (u8 region, u32 offset)  descriptor table, available ring, used
 *                 ring (front-end address: the region's uva + offset)
 *   then operations until the input ends, u8 op (modulo 7):
 *     0 WRITE  u8 region, u32 offset, u16 len, bytes (clipped to the region)
 *     1 DESC   u16 index, u64 addr, u32 len, u16 flags, u16 next: one entry
 *              of the descriptor table (or, with bit 15 of index, of the
 *              indirect table at offset 0 of region 1)
 *     2 AVAIL  u16 head: the driver makes a head available
 *     3 POP    u32 len: takes chains until the ring is empty or broken,
 *              or a queue's worth, returning each with that length
 *     4 BASE   u16: vring_set_base
 *     5 ARM    vring_arm, vring_should_notify
 *     6 REMAP  vring_set_addr with the same addresses, vring_map
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "memtable.h"
#include "vring.h"

#define MAX_REGIONS 4
#define PAGE 4096u
#define UVA_BASE 0x7f0000000000ull
#define UVA_STEP 0x100000000ull

struct region {
	uint8_t *host; /* NULL: not in the table */
	size_t size;
	uint64_t gpa, uva;
};

struct ring_fuzz {
	struct region rg[MAX_REGIONS];
	struct memtable *mt;
	struct vring vr;
	struct vring_chain *chain;
	uint64_t desc, avail, used; /* front-end addresses */
	uint16_t driver_avail; /* the available index the driver wrote last */
};

static void add_region(struct ring_fuzz *f, uint32_t i, struct input *in)
{
	uint64_t gpa = (uint64_t)input_u32(in) * PAGE;
	size_t size = ((size_t)(input_u8(in) & 15) + 1) * PAGE;
	struct memtable_entry e = { .gpa = gpa, .size = size, .uva = UVA_BASE + i * UVA_STEP };
	uint8_t *p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	FUZZ_CHECK(p != MAP_FAILED, "mmap of %zu bytes", size);
	FUZZ_CHECK(mprotect(p + size, PAGE, PROT_NONE) == 0, "guard page");
	f->rg[i] = (struct region){ .host = p, .size = size, .gpa = gpa, .uva = e.uva };
	if (memtable_add_host(f->mt, &e, p) < 0) { /* overlaps another: left out */
		munmap(p, size + PAGE);
		f->rg[i].host = NULL;
	}
}

static uint64_t ring_address(struct input *in)
{
	uint32_t r = input_u8(in) % MAX_REGIONS;
	uint32_t off = input_u32(in);

	return UVA_BASE + r * UVA_STEP + off;
}

/* The host bytes [offset, offset + len) of region r, or NULL. */
static uint8_t *region_bytes(const struct ring_fuzz *f, uint32_t r, uint64_t offset, size_t len)
{
	const struct region *rg = &f->rg[r % MAX_REGIONS];

	if (!rg->host || offset > rg->size || len > rg->size - offset)
		return NULL;
	return rg->host + offset;
}

static void op_write(struct ring_fuzz *f, struct input *in)
{
	uint32_t r = input_u8(in), off = input_u32(in);
	size_t len = input_u16(in), got;
	const uint8_t *src = input_bytes(in, len, &got);
	const struct region *rg = &f->rg[r % MAX_REGIONS];
	uint8_t *dst;

	if (!rg->host)
		return;
	off %= (uint32_t)rg->size;
	if (got > rg->size - off)
		got = rg->size - off;
	dst = region_bytes(f, r, off, got);
	if (dst && got)
		memcpy(dst, src, got);
}

/* A descriptor where the ring's table is (through the memory table, as the
 * device finds it), or in the indirect table at region 1's start. */
static void op_desc(struct ring_fuzz *f, struct input *in)
{
	uint16_t index = input_u16(in);
	uint64_t addr = input_u64(in);
	uint32_t len = input_u32(in);
	uint16_t flags = input_u16(in), next = input_u16(in);
	uint32_t i = index & 0x7fffu;
	uint8_t *d;

	if (index & 0x8000u)
		d = region_bytes(f, 1, (uint64_t)i * 16, 16);
	else
		d = memtable_uva(f->mt, f->desc + (uint64_t)i * 16, 16);
	if (!d)
		return;
	put_le64(d, addr);
	put_le32(d + 8, len);
	put_le16(d + 12, flags);
	put_le16(d + 14, next);
}

static void op_avail(struct ring_fuzz *f, struct input *in)
{
	uint16_t head = input_u16(in);
	uint64_t num = f->vr.num;
	uint8_t *ring = memtable_uva(f->mt, f->avail, 4 + 2 * num);

	if (!ring)
		return;
	put_le16(ring + 4 + 2 * (f->driver_avail % num), head);
	f->driver_avail++;
	put_le16(ring + 2, f->driver_avail);
}

/* Reads nobody looks at, so they are not optimised away. */
static volatile uint8_t sink;

/* Every piece lies inside one region, and is read at both ends. */
static void check_chain(const struct ring_fuzz *f, const struct vring_chain *c)
{
	uint32_t n = c->n_read + c->n_write;

	FUZZ_CHECK(c->head < f->vr.num, "head %u, queue size %u", c->head, f->vr.num);
	FUZZ_CHECK(n <= VRING_MAX_IOV, "%u pieces", n);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = c->iov[i].iov_base;
		size_t len = c->iov[i].iov_len;
		bool inside = false;

		FUZZ_CHECK(len > 0, "piece %u is empty", i);
		for (uint32_t r = 0; r < MAX_REGIONS && !inside; r++) {
			const struct region *rg = &f->rg[r];

			inside = rg->host && p >= rg->host && len <= rg->size &&
				 (size_t)(p - rg->host) <= rg->size - len;
		}
		FUZZ_CHECK(inside, "piece %u (%zu bytes) is outside guest memory", i, len);
		sink = p[0];
		sink = p[len - 1];
	}
}

static uint16_t avail_index(const struct ring_fuzz *f)
{
	return le16(f->vr.avail + 2);
}

static uint16_t used_index(const struct ring_fuzz *f)
{
	return le16(f->vr.used + 2);
}

static void op_pop(struct ring_fuzz *f, struct input *in)
{
	uint32_t len = input_u32(in);

	if (!vring_ready(&f->vr))
		return;
	for (uint32_t k = 0; k < f->vr.num; k++) {
		uint16_t before = vring_get_base(&f->vr), ahead = avail_index(f) - before;
		uint16_t used = f->vr.used_idx;
		bool broken = f->vr.broken;
		enum vring_pop r = vring_pop(&f->vr, f->chain);
		uint16_t took = (uint16_t)(vring_get_base(&f->vr) - before);

		FUZZ_CHECK(!broken || r == VRING_BROKEN, "a broken ring gave %d", r);
		if (r == VRING_EMPTY || r == VRING_BROKEN) {
			FUZZ_CHECK(took == 0, "pop %d consumed %u entries", r, took);
			FUZZ_CHECK(r == VRING_BROKEN || ahead == 0, "empty with %u ahead", ahead);
			return;
		}
		FUZZ_CHECK(took == 1 && ahead >= 1 && ahead <= f->vr.num, "took %u, %u ahead", took,
			   ahead);
		if (r == VRING_SKIPPED)
			continue;
		if (r == VRING_CHAIN)
			check_chain(f, f->chain);
		FUZZ_CHECK(f->chain->head < f->vr.num, "head %u", f->chain->head);
		vring_push(&f->vr, f->chain->head, r == VRING_CHAIN ? len : 0);
		FUZZ_CHECK(f->vr.used_idx == (uint16_t)(used + 1) && used_index(f) == f->vr.used_idx,
			   "used index");
	}
}

static void run_ops(struct ring_fuzz *f, struct input *in)
{
	while (input_left(in) > 0) {
		switch (input_u8(in) % 7) {
		case 0:
			op_write(f, in);
			break;
		case 1:
			op_desc(f, in);
			break;
		case 2:
			op_avail(f, in);
			break;
		case 3:
			op_pop(f, in);
			break;
		case 4:
			vring_set_base(&f->vr, input_u16(in));
			break;
		case 5:
			(void)vring_arm(&f->vr);
			(void)vring_should_notify(&f->vr);
			break;
		default:
			vring_set_addr(&f->vr, f->desc, f->avail, f->used);
			(void)vring_map(&f->vr, f->mt);
			break;
		}
	}
}

static void setup_ring(struct ring_fuzz *f, struct input *in)
{
	uint8_t features = input_u8(in);
	uint32_t num = input_u16(in);
	uint16_t base = input_u16(in);
	uint32_t n = (input_u8(in) & 3) + 1;

	for (uint32_t i = 0; i < n; i++)
		add_region(f, i, in);
	f->desc = ring_address(in);
	f->avail = ring_address(in);
	f->used = ring_address(in);
	/* A size not a power of two is refused; the input goes on with the
	 * largest power of two below it, so inputs made before that rule still
	 * reach the ring. */
	if (vring_set_num(&f->vr, num) < 0 &&
	    (num == 0 || vring_set_num(&f->vr, 1u << (31 - __builtin_clz(num))) < 0))
		return;
	vring_set_features(&f->vr, features & 1, features & 2);
	vring_set_addr(&f->vr, f->desc, f->avail, f->used);
	vring_set_base(&f->vr, base);
	f->driver_avail = base;
	if (vring_map(&f->vr, f->mt) == 0) {
		FUZZ_CHECK(vring_ready(&f->vr), "mapped but not ready");
		put_le16(f->vr.avail + 2, base);
	}
	run_ops(f, in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_fuzz f = { 0 };
	struct input in;

	/* Hostile rings are logged by design; a fuzzer prints nothing. */
	log_set_level((enum vgm_log_level)0);
	input_init(&in, data, size);
	FUZZ_CHECK(memtable_new(&f.mt) == 0, "memtable_new");
	f.chain = malloc(sizeof(*f.chain));
	FUZZ_CHECK(f.chain != NULL, "chain");
	setup_ring(&f, &in);
	memtable_destroy(f.mt);
	for (uint32_t i = 0; i < MAX_REGIONS; i++) {
		if (f.rg[i].host)
			munmap(f.rg[i].host, f.rg[i].size + PAGE);
	}
	free(f.chain);
	return 0;
}
