/* SPDX-License-Identifier: MIT */
/*
 * fuzz/vhost-user: the vhost-user backend (vhost-user-gpu/) as a
 * front-end drives it, on its own event loop: vhost-user messages with file
 * descriptors (guest RAM as a memfd the harness makes, eventfds, a display
 * socket the harness answers as QEMU would), guest memory written, rings
 * kicked, guest RAM truncated under the back-end, the socket closed.
 * Everything between the socket and the library runs: message framing,
 * the memory table, ring set-up, the ring walk, requests through the
 * library, the display protocol, the recorder.
 *
 * Checked: nothing crashes, leaks (LeakSanitizer) or blocks (libFuzzer's
 * timeout: the back-end's socket is the harness's, never waited for); every
 * reply is a reply (flags VERSION | REPLY) of the size its request has (8,
 * or GET_CONFIG's 0 or 12 + n, or 8 for an ack); every display message is a request of the
 * vhost-user-gpu protocol with flags 0; after teardown every file
 * descriptor the back-end was given is closed.
 *
 * Input (little-endian):
 *   u8 mode   bit 0 --record (to /dev/null), bit 1 memory-rfc dialect,
 *             bit 2 the front-end does not read replies, bit 3 QEMU's
 *             display offers no EDID, bits 4-5 INDIRECT_DESC and
 *             EVENT_IDX not offered
 *   then operations until the input ends, u8 op (modulo 7):
 *     0 MSG      u32 request, u32 flags, u16 size, u8 nfds (low 4 bits),
 *                nfds x u8 kind, then size bytes of payload (fewer if the
 *                input ends: a message cut short). Kinds (modulo 8): 0 guest
 *                RAM (a 1 MiB memfd), 1 and 2 kick eventfds of rings 0
 *                and 1, 3 the call eventfd, 4 a new display socket, 5 a
 *                pipe's write end, 6 a 4 KiB memfd, 7 guest RAM read-only
 *     1 RAW      u16 len, bytes: written to the socket as they are
 *     2 WRITE    u32 offset, u16 len, bytes: into guest RAM (pwrite)
 *     3 KICK     u8 ring
 *     4 TRUNCATE u32 size: guest RAM's memfd becomes size % (1 MiB + 1)
 *                bytes long
 *     5 DISPLAY  u16 len, bytes: sent to the back-end as QEMU's display
 *     6 CLOSE    the front-end closes the socket (the rest is ignored)
 * After each operation the loop runs until it is idle, replies are read
 * (unless bit 2) and QEMU's side of the display answers
 * GET_PROTOCOL_FEATURES, GET_DISPLAY_INFO and GET_EDID; an input runs at
 * most MAX_CALLBACKS callbacks of the loop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "gpu.h"
#include "guard.h"
#include "log.h"
#include "loop.h"
#include "recorder.h"
#include "vhost-user.h"

#define RAM_SIZE (1u << 20)
#define SMALL_SIZE 4096u
#define MAX_FDS 10
/* Callbacks one input may run. A guest can keep the back-end busy for
 * ever, a turn of 64 entries at a time (a ring whose used index lies on its
 * available index): that is not a failure, the input just ends there. */
#define MAX_CALLBACKS 4096

/* vhost-user requests whose replies are not 8 bytes long. */
#define VU_GET_CONFIG 24
#define VU_GPU_SET_SOCKET 33
#define VU_REPLY_FLAGS 0x5u /* version 1, reply */
/* vhost-user-gpu display requests (sent by the back-end) */
#define D_GET_PROTOCOL_FEATURES 1
#define D_GET_DISPLAY_INFO 3
#define D_GET_EDID 11
#define D_FLAG_REPLY 0x4u

/* A stream of messages being parsed: a header, then payload bytes to skip. */
struct stream {
	uint8_t hdr[12];
	size_t got; /* header bytes */
	uint32_t skip; /* payload bytes still to come */
};

