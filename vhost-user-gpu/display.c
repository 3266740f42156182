/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display.h"
#include "log.h"
#include "pixels.h"
#include "sendq.h"
#include "util/util.h"

/* vhost-user-gpu.rst: requests, sent by us; QEMU answers some. */
enum {
	GPU_GET_PROTOCOL_FEATURES = 1,
	GPU_SET_PROTOCOL_FEATURES = 2,
	GPU_GET_DISPLAY_INFO = 3,
	GPU_CURSOR_POS = 4,
	GPU_CURSOR_POS_HIDE = 5,
	GPU_CURSOR_UPDATE = 6,
	GPU_SCANOUT = 7,
	GPU_UPDATE = 8,
	GPU_GET_EDID = 11,
};

#define GPU_FLAG_REPLY 0x4u
#define GPU_PROTOCOL_F_EDID 0
#define HDR_SIZE 12u
/* Replies: a u64, or virtio-gpu's own display info and EDID responses
 * (their layouts are <virtgpu-mem/protocol.h>'s); the EDID's is the
 * largest. */
#define IN_MAX (HDR_SIZE + sizeof(struct vgm_gpu_resp_edid))
_Static_assert(DISPLAY_MODES == VGM_GPU_MAX_SCANOUTS, "a display info reply has a mode per scanout");
#define CURSOR_BYTES (VGM_CURSOR_SIZE * VGM_CURSOR_SIZE * 4u)

/* Socket buffer asked for: a 4000 KiB frame is queued without waiting for
 * QEMU to read (the kernel caps it at net.core.wmem_max unless we may
 * force it). */
#define SEND_BUFFER (8 << 20)
/* While something waits for QEMU to read pages we queued by reference:
 * the socket wakes us as QEMU frees them (an EPOLLOUT edge), and a timer
 * looks again after 250 us (QEMU reads 4000 KiB in about that, when it
 * gets the CPU), then less and less often. The kernel gives the edge just
 * before its own count says the buffer is free: the timer is the check
 * that comes after. */
#define DRAIN_POLL_MIN_US 250
#define DRAIN_POLL_MAX_US 8000
/* A new scanout's whole surface goes with its next UPDATE, or after this
 * long without one (see display_scanout_set()). */
#define FRESH_WAIT_US 4000

struct display {
	struct loop *loop;
	const struct display_ops *ops;
	void *ctx;
	struct loop_watch sock; /* fd -1: detached */
	bool want_out; /* the socket is watched for EPOLLOUT too */
	struct loop_watch timer;
	uint64_t features; /* agreed protocol features */
	uint32_t waiting; /* request whose reply is awaited, 0 for none */
	uint32_t edid_scanout;
	uint8_t in[IN_MAX];
	size_t in_len;
	struct sendq *sq;
	struct loop_watch drain; /* timer: QEMU still reads borrowed pages */
	struct loop_watch space; /* a second fd of the socket, for EPOLLOUT edges */
	int drain_us; /* the timer's next period; 0: nothing waits */
	uint64_t drain_reads; /* sendq_reads() when it was armed */
	struct loop_watch fresh; /* timer: scanouts set without an UPDATE yet */
	bool fresh_armed;
	struct display_stats stats;
	struct {
		bool shown;
		bool fresh; /* set, its surface not sent whole yet */
		struct vgm_pixels px;
		uint32_t resource; /* whose pixels px are; 0: not known yet */
		uint32_t cursor_x, cursor_y;
	} so[VGM_MAX_SCANOUTS];
};

static void on_socket(struct loop_watch *w, uint32_t events);
static void on_timer(struct loop_watch *w, uint32_t events);
static void on_drain(struct loop_watch *w, uint32_t events);
static void on_fresh(struct loop_watch *w, uint32_t events);
static void on_space(struct loop_watch *w, uint32_t events);

int display_new(struct loop *loop, const struct display_ops *ops, void *ctx, bool zero_copy,
		struct display **out)
{
	struct display *d = calloc(1, sizeof(*d));
	int err = -ENOMEM;

