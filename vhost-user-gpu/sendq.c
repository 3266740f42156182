/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sendq.h"

/* Pieces one sendmsg() or vmsplice() takes (IOV_MAX). */
#define PIECES 1024
/* The pipe's size asked for (the default is 64 KiB; unprivileged
 * processes may have up to fs.pipe-max-size, 1 MiB by default). */
#define PIPE_SIZE (1 << 20)
/* Borrowed bytes go by reference from this many on. Fewer are cheaper to
 * copy than to pin, and a copy does not hold the caller until the peer has
 * read them (a console's line of text is 40 KiB). */
#define REFERENCE_MIN (256u << 10)
/* Replaced sockets kept for what their peers may still read (park()). */
#define PARKED_MAX 4u

struct msg {
	struct msg *next;
	size_t len, off; /* the whole message; bytes gone to the socket or the pipe */
	size_t head; /* bytes [0, head) are in data[], the rest in rows */
	struct sendq_rows rows; /* base NULL: none */
	bool by_reference; /* rows go by reference, if the kernel can */
	bool lent; /* some of its rows went into the pipe, by reference */
	uint64_t tag; /* the caller's, for its rows */
	uint64_t end; /* lent: stream position after its last byte */
	uint8_t data[];
};

/* A socket sendq_set_fd() replaced while pages lent to it were unread. */
struct parked {
	int fd; /* a duplicate of its fd, for SIOCOUTQ; -1: none could be made */
	uint64_t written; /* bytes that went into it */
	struct msg *lent; /* in stream order, their ends at most written */
};

struct sendq {
	int fd;
	bool zero_copy;
	int pipe[2]; /* -1 until first needed */
	size_t piped; /* bytes in the pipe: they go before anything queued */
	uint64_t written; /* bytes into the socket since sendq_set_fd() */
	struct msg *first, **tail;
	/* Messages whose pages went by reference, in stream order, until the
	 * peer is known to have read them (see prune()). */
	struct msg *lent, **lent_tail;
	uint64_t reads; /* messages taken off lent */
	uint64_t by_reference, by_copy;
	struct parked parked[PARKED_MAX]; /* oldest first */
	uint32_t n_parked;
};

int sendq_new(bool zero_copy, struct sendq **out)
{
	struct sendq *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->fd = -1;
	q->zero_copy = zero_copy;
	q->pipe[0] = q->pipe[1] = -1;
	q->tail = &q->first;
	q->lent_tail = &q->lent;
	*out = q;
	return 0;
}

static void free_list(struct msg *m)
{
	while (m) {
		struct msg *next = m->next;

		free(m);
		m = next;
	}
}

/*
 * Frees the messages at the start of *list that the peer of fd has read.
 * SIOCOUTQ of a unix stream socket is the memory of the buffers the peer
 * has not finished reading (sk_wmem_alloc): their bytes and their
 * overhead, a buffer counted until its last byte is read, and none once
 * the peer has closed its end (its queue is freed then). So the peer has
 * read at least written - SIOCOUTQ bytes, and a message that ends there
 * has been read whole. A socket that cannot say (not a unix socket) keeps
 * nothing back, as if read. @return the messages freed.
 */
static uint64_t free_read(int fd, uint64_t written, struct msg **list)
{
	int unread = 0;
	uint64_t done, n = 0;

	if (ioctl(fd, SIOCOUTQ, &unread) < 0 || unread < 0)
		unread = 0;
	done = written - ((uint64_t)unread < written ? (uint64_t)unread : written);
	while (*list && (*list)->end <= done) {
		struct msg *m = *list;

		*list = m->next;
		free(m);
		n++;
	}
	return n;
}

static void release_parked(struct parked *p)
{
	free_list(p->lent);
	if (p->fd >= 0)
		close(p->fd);
}

/* Forgets the replaced sockets whose peers have read what was lent to
 * them, or have closed their ends. */
static void prune_parked(struct sendq *q)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < q->n_parked; i++) {
		struct parked *p = &q->parked[i];

		if (p->fd >= 0)
			free_read(p->fd, p->written, &p->lent);
		if (p->lent)
			q->parked[kept++] = *p;
		else
			release_parked(p);
	}
	q->n_parked = kept;
}