/* The front-end and QEMU's display, the harness's side of everything. */
struct front {
	int sock; /* the vhost-user socket */
	int ram, small, ram_ro;
	int kick[2], call, pipe[2];
	int display; /* QEMU's end of the display socket, -1 */
	bool read_replies, display_edid;
	struct stream replies, dmsgs;
};

struct back {
	struct loop *loop;
	struct gpu *gpu;
	struct recorder *rec;
	struct vhost_user *vu;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	FUZZ_CHECK(d != NULL, "/proc/self/fd");
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int new_memfd(const char *name, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0, "memfd");
	return fd;
}

static void open_front(struct front *f, int *theirs, uint8_t mode)
{
	int sv[2];
	char path[64];

	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0,
		   "socketpair");
	*f = (struct front){ .sock = sv[0], .display = -1, .read_replies = !(mode & 4),
			     .display_edid = !(mode & 8) };
	*theirs = sv[1];
	f->ram = new_memfd("guest", RAM_SIZE);
	f->small = new_memfd("small", SMALL_SIZE);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", f->ram);
	f->ram_ro = open(path, O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(f->ram_ro >= 0, "read-only guest RAM");
	for (int i = 0; i < 2; i++)
		f->kick[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	FUZZ_CHECK(f->kick[0] >= 0 && f->kick[1] >= 0 && f->call >= 0, "eventfd");
	FUZZ_CHECK(pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK) == 0, "pipe");
}

static void close_front(struct front *f)
{
	int fds[] = { f->sock, f->ram, f->small, f->ram_ro, f->kick[0], f->kick[1],
		      f->call, f->pipe[0], f->pipe[1], f->display };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

static void open_back(struct back *b, int fd, uint8_t mode)
{
	struct gpu_config cfg = {
		.dialect = (mode & 2) ? VGM_DIALECT_MEMORY_RFC : VGM_DIALECT_STANDARD,
		.device_features = VGM_FEATURES_ALL,
		.indirect = !(mode & 16),
		.event_idx = !(mode & 32),
		/* By copy: pages by reference wait for a timer a fuzzer does not wait for. */
		.zero_copy = false,
		.log_level = (enum vgm_log_level)0,
	};

	FUZZ_CHECK(loop_new(&b->loop) == 0, "loop_new");
	FUZZ_CHECK(gpu_new(&cfg, b->loop, &b->gpu) == 0, "gpu_new");
	if (mode & 1)
		FUZZ_CHECK(recorder_new("/dev/null", b->gpu, false, &b->rec) == 0, "recorder_new");
	FUZZ_CHECK(vhost_user_new(fd, b->gpu, b->loop, &b->vu) == 0, "vhost_user_new");
}

/* As the program ends (main.c's stop()). */
static void close_back(struct back *b)
{
	recorder_close(b->rec);
	vhost_user_destroy(b->vu);
	gpu_destroy(b->gpu);
	loop_destroy(b->loop);
}

/* ---- the harness's side of the sockets ----------------------------------- */

/* The descriptor of a kind; a socket is made on the spot (*made: the
 * back-end's end, for the caller to close once sent). Only a socket sent
 * with SET_SOCKET is the display whose messages are checked: one the
 * back-end takes as a kick or call fd gets eventfd counters, not display
 * messages, so its other end is closed at once. */
static int fd_of_kind(struct front *f, uint32_t request, uint8_t kind, int *made)
{
	int sv[2];

	switch (kind % 8) {
	case 0:
		return f->ram;
	case 1:
	case 2:
		return f->kick[kind % 8 - 1];
	case 3:
		return f->call;
	case 4:
		FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) ==
				   0,
			   "socketpair");
		*made = sv[1];
		if (request != VU_GPU_SET_SOCKET) {
			close(sv[0]);
			return sv[1];
		}
		if (f->display >= 0)
			close(f->display);
		f->display = sv[0];
		f->dmsgs = (struct stream){ 0 };
		return sv[1];
	case 5:
		return f->pipe[1];
	case 6:
		return f->small;
	default:
		return f->ram_ro;
	}
}