	if (!d)
		return err;
	d->timer.fd = d->drain.fd = d->fresh.fd = -1;
	if (sendq_new(zero_copy, &d->sq) < 0)
		goto fail;
	err = loop_timer_init(&d->timer, on_timer, d);
	if (err == 0)
		err = loop_timer_init(&d->drain, on_drain, d);
	if (err == 0)
		err = loop_timer_init(&d->fresh, on_fresh, d);
	if (err < 0)
		goto fail;
	d->loop = loop;
	d->ops = ops;
	d->ctx = ctx;
	d->sock = (struct loop_watch){ .fd = -1, .cb = on_socket, .ctx = d };
	d->space = (struct loop_watch){ .fd = -1, .cb = on_space, .ctx = d };
	*out = d;
	return 0;
fail:
	sendq_destroy(d->sq);
	if (d->timer.fd >= 0)
		close(d->timer.fd);
	if (d->drain.fd >= 0)
		close(d->drain.fd);
	free(d);
	return err;
}

void display_destroy(struct display *d)
{
	if (!d)
		return;
	display_detach(d);
	loop_unwatch(d->loop, &d->timer);
	close(d->timer.fd);
	loop_unwatch(d->loop, &d->drain);
	close(d->drain.fd);
	loop_unwatch(d->loop, &d->fresh);
	close(d->fresh.fd);
	sendq_destroy(d->sq);
	free(d);
}

static void arm_timer(struct display *d, int ms)
{
	loop_timer_set(d->loop, &d->timer, ms * 1000);
}

/* Nothing waits for QEMU to read any more. */
static void stop_drain(struct display *d)
{
	d->drain_us = 0;
	loop_timer_set(d->loop, &d->drain, 0);
	loop_unwatch(d->loop, &d->space);
}

void display_detach(struct display *d)
{
	sendq_set_fd(d->sq, -1);
	stop_drain(d);
	if (d->space.fd >= 0) {
		close(d->space.fd);
		d->space.fd = -1;
	}
	if (d->sock.fd >= 0) {
		loop_unwatch(d->loop, &d->sock);
		close(d->sock.fd);
		d->sock.fd = -1;
	}
	d->want_out = false;
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++)
		d->so[i].shown = d->so[i].fresh = false; /* a new socket knows nothing */
	d->in_len = 0;
	d->waiting = 0;
	d->features = 0;
	arm_timer(d, 0);
	d->fresh_armed = false;
	loop_timer_set(d->loop, &d->fresh, 0);
}

bool display_attached(const struct display *d)
{
	return d->sock.fd >= 0;
}

bool display_busy(const struct display *d)
{
	return d->waiting || sendq_pending(d->sq);
}

/* Something waits for QEMU to read: QEMU reads at once, but tells nobody
 * when it is done; look again soon, and less often while it takes its
 * time. @return true. */
static bool watch_drain(struct display *d)
{
	if (!d->drain_us) {
		d->drain_us = DRAIN_POLL_MIN_US;
		d->drain_reads = sendq_reads(d->sq);
		loop_timer_set(d->loop, &d->drain, d->drain_us);
		if (d->space.fd >= 0)
			loop_watch(d->loop, &d->space, EPOLLOUT | EPOLLET);
	}
	return true;
}

bool display_reading(struct display *d)
{
	return sendq_busy(d->sq) && watch_drain(d);
}

bool display_reading_resource(struct display *d, uint32_t resource_id)
{
	return sendq_lends(d->sq, resource_id) && watch_drain(d);
}

bool display_lending(struct display *d)
{
	return sendq_busy(d->sq);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the protocol is host-endian */
}

static void watch_out(struct display *d, bool out)
{
	if (out == d->want_out)
		return;
	d->want_out = out;
	loop_watch(d->loop, &d->sock, EPOLLIN | (out ? EPOLLOUT : 0u));
}

/* Writes what the socket takes; watches for room when it is full. */
static void flush(struct display *d)
{
	switch (sendq_flush(d->sq)) {
	case SENDQ_DONE:
		watch_out(d, false);
		break;
	case SENDQ_BLOCKED:
		watch_out(d, true);
		break;
	case SENDQ_ERROR:
		log_warn("display: socket write failed (%s); display detached", strerror(errno));
		display_detach(d);
		break;
	}
}

/*
 * Queues a message: the header, size bytes of payload the caller writes at
 * the pointer returned, then rows borrowed from a scanout (NULL: none).
 * @return NULL when there is no socket or no memory (nothing is sent).
 */
