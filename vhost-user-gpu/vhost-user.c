/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sendq.h"
#include "vhost-user.h"

/* Requests (vhost-user.rst, "Front-end message types"). */
enum {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_GPU_SET_SOCKET = 33,
	VU_RESET_DEVICE = 34,
	VU_REQUEST_MAX = 41,
};

/* Protocol features offered: exactly the ones implemented here. */
#define VU_PROTOCOL_F_MQ 0
#define VU_PROTOCOL_F_REPLY_ACK 3
#define VU_PROTOCOL_F_CONFIG 9
#define VU_PROTOCOL_F_RESET_DEVICE 13
#define VU_PROTOCOL_FEATURES                                                              \
	((1ull << VU_PROTOCOL_F_MQ) | (1ull << VU_PROTOCOL_F_REPLY_ACK) |                 \
	 (1ull << VU_PROTOCOL_F_CONFIG) | (1ull << VU_PROTOCOL_F_RESET_DEVICE))

#define VU_HDR_SIZE 12u
#define VU_VERSION 0x1u
#define VU_FLAG_VERSION_MASK 0x3u
#define VU_FLAG_REPLY 0x4u
#define VU_FLAG_NEED_REPLY 0x8u
/* Larger than any message handled here (a config access is 12 + 256). */
#define VU_MAX_PAYLOAD 4096u
#define VU_MAX_FDS 8
#define VU_VRING_IDX_MASK 0xffu
#define VU_VRING_NOFD 0x100u
#define VU_MEM_REGION_SIZE 32u
#define VU_MAX_CONFIG 256u

/* Handler results besides 0 and -errno. */
#define REPLIED 1

struct vu_msg {
	uint32_t request, flags, size;
	uint8_t payload[VU_MAX_PAYLOAD];
	int fds[VU_MAX_FDS];
	uint32_t nfds;
};

struct vhost_user {
	struct loop *loop;
	struct loop_watch watch;
	uint32_t events; /* watched on it */
	struct loop_watch stall; /* timer: a message or a reply is half-way */
	bool stall_armed;
	struct gpu *gpu;
	struct sendq *out; /* replies the socket did not take yet */
	uint64_t protocol; /* agreed protocol features */
	bool ended, failed;
	/* The message being received: got bytes of it so far, the header first. */
	struct vu_msg msg;
	size_t got;
	uint8_t hdr[VU_HDR_SIZE];
};

struct handler {
	const char *name;
	uint32_t size; /* smallest payload */
	int (*fn)(struct vhost_user *vu, struct vu_msg *m);
};

/* --- reading and writing messages ---------------------------------------- */

static uint32_t get_u32(const struct vu_msg *m, uint32_t off)
{
	uint32_t v;

	memcpy(&v, m->payload + off, 4); /* callers checked off + 4 <= m->size */
	return v;
}

static uint64_t get_u64(const struct vu_msg *m, uint32_t off)
{
	uint64_t v;

	memcpy(&v, m->payload + off, 8);
	return v;
}

