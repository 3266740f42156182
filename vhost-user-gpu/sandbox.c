/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter, built with libseccomp rather than written as BPF by
 * hand: it resolves system call names for the architecture it runs on,
 * rejects calls made through another ABI of the same CPU (i386 or x32
 * calls from an x86-64 process, which have other numbers), and compiles
 * argument comparisons into correct BPF; QEMU and systemd use it for the
 * same reasons. sandbox.h says what the filter is for.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "sandbox.h"

static int add_rule(scmp_filter_ctx ctx, const struct sandbox_rule *r)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	int err;

	if (nr == __NR_SCMP_ERROR) {
		log_error("sandbox: unknown system call %s", r->name);
		return -EINVAL;
	}
	if (nr < 0)
		return 0; /* a call this architecture does not have (epoll_wait on arm64) */
	err = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, r->n_args, r->args);
	if (err < 0)
		log_error("sandbox: cannot allow %s: %s", r->name, strerror(-err));
	return err;
}

static int add_list(scmp_filter_ctx ctx, const struct sandbox_list *l)
{
	for (size_t i = 0; i < l->n_rules; i++) {
		int err = add_rule(ctx, &l->rules[i]);

		if (err < 0) {
			log_error("sandbox: in the list of %s", l->what);
			return err;
		}
	}
	return 0;
}

int sandbox_enter(enum sandbox_mode mode, const struct sandbox_list *const *lists,
		  size_t n_lists)
{
	scmp_filter_ctx ctx;
	int err = 0;

	if (mode == SANDBOX_OFF)
		return 0;
	ctx = seccomp_init(mode == SANDBOX_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		log_error("sandbox: cannot create the filter");
		return -ENOMEM;
	}
	/* No set-uid or file-capability exec can gain what the filter took away
	 * (and the kernel takes a filter from an unprivileged process only so). */
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	for (size_t i = 0; i < n_lists && err == 0; i++)
		err = add_list(ctx, lists[i]);
	if (err == 0) {
		err = seccomp_load(ctx);
		if (err < 0)
			log_error("sandbox: the kernel refused the filter: %s", strerror(-err));
	}
	seccomp_release(ctx);
	return err;
}
