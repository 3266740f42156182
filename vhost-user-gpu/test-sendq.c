/* SPDX-License-Identifier: MIT */
/*
 * The send queue over a socket pair: borrowed rows arrive as they were
 * when queued, by reference (splice) and by copy, through a socket that
 * fills up; sendq_busy() holds until the peer has read them, sendq_lends()
 * per tag, message by message; sendq_own() lets the caller change them;
 * a socket replaced while its peer still reads pages lent to it gets the
 * bytes that were sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sendq.h"

#define ROWS 300
#define ROW_LEN 5120
#define STRIDE 6000

struct fixture {
	int fd[2]; /* [0] ours, non-blocking; [1] the peer */
	uint8_t *image; /* ROWS rows of STRIDE bytes */
	uint8_t *want; /* what the peer must read */
	size_t want_len;
	struct sendq *q;
};

static int setup(void **state, bool zero_copy)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f->fd), 0);
	fcntl(f->fd[0], F_SETFL, O_NONBLOCK);
	f->image = malloc((size_t)ROWS * STRIDE);
	f->want = malloc(2 * (16 + (size_t)ROWS * STRIDE));
	assert_non_null(f->image);
	assert_non_null(f->want);
	for (size_t i = 0; i < (size_t)ROWS * STRIDE; i++)
		f->image[i] = (uint8_t)(i * 7 + i / 4096);
	assert_int_equal(sendq_new(zero_copy, &f->q), 0);
	sendq_set_fd(f->q, f->fd[0]);
	*state = f;
	return 0;
}

static int setup_zero_copy(void **state)
{
	return setup(state, true);
}

static int setup_copy(void **state)
{
	return setup(state, false);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sendq_destroy(f->q);
	close(f->fd[0]);
	close(f->fd[1]);
	free(f->image);
	free(f->want);
	free(f);
	return 0;
}

/* A 16-byte head, then rows [0, n) of the image as they are now, under
 * tag; what the peer must read grows by as much. */
static void push_tagged(struct fixture *f, size_t n, uint64_t tag)
{
	struct sendq_rows rows = { f->image, ROW_LEN, STRIDE, n };
	uint8_t *head = sendq_reserve(f->q, 16, &rows, tag);
	uint8_t *want = f->want + f->want_len;

	assert_non_null(head);
	memset(head, 0xa5, 16);
	memset(want, 0xa5, 16);
	for (size_t y = 0; y < n; y++)
		memcpy(want + 16 + y * ROW_LEN, f->image + y * STRIDE, ROW_LEN);
	f->want_len += 16 + n * ROW_LEN;
}

static void push_update(struct fixture *f, size_t n)
{
	push_tagged(f, n, 1);
}