/* Sends bytes, with descriptors; what the socket does not take is dropped
 * (a front-end cut short). */
static void send_fds(struct front *f, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!len)
		return;
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	(void)sendmsg(f->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void op_msg(struct front *f, struct input *in)
{
	uint8_t buf[12 + 65535];
	uint32_t request = input_u32(in), flags = input_u32(in);
	uint16_t size = input_u16(in);
	uint32_t claimed = size;
	size_t nfds = (input_u8(in) & 15) % (MAX_FDS + 1), got;
	int fds[MAX_FDS], made[MAX_FDS];
	const uint8_t *payload;

	for (size_t i = 0; i < nfds; i++) {
		made[i] = -1;
		fds[i] = fd_of_kind(f, request, input_u8(in), &made[i]);
	}
	payload = input_bytes(in, size, &got);
	memcpy(buf, &request, 4);
	memcpy(buf + 4, &flags, 4);
	memcpy(buf + 8, &claimed, 4);
	if (got)
		memcpy(buf + 12, payload, got);
	send_fds(f, buf, 12 + got, fds, nfds);
	for (size_t i = 0; i < nfds; i++) {
		if (made[i] >= 0)
			close(made[i]); /* the back-end has its own copy */
	}
}

static void op_raw(int fd, struct input *in)
{
	size_t got;
	const uint8_t *p = input_bytes(in, input_u16(in), &got);

	if (got && fd >= 0)
		(void)send(fd, p, got, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void op_write(struct front *f, struct input *in)
{
	uint32_t off = input_u32(in) % RAM_SIZE;
	size_t got;
	const uint8_t *p = input_bytes(in, input_u16(in), &got);

	if (got > RAM_SIZE - off)
		got = RAM_SIZE - off;
	if (got)
		FUZZ_CHECK(pwrite(f->ram, p, got, off) == (ssize_t)got, "pwrite");
}

/* Feeds n received bytes to a stream; calls fn for each header. */
static void parse(struct stream *s, const uint8_t *p, size_t n,
		  void (*fn)(struct front *f, const uint8_t *hdr), struct front *f)
{
	while (n) {
		size_t k;

		if (s->skip) {
			k = n < s->skip ? n : s->skip;
			s->skip -= (uint32_t)k;
		} else {
			k = n < 12 - s->got ? n : 12 - s->got;
			memcpy(s->hdr + s->got, p, k);
			s->got += k;
			if (s->got == 12) {
				s->got = 0;
				s->skip = le32(s->hdr + 8);
				fn(f, s->hdr);
			}
		}
		p += k;
		n -= k;
	}
}

static void check_reply(struct front *f, const uint8_t *hdr)
{
	uint32_t request = le32(hdr), flags = le32(hdr + 4), size = le32(hdr + 8);

	(void)f;
	FUZZ_CHECK(flags == VU_REPLY_FLAGS, "reply to %u with flags 0x%x", request, flags);
	/* GET_CONFIG: failed (empty), the config bytes asked for, or the ack of
	 * one too short to be read that asked for one (need_reply). */
	if (request == VU_GET_CONFIG)
		FUZZ_CHECK(size == 0 || size == 8 || (size >= 12 && size <= 12 + 256),
			   "GET_CONFIG reply of %u", size);
	else
		FUZZ_CHECK(size == 8, "reply to %u of %u bytes", request, size);
}

static void display_reply(struct front *f, uint32_t request, const void *payload, uint32_t size)
{
	uint8_t buf[12 + 24 + 8 + 1024];
	uint32_t flags = D_FLAG_REPLY;

	memcpy(buf, &request, 4);
	memcpy(buf + 4, &flags, 4);
	memcpy(buf + 8, &size, 4);
	memcpy(buf + 12, payload, size);
	(void)send(f->display, buf, 12 + size, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* QEMU's side: the questions get answers, the rest is looked at. */
static void on_display_msg(struct front *f, const uint8_t *hdr)
{
	uint32_t request = le32(hdr), flags = le32(hdr + 4);
	uint8_t p[24 + 8 + 1024] = { 0 };

	FUZZ_CHECK(flags == 0 && request >= 1 && request <= D_GET_EDID && request != 9 &&
			   request != 10,
		   "display message %u with flags 0x%x", request, flags);
	if (request == D_GET_PROTOCOL_FEATURES) {
		p[0] = f->display_edid ? 1 : 0;
		display_reply(f, request, p, 8);
	} else if (request == D_GET_DISPLAY_INFO) {
		p[0] = 0x01; /* OK_DISPLAY_INFO */
		p[1] = 0x11;
		p[24 + 8] = 0x00; /* display 0: 1024x768, enabled */
		p[24 + 9] = 0x04;
		p[24 + 12] = 0x00;
		p[24 + 13] = 0x03;
		p[24 + 16] = 1;
		display_reply(f, request, p, 24 + 16 * 24);
	} else if (request == D_GET_EDID) {
		static const uint8_t header[8] = { 0, 255, 255, 255, 255, 255, 255, 0 };

		p[0] = 0x04; /* OK_EDID */
		p[1] = 0x11;
		p[24] = 128;
		memcpy(p + 32, header, sizeof(header));
		display_reply(f, request, p, sizeof(p));
	}
}

/* Reads what fd has into a stream. @return true if anything came. */
static bool drain(int fd, struct stream *s, void (*fn)(struct front *, const uint8_t *),
		  struct front *f)
{
	uint8_t buf[65536];
	bool any = false;
	ssize_t n;

	while (fd >= 0 && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		parse(s, buf, (size_t)n, fn, f);
		any = true;
	}
	return any;
}

/* Runs the back-end until nothing happens any more, or the input's
 * callbacks are used up. */
static void settle(struct front *f, struct back *b, int *callbacks)
{
	for (;;) {
		bool progress = false;

		while (*callbacks < MAX_CALLBACKS && loop_running(b->loop) &&
		       loop_run_once(b->loop, 0) > 0) {
			++*callbacks;
			progress = true;
		}
		if (f->read_replies)
			progress |= drain(f->sock, &f->replies, check_reply, f);
		progress |= drain(f->display, &f->dmsgs, on_display_msg, f);
		if (!progress || !loop_running(b->loop))
			return;
	}
}

static void run_ops(struct front *f, struct back *b, struct input *in)
{
	int callbacks = 0;

	while (input_left(in) > 0 && loop_running(b->loop) && callbacks < MAX_CALLBACKS) {
		switch (input_u8(in) % 7) {
		case 0:
			op_msg(f, in);
			break;
		case 1:
			op_raw(f->sock, in);
			break;
		case 2:
			op_write(f, in);
			break;
		case 3:
			eventfd_write(f->kick[input_u8(in) & 1], 1);
			break;
		case 4:
			FUZZ_CHECK(ftruncate(f->ram, input_u32(in) % (RAM_SIZE + 1)) == 0, "truncate");
			break;
		case 5:
			op_raw(f->display, in);
			break;
		default:
			shutdown(f->sock, SHUT_RDWR);
			break;
		}
		settle(f, b, &callbacks);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds_before = count_fds(), theirs;
	struct front f;
	struct back b = { 0 };
	struct input in;
	uint8_t mode;

	signal(SIGPIPE, SIG_IGN); /* as main.c has it */
	FUZZ_CHECK(guard_install() == 0, "guard_install");
	log_set_level((enum vgm_log_level)0); /* hostile input is logged by design */
	input_init(&in, data, size);
	mode = input_u8(&in);
	open_front(&f, &theirs, mode);
	open_back(&b, theirs, mode);
	run_ops(&f, &b, &in);
	close_back(&b);
	close_front(&f);
	FUZZ_CHECK(count_fds() == fds_before, "%d descriptors open, %d before", count_fds(),
		   fds_before);
	return 0;
}
