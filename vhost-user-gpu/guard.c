/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "guard.h"

/* Process-wide, as the SIGBUS disposition is (see guard.h). */
static struct {
	struct guard_range *first;
	volatile unsigned long faults;
	struct sigaction previous;
} guard;

void guard_add(struct guard_range *r)
{
	r->lost = 0;
	r->prev = NULL;
	r->next = guard.first;
	if (guard.first)
		guard.first->prev = r;
	guard.first = r;
	r->added = true;
}

void guard_remove(struct guard_range *r)
{
	if (!r->added)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else
		guard.first = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	r->added = false;
}

unsigned long guard_faults(void)
{
	return guard.faults;
}

/* The faults a shrunk file raises (BUS_ADRERR), and memory the kernel
 * poisoned (BUS_MCEERR_*): a page of zeros repairs both. Others (an
 * alignment fault) would fault again on the new page. */
static bool repairable(const siginfo_t *si)
{
	switch (si->si_code) {
	case BUS_ADRERR:
#ifdef BUS_MCEERR_AR
	case BUS_MCEERR_AR:
	case BUS_MCEERR_AO:
#endif
		return true;
	default:
		return false;
	}
}

/* Only async-signal-safe work: a walk of the list, mmap() (a plain system
 * call on Linux, not on POSIX's list but with no lock or state in libc),
 * stores to volatile words, sigaction(). */
static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	(void)sig;
	(void)uctx;
	for (struct guard_range *r = guard.first; r && repairable(si); r = r->next) {
		uintptr_t piece = a & ~(uintptr_t)(r->granule - 1);
		void *p;

		if (a - (uintptr_t)r->start >= r->len)
			continue;
		p = mmap((void *)piece, r->granule, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			break;
		r->lost = 1;
		guard.faults++;
		return;
	}
	/* Not ours to repair: as if there were no guard (see guard.h). */
	sigaction(SIGBUS, &guard.previous, NULL);
}

int guard_install(void)
{
	struct sigaction sa, current;

	if (sigaction(SIGBUS, NULL, &current) < 0)
		return -errno;
	if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_sigbus)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &guard.previous) < 0)
		return -errno;
	return 0;
}
