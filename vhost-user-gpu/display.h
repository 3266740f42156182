/* SPDX-License-Identifier: MIT */
/*
 * The display socket toward QEMU (vhost-user-gpu protocol, the socket that
 * VHOST_USER_GPU_SET_SOCKET hands over): scanouts, pixel updates, the
 * cursor, and the questions the backend asks QEMU (protocol features,
 * display sizes, EDIDs).
 *
 * Nothing here blocks. Messages are queued and written as the socket takes
 * them; replies are read from the loop. While a reply is awaited or
 * messages are still queued the display is busy, and the caller holds its
 * virtqueues: that bounds the queue to what one request produces, and a
 * QEMU that is itself waiting for a vhost-user reply never deadlocks
 * against us. A reply that does not come within DISPLAY_REPLY_TIMEOUT_MS is
 * given up.
 */
#ifndef VUGPU_DISPLAY_H
#define VUGPU_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <virtgpu-mem/virtgpu-mem.h>

#include "loop.h"

#define DISPLAY_REPLY_TIMEOUT_MS 5000
/* Entries of VHOST_USER_GPU_GET_DISPLAY_INFO's reply (VIRTIO_GPU_MAX_SCANOUTS). */
#define DISPLAY_MODES 16

struct display;

struct display_mode {
	bool enabled;
	uint32_t x, y, width, height;
};

struct display_ops {
	/* Protocol features are agreed: the socket takes scanouts now. */
	void (*attached)(void *ctx);
	/* QEMU's answer to display_request_info(). */
	void (*modes)(void *ctx, const struct display_mode modes[DISPLAY_MODES]);
	/* QEMU's answer to display_request_edid(); len 1..1024. */
	void (*edid)(void *ctx, uint32_t scanout, const uint8_t *edid, size_t len);
	/* The display stopped being busy (a reply came, the queue drained, the
	 * socket went away): go on with the virtqueues. */
	void (*idle)(void *ctx);
};

/* zero_copy: UPDATE pixels go to QEMU by reference where the kernel allows
 * (see sendq.h). @return 0, -ENOMEM, -errno from timerfd_create. */
int display_new(struct loop *loop, const struct display_ops *ops, void *ctx, bool zero_copy,
		struct display **out);
void display_destroy(struct display *d);

/* Takes the socket (ownership of fd), dropping any previous one, and asks
 * QEMU for its protocol features. */
void display_attach(struct display *d, int fd);
void display_detach(struct display *d);
bool display_attached(const struct display *d);
/* A reply is awaited or output is queued: the idle callback comes when
 * that is over. */
bool display_busy(const struct display *d);
/* QEMU has yet to read pixels an UPDATE sent by reference: they must not
 * change. When true, the idle callback comes once QEMU read some of them
 * (what waits for them tries again). */
bool display_reading(struct display *d);
/* The same for the pixels of one resource (display_scanout_owner()), and
 * of every scanout whose resource is not known. */
bool display_reading_resource(struct display *d, uint32_t resource_id);
/* display_reading() without the idle callback: a question, nothing waits. */
bool display_lending(struct display *d);

/* Ask QEMU; the answer comes through ops. @return false when there is no
 * socket (or no EDID support): nothing to wait for. */
bool display_request_info(struct display *d);
bool display_request_edid(struct display *d, uint32_t scanout);

/* What the device shows. px must stay valid until the next call for the
 * same scanout (the library's promise for its callbacks), and its pixels
 * unchanged while display_reading_resource() says so: an UPDATE of
 * x8r8g8b8 pixels is written to the socket from them, not copied. The
 * whole new surface goes to QEMU with the scanout's next update, or a few
 * milliseconds later without one. */
void display_scanout_set(struct display *d, uint32_t scanout, const struct vgm_pixels *px);
/* Whose pixels the scanout shows since display_scanout_set() (the
 * library's resource id), for display_reading_resource(); until told, the
 * scanout's UPDATEs count for every resource. */
void display_scanout_owner(struct display *d, uint32_t scanout, uint32_t resource_id);
void display_scanout_disable(struct display *d, uint32_t scanout);
void display_scanout_update(struct display *d, uint32_t scanout, const struct vgm_rect *r);
void display_cursor_set(struct display *d, uint32_t scanout, const struct vgm_cursor *c);
void display_cursor_move(struct display *d, uint32_t scanout, uint32_t x, uint32_t y);
void display_cursor_hide(struct display *d, uint32_t scanout);

struct display_stats {
	uint64_t updates; /* UPDATE messages queued */
	uint64_t update_bytes; /* pixel bytes in them */
	uint64_t by_reference; /* borrowed bytes sent by reference (splice) */
	uint64_t by_copy; /* borrowed bytes sent by copy (sendmsg) */
};

void display_get_stats(const struct display *d, struct display_stats *st);

/* Before anything that changes or frees a scanout's pixels outside a
 * request (a device reset, a new memory table): queued updates copy the
 * pixels they still have to send. Pages already in the socket by reference
 * cannot be taken back: the kernel keeps them alive, and QEMU reads what
 * they hold when it reads (after a reset, the scanout's disable follows). */
void display_own_pending(struct display *d);

#endif
