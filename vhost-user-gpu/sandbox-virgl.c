/* SPDX-License-Identifier: MIT */
/*
 * What virglrenderer, Mesa and llvmpipe call once the back-end serves a
 * front-end with --virgl, beside the event loop's list (sandbox-loop.c).
 * The renderer is started before confinement: EGL opens its driver and
 * device files, and virglrenderer's fence thread and llvmpipe's
 * rasterizer threads are made then. Found by running the guest suite's
 * GL guest (guest-vgm-gl) under `strace -f` (the calls after accept(),
 * where the sandbox is entered) and with --sandbox-log, and the backend
 * suite's test-virgl.py with the filter on. README.md, "Sandbox", says
 * why each is here.
 *
 * Still not here, so fatal: clone/clone3 (no thread nor process is made
 * after set-up), open/openat (Mesa's shader cache on disk is off: main.c),
 * socket, execve, ptrace, kill, prctl, ioctl but the loop's SIOCOUTQ.
 */
#include "sandbox.h"

static const struct sandbox_rule rules[] = {
	/* the renderer's threads wait on each other (mutexes, condition
	 * variables: the fence thread, llvmpipe's rasterizer threads) */
	CALL("futex"),
	/* llvmpipe compiles shaders to machine code: writable memory made
	 * executable (mprotect), a 10 MiB code region mapped RWX (mmap) */
	CALL("mmap"), CALL("mprotect"),
	/* GET_VRING_BASE waits for the renderer in 1 ms steps (gpu-inflight.c) */
	CALL("nanosleep"), CALL("clock_nanosleep"),
};

const struct sandbox_list sandbox_virgl_list = {
	.what = "virglrenderer",
	.rules = rules,
	.n_rules = sizeof(rules) / sizeof(rules[0]),
};