static void take_fds(struct vu_msg *m, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (m->nfds < VU_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
}

static void close_fds(struct vu_msg *m)
{
	for (uint32_t i = 0; i < m->nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	}
	m->nfds = 0;
}

/* One recvmsg() of up to len bytes, with the file descriptors that come
 * along (SCM_RIGHTS arrive with the first byte of a message; any part
 * may carry some). @return bytes, 0 at EOF, -1 with errno. */
static ssize_t recv_part(int fd, struct vu_msg *m, uint8_t *dst, size_t len)
{
	union {
		char buf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = dst, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;

	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	take_fds(m, &mh);
	if (mh.msg_flags & MSG_CTRUNC) {
		errno = EPROTO; /* descriptors were dropped: the message is not whole */
		return -1;
	}
	return n;
}

/* The header is complete: is it one we can read the payload of? */
static bool decode_header(struct vu_msg *m, const uint8_t *hdr)
{
	memcpy(&m->request, hdr, 4);
	memcpy(&m->flags, hdr + 4, 4);
	memcpy(&m->size, hdr + 8, 4);
	if ((m->flags & VU_FLAG_VERSION_MASK) == VU_VERSION && m->size <= VU_MAX_PAYLOAD)
		return true;
	log_error("vhost-user: message %u with flags 0x%x and size %u", m->request, m->flags,
		  m->size);
	return false;
}

enum rx {
	RX_MORE, /* the socket has no more now */
	RX_DONE, /* vu->msg is complete */
	RX_EOF, /* the front-end closed the socket between messages */
	RX_BROKEN, /* closed mid-message, an error, a message we cannot read (logged) */
};

/* Reads what the socket has of the message being received, never more:
 * the next message's descriptors must not come with this one's bytes. */
static enum rx receive(struct vhost_user *vu)
{
	struct vu_msg *m = &vu->msg;

	for (;;) {
		bool in_hdr = vu->got < VU_HDR_SIZE;
		size_t want = in_hdr ? VU_HDR_SIZE - vu->got : VU_HDR_SIZE + m->size - vu->got;
		uint8_t *dst = in_hdr ? vu->hdr + vu->got : m->payload + (vu->got - VU_HDR_SIZE);
		ssize_t n;

		if (want == 0)
			return RX_DONE;
		n = recv_part(vu->watch.fd, m, dst, want);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return RX_MORE;
		if (n < 0 || (n == 0 && vu->got)) {
			log_error("vhost-user: %s", n < 0 ? strerror(errno) : "closed mid-message");
			return RX_BROKEN;
		}
		if (n == 0)
			return RX_EOF;
		vu->got += (size_t)n;
		if (vu->got == VU_HDR_SIZE && !decode_header(m, vu->hdr))
			return RX_BROKEN;
	}
}

/* The connection is over: nothing more is read or written. */
static void end(struct vhost_user *vu, bool failed)
{
	if (vu->ended)
		return;
	vu->ended = true;
	vu->failed = failed;
	loop_unwatch(vu->loop, &vu->watch);
	loop_timer_set(vu->loop, &vu->stall, 0);
	loop_quit(vu->loop);
}

/* Writes what the socket takes of the queued replies. */
static void flush_replies(struct vhost_user *vu)
{
	if (sendq_flush(vu->out) != SENDQ_ERROR)
		return;
	/* A front-end that went away before reading its reply ends as one that
	 * closed the socket; any other failure is the connection's. */
	if (errno == EPIPE || errno == ECONNRESET) {
		log_info("vhost-user: front-end disconnected before reading a reply");
		end(vu, false);
		return;
	}
	log_error("vhost-user: cannot reply: %s", strerror(errno));
	end(vu, true);
}

static int reply(struct vhost_user *vu, const struct vu_msg *m, const void *payload,
		 uint32_t size)
{
	uint32_t flags = VU_VERSION | VU_FLAG_REPLY;
	uint8_t *buf = sendq_reserve(vu->out, VU_HDR_SIZE + size, NULL, 0);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, &m->request, 4);
	memcpy(buf + 4, &flags, 4);
	memcpy(buf + 8, &size, 4);
	if (size)
		memcpy(buf + VU_HDR_SIZE, payload, size);
	flush_replies(vu);
	return REPLIED;
}

static int reply_u64(struct vhost_user *vu, const struct vu_msg *m, uint64_t v)
{
	return reply(vu, m, &v, sizeof(v));
}

/* --- handlers ------------------------------------------------------------- */

/* The one fd a message must carry, taken out of m (-1 if absent). */
static int take_one_fd(struct vu_msg *m)
{
	int fd;

	if (m->nfds != 1)
		return -1;
	fd = m->fds[0];
	m->fds[0] = -1;
	return fd;
}

static int get_features(struct vhost_user *vu, struct vu_msg *m)
{
	return reply_u64(vu, m, gpu_get_features(vu->gpu));
}

static int set_features(struct vhost_user *vu, struct vu_msg *m)
{
	return gpu_set_features(vu->gpu, get_u64(m, 0));
}

static int set_owner(struct vhost_user *vu, struct vu_msg *m)
{
	(void)vu;
	(void)m;
	return 0;
}

static int reset_owner(struct vhost_user *vu, struct vu_msg *m)
{
	(void)m;
	/* Deprecated; vhost-user.rst: ignore it or disable the rings. */
	gpu_disable_rings(vu->gpu);
	return 0;
}

static int set_mem_table(struct vhost_user *vu, struct vu_msg *m)
{
	struct memtable_entry e[MEMTABLE_MAX];
	uint32_t n = get_u32(m, 0);

	if (n > MEMTABLE_MAX || n != m->nfds || m->size < 8 + n * VU_MEM_REGION_SIZE) {
		log_error("SET_MEM_TABLE: %u regions, %u fds, %u bytes", n, m->nfds, m->size);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t off = 8 + i * VU_MEM_REGION_SIZE;

		e[i] = (struct memtable_entry){
			.gpa = get_u64(m, off),
			.size = get_u64(m, off + 8),
			.uva = get_u64(m, off + 16),
			.mmap_offset = get_u64(m, off + 24),
		};
		log_debug("region %u: gpa 0x%llx size 0x%llx uva 0x%llx offset 0x%llx", i,
			  (unsigned long long)e[i].gpa, (unsigned long long)e[i].size,
			  (unsigned long long)e[i].uva, (unsigned long long)e[i].mmap_offset);
	}
	m->nfds = 0; /* gpu_set_mem_table owns them now */
	return gpu_set_mem_table(vu->gpu, e, m->fds, n);
}

static int set_vring_num(struct vhost_user *vu, struct vu_msg *m)
{
	return gpu_vring_num(vu->gpu, get_u32(m, 0), get_u32(m, 4));
}

static int set_vring_addr(struct vhost_user *vu, struct vu_msg *m)
{
	/* index, flags, descriptor, used, available, log */
	return gpu_vring_addr(vu->gpu, get_u32(m, 0), get_u64(m, 8), get_u64(m, 24),
			      get_u64(m, 16));
}

static int set_vring_base(struct vhost_user *vu, struct vu_msg *m)
{
	uint32_t base = get_u32(m, 4);

	if (base > UINT16_MAX)
		return -EINVAL;
	return gpu_vring_base(vu->gpu, get_u32(m, 0), (uint16_t)base);
}

static int get_vring_base(struct vhost_user *vu, struct vu_msg *m)
{
	uint32_t state[2] = { get_u32(m, 0), 0 };
	uint16_t base = 0;
	int err = gpu_vring_get_base(vu->gpu, state[0], &base);

	if (err < 0)
		return err;
	state[1] = base;
	return reply(vu, m, state, sizeof(state));
}

/* KICK, CALL and ERR: u64 with the index and a no-fd flag, and the fd:
 * one without the flag, none with it (-1). A message that carries other
 * than it says is refused and changes nothing: taken as "no fd", it would
 * have dropped the ring's fd. */
static int vring_fd(struct vu_msg *m, const char *name,
		    int (*set)(struct gpu *g, uint32_t idx, int fd), struct gpu *g)
{
	uint64_t v = get_u64(m, 0);
	bool none = v & VU_VRING_NOFD;

	if (m->nfds != (none ? 0u : 1u)) {
		log_error("vhost-user: %s with %u fds and%s the no-fd flag", name, m->nfds,
			  none ? "" : " without");
		return -EINVAL;
	}
	return set(g, (uint32_t)(v & VU_VRING_IDX_MASK), none ? -1 : take_one_fd(m));
}

static int set_vring_kick(struct vhost_user *vu, struct vu_msg *m)
{
	return vring_fd(m, "SET_VRING_KICK", gpu_vring_kick, vu->gpu);
}

static int set_vring_call(struct vhost_user *vu, struct vu_msg *m)
{
	return vring_fd(m, "SET_VRING_CALL", gpu_vring_call, vu->gpu);
}

static int set_vring_err(struct vhost_user *vu, struct vu_msg *m)
{
	return vring_fd(m, "SET_VRING_ERR", gpu_vring_err, vu->gpu);
}

static int get_protocol_features(struct vhost_user *vu, struct vu_msg *m)
{
	return reply_u64(vu, m, VU_PROTOCOL_FEATURES);
}

static int set_protocol_features(struct vhost_user *vu, struct vu_msg *m)
{
	uint64_t f = get_u64(m, 0);

	vu->protocol = f & VU_PROTOCOL_FEATURES;
	log_debug("protocol features 0x%llx, using 0x%llx", (unsigned long long)f,
		  (unsigned long long)vu->protocol);
	return 0;
}

static int get_queue_num(struct vhost_user *vu, struct vu_msg *m)
{
	return reply_u64(vu, m, GPU_NUM_QUEUES);
}

static int set_vring_enable(struct vhost_user *vu, struct vu_msg *m)
{
	return gpu_vring_enable(vu->gpu, get_u32(m, 0), get_u32(m, 4) != 0);
}

/* offset, size, flags, then size bytes of the config space. */
static int get_config(struct vhost_user *vu, struct vu_msg *m)
{
	uint8_t out[12 + VU_MAX_CONFIG];
	uint32_t size = get_u32(m, 4);

	memcpy(out, m->payload, 12);
	if (size > VU_MAX_CONFIG || gpu_config_read(vu->gpu, get_u32(m, 0), out + 12, size) < 0) {
		log_error("GET_CONFIG: offset %u size %u refused", get_u32(m, 0), size);
		/* vhost-user.rst: an empty payload says it failed. */
		return reply(vu, m, out, 0);
	}
	return reply(vu, m, out, 12 + size);
}

static int set_config(struct vhost_user *vu, struct vu_msg *m)
{
	uint32_t size = get_u32(m, 4);

	if (size > VU_MAX_CONFIG || m->size < 12 + size)
		return -EINVAL;
	return gpu_config_write(vu->gpu, get_u32(m, 0), m->payload + 12, size);
}

static int gpu_set_socket(struct vhost_user *vu, struct vu_msg *m)
{
	int fd = take_one_fd(m);

	if (fd < 0)
		return -EINVAL;
	gpu_set_display_socket(vu->gpu, fd);
	return 0;
}

static int reset_device(struct vhost_user *vu, struct vu_msg *m)
{
	(void)m;
	gpu_reset(vu->gpu);
	return 0;
}

static const struct handler handlers[VU_REQUEST_MAX] = {
	[VU_GET_FEATURES] = { "GET_FEATURES", 0, get_features },
	[VU_SET_FEATURES] = { "SET_FEATURES", 8, set_features },
	[VU_SET_OWNER] = { "SET_OWNER", 0, set_owner },
	[VU_RESET_OWNER] = { "RESET_OWNER", 0, reset_owner },
	[VU_SET_MEM_TABLE] = { "SET_MEM_TABLE", 8, set_mem_table },
	[VU_SET_VRING_NUM] = { "SET_VRING_NUM", 8, set_vring_num },
	[VU_SET_VRING_ADDR] = { "SET_VRING_ADDR", 40, set_vring_addr },
	[VU_SET_VRING_BASE] = { "SET_VRING_BASE", 8, set_vring_base },
	[VU_GET_VRING_BASE] = { "GET_VRING_BASE", 8, get_vring_base },
	[VU_SET_VRING_KICK] = { "SET_VRING_KICK", 8, set_vring_kick },
	[VU_SET_VRING_CALL] = { "SET_VRING_CALL", 8, set_vring_call },
	[VU_SET_VRING_ERR] = { "SET_VRING_ERR", 8, set_vring_err },
	[VU_GET_PROTOCOL_FEATURES] = { "GET_PROTOCOL_FEATURES", 0, get_protocol_features },
	[VU_SET_PROTOCOL_FEATURES] = { "SET_PROTOCOL_FEATURES", 8, set_protocol_features },
	[VU_GET_QUEUE_NUM] = { "GET_QUEUE_NUM", 0, get_queue_num },
	[VU_SET_VRING_ENABLE] = { "SET_VRING_ENABLE", 8, set_vring_enable },
	[VU_GET_CONFIG] = { "GET_CONFIG", 12, get_config },
	[VU_SET_CONFIG] = { "SET_CONFIG", 12, set_config },
	[VU_GPU_SET_SOCKET] = { "GPU_SET_SOCKET", 0, gpu_set_socket },
	[VU_RESET_DEVICE] = { "RESET_DEVICE", 0, reset_device },
};

/* --- the connection --------------------------------------------------------- */

static int dispatch(struct vhost_user *vu, struct vu_msg *m)
{
	const struct handler *h = m->request < VU_REQUEST_MAX ? &handlers[m->request] : NULL;

	if (!h || !h->fn) {
		log_warn("vhost-user: request %u is not supported", m->request);
		return -ENOTSUP;
	}
	log_debug("vhost-user: %s (%u bytes, %u fds)", h->name, m->size, m->nfds);
	if (m->size < h->size) {
		log_error("vhost-user: %s with %u bytes, %u needed", h->name, m->size, h->size);
		return -EINVAL;
	}
	return h->fn(vu, m);
}

static void handle(struct vhost_user *vu, struct vu_msg *m)
{
	int r = dispatch(vu, m);

	/* REPLY_ACK: a reply to everything that asks, 0 for success. */
	if (r != REPLIED && (m->flags & VU_FLAG_NEED_REPLY) &&
	    (vu->protocol & (1ull << VU_PROTOCOL_F_REPLY_ACK)))
		r = reply_u64(vu, m, r < 0 ? 1 : 0);
	if (r < 0 && r != -ENOTSUP && r != -EINVAL)
		log_error("vhost-user: request %u: %s", m->request, strerror(-r));
	close_fds(m);
}

/*
 * While a reply waits for room in the socket, no message is read: the
 * front-end that does not read its replies stops being read from (one
 * reply at most is queued). While a message or a reply is half-way, the
 * stall timer runs: VU_STALL_TIMEOUT_MS later the connection is dropped.
 * It starts again when one is done (progressed: a message read whole, a
 * reply gone), so each message and each reply has the whole time.
 */
static void update_watch(struct vhost_user *vu, bool progressed)
{
	bool out = sendq_pending(vu->out);
	uint32_t events = out ? EPOLLOUT : EPOLLIN;

	if (progressed && vu->stall_armed) {
		vu->stall_armed = false;
		loop_timer_set(vu->loop, &vu->stall, 0);
	}

	if (vu->ended)
		return;
	if (events != vu->events && loop_watch(vu->loop, &vu->watch, events) < 0) {
		log_error("vhost-user: cannot watch the socket");
		end(vu, true);
		return;
	}
	vu->events = events;
	if ((out || vu->got) != vu->stall_armed) {
		vu->stall_armed = !vu->stall_armed;
		loop_timer_set(vu->loop, &vu->stall, vu->stall_armed ? VU_STALL_TIMEOUT_MS * 1000 : 0);
	}
}

static void on_socket(struct loop_watch *w, uint32_t events)
{
	struct vhost_user *vu = w->ctx;
	bool progressed = false;

	if (events & EPOLLOUT) {
		flush_replies(vu);
		progressed = !sendq_pending(vu->out);
	}
	while (!vu->ended && !sendq_pending(vu->out)) {
		enum rx r = receive(vu);

		if (r == RX_MORE)
			break;
		if (r != RX_DONE) {
			if (r == RX_EOF)
				log_info("vhost-user: front-end disconnected");
			else
				log_error("vhost-user: connection broken");
			end(vu, r == RX_BROKEN);
			break;
		}
		handle(vu, &vu->msg);
		vu->got = 0;
		progressed = true;
	}
	update_watch(vu, progressed);
}

static void on_stall(struct loop_watch *w, uint32_t events)
{
	struct vhost_user *vu = w->ctx;

	(void)events;
	if (!loop_timer_fired(w))
		return;
	vu->stall_armed = false;
	log_error("vhost-user: the front-end stalled for %d ms %s: disconnected",
		  VU_STALL_TIMEOUT_MS,
		  sendq_pending(vu->out) ? "without reading a reply" : "in the middle of a message");
	end(vu, true);
}

int vhost_user_new(int fd, struct gpu *g, struct loop *loop, struct vhost_user **out)
{
	struct vhost_user *vu = calloc(1, sizeof(*vu));
	int err = -ENOMEM;

	if (!vu)
		goto fail;
	vu->loop = loop;
	vu->gpu = g;
	vu->stall.fd = -1;
	vu->watch = (struct loop_watch){ .fd = fd, .cb = on_socket, .ctx = vu };
	err = sendq_new(false, &vu->out);
	if (err == 0)
		err = loop_timer_init(&vu->stall, on_stall, vu);
	if (err == 0)
		err = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ? -errno : 0;
	if (err == 0)
		err = loop_watch(loop, &vu->watch, vu->events = EPOLLIN);
	if (err < 0)
		goto fail;
	sendq_set_fd(vu->out, fd);
	*out = vu;
	return 0;
fail:
	if (vu) {
		sendq_destroy(vu->out);
		if (vu->stall.fd >= 0)
			close(vu->stall.fd);
		free(vu);
	}
	close(fd);
	return err;
}

void vhost_user_destroy(struct vhost_user *vu)
{
	if (!vu)
		return;
	loop_unwatch(vu->loop, &vu->watch);
	loop_timer_set(vu->loop, &vu->stall, 0);
	close(vu->stall.fd);
	close_fds(&vu->msg); /* a message half-way holds descriptors too */
	sendq_destroy(vu->out);
	close(vu->watch.fd);
	free(vu);
}

bool vhost_user_failed(const struct vhost_user *vu)
{
	return vu->failed;
}
