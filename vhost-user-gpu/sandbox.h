/* SPDX-License-Identifier: MIT */
/*
 * The back-end confines itself once set up: a seccomp filter lets through
 * only the system calls its event loop makes (an allowlist, some with
 * their arguments checked) and kills the process at any other, as QEMU's
 * -sandbox and crosvm's jails do. A back-end that a guest has taken over
 * can then do little more than it already did: no new sockets, no files
 * opened, no programs run, no executable memory.
 *
 * The filter is built with libseccomp from lists of rules. Each list is a
 * file of its own: sandbox-loop.c is the 2D back-end's; a renderer in the
 * process (virglrenderer) will need a larger one, added in its own file and
 * passed to sandbox_enter() beside it. sandbox-sanitizer.c holds what the
 * sanitizers' runtimes call, empty in other builds.
 *
 * Finding a missing call: run with --sandbox-log (the call is allowed and
 * the kernel logs it: `dmesg` or `journalctl -k`, "audit: type=1326 ...
 * syscall=N"), or look for the kernel's line of a process killed by SIGSYS
 * (same record, sig=31). `ausyscall N` or `scmp_sys_resolver N` names it.
 */
#ifndef VHOST_USER_GPU_SANDBOX_H
#define VHOST_USER_GPU_SANDBOX_H

#include <seccomp.h>
#include <stddef.h>

enum sandbox_mode {
	SANDBOX_OFF,  /* --no-sandbox */
	SANDBOX_KILL, /* the default: a call not allowed kills the process (SIGSYS) */
	SANDBOX_LOG,  /* --sandbox-log: a call not allowed is made and logged by the kernel */
};

/* One allowed system call, by name (a name this architecture lacks is
 * skipped), with up to three argument comparisons that must all hold.
 * Several rules for one call: any of them allows it. */
struct sandbox_rule {
	const char *name;
	unsigned int n_args;
	struct scmp_arg_cmp args[3];
};

/* Rules as the lists write them. An int argument: the upper 32 bits of
 * the register are not the caller's. */
#define ARG_INT_EQ(n, v) { .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, \
			   .datum_b = (scmp_datum_t)(v) }
#define ARG_NO_BITS(n, bits) { .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
			       .datum_a = (scmp_datum_t)(bits), .datum_b = 0 }
#define ARG_HAS_BITS(n, bits) { .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
				.datum_a = (scmp_datum_t)(bits), .datum_b = (scmp_datum_t)(bits) }
#define CALL(call) { .name = (call) }
#define CALL1(call, a) { .name = (call), .n_args = 1, .args = { a } }
#define CALL2(call, a, b) { .name = (call), .n_args = 2, .args = { a, b } }

struct sandbox_list {
	const char *what; /* for the error message */
	const struct sandbox_rule *rules;
	size_t n_rules;
};

/* The 2D back-end's event loop (sandbox-loop.c). */
extern const struct sandbox_list sandbox_loop_list;
/* virglrenderer, Mesa and llvmpipe in the process, --virgl (sandbox-virgl.c). */
extern const struct sandbox_list sandbox_virgl_list;
/* The sanitizers' runtimes (sandbox-sanitizer.c); no rules without them. */
extern const struct sandbox_list sandbox_sanitizer_list;
/* sandbox-coverage.c: gcov at exit, in coverage builds only. */
extern const struct sandbox_list sandbox_coverage_list;

/* sandbox-state.c: --save-state's file written at exit; renames and
 * removals only inside the directory dirfd. Fills rules and out (which
 * points to rules). */
#define SANDBOX_STATE_RULES 4
void sandbox_state_list(int dirfd, struct sandbox_rule rules[SANDBOX_STATE_RULES],
			struct sandbox_list *out);

/*
 * Sets no_new_privs and loads a filter that allows the calls of every
 * list in @lists and, for any other, kills the process (SANDBOX_KILL) or
 * lets the kernel log it (SANDBOX_LOG). SANDBOX_OFF does nothing. For the
 * rest of the process's life: a filter cannot be removed.
 * @return 0, -ENOMEM, or libseccomp's negative errno (-EINVAL for a rule
 * it refuses, -EACCES/-EFAULT when the kernel refuses the filter); all
 * logged. Nothing is loaded on failure.
 */
int sandbox_enter(enum sandbox_mode mode, const struct sandbox_list *const *lists,
		  size_t n_lists);

/*
 * Tests only: when the environment variable VGM_SANDBOX_SELFTEST names a
 * call (socket, mmap-exec, ioctl, open), makes that call, which the
 * filter forbids, so that a test sees the process die of SIGSYS. Read
 * from the environment the back-end was started with: neither the guest
 * nor the front-end can reach it.
 */
void sandbox_selftest(void);

#endif