static uint8_t *add_msg(struct display *d, uint32_t request, size_t size,
			const struct sendq_rows *rows, uint32_t resource)
{
	size_t body = rows ? rows->len * rows->n : 0;
	uint8_t *p;

	if (d->sock.fd < 0)
		return NULL;
	p = sendq_reserve(d->sq, HDR_SIZE + size, rows, resource);
	if (!p) {
		log_error("display: no memory for a %zu-byte message", size + body);
		return NULL;
	}
	put_u32(p, request);
	put_u32(p + 4, 0);
	put_u32(p + 8, (uint32_t)(size + body));
	return p + HDR_SIZE;
}

static void send_u32s(struct display *d, uint32_t request, const uint32_t *v, uint32_t n)
{
	uint8_t *p = add_msg(d, request, (size_t)n * 4, NULL, 0);

	if (!p)
		return;
	for (uint32_t i = 0; i < n; i++)
		put_u32(p + 4 * i, v[i]);
	flush(d);
}

/* Sends a request QEMU answers, and waits (without blocking) for it. */
static bool ask(struct display *d, uint32_t request, const uint32_t *v, uint32_t n)
{
	if (d->sock.fd < 0)
		return false;
	send_u32s(d, request, v, n);
	if (d->sock.fd < 0)
		return false;
	d->waiting = request;
	arm_timer(d, DISPLAY_REPLY_TIMEOUT_MS);
	return true;
}

/* A bigger socket buffer: a frame goes out in one sendmsg(), without
 * waking up for every 200 KiB QEMU reads. Best effort. */