/* The peer reads everything sent so far; the queue flushes meanwhile. */
static void read_all(struct fixture *f)
{
	uint8_t *got = malloc(f->want_len);
	size_t done = 0;

	assert_non_null(got);
	while (done < f->want_len) {
		ssize_t n;

		sendq_flush(f->q);
		n = recv(f->fd[1], got + done, f->want_len - done, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		assert_true(n > 0);
		done += (size_t)n;
	}
	assert_memory_equal(got, f->want, f->want_len);
	free(got);
}

/* Skips the test where this kernel (or a sandbox) refused to queue the
 * pages sent so far by reference: they were copied. */
static void skip_unless_by_reference(struct fixture *f)
{
	uint64_t by_ref, by_copy;

	sendq_get_counts(f->q, &by_ref, &by_copy);
	if (by_ref)
		return;
	print_message("vmsplice/splice refused here: copied\n");
	read_all(f);
	skip();
}

static void test_sendq_rows_arrive(void **state)
{
	struct fixture *f = *state;
	uint64_t by_ref, by_copy;

	push_update(f, ROWS);
	sendq_flush(f->q);
	assert_true(sendq_busy(f->q));
	read_all(f);
	assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
	assert_false(sendq_pending(f->q));
	assert_false(sendq_busy(f->q)); /* read: the rows may change */
	sendq_get_counts(f->q, &by_ref, &by_copy);
	assert_int_equal(by_ref + by_copy, (uint64_t)ROWS * ROW_LEN);
}

static void test_sendq_whole_rows_one_piece(void **state)
{
	struct fixture *f = *state;
	struct sendq_rows rows = { f->image, (size_t)ROWS * STRIDE, (size_t)ROWS * STRIDE, 1 };
	uint8_t *head = sendq_reserve(f->q, 4, &rows, 1);

	assert_non_null(head);
	memcpy(head, "HEAD", 4);
	memcpy(f->want, "HEAD", 4);
	memcpy(f->want + 4, f->image, (size_t)ROWS * STRIDE);
	f->want_len = 4 + (size_t)ROWS * STRIDE;
	read_all(f);
}

/* Rows changed after sendq_own() do not change what the peer reads (by
 * copy: pages queued by reference stay the caller's until read). */
static void test_sendq_own_then_change(void **state)
{
	struct fixture *f = *state;

	push_update(f, ROWS);
	/* 1.5 MB do not fit the socket's default buffer: some wait queued. */
	assert_int_equal(sendq_flush(f->q), SENDQ_BLOCKED);
	assert_int_equal(sendq_own(f->q), 0);
	memset(f->image, 0, (size_t)ROWS * STRIDE);
	read_all(f);
	assert_false(sendq_busy(f->q));
}

/* A 4 MiB send buffer: 300 KiB go in at once. */
static void big_buffer(int fd)
{
	int size = 4 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}


/* Blocks of a lent message's size class, written over (as the next
 * allocations would); freed by unreuse(). */
static void reuse(void **blocks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		blocks[i] = malloc(64 + 4 * i);
		assert_non_null(blocks[i]);
		memset(blocks[i], 0, 64 + 4 * i);
	}
}

static void unreuse(void **blocks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
}


/* sendq_own() of a message partly sent by reference: what went into the
 * socket is the message's and the caller's still, lent until the peer has
 * read it; what the socket reads of its head is not memory freed and
 * taken by the next allocations. */
static void test_sendq_own_while_lent(void **state)
{
	struct fixture *f = *state;
	void *blocks[64];

	push_update(f, ROWS);
	assert_int_equal(sendq_flush(f->q), SENDQ_BLOCKED);
	skip_unless_by_reference(f);
	assert_int_equal(sendq_own(f->q), 0);
	assert_true(sendq_lends(f->q, 1));
	reuse(blocks, 64);
	read_all(f);
	assert_false(sendq_busy(f->q));
	unreuse(blocks, 64);
}

