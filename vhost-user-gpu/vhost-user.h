/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user protocol, back-end side (QEMU's docs/interop/vhost-user.rst),
 * as vhost-user-gpu-pci speaks it: messages are read from the socket,
 * checked (sizes, ring indices, file descriptors), and turned into gpu_*
 * calls; replies and REPLY_ACK acknowledgements go back.
 *
 * The front-end is trusted to the extent that it shares the guest's memory
 * with us, not to the extent of crashing us: a malformed message is
 * refused (and the connection closed when the stream cannot be trusted to
 * stay in sync any more).
 *
 * Nor to the extent of stalling us: the socket is non-blocking, a message
 * is read as its bytes come, between other events, and a reply the socket
 * cannot take yet waits in a queue while no further message is read. A
 * front-end that leaves a message half-sent, or a reply unread, for
 * VU_STALL_TIMEOUT_MS is disconnected (vhost_user_failed() is true).
 */
#ifndef VUGPU_VHOST_USER_H
#define VUGPU_VHOST_USER_H

#include "gpu.h"
#include "loop.h"

/* QEMU writes each message whole and reads each reply at once: five
 * seconds of neither is a front-end that is stuck or hostile. */
#define VU_STALL_TIMEOUT_MS 5000

struct vhost_user;

/* Serves the connected socket fd (ownership taken) for g. When the
 * front-end goes away, loop_quit() is called. @return 0, -ENOMEM, -errno. */
int vhost_user_new(int fd, struct gpu *g, struct loop *loop, struct vhost_user **out);
void vhost_user_destroy(struct vhost_user *vu);

/* Whether the connection ended by a protocol error or a stall rather than
 * EOF. */
bool vhost_user_failed(const struct vhost_user *vu);

#endif
