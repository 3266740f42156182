/* SPDX-License-Identifier: MIT */
/*
 * What gcov's runtime calls at exit in a coverage build (-Db_coverage=true,
 * which CI's coverage step uses for every suite, this back-end's tests
 * included): it opens, locks, reads and rewrites a .gcda file per object,
 * creating the directories it needs. meson defines VGM_COVERAGE only for
 * such builds; every other build gets an empty list and no looser filter.
 */
#include "sandbox.h"

#ifdef VGM_COVERAGE
#include <fcntl.h>

/* gcov opens its files for reading and writing, creating them: only that
 * (the tests' forbidden read-only open still kills). */
#define GCOV_OPEN(n, flags_arg)                                                              \
	{ .name = (n), .n_args = 1,                                                          \
	  .args = { { .arg = (flags_arg), .op = SCMP_CMP_MASKED_EQ,                          \
		      .datum_a = O_ACCMODE | O_CREAT, .datum_b = O_RDWR | O_CREAT } } }

static const struct sandbox_rule rules[] = {
	GCOV_OPEN("open", 1), GCOV_OPEN("openat", 2),
	{ .name = "mkdir" }, { .name = "mkdirat" }, { .name = "fcntl" }, { .name = "getpid" },
};

const struct sandbox_list sandbox_coverage_list = {
	.what = "gcov",
	.rules = rules,
	.n_rules = sizeof(rules) / sizeof(rules[0]),
};
#else
const struct sandbox_list sandbox_coverage_list = { .what = "gcov" };
#endif