/* Pages queued by reference: busy until the peer has read every byte. */
static void test_sendq_busy_until_read(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4096];
	uint64_t by_ref, by_copy;

	big_buffer(f->fd[0]);
	push_update(f, 60); /* 300 KiB: by reference */
	sendq_flush(f->q);
	skip_unless_by_reference(f);
	assert_true(sendq_busy(f->q));
	assert_int_equal(recv(f->fd[1], buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	assert_true(sendq_busy(f->q));
	f->want_len -= sizeof(buf);
	memmove(f->want, f->want + sizeof(buf), f->want_len);
	read_all(f);
	assert_false(sendq_busy(f->q));
	sendq_get_counts(f->q, &by_ref, &by_copy);
	assert_int_equal(by_ref + by_copy, 60 * ROW_LEN);
}

/* The peer reads n bytes (the queue flushes meanwhile); they drop out of
 * what it must read. */
static void read_some(struct fixture *f, size_t n)
{
	size_t want_len = f->want_len;

	f->want_len = n;
	read_all(f);
	f->want_len = want_len - n;
	memmove(f->want, f->want + n, f->want_len);
}

/* Pages lent under a tag are free again once the peer has read their
 * message, while it still reads a later one lent under another tag; a
 * message under tag 0 holds every tag. */
static void test_sendq_lends_per_message(void **state)
{
	struct fixture *f = *state;
	uint64_t reads;
	size_t first = 16 + 60 * ROW_LEN;

	big_buffer(f->fd[0]);
	push_tagged(f, 60, 7); /* 300 KiB each: by reference */
	push_tagged(f, 60, 8);
	assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
	skip_unless_by_reference(f);
	assert_true(sendq_lends(f->q, 7));
	assert_true(sendq_lends(f->q, 8));
	assert_false(sendq_lends(f->q, 9));
	reads = sendq_reads(f->q);
	/* The first message and half the second: the first is known read
	 * (SIOCOUTQ counts the second's buffers, overhead included). */
	read_some(f, first + 30 * ROW_LEN);
	assert_false(sendq_lends(f->q, 7));
	assert_true(sendq_lends(f->q, 8));
	assert_true(sendq_busy(f->q));
	assert_int_equal(sendq_reads(f->q), reads + 1);
	/* A message of unknown owner (tag 0) holds every tag. */
	push_tagged(f, 60, 0);
	assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
	assert_true(sendq_lends(f->q, 7));
	read_all(f);
	assert_false(sendq_lends(f->q, 7));
	assert_false(sendq_lends(f->q, 8));
	assert_false(sendq_busy(f->q));
	assert_int_equal(sendq_reads(f->q), reads + 3);
}

/* Rows not yet in the socket are lent under their tag too. */
static void test_sendq_lends_queued(void **state)
{
	struct fixture *f = *state;

	push_tagged(f, ROWS, 7); /* 1.5 MB: more than the socket takes */
	assert_int_equal(sendq_flush(f->q), SENDQ_BLOCKED);
	assert_true(sendq_lends(f->q, 7));
	assert_false(sendq_lends(f->q, 8));
	read_all(f);
	assert_false(sendq_lends(f->q, 7));
}

/* A small update is copied: never busy once in the socket. */
static void test_sendq_small_by_copy(void **state)
{
	struct fixture *f = *state;
	uint64_t by_ref, by_copy;

	push_update(f, 2);
	assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
	assert_false(sendq_busy(f->q));
	sendq_get_counts(f->q, &by_ref, &by_copy);
	assert_int_equal(by_ref, 0);
	assert_int_equal(by_copy, 2 * ROW_LEN);
	read_all(f);
}

static void test_sendq_messages_keep_order(void **state)
{
	struct fixture *f = *state;
	uint8_t *first, *p;

	push_update(f, 2);
	first = malloc(f->want_len + 3);
	assert_non_null(first);
	memcpy(first, f->want, f->want_len);
	p = sendq_reserve(f->q, 3, NULL, 0);
	assert_non_null(p);
	memcpy(p, "end", 3);
	memcpy(first + f->want_len, "end", 3);
	memcpy(f->want, first, f->want_len + 3);
	f->want_len += 3;
	free(first);
	read_all(f);
}

static void test_sendq_peer_gone(void **state)
{
	struct fixture *f = *state;

	push_update(f, ROWS);
	close(f->fd[1]);
	f->fd[1] = open("/dev/null", O_RDONLY);
	assert_int_equal(sendq_flush(f->q), SENDQ_ERROR);
	assert_int_equal(errno, EPIPE);
	assert_false(sendq_pending(f->q));
}

static void test_sendq_refuses_huge(void **state)
{
	struct fixture *f = *state;
	struct sendq_rows rows = { f->image, 1u << 20, 0, 5000 }; /* 5 GB */
	struct sendq_rows empty = { f->image, 0, 0, 1 };

	assert_null(sendq_reserve(f->q, 16, &rows, 1));
	assert_null(sendq_reserve(f->q, 16, &empty, 1));
	assert_false(sendq_pending(f->q));
}

/* The socket replaced by a new pair's, the old fd closed, as the display
 * does; f->fd[1] is still the old one's peer. @return the new one's peer. */
static int replace_socket(struct fixture *f)
{
	int fd[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	big_buffer(fd[0]);
	sendq_set_fd(f->q, fd[0]);
	close(f->fd[0]);
	f->fd[0] = fd[0];
	return fd[1];
}

/* A socket replaced while its peer has not read what was lent to it: the
 * peer still reads it (a unix socket's data stays after our end closed),
 * and gets the messages as sent, though their memory would be handed out
 * again; nothing waits for that peer (the rows are the caller's again),
 * and what was kept for it is freed once it has read. */
static void test_sendq_replaced_while_lent(void **state)
{
	struct fixture *f = *state;
	void *blocks[64];
	int new_peer;

	big_buffer(f->fd[0]);
	push_tagged(f, 60, 7); /* 300 KiB each: by reference */
	push_tagged(f, 60, 8);
	assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
	skip_unless_by_reference(f);
	new_peer = replace_socket(f);
	assert_false(sendq_lends(f->q, 7));
	assert_false(sendq_busy(f->q));
	assert_int_equal(sendq_parked(f->q), 2);
	reuse(blocks, 64);
	read_all(f);
	unreuse(blocks, 64);
	/* then end-of-file, though a duplicate of our end is kept */
	assert_int_equal(recv(f->fd[1], blocks, 1, MSG_DONTWAIT), 0);
	assert_int_equal(sendq_parked(f->q), 0);
	close(new_peer);
}

/* QEMU closes its end before it gives a new socket: nothing is kept. */
static void test_sendq_replaced_after_peer_closed(void **state)
{
	struct fixture *f = *state;
	int new_peer;

	big_buffer(f->fd[0]);
	push_tagged(f, 60, 7);
	assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
	skip_unless_by_reference(f);
	close(f->fd[1]);
	f->fd[1] = open("/dev/null", O_RDONLY);
	new_peer = replace_socket(f);
	assert_int_equal(sendq_parked(f->q), 0);
	close(new_peer);
}

/* Sockets replaced again and again, their peers reading nothing: what is
 * kept for them is bounded (4 sockets), and freed as they close. */
static void test_sendq_replaced_many_times(void **state)
{
	struct fixture *f = *state;
	int old_peer[6];

	big_buffer(f->fd[0]);
	for (size_t i = 0; i < 6; i++) {
		f->want_len = 0;
		push_tagged(f, 60, 7);
		assert_int_equal(sendq_flush(f->q), SENDQ_DONE);
		if (i == 0)
			skip_unless_by_reference(f);
		old_peer[i] = f->fd[1];
		f->fd[1] = replace_socket(f);
		assert_int_equal(sendq_parked(f->q), i < 4 ? i + 1 : 4);
	}
	for (size_t i = 0; i < 6; i++)
		close(old_peer[i]);
	assert_int_equal(sendq_parked(f->q), 0);
}

#define BOTH(t)                                                                   \
	cmocka_unit_test_setup_teardown(t, setup_zero_copy, teardown),            \
		cmocka_unit_test_setup_teardown(t, setup_copy, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_sendq_rows_arrive),
		BOTH(test_sendq_whole_rows_one_piece),
		cmocka_unit_test_setup_teardown(test_sendq_own_then_change, setup_copy, teardown),
		cmocka_unit_test_setup_teardown(test_sendq_own_while_lent, setup_zero_copy, teardown),
		cmocka_unit_test_setup_teardown(test_sendq_busy_until_read, setup_zero_copy, teardown),
		cmocka_unit_test_setup_teardown(test_sendq_lends_per_message, setup_zero_copy,
						teardown),
		BOTH(test_sendq_lends_queued),
		BOTH(test_sendq_small_by_copy),
		BOTH(test_sendq_messages_keep_order),
		BOTH(test_sendq_peer_gone),
		BOTH(test_sendq_refuses_huge),
		cmocka_unit_test_setup_teardown(test_sendq_replaced_while_lent, setup_zero_copy,
						teardown),
		cmocka_unit_test_setup_teardown(test_sendq_replaced_after_peer_closed,
						setup_zero_copy, teardown),
		cmocka_unit_test_setup_teardown(test_sendq_replaced_many_times, setup_zero_copy,
						teardown),
	};

	signal(SIGPIPE, SIG_IGN); /* as the backend has it (sendq.h) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
