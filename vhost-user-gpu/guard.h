/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM that shrinks under us. Guest memory is a shared mapping of a
 * file the front-end owns (a memfd, a hugetlbfs or other file). If the
 * front-end truncates that file, a page of the mapping past its new end
 * raises SIGBUS when touched, and SIGBUS kills the process. Sealing the
 * file would prevent it, but hugetlbfs and file-backed guest RAM cannot be
 * sealed, so the fault itself is caught.
 *
 * Who touches guest memory: the ring code, the recorder, and the library
 * inside vgm_device_submit() (through the pointers translate() gave it).
 * Jumping out of the library (siglongjmp) would leave its state half
 * changed and its allocations leaked, so the handler repairs the access
 * instead: when the faulting address lies in a registered range, it maps
 * an anonymous page of zeros over the faulting page (MAP_FIXED replaces
 * that page of the file mapping, so the access is retried and succeeds:
 * reads see zeros, writes are lost), marks the range lost and counts the
 * fault. The caller compares guard_faults() before and after the work
 * and turns a change into an error for that request.
 *
 * A fault elsewhere (a bug of ours), or one the handler cannot repair
 * (mmap failed), restores the disposition SIGBUS had before
 * guard_install() and returns: the access faults again and gets what it
 * would have got without the guard (death by SIGBUS, or a sanitizer's,
 * libFuzzer's or a test framework's report). SIGBUS sent by kill() is not ours either.
 *
 * One registry per process, as signal dispositions are. The backend is
 * single-threaded and the fault is synchronous: the handler runs in the
 * middle of an access to guest memory, never in the middle of
 * guard_add() or guard_remove() (which touch no guest memory), so the
 * plain list it walks is always consistent.
 */
#ifndef VUGPU_GUARD_H
#define VUGPU_GUARD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A mapping of guest memory the handler may repair. */
struct guard_range {
	uint8_t *start; /* aligned to granule */
	size_t len;
	/* Pages are replaced in pieces of this many bytes (a power of two):
	 * the page size, or a huge page for hugetlbfs, whose mappings can only
	 * be split on huge-page boundaries. */
	size_t granule;
	/* Set by the handler: part of the range is zeros now, not guest RAM. */
	volatile sig_atomic_t lost;
	struct guard_range *prev, *next; /* the registry's */
	bool added;
};

/* Makes the guard's handler SIGBUS's, unless it is already; the
 * disposition it replaces is what faults not ours get.
 * @return 0, or -errno of sigaction. */
int guard_install(void);

/* Registers r (start, len, granule set) until guard_remove(). */
void guard_add(struct guard_range *r);
/* No-op for a range not registered. */
void guard_remove(struct guard_range *r);

/* Faults repaired since the process started. */
unsigned long guard_faults(void);

#endif