/*
 * The socket is replaced while its peer may not have read pages lent to
 * it (messages in list): what is in a unix socket stays readable after
 * our end is closed, as long as the peer's is open. The kernel holds
 * those pages, so only our writing them again matters. The rows are the
 * caller's again at once: a peer still reading a socket we left sees
 * newer pixels, in a message framed as it was sent (and nothing waits on
 * such a peer). The messages' own bytes are their header, whose sizes
 * QEMU trusts, in memory malloc would hand out again: they stay until
 * that peer has read them or closed its end (QEMU closes its end before
 * it gives a new socket: nothing stays then), for PARKED_MAX sockets at
 * most; a further one frees the oldest's.
 */
static void park(struct sendq *q, struct msg *list)
{
	struct parked p = { .fd = -1, .written = q->written, .lent = list };

	/* Their bytes still in the pipe never go into the socket. */
	for (struct msg *m = list; m; m = m->next)
		m->end = m->end < q->written ? m->end : q->written;
	free_read(q->fd, q->written, &p.lent);
	if (!p.lent)
		return;
	prune_parked(q);
	if (q->n_parked == PARKED_MAX) {
		release_parked(&q->parked[0]);
		memmove(q->parked, q->parked + 1, (PARKED_MAX - 1) * sizeof(*q->parked));
		q->n_parked--;
	}
	p.fd = fcntl(q->fd, F_DUPFD_CLOEXEC, 0);
	/* The duplicate keeps the socket open: its peer gets end-of-file
	 * after the bytes it has, as it would at our close. */
	if (p.fd >= 0)
		shutdown(p.fd, SHUT_WR);
	q->parked[q->n_parked++] = p;
}

static void drop_all(struct sendq *q)
{
	struct msg *m = q->first;

	/* Only the first message can have gone partly into the socket. */
	if (m && m->lent) {
		q->first = m->next;
		m->next = NULL;
		m->end = q->written;
		*q->lent_tail = m;
	}
	free_list(q->first);
	q->first = NULL;
	q->tail = &q->first;
	if (q->lent)
		park(q, q->lent);
	q->lent = NULL;
	q->lent_tail = &q->lent;
	/* Bytes in the pipe belong to the old stream. */
	if (q->pipe[0] >= 0) {
		close(q->pipe[0]);
		close(q->pipe[1]);
		q->pipe[0] = q->pipe[1] = -1;
	}
	q->piped = 0;
	q->written = 0;
}

void sendq_destroy(struct sendq *q)
{
	if (!q)
		return;
	drop_all(q);
	for (uint32_t i = 0; i < q->n_parked; i++)
		release_parked(&q->parked[i]);
	free(q);
}

void sendq_set_fd(struct sendq *q, int fd)
{
	drop_all(q);
	q->fd = fd;
}

uint8_t *sendq_reserve(struct sendq *q, size_t head_len, const struct sendq_rows *rows,
		      uint64_t tag)
{
	size_t body = 0;
	struct msg *m;

	if (rows && (rows->len == 0 || __builtin_mul_overflow(rows->len, rows->n, &body)))
		return NULL;
	if (head_len > UINT32_MAX || body > UINT32_MAX - head_len)
		return NULL;
	m = malloc(sizeof(*m) + head_len);
	if (!m)
		return NULL;
	*m = (struct msg){ .len = head_len + body, .head = head_len, .tag = tag };
	if (body)
		m->rows = *rows;
	m->by_reference = body >= REFERENCE_MIN;
	*q->tail = m;
	q->tail = &m->next;
	return m->data;
}

/* The bytes of m from its offset on, as up to PIECES pieces; only its own
 * bytes when head_only. @return the number of pieces. */
static int pieces(const struct msg *m, struct iovec *iov, bool head_only)
{
	size_t off = m->off, row, in_row;
	int n = 0;

	if (off < m->head) {
		iov[n++] = (struct iovec){ (void *)(m->data + off), m->head - off };
		off = m->head;
	}
	if (!m->rows.base || off >= m->len || head_only)
		return n;
	row = (off - m->head) / m->rows.len;
	in_row = (off - m->head) % m->rows.len;
	for (; n < PIECES && row < m->rows.n; row++, in_row = 0)
		iov[n++] = (struct iovec){ (void *)(m->rows.base + row * m->rows.stride + in_row),
					   m->rows.len - in_row };
	return n;
}

