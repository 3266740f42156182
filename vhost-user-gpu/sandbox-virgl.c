/* SPDX-License-Identifier: MIT */
/*
 * What virglrenderer, Mesa and llvmpipe call once the back-end serves a
 * front-end with --virgl, beside the event loop's list (sandbox-loop.c).
 * The renderer is started before confinement (EGL opens its driver and
 * device files then), so opening files stays forbidden. Found by running
 * the backend suite's virgl test and the guest suite's GL guest with
 * --sandbox-log (the kernel's audit lines) and under `strace -f`.
 * README.md, "Sandbox", says why each group is here.
 *
 * Still not here: socket, open/openat, execve, fork (clone without
 * CLONE_THREAD), ptrace, kill, ioctl but the loop's SIOCOUTQ.
 */
#include <sched.h>
#include <sys/prctl.h>
#include <sys/mman.h>

#include "sandbox.h"

static const struct sandbox_rule rules[] = {
	/* threads: virglrenderer's fence thread, llvmpipe's rasterizer
	 * threads, Mesa's queues (pthread_create: clone3 with CLONE_THREAD,
	 * glibc falls back to clone when clone3 is missing) */
	CALL1("clone", ARG_HAS_BITS(0, CLONE_THREAD)),
	CALL("clone3"), /* its flags are in memory: seccomp cannot look at them */
	CALL("futex"), CALL("set_robust_list"), CALL("rseq"),
	CALL("sched_yield"), CALL("sched_getaffinity"), CALL("sched_setaffinity"),
	CALL("getpriority"), CALL("setpriority"),
	CALL("nanosleep"), CALL("clock_nanosleep"),
	/* thread stacks and guard pages; llvmpipe's JIT writes code, then
	 * makes it executable */
	CALL("mmap"), CALL("mprotect"),
	CALL("madvise"),
	/* the fence thread's eventfd and its wait */
	CALL("eventfd2"), CALL("poll"), CALL("ppoll"),
	/* thread names (Mesa names its threads) */
	CALL1("prctl", ARG_INT_EQ(0, PR_SET_NAME)),
	CALL("getrusage"), CALL("uname"),
};

const struct sandbox_list sandbox_virgl_list = {
	.what = "virglrenderer",
	.rules = rules,
	.n_rules = sizeof(rules) / sizeof(rules[0]),
};
