/* SPDX-License-Identifier: MIT */
/*
 * What the sanitizers' runtimes call in a process that runs on (the tests
 * build the back-end with -Db_sanitize=address,undefined too): their
 * shadow memory, and LeakSanitizer's check at exit, which stops the
 * process's threads from a helper it clones and reads /proc/self. None in
 * other builds: they must not loosen the filter.
 */
#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define VGM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define VGM_SANITIZED 1
#endif
#endif

#ifdef VGM_SANITIZED
#include <fcntl.h>
#include <sched.h>

static const struct sandbox_rule rules[] = {
	/* shadow memory, allocator, fake stacks */
	{ .name = "mprotect" }, { .name = "madvise" }, { .name = "sigaltstack" },
	{ .name = "futex" }, { .name = "sched_yield" },
	/* LeakSanitizer at exit: a thread of its own (CLONE_UNTRACED: not a
	 * fork) ptraces the others and reads /proc/self/task and maps */
	{ .name = "clone", .n_args = 1,
	  .args = { { .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = CLONE_UNTRACED,
		      .datum_b = CLONE_UNTRACED } } },
	{ .name = "ptrace" }, { .name = "wait4" }, { .name = "prctl" }, { .name = "getppid" },
	{ .name = "open", .n_args = 1,
	  .args = { { .arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = O_ACCMODE,
		      .datum_b = O_RDONLY } } },
	{ .name = "getdents64" }, { .name = "getdents" },
};

const struct sandbox_list sandbox_sanitizer_list = {
	.what = "the sanitizers",
	.rules = rules,
	.n_rules = sizeof(rules) / sizeof(rules[0]),
};
#else
const struct sandbox_list sandbox_sanitizer_list = { .what = "the sanitizers" };
#endif