static bool open_pipe(struct sendq *q)
{
	if (q->pipe[0] >= 0)
		return true;
	if (pipe2(q->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		q->zero_copy = false;
		return false;
	}
	fcntl(q->pipe[1], F_SETPIPE_SZ, PIPE_SIZE); /* best effort */
	return true;
}

/* Moves m into the pipe by reference, from its offset: its own bytes
 * (they stay as they are: m is kept until the peer has read it) and its
 * rows. In the pipe with the rows, the head goes to the socket in their
 * first buffer, not in one of its own that would wake the peer for a
 * dozen bytes. @return bytes, 0 when this kernel cannot (zero copy is off
 * from now on), -1 with errno. */
static ssize_t pipe_rows(struct sendq *q, struct msg *m)
{
	struct iovec iov[PIECES];
	int n = pieces(m, iov, false);
	size_t head_left = m->off < m->head ? m->head - m->off : 0;
	ssize_t r;

	if (!open_pipe(q))
		return 0;
	r = vmsplice(q->pipe[1], iov, (unsigned long)n, SPLICE_F_NONBLOCK);
	if (r < 0 && errno != EINTR) {
		/* EINVAL, ENOSYS, EPERM (seccomp); EAGAIN cannot be, the pipe
		 * is empty here, and nothing would wake us for it: copy. */
		q->zero_copy = false;
		return 0;
	}
	if (r > 0) {
		q->piped += (size_t)r;
		m->lent = true;
		if ((size_t)r > head_left)
			q->by_reference += (size_t)r - head_left;
	}
	return r;
}

/* Writes what it can of m from the pipe's or its own bytes. @return bytes
 * taken from m, or -1 with errno. */
static ssize_t write_msg(struct sendq *q, struct msg *m)
{
	bool splice_rows = q->zero_copy && m->by_reference;
	struct iovec iov[PIECES];
	struct msghdr mh = { .msg_iov = iov };
	size_t before = m->off;
	ssize_t r;

	if (splice_rows) {
		r = pipe_rows(q, m);
		if (r != 0)
			return r;
		/* zero copy just went off: copy */
	}
	mh.msg_iovlen = (size_t)pieces(m, iov, q->zero_copy && m->by_reference);
	r = sendmsg(q->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r > 0)
		q->written += (uint64_t)r;
	if (r > 0 && before + (size_t)r > m->head)
		q->by_copy += before + (size_t)r - (before > m->head ? before : m->head);
	return r;
}

static ssize_t drain_pipe(struct sendq *q)
{
	ssize_t r = splice(q->pipe[0], NULL, q->fd, NULL, q->piped,
			   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

	if (r == 0) {
		errno = EIO; /* the pipe lost bytes it holds: cannot happen */
		return -1;
	}
	if (r > 0) {
		q->piped -= (size_t)r;
		q->written += (uint64_t)r;
	}
	return r;
}

/* m, off the queue, is freed, or kept on the lent list when some of its
 * bytes went by reference: its own (the head) and its rows stay what the
 * pipe and the socket read until the peer has read past them (its last
 * bytes may still be in the pipe, which drains first). */
static void retire(struct sendq *q, struct msg *m)
{
	if (!m->lent) {
		free(m);
		return;
	}
	m->end = q->written + q->piped;
	m->next = NULL;
	*q->lent_tail = m;
	q->lent_tail = &m->next;
}

/* m is done. */
static void pop(struct sendq *q)
{
	struct msg *m = q->first;

	q->first = m->next;
	if (!q->first)
		q->tail = &q->first;
	retire(q, m);
}

/* One write: the pipe's bytes (older than anything queued), else the first
 * message's. @return 0, or -1 with errno. */
static int step(struct sendq *q)
{
	struct msg *m = q->first;
	ssize_t r;

	if (q->piped)
		return drain_pipe(q) < 0 ? -1 : 0;
	r = write_msg(q, m);
	if (r < 0)
		return -1;
	m->off += (size_t)r;
	if (m->off == m->len)
		pop(q);
	return 0;
}

enum sendq_flush sendq_flush(struct sendq *q)
{
	while (q->fd >= 0 && (q->piped || q->first)) {
		int err;

		if (step(q) == 0 || errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return SENDQ_BLOCKED;
		err = errno;
		drop_all(q);
		errno = err;
		return SENDQ_ERROR;
	}
	return SENDQ_DONE;
}

bool sendq_pending(const struct sendq *q)
{
	return q->piped || q->first;
}

/* Takes off the lent list the messages the peer has read (free_read()). */
static void prune(struct sendq *q)
{
	if (!q->lent)
		return;
	q->reads += free_read(q->fd, q->written, &q->lent);
	if (!q->lent)
		q->lent_tail = &q->lent;
}

/* Whether a message may still be read from rows borrowed under tag (any
 * tag when any; a message of tag 0 matches every tag). */
static bool borrows(const struct msg *m, uint64_t tag, bool any)
{
	return m->rows.base && m->off < m->len && (any || m->tag == tag || m->tag == 0);
}

static bool lends(struct sendq *q, uint64_t tag, bool any)
{
	prune(q);
	prune_parked(q);
	for (const struct msg *m = q->lent; m; m = m->next) {
		if (any || m->tag == tag || m->tag == 0)
			return true;
	}
	for (const struct msg *m = q->first; m; m = m->next) {
		if (borrows(m, tag, any))
			return true;
	}
	return false;
}

bool sendq_busy(struct sendq *q)
{
	return lends(q, 0, true);
}

bool sendq_lends(struct sendq *q, uint64_t tag)
{
	return lends(q, tag, false);
}

uint64_t sendq_reads(const struct sendq *q)
{
	return q->reads;
}

/* A message of its own holding bytes [m->off, m->len) of m. */
static struct msg *copy_rest(struct msg *m)
{
	size_t left = m->len - m->off, done = 0;
	struct msg *c = malloc(sizeof(*c) + left);
	struct iovec iov[PIECES];

	if (!c)
		return NULL;
	*c = (struct msg){ .next = m->next, .len = left, .head = left };
	while (done < left) {
		int n = pieces(m, iov, false);

		for (int i = 0; i < n; i++) {
			memcpy(c->data + done, iov[i].iov_base, iov[i].iov_len);
			done += iov[i].iov_len;
			m->off += iov[i].iov_len;
		}
	}
	return c;
}

/* The pipe's bytes, read back out of it (a copy), as the first message. */
static int own_pipe(struct sendq *q)
{
	struct msg *m;
	size_t done = 0;

	if (!q->piped)
		return 0;
	m = malloc(sizeof(*m) + q->piped);
	if (!m)
		return -ENOMEM;
	*m = (struct msg){ .next = q->first, .len = q->piped, .head = q->piped };
	while (done < q->piped) {
		ssize_t r = read(q->pipe[0], m->data + done, q->piped - done);

		if (r <= 0 && errno == EINTR)
			continue;
		if (r <= 0)
			abort(); /* the pipe holds what we put there */
		done += (size_t)r;
	}
	q->piped = 0;
	q->first = m;
	if (q->tail == &q->first)
		q->tail = &m->next;
	return 0;
}

int sendq_own(struct sendq *q)
{
	struct msg **link;

	/* On failure the queue stays valid: some messages own their bytes. */
	for (link = &q->first; *link; link = &(*link)->next) {
		struct msg *m = *link, *c;

		if (!m->rows.base || m->off == m->len)
			continue;
		c = copy_rest(m);
		if (!c)
			return -ENOMEM;
		*link = c;
		retire(q, m); /* its first bytes may be in the pipe or the socket */
	}
	q->tail = link;
	return own_pipe(q);
}

size_t sendq_parked(struct sendq *q)
{
	size_t n = 0;

	prune_parked(q);
	for (uint32_t i = 0; i < q->n_parked; i++) {
		for (const struct msg *m = q->parked[i].lent; m; m = m->next)
			n++;
	}
	return n;
}

void sendq_get_counts(const struct sendq *q, uint64_t *by_reference, uint64_t *by_copy)
{
	*by_reference = q->by_reference;
	*by_copy = q->by_copy;
}
