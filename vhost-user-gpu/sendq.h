/* SPDX-License-Identifier: MIT */
/*
 * Messages queued for a stream socket, written as the socket takes them,
 * never blocking. A message is a few bytes of its own (a header) followed,
 * optionally, by rows of pixels it borrows: an UPDATE of a 1280x800 frame
 * carries 4000 KiB that are not copied into the message.
 *
 * Borrowed rows of 256 KiB or more go to the socket by reference where the
 * kernel allows it (vmsplice() into a pipe, splice() into the socket: the
 * pages themselves are queued, the reader's recv() is the only copy), else
 * by sendmsg() straight from them (one copy, the kernel's). The caller must keep the
 * borrowed bytes valid and unchanged while sendq_lends() says so for
 * their tag: until every byte is in the socket and, for pages queued by
 * reference, until the reader has read them (known from SIOCOUTQ, message
 * by message: a message read is free while later ones are still being
 * read); sendq_own() lifts that for what is not yet in the socket.
 *
 * No loop, no timers: the caller watches the fd (EPOLLOUT when
 * sendq_flush() says SENDQ_BLOCKED) and polls sendq_busy(). The caller
 * ignores SIGPIPE: splice() into a socket whose peer is gone raises it
 * (sendmsg() is told not to, splice() cannot be).
 */
#ifndef VUGPU_SENDQ_H
#define VUGPU_SENDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sendq;

/* Borrowed bytes: n rows of len bytes, stride bytes apart. */
struct sendq_rows {
	const uint8_t *base;
	size_t len, stride, n;
};

enum sendq_flush {
	SENDQ_DONE, /* everything queued is in the socket */
	SENDQ_BLOCKED, /* the socket is full: flush again when it is writable */
	SENDQ_ERROR, /* the socket failed (errno kept); the queue was emptied */
};

/* zero_copy: queue borrowed pages by reference when the kernel can.
 * @return 0, -ENOMEM. */
int sendq_new(bool zero_copy, struct sendq **out);
void sendq_destroy(struct sendq *q);

/* Writes to fd from now on (-1: none). Drops what was queued. The fd stays
 * the caller's; it must be a non-blocking stream socket. Borrowed bytes
 * are the caller's again at once, but a message some of whose bytes the
 * old socket's peer may still read by reference keeps its own bytes
 * unchanged until it has (a duplicate of the old fd tells, kept until
 * then; 4 old sockets at most, the oldest's messages freed past them). */
void sendq_set_fd(struct sendq *q, int fd);

/* Queues a message of head_len bytes of its own, which the caller writes
 * at the pointer returned before the next sendq_flush(), then rows
 * (borrowed; NULL for none) under the caller's tag (whose bytes they are;
 * 0: unknown, which sendq_lends() counts under every tag). @return NULL
 * for no memory, or a message that would exceed 4 GiB. */
uint8_t *sendq_reserve(struct sendq *q, size_t head_len, const struct sendq_rows *rows,
		      uint64_t tag);

enum sendq_flush sendq_flush(struct sendq *q);

/* Bytes queued and not yet in the socket. */
bool sendq_pending(const struct sendq *q);
/* Borrowed bytes may still be read: not yet in the socket, or in it by
 * reference and not yet read by the peer. */
bool sendq_busy(struct sendq *q);
/* The same for the bytes borrowed under tag (and under tag 0). */
bool sendq_lends(struct sendq *q, uint64_t tag);
/* Messages sent by reference that the peer has been seen to read, so far:
 * it changes when sendq_busy() or sendq_lends() may have. */
uint64_t sendq_reads(const struct sendq *q);

/* Copies the borrowed bytes not yet in the socket into the queue, so the
 * caller may change them; a message some of whose bytes went in by
 * reference stays lent (sendq_lends()) until the peer has read them.
 * @return 0, -ENOMEM (the queue is left as it was). */
int sendq_own(struct sendq *q);

/* Messages kept for the peers of replaced sockets, once those that have
 * read them or gone are forgotten: for the tests. */
size_t sendq_parked(struct sendq *q);

/* Borrowed bytes sent by reference and by copy, for the summary. */
void sendq_get_counts(const struct sendq *q, uint64_t *by_reference, uint64_t *by_copy);

#endif
