/* SPDX-License-Identifier: MIT */
/*
 * What --save-state adds: at exit the state goes into the temporary file
 * opened before confinement (write, close are the loop's already), which is
 * synced and renamed over FILE, or removed when nothing is saved
 * (state-file.c). The rename and the removal take paths, which a filter
 * cannot read: they are allowed only relative to the directory's fd, the
 * one that was opened for them, so a back-end taken over can rename or
 * remove files in that directory and nowhere else.
 */
#include "sandbox.h"

void sandbox_state_list(int dirfd, struct sandbox_rule rules[SANDBOX_STATE_RULES],
			struct sandbox_list *out)
{
	const struct sandbox_rule list[SANDBOX_STATE_RULES] = {
		CALL("fsync"),
		CALL2("renameat", ARG_INT_EQ(0, dirfd), ARG_INT_EQ(2, dirfd)),
		/* glibc's renameat() where the architecture has no renameat */
		{ .name = "renameat2", .n_args = 3,
		  .args = { ARG_INT_EQ(0, dirfd), ARG_INT_EQ(2, dirfd), ARG_INT_EQ(4, 0) } },
		CALL2("unlinkat", ARG_INT_EQ(0, dirfd), ARG_INT_EQ(2, 0)),
	};

	for (unsigned int i = 0; i < SANDBOX_STATE_RULES; i++)
		rules[i] = list[i];
	*out = (struct sandbox_list){
		.what = "--save-state",
		.rules = rules,
		.n_rules = SANDBOX_STATE_RULES,
	};
}
