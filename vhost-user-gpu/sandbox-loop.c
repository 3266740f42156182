/* SPDX-License-Identifier: MIT */
/*
 * What the 2D back-end calls once it serves a front-end: the event loop,
 * the vhost-user and display sockets, guest memory, the recorder, the
 * library, and what glibc calls for them (malloc, abort, qsort). Found by
 * running the back-end's tests under `strace -f` (calls after the first
 * epoll_wait), by reading the code for the paths those do not take, and by
 * running the guest suite with the filter on. README.md, "Sandbox", says
 * why each group is here.
 *
 * Not here, so fatal: socket, accept, connect, bind (the connection is
 * made), open/openat (files are opened before: the recorder's), execve,
 * clone/fork, ptrace, mmap/mprotect with PROT_EXEC, ioctl but SIOCOUTQ,
 * kill but abort()'s own SIGABRT, prctl, unlink.
 */
#include <fcntl.h>
#include <linux/sockios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "sandbox.h"

static const struct sandbox_rule rules[] = {
	/* the loop, its timers, signalfd and eventfds (read, write) */
	CALL("epoll_wait"), CALL("epoll_pwait"), CALL("epoll_ctl"),
	CALL("timerfd_create"), CALL("timerfd_settime"),
	CALL("read"), CALL("write"), CALL("close"),
	/* the vhost-user socket: messages with fds; the display socket */
	CALL("recvmsg"), CALL("recvfrom"), CALL("sendmsg"),
	CALL2("setsockopt", ARG_INT_EQ(1, SOL_SOCKET), ARG_INT_EQ(2, SO_SNDBUFFORCE)),
	CALL2("setsockopt", ARG_INT_EQ(1, SOL_SOCKET), ARG_INT_EQ(2, SO_SNDBUF)),
	/* non-blocking fds; UPDATE pixels by reference (sendq.c); a second fd
	 * of the display socket, watched for room to send (display.c) */
	CALL1("fcntl", ARG_INT_EQ(1, F_GETFL)),
	CALL1("fcntl", ARG_INT_EQ(1, F_SETFL)),
	CALL1("fcntl", ARG_INT_EQ(1, F_SETPIPE_SZ)),
	CALL1("fcntl", ARG_INT_EQ(1, F_DUPFD_CLOEXEC)),
	CALL1("pipe2", ARG_INT_EQ(1, O_CLOEXEC | O_NONBLOCK)),
	CALL("vmsplice"), CALL("splice"),
	CALL1("ioctl", ARG_INT_EQ(1, SIOCOUTQ)),
	/* a replaced display socket kept for what its peer reads (sendq.c) */
	CALL1("shutdown", ARG_INT_EQ(1, SHUT_WR)),
	/* guest memory (memtable.c: fstat, fstatfs, mmap; guard.c), malloc */
	CALL("fstat"), CALL1("newfstatat", ARG_INT_EQ(3, AT_EMPTY_PATH)), CALL("fstatfs"),
	CALL1("mmap", ARG_NO_BITS(2, PROT_EXEC)),
	CALL("munmap"), CALL("mremap"), CALL("brk"),
	CALL1("madvise", ARG_INT_EQ(2, MADV_DONTNEED)),
	CALL1("madvise", ARG_INT_EQ(2, MADV_HUGEPAGE)),
	/* the recorder: its body copied into the file at the end; its pages
	 * sorted by qsort(), which in glibc asks for the memory size
	 * (sysinfo) to choose its algorithm past 1 KiB of items */
	CALL("lseek"), CALL("sysinfo"),
	/* the library: resource UUIDs, log time stamps (syscalls where the
	 * vDSO is not used), the CPUs that share the cache when it chooses
	 * how to store a transfer (its first one, after confinement) */
	CALL("getrandom"), CALL("clock_gettime"), CALL("gettimeofday"), CALL("time"),
	CALL("sched_getaffinity"),
	/* guard.c's SIGBUS handler; abort() on a broken invariant */
	CALL("rt_sigreturn"), CALL("rt_sigaction"), CALL("rt_sigprocmask"),
	CALL("restart_syscall"), CALL("getpid"), CALL("gettid"),
	CALL1("tgkill", ARG_INT_EQ(2, SIGABRT)),
	CALL("exit"), CALL("exit_group"),
};

const struct sandbox_list sandbox_loop_list = {
	.what = "the event loop",
	.rules = rules,
	.n_rules = sizeof(rules) / sizeof(rules[0]),
};
