/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues, device side (virtio 1.x, 2.7), over a memory table.
 * No sockets, no file descriptors: the caller feeds addresses and gets
 * descriptor chains as iovec arrays, so this file is tested on its own.
 *
 * The ring lives in guest memory and the guest may change it at any time,
 * so every descriptor is copied out once and checked before use, and only
 * the indices and the used ring are touched in place, as 16/32-bit
 * little-endian words.
 *
 * What a hostile ring gets:
 * - an available index more than the queue size ahead of ours: the ring is
 *   broken (VRING_BROKEN): nothing more is taken from it until it is set up
 *   again (vring_set_base or vring_set_addr);
 * - a head index outside the table: the entry is consumed and skipped
 *   (VRING_SKIPPED), since no used element can name it;
 * - a bad chain behind a valid head (a next index out of range, a chain
 *   that loops or is longer than the queue or the indirect table, a buffer
 *   outside guest memory, a device-readable buffer after a device-writable
 *   one, an indirect table without the feature, nested, combined with
 *   NEXT, of a size that is not a nonzero multiple of 16 or over
 *   VRING_MAX_INDIRECT entries, or more than VRING_MAX_IOV pieces):
 *   VRING_BAD_CHAIN; the caller returns the head with length 0, so the
 *   driver gets its descriptors back.
 * Each is logged through log_guest().
 */
#ifndef VUGPU_VRING_H
#define VUGPU_VRING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "memtable.h"

/* Largest queue a split ring can have (virtio 1.x). */
#define VRING_MAX_NUM 32768u
/* Pieces (iovecs) one chain may map to. */
#define VRING_MAX_IOV 1024u
/* Entries of one indirect table. */
#define VRING_MAX_INDIRECT 32768u

/* Feature bits the ring code implements. */
#define VRING_F_INDIRECT_DESC 28
#define VRING_F_EVENT_IDX 29

struct vring {
	uint32_t num; /* 0: not set */
	/* front-end virtual addresses from SET_VRING_ADDR */
	uint64_t desc_addr, avail_addr, used_addr;
	bool addr_set;
	/* host mappings, NULL until vring_map() succeeds */
	uint8_t *desc, *avail, *used;
	const struct memtable *mt;

	uint16_t last_avail; /* next available entry to take */
	uint16_t used_idx; /* next used entry to fill */
	uint16_t signalled_used; /* used_idx at the last notification */
	bool signalled_valid;

	bool indirect, event_idx; /* negotiated */
	bool broken;
};

struct vring_chain {
	uint16_t head;
	/* iov[0, n_read): device-readable, then n_write device-writable */
	uint32_t n_read, n_write;
	struct iovec iov[VRING_MAX_IOV];
};

enum vring_pop {
	VRING_EMPTY,
	VRING_CHAIN,
	VRING_BAD_CHAIN, /* chain->head is valid: return it with length 0 */
	VRING_SKIPPED,
	VRING_BROKEN, /* also when the ring is not set up */
};

/* Queue size: a power of two, 1..VRING_MAX_NUM. Unmaps the ring.
 * @return 0, -EINVAL. */
int vring_set_num(struct vring *vr, uint32_t num);
/* Ring addresses (front-end virtual). Unmaps the ring, clears broken. */
void vring_set_addr(struct vring *vr, uint64_t desc, uint64_t avail, uint64_t used);
/* Where to resume in the available ring; clears broken. */
void vring_set_base(struct vring *vr, uint16_t base);
uint16_t vring_get_base(const struct vring *vr);
void vring_set_features(struct vring *vr, bool indirect, bool event_idx);

/*
 * Maps the three parts through mt (kept for buffer translation) and reads
 * the used index from memory. mt NULL unmaps.
 * @return 0; -EINVAL when the size or addresses are not set, a part is not
 *         wholly inside one region, or is misaligned for its words.
 */
int vring_map(struct vring *vr, const struct memtable *mt);
bool vring_ready(const struct vring *vr);

/* Takes the next available chain (see the top of this file). The guest
 * can keep a ring from ever being empty (its used ring over its available
 * ring: each vring_push() publishes another entry): callers bound the
 * chains they take in one go. */
enum vring_pop vring_pop(struct vring *vr, struct vring_chain *chain);
/* Gives back the chain last taken, before its used element is written. */
void vring_unpop(struct vring *vr);
/* Returns a chain to the driver with the bytes written to it. */
void vring_push(struct vring *vr, uint16_t head, uint32_t len);

/*
 * Called when vring_pop() found the ring empty: with EVENT_IDX, tells the
 * driver to kick for the next entry. @return true if entries arrived
 * meanwhile (pop again).
 */
bool vring_arm(struct vring *vr);
/* After pushes: whether the driver wants an interrupt now. */
bool vring_should_notify(struct vring *vr);

#endif