static void grow_send_buffer(int fd)
{
	int size = SEND_BUFFER;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* Whether two fds name one socket (QEMU may pass the one it gave before). */
static bool same_socket(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* A new socket replaces the old one, and what waited on the old one's
 * reply or reading waits on the new one's first question; when the new
 * one fails at once (cannot be watched, or the peer is gone), it waits on
 * nothing and is told so now, as by a socket that fails later. */
void display_attach(struct display *d, int fd)
{
	bool busy = display_busy(d);

	/* The socket in use, given again: nothing changes. Replacing it would
	 * set aside what its peer has not read and shut it down for writing
	 * (sendq.c), the socket being the same whatever the fd. */
	if (d->sock.fd >= 0 && same_socket(d->sock.fd, fd)) {
		log_info("display: the socket in use was given again; kept as it is");
		close(fd);
		return;
	}
	display_detach(d);
	d->sock.fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* Without it the timer alone finds out when QEMU has read. */
	d->space.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	grow_send_buffer(fd);
	sendq_set_fd(d->sq, fd);
	if (loop_watch(d->loop, &d->sock, EPOLLIN) < 0) {
		log_error("display: cannot watch the socket");
		display_detach(d);
	} else {
		ask(d, GPU_GET_PROTOCOL_FEATURES, NULL, 0);
	}
	if (busy && !display_busy(d) && d->ops->idle)
		d->ops->idle(d->ctx);
}

bool display_request_info(struct display *d)
{
	return !d->waiting && ask(d, GPU_GET_DISPLAY_INFO, NULL, 0);
}

bool display_request_edid(struct display *d, uint32_t scanout)
{
	if (d->waiting || !(d->features & (1ull << GPU_PROTOCOL_F_EDID)))
		return false;
	d->edid_scanout = scanout;
	return ask(d, GPU_GET_EDID, &scanout, 1);
}

static void got_features(struct display *d, const uint8_t *p, uint32_t size)
{
	uint64_t offered = 0;
	uint8_t *m;

	if (size >= 8)
		memcpy(&offered, p, 8);
	d->features = offered & (1ull << GPU_PROTOCOL_F_EDID);
	log_info("display: QEMU offers protocol features 0x%llx, using 0x%llx",
		 (unsigned long long)offered, (unsigned long long)d->features);
	m = add_msg(d, GPU_SET_PROTOCOL_FEATURES, 8, NULL, 0);
	if (m) {
		memcpy(m, &d->features, 8);
		flush(d);
	}
	if (d->sock.fd >= 0 && d->ops->attached)
		d->ops->attached(d->ctx);
}

/* struct virtio_gpu_resp_display_info: little-endian, as on the virtqueue. */
static void got_display_info(struct display *d, const uint8_t *p, uint32_t size)
{
	struct display_mode modes[DISPLAY_MODES];

	if (size < sizeof(struct vgm_gpu_resp_display_info)) {
		log_warn("display: display info reply of %u bytes ignored", size);
		return;
	}
	for (uint32_t i = 0; i < DISPLAY_MODES; i++) {
		const uint8_t *e = p + offsetof(struct vgm_gpu_resp_display_info, pmodes) +
				   i * sizeof(struct vgm_gpu_display_one);

		modes[i] = (struct display_mode){
			.x = le32(e + offsetof(struct vgm_gpu_display_one, r.x)),
			.y = le32(e + offsetof(struct vgm_gpu_display_one, r.y)),
			.width = le32(e + offsetof(struct vgm_gpu_display_one, r.width)),
			.height = le32(e + offsetof(struct vgm_gpu_display_one, r.height)),
			.enabled = le32(e + offsetof(struct vgm_gpu_display_one, enabled)) != 0,
		};
	}
	if (d->ops->modes)
		d->ops->modes(d->ctx, modes);
}

/* struct virtio_gpu_resp_edid: header, size, padding, 1024 bytes. */
static void got_edid(struct display *d, const uint8_t *p, uint32_t size)
{
	const size_t at = offsetof(struct vgm_gpu_resp_edid, edid);
	uint32_t len = size >= at ? le32(p + offsetof(struct vgm_gpu_resp_edid, size)) : 0;

	if (size < at || len == 0 || len > VGM_GPU_EDID_MAX || len > size - at) {
		log_warn("display: EDID reply of %u bytes (EDID size %u) ignored", size, len);
		return;
	}
	if (d->ops->edid)
		d->ops->edid(d->ctx, d->edid_scanout, p + at, len);
}

static void got_reply(struct display *d, uint32_t request, const uint8_t *p, uint32_t size)
{
	if (request != d->waiting) {
		log_debug("display: unexpected reply %u ignored", request);
		return;
	}
	d->waiting = 0;
	arm_timer(d, 0);
	if (request == GPU_GET_PROTOCOL_FEATURES)
		got_features(d, p, size);
	else if (request == GPU_GET_DISPLAY_INFO)
		got_display_info(d, p, size);
	else if (request == GPU_GET_EDID)
		got_edid(d, p, size);
}

/* Takes the complete messages out of the input buffer. @return false on a
 * message too large to be one we asked for. */
static bool parse_input(struct display *d)
{
	while (d->in_len >= HDR_SIZE) {
		uint32_t request, flags, size;

		memcpy(&request, d->in, 4);
		memcpy(&flags, d->in + 4, 4);
		memcpy(&size, d->in + 8, 4);
		if (size > IN_MAX - HDR_SIZE) {
			log_error("display: QEMU sent a %u-byte message; display detached", size);
			return false;
		}
		if (d->in_len < HDR_SIZE + size)
			return true;
		if (flags & GPU_FLAG_REPLY)
			got_reply(d, request, d->in + HDR_SIZE, size);
		else
			log_debug("display: request %u from QEMU ignored", request);
		if (d->sock.fd < 0)
			return true; /* a callback detached us */
		d->in_len -= HDR_SIZE + size;
		memmove(d->in, d->in + HDR_SIZE + size, d->in_len);
	}
	return true;
}

static void read_input(struct display *d)
{
	ssize_t n = recv(d->sock.fd, d->in + d->in_len, sizeof(d->in) - d->in_len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		log_info("display: QEMU closed the display socket");
		display_detach(d);
		return;
	}
	d->in_len += (size_t)n;
	if (!parse_input(d))
		display_detach(d);
}

static void on_socket(struct loop_watch *w, uint32_t events)
{
	struct display *d = w->ctx;
	bool busy = display_busy(d);

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		read_input(d);
	if (d->sock.fd >= 0 && (events & EPOLLOUT))
		flush(d);
	if (busy && !display_busy(d) && d->ops->idle)
		d->ops->idle(d->ctx);
}

static void on_timer(struct loop_watch *w, uint32_t events)
{
	struct display *d = w->ctx;
	uint32_t request = d->waiting;

	(void)events;
	if (!loop_timer_fired(w))
		return;
	arm_timer(d, 0);
	if (!request)
		return;
	log_warn("display: no reply from QEMU to request %u; going on without it", request);
	d->waiting = 0;
	if (request == GPU_GET_PROTOCOL_FEATURES && d->ops->attached)
		d->ops->attached(d->ctx);
	if (!display_busy(d) && d->ops->idle)
		d->ops->idle(d->ctx);
}

/* QEMU may have read what a request waits for: when it read anything
 * since, the request is tried again (and may wait again). @return false
 * when it did not. */
static bool drained(struct display *d)
{
	if (sendq_busy(d->sq) && sendq_reads(d->sq) == d->drain_reads)
		return false;
	stop_drain(d);
	if (!display_busy(d) && d->ops->idle)
		d->ops->idle(d->ctx);
	return true;
}

static void on_drain(struct loop_watch *w, uint32_t events)
{
	struct display *d = w->ctx;

	(void)events;
	if (!loop_timer_fired(w) || !d->drain_us || drained(d))
		return;
	if (d->drain_us < DRAIN_POLL_MAX_US)
		d->drain_us *= 2;
	loop_timer_set(d->loop, &d->drain, d->drain_us);
}

static void on_space(struct loop_watch *w, uint32_t events)
{
	struct display *d = w->ctx;

	(void)events;
	if (d->drain_us)
		drained(d);
}

/* Scanouts set a while ago and never updated since: their whole surface. */
static void on_fresh(struct loop_watch *w, uint32_t events)
{
	struct display *d = w->ctx;

	(void)events;
	if (!loop_timer_fired(w))
		return;
	d->fresh_armed = false;
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		struct vgm_rect all = { 0, 0, d->so[i].px.width, d->so[i].px.height };

		if (d->so[i].fresh)
			display_scanout_update(d, i, &all);
	}
}

static bool scanout_ok(uint32_t scanout)
{
	return scanout < VGM_MAX_SCANOUTS;
}

/*
 * A SCANOUT tells QEMU a scanout's size: it makes a new, black surface of
 * that size and shows it on the next UPDATE, which must then be the whole
 * surface. A page flip sets the scanout to another resource of the same
 * size: QEMU's surface stays, no SCANOUT (QEMU would allocate, clear and
 * replace a surface per flip), but the new pixels must go whole all the
 * same. A guest flushes right after it sets a scanout (Linux: each flip is
 * TRANSFER_TO_HOST_2D, SET_SCANOUT, RESOURCE_FLUSH of the whole frame), so
 * the whole surface goes with that flush's UPDATE, not once more before it:
 * the scanout is fresh until then, and a timer sends it for a guest that
 * does not flush.
 */
void display_scanout_set(struct display *d, uint32_t scanout, const struct vgm_pixels *px)
{
	uint32_t v[3] = { scanout, px->width, px->height };
	bool same_size;

	if (!scanout_ok(scanout))
		return;
	if (!pixels_supported(px->fourcc))
		log_error("display: scanout %u has fourcc 0x%08x, which cannot be shown", scanout,
			  px->fourcc);
	same_size = d->so[scanout].shown && d->so[scanout].px.width == px->width &&
		    d->so[scanout].px.height == px->height;
	d->so[scanout].shown = true;
	d->so[scanout].fresh = true;
	d->so[scanout].px = *px;
	d->so[scanout].resource = 0;
	if (!same_size)
		send_u32s(d, GPU_SCANOUT, v, 3);
	if (!d->fresh_armed) {
		d->fresh_armed = true;
		loop_timer_set(d->loop, &d->fresh, FRESH_WAIT_US);
	}
}

void display_scanout_owner(struct display *d, uint32_t scanout, uint32_t resource_id)
{
	if (scanout_ok(scanout))
		d->so[scanout].resource = resource_id;
}

void display_scanout_disable(struct display *d, uint32_t scanout)
{
	uint32_t v[3] = { scanout, 0, 0 };

	if (!scanout_ok(scanout))
		return;
	d->so[scanout].shown = false;
	d->so[scanout].fresh = false;
	send_u32s(d, GPU_SCANOUT, v, 3);
}

/* Rectangle r of px, inside it, as rows. @return false when outside. */
static bool rect_rows(const struct vgm_pixels *px, const struct vgm_rect *r,
		      struct sendq_rows *rows)
{
	if (r->x > px->width || r->width > px->width - r->x || r->y > px->height ||
	    r->height > px->height - r->y)
		return false;
	*rows = (struct sendq_rows){
		.base = (const uint8_t *)px->data + (size_t)r->y * px->stride + (size_t)r->x * 4,
		.len = (size_t)r->width * 4,
		.stride = px->stride,
		.n = r->height,
	};
	if (rows->stride == rows->len) { /* whole rows: one piece */
		rows->len *= rows->n;
		rows->stride = rows->len;
		rows->n = 1;
	}
	return true;
}

void display_scanout_update(struct display *d, uint32_t scanout, const struct vgm_rect *r)
{
	const struct vgm_pixels *px;
	struct vgm_rect all;
	struct sendq_rows rows;
	size_t size = 20;
	uint8_t *p;

	/* QEMU draws an UPDATE into the surface its SCANOUT made: never one
	 * without the other, nor outside it. */
	if (!scanout_ok(scanout) || !d->so[scanout].shown || !r->width || !r->height)
		return;
	px = &d->so[scanout].px;
	if (!rect_rows(px, r, &rows))
		return;
	if (d->so[scanout].fresh) {
		all = (struct vgm_rect){ 0, 0, px->width, px->height };
		r = &all;
		rect_rows(px, r, &rows);
		d->so[scanout].fresh = false;
	}
	/* x8r8g8b8 already: QEMU gets the scanout's own rows. Else a copy,
	 * converted. */
	if (!pixels_are_xrgb(px->fourcc))
		size += rows.len * rows.n;
	p = add_msg(d, GPU_UPDATE, size, size == 20 ? &rows : NULL, d->so[scanout].resource);
	if (!p)
		return;
	put_u32(p, scanout);
	put_u32(p + 4, r->x);
	put_u32(p + 8, r->y);
	put_u32(p + 12, r->width);
	put_u32(p + 16, r->height);
	if (size > 20)
		pixels_to_xrgb(px, r, p + 20);
	d->stats.updates++;
	d->stats.update_bytes += (uint64_t)r->width * r->height * 4;
	flush(d);
}

void display_get_stats(const struct display *d, struct display_stats *st)
{
	*st = d->stats;
	sendq_get_counts(d->sq, &st->by_reference, &st->by_copy);
}

void display_own_pending(struct display *d)
{
	if (sendq_own(d->sq) < 0) {
		log_error("display: no memory to keep a queued update; display detached");
		display_detach(d);
	}
}

void display_cursor_set(struct display *d, uint32_t scanout, const struct vgm_cursor *c)
{
	uint8_t *p;

	if (!scanout_ok(scanout))
		return;
	d->so[scanout].cursor_x = c->x;
	d->so[scanout].cursor_y = c->y;
	p = add_msg(d, GPU_CURSOR_UPDATE, 20 + CURSOR_BYTES, NULL, 0);
	if (!p)
		return;
	put_u32(p, scanout);
	put_u32(p + 4, c->x);
	put_u32(p + 8, c->y);
	put_u32(p + 12, c->hot_x);
	put_u32(p + 16, c->hot_y);
	/* Both sides use ARGB8888 words in host order (PIXMAN_a8r8g8b8). */
	memcpy(p + 20, c->pixels, CURSOR_BYTES);
	flush(d);
}

void display_cursor_move(struct display *d, uint32_t scanout, uint32_t x, uint32_t y)
{
	uint32_t v[3] = { scanout, x, y };

	if (!scanout_ok(scanout))
		return;
	d->so[scanout].cursor_x = x;
	d->so[scanout].cursor_y = y;
	send_u32s(d, GPU_CURSOR_POS, v, 3);
}

void display_cursor_hide(struct display *d, uint32_t scanout)
{
	uint32_t v[3];

	if (!scanout_ok(scanout))
		return;
	v[0] = scanout;
	v[1] = d->so[scanout].cursor_x;
	v[2] = d->so[scanout].cursor_y;
	send_u32s(d, GPU_CURSOR_POS_HIDE, v, 3);
}
