/* SPDX-License-Identifier: MIT */
/*
 * The path of a request: response header and fence echo, short requests,
 * requests and responses split over iovecs, truncated responses, command
 * types the device does not take, API misuse of vgm_device_submit, command
 * and response names, and the rate limiting of guest messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define HDR_FLAGS 4
#define HDR_FENCE_ID 8
#define HDR_CTX_ID 16
#define HDR_RING_IDX 20
#define HDR_SIZE 24
#define DISPLAY_INFO_SIZE 408
#define EDID_RESP_SIZE 1056

#define FENCE_ID 0x1122334455667788ull
#define CTX_ID 0xcafe0001u
#define RING 5

/* ---- helpers ---------------------------------------------------------------- */

/* A harness of the given dialect whose rate limiter is fresh: tests that make
 * more than a burst of guest errors use one per case. */
static struct harness *fresh(enum vgm_dialect dialect)
{
	struct harness_opts o = { .dialect = dialect, .with_release = true,
				  .ram_size = 1u << 20 };

	return harness_new(&o);
}

/* Submits over arbitrary iovec arrays; returns the bytes written. */
static size_t submit_iov(struct harness *h, const struct iovec *in, size_t in_cnt,
			 const struct iovec *out, size_t out_cnt)
{
	size_t written = 12345;

	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, in, in_cnt, out, out_cnt,
					   &written),
			 0);
	return written;
}

/* The response of r in one element; r is freed, the bytes copied to resp. */
static size_t reference(struct harness *h, struct req *r, uint8_t *resp)
{
	size_t n = submit_split(h, r, 0, sizeof(h->resp));

	memcpy(resp, h->resp, n);
	return n;
}

static void assert_no_fence_echo(const struct harness *h)
{
	assert_int_equal(resp_u32(h, HDR_FLAGS), 0);
	assert_int_equal(resp_u64(h, HDR_FENCE_ID), 0);
	assert_int_equal(resp_u32(h, HDR_CTX_ID), 0);
	assert_int_equal(resp_u32(h, HDR_RING_IDX), 0); /* ring_idx and padding */
}

static void assert_fence_echo(const struct harness *h, uint32_t flags, uint8_t ring)
{
	assert_int_equal(resp_u32(h, HDR_FLAGS), flags);
	assert_int_equal(resp_u64(h, HDR_FENCE_ID), FENCE_ID);
	assert_int_equal(resp_u32(h, HDR_CTX_ID), CTX_ID);
	assert_int_equal(resp_u32(h, HDR_RING_IDX), ring); /* padding stays zero */
}

static void assert_fence_event(const struct harness *h, uint8_t ring)
{
	const struct event *e = last_event(h, EV_FENCE);

	assert_int_equal(count_events(h, EV_FENCE), 1);
	assert_int_equal(e->ctx_id, CTX_ID);
	assert_int_equal(e->ring_idx, ring);
	assert_int_equal(e->fence_id, FENCE_ID);
}

/* ---- the response header and the fence --------------------------------------- */

static void test_response_header_zeroed(void **state)
{
	struct harness *h = *state;
	struct req r;

	/* Everything but the fence flag set: nothing of it may come back. */
	req_display_info(&r);
	req_set32(&r, HDR_FLAGS, ~VGM_GPU_FLAG_FENCE);
	req_set64(&r, HDR_FENCE_ID, FENCE_ID);
	req_set32(&r, HDR_CTX_ID, CTX_ID);
	req_set32(&r, HDR_RING_IDX, 0xffffffffu);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(h->resp_len, DISPLAY_INFO_SIZE);
	assert_no_fence_echo(h);
	assert_int_equal(count_events(h, EV_FENCE), 0);
}

static void test_response_error_header_zeroed(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_unref(&r, 77);
	req_set64(&r, HDR_FENCE_ID, FENCE_ID);
	req_set32(&r, HDR_CTX_ID, CTX_ID);
	req_set32(&r, HDR_RING_IDX, 0xffffff00u | RING);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_no_fence_echo(h);
	assert_unchanged(h, &s); /* no fence callback either */
	assert_logged(h, "resource_id 77");
}

static void test_fence_echo_fence_only(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_display_info(&r);
	req_fence(&r, FENCE_ID, CTX_ID, -1);
	req_set32(&r, HDR_RING_IDX, 0xffffff00u | RING); /* ignored without INFO_RING_IDX */
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_fence_echo(h, VGM_GPU_FLAG_FENCE, 0);
	assert_fence_event(h, 0);
}

static void test_fence_echo_ring_idx(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_display_info(&r);
	req_fence(&r, FENCE_ID, CTX_ID, RING);
	req_set32(&r, HDR_RING_IDX, 0xabcdef00u | RING); /* padding is not echoed */
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_fence_echo(h, VGM_GPU_FLAG_FENCE | VGM_GPU_FLAG_INFO_RING_IDX, RING);
	assert_fence_event(h, RING);
}

static void test_fence_unknown_flags_not_echoed(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_display_info(&r);
	req_fence(&r, FENCE_ID, CTX_ID, -1);
	req_set32(&r, HDR_FLAGS, 0xf0000000u | VGM_GPU_FLAG_FENCE);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_fence_echo(h, VGM_GPU_FLAG_FENCE, 0);
	assert_fence_event(h, 0);
}

static void test_fence_ring_idx_without_fence(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_display_info(&r);
	req_fence(&r, FENCE_ID, CTX_ID, RING);
	req_set32(&r, HDR_FLAGS, VGM_GPU_FLAG_INFO_RING_IDX);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_no_fence_echo(h);
	assert_int_equal(count_events(h, EV_FENCE), 0);
}

static void test_fence_echo_on_error(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct req r;

	req_unref(&r, 77);
	req_fence(&r, FENCE_ID, CTX_ID, RING);
	snapshot_take(h, &s);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_fence_echo(h, VGM_GPU_FLAG_FENCE | VGM_GPU_FLAG_INFO_RING_IDX, RING);
	assert_fence_event(h, RING);
	s.nevents++; /* the fence, and nothing else */
	assert_unchanged(h, &s);
	assert_logged(h, "resource_id 77");
}

static void test_fence_done_once_per_request(void **state)
{
	struct harness *h = *state;
	struct req r;

	for (uint64_t i = 1; i <= 3; i++) {
		req_display_info(&r);
		req_fence(&r, i, 7, -1);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
		assert_int_equal(count_events(h, EV_FENCE), i);
		assert_int_equal(last_event(h, EV_FENCE)->fence_id, i);
	}
	req_display_info(&r);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(count_events(h, EV_FENCE), 3);
}

/* ---- short requests ------------------------------------------------------------ */

/* A request cut to len bytes of a fenced CREATE_2D: the header is short. */
static void expect_short_header(size_t len)
{
	struct harness *h = fresh(VGM_DIALECT_STANDARD);
	struct snapshot s;
	struct req r;
	char needle[64];

	snapshot_take(h, &s);
	req_create_2d(&r, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4);
	req_fence(&r, FENCE_ID, CTX_ID, RING);
	r.len = len;
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_no_fence_echo(h);
	assert_unchanged(h, &s); /* no fence callback either */
	snprintf(needle, sizeof(needle), "request has %zu bytes, shorter than the header", len);
	assert_logged(h, needle);
	harness_free(h);
}

static void test_request_shorter_than_header(void **state)
{
	(void)state;
	for (size_t len = 0; len < HDR_SIZE; len++)
		expect_short_header(len);
}

struct cmd_size {
	uint32_t type;
	size_t size;
	enum vgm_dialect dialect;
};

static const struct cmd_size control_cmds[] = {
	{ VGM_GPU_CMD_GET_DISPLAY_INFO, 24, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_RESOURCE_CREATE_2D, 40, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_RESOURCE_UNREF, 32, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_SET_SCANOUT, 48, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_RESOURCE_FLUSH, 48, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_TRANSFER_TO_HOST_2D, 56, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, 32, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_RESOURCE_DETACH_BACKING, 32, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_GET_CAPSET_INFO, 32, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_GET_CAPSET, 32, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_GET_EDID, 32, VGM_DIALECT_STANDARD },
	{ VGM_GPU_CMD_GET_DISPLAY_INFO, 24, VGM_DIALECT_MEMORY_RFC },
	{ VGM_GPU_CMD_RESOURCE_CREATE_2D, 40, VGM_DIALECT_MEMORY_RFC },
	{ VGM_GPU_CMD_TRANSFER_TO_HOST_2D, 56, VGM_DIALECT_MEMORY_RFC },
	{ VGM_GPU_CMD_GET_EDID, 32, VGM_DIALECT_MEMORY_RFC },
	{ VGM_GPU_CMD_MEMORY_CREATE, 48, VGM_DIALECT_MEMORY_RFC },
	{ VGM_GPU_CMD_MEMORY_UNREF, 32, VGM_DIALECT_MEMORY_RFC },
	{ VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, 64, VGM_DIALECT_MEMORY_RFC },
};

/* A fenced request of a known type with len bytes, header complete: the
 * body bytes are 0xee so no field is accidentally valid. */
static void expect_short_body(const struct cmd_size *c, size_t len)
{
	struct harness *h = fresh(c->dialect);
	struct snapshot s;
	struct req r;
	char needle[64];

	snapshot_take(h, &s);
	req_init(&r, c->type);
	req_fence(&r, FENCE_ID, CTX_ID, RING);
	while (r.len < len)
		req_u32(&r, 0xeeeeeeeeu);
	r.len = len;
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_fence_echo(h, VGM_GPU_FLAG_FENCE | VGM_GPU_FLAG_INFO_RING_IDX, RING);
	assert_fence_event(h, RING);
	s.nevents++;
	assert_unchanged(h, &s);
	snprintf(needle, sizeof(needle), "request has %zu bytes, needs %zu", len, c->size);
	assert_logged(h, needle);
	harness_free(h);
}

static void test_request_shorter_than_struct(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(control_cmds) / sizeof(control_cmds[0]); i++) {
		for (size_t len = HDR_SIZE; len < control_cmds[i].size; len++)
			expect_short_body(&control_cmds[i], len);
	}
}

/* Exactly the struct's size is enough: the answer is not a length error. */
static void test_request_exact_size_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(control_cmds) / sizeof(control_cmds[0]); i++) {
		struct harness *h = fresh(control_cmds[i].dialect);
		struct req r;

		req_init(&r, control_cmds[i].type);
		while (r.len < control_cmds[i].size)
			req_u32(&r, 0);
		assert_int_not_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
		/* Zero ids give other errors; what matters is which. */
		for (size_t l = 0; l < h->nlogs; l++)
			assert_null(strstr(h->logs[l], "request has"));
		h->nlogs = 0;
		harness_free(h);
	}
}

static void test_request_trailing_bytes_ignored(void **state)
{
	struct harness *h = *state;
	uint8_t ref[DISPLAY_INFO_SIZE];
	struct vgm_resource_info info = { .size = sizeof(info) };
	struct req r;

	req_display_info(&r);
	assert_int_equal(reference(h, &r, ref), DISPLAY_INFO_SIZE);
	req_display_info(&r);
	for (int i = 0; i < 50; i++)
		req_u32(&r, 0xdeadbeefu);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(h->resp_len, DISPLAY_INFO_SIZE);
	assert_memory_equal(h->resp, ref, DISPLAY_INFO_SIZE);

	req_create_2d(&r, 3, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 8, 4);
	for (int i = 0; i < 50; i++)
		req_u32(&r, 0xdeadbeefu);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_int_equal(vgm_device_get_resource_info(h->dev, 3, &info), 0);
	assert_int_equal(info.width, 8);
	assert_int_equal(info.height, 4);
}

/* ---- split requests -------------------------------------------------------------- */

/* Every chunk size 1..len gives the same response as one element. */
static void expect_split_same(struct harness *h, void (*build)(struct harness *, struct req *),
			      void (*undo)(struct harness *))
{
	static uint8_t ref[EDID_RESP_SIZE];
	struct req r;
	size_t ref_len, len;

	build(h, &r);
	len = r.len;
	ref_len = reference(h, &r, ref);
	if (undo)
		undo(h);
	for (size_t chunk = 1; chunk <= len; chunk++) {
		h->nevents = 0;
		build(h, &r);
		assert_int_equal(submit_split(h, &r, chunk, sizeof(h->resp)), ref_len);
		assert_memory_equal(h->resp, ref, ref_len);
		assert_fence_event(h, resp_u32(h, HDR_FLAGS) & VGM_GPU_FLAG_INFO_RING_IDX ? RING : 0);
		if (undo)
			undo(h);
	}
}

static void build_fenced_edid(struct harness *h, struct req *r)
{
	(void)h;
	req_get_edid(r, 0);
	req_fence(r, FENCE_ID, CTX_ID, RING);
}

static void build_create(struct harness *h, struct req *r)
{
	(void)h;
	req_create_2d(r, 42, VGM_GPU_FORMAT_R8G8B8A8_UNORM, 17, 9);
	req_fence(r, FENCE_ID, CTX_ID, -1);
}

static void undo_create(struct harness *h)
{
	struct vgm_resource_info info = { .size = sizeof(info) };
	struct req r;

	assert_int_equal(vgm_device_get_resource_info(h->dev, 42, &info), 0);
	assert_int_equal(info.format, VGM_GPU_FORMAT_R8G8B8A8_UNORM);
	assert_int_equal(info.width, 17);
	assert_int_equal(info.height, 9);
	req_unref(&r, 42);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}

static void test_split_edid_and_create(void **state)
{
	struct harness *h = *state;

	expect_split_same(h, build_fenced_edid, NULL);
	expect_split_same(h, build_create, undo_create);
}

/* ATTACH_BACKING's entries follow the struct: they too may be split anywhere. */
static void test_split_attach_backing_entries(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info info = { .size = sizeof(info) };
	struct vgm_stats st = { .size = sizeof(st) };
	struct backing b;
	struct req r;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 32, 8);
	backing_make(h, &b, 32 * 8 * 4, 100);
	for (size_t chunk = 1; chunk <= 32 + 16 * b.n; chunk++) {
		req_attach_backing(&r, 1, &b);
		assert_int_equal(submit_split(h, &r, chunk, sizeof(h->resp)), HDR_SIZE);
		assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_OK_NODATA);
		assert_int_equal(vgm_device_get_resource_info(h->dev, 1, &info), 0);
		assert_int_equal(info.backing_size, b.size);
		assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
		assert_int_equal(st.backing_entries, b.n);
		req_detach_backing(&r, 1);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	}
	backing_free(&b);
}

/* Zero-length elements before, between and after the pieces change nothing. */
static void test_split_zero_length_elements(void **state)
{
	struct harness *h = *state;
	uint8_t ref[EDID_RESP_SIZE];
	struct iovec in[16], out = { h->resp, sizeof(h->resp) };
	struct req r;
	size_t n = 0;

	build_fenced_edid(h, &r);
	assert_int_equal(reference(h, &r, ref), EDID_RESP_SIZE);
	build_fenced_edid(h, &r);
	in[n++] = (struct iovec){ NULL, 0 };
	in[n++] = (struct iovec){ r.buf, 5 };
	in[n++] = (struct iovec){ r.buf + 5, 0 };
	in[n++] = (struct iovec){ NULL, 0 };
	in[n++] = (struct iovec){ r.buf + 5, 19 };
	in[n++] = (struct iovec){ r.buf + 24, 0 };
	in[n++] = (struct iovec){ r.buf + 24, 1 };
	in[n++] = (struct iovec){ r.buf + 25, 7 };
	in[n++] = (struct iovec){ NULL, 0 };
	memset(h->resp, 0xa5, sizeof(h->resp));
	h->resp_len = submit_iov(h, in, n, &out, 1);
	assert_int_equal(h->resp_len, EDID_RESP_SIZE);
	assert_memory_equal(h->resp, ref, EDID_RESP_SIZE);
	req_free(&r);
}

/* ---- the writable part ----------------------------------------------------------- */

static void expect_truncated(struct harness *h, void (*build)(struct req *), size_t full,
			     size_t cap)
{
	uint8_t ref[EDID_RESP_SIZE];
	struct req r;
	char needle[64];

	build(&r);
	assert_int_equal(reference(h, &r, ref), full);
	build(&r);
	assert_int_equal(submit_split(h, &r, 0, cap), cap);
	assert_memory_equal(h->resp, ref, cap);
	for (size_t i = cap; i < sizeof(h->resp); i++)
		assert_int_equal(h->resp[i], 0xa5);
	snprintf(needle, sizeof(needle), "response of %zu bytes truncated to %zu", full, cap);
	assert_logged(h, needle);
}

static void build_display_info(struct req *r)
{
	req_display_info(r);
}

static void build_edid(struct req *r)
{
	req_get_edid(r, 0);
}

static void test_response_truncated(void **state)
{
	struct harness *h = *state;

	expect_truncated(h, build_display_info, DISPLAY_INFO_SIZE, 100);
	expect_truncated(h, build_display_info, DISPLAY_INFO_SIZE, 407);
	expect_truncated(h, build_display_info, DISPLAY_INFO_SIZE, 0);
	expect_truncated(h, build_edid, EDID_RESP_SIZE, 30);
}

/* An error response, also cut: its own log line, then the truncation. */
static void test_response_error_truncated(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_unref(&r, 99);
	assert_int_equal(submit_split(h, &r, 0, 10), 10);
	assert_int_equal(h->resp[0], VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID & 0xff);
	assert_int_equal(h->resp[1], VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID >> 8);
	for (size_t i = 2; i < 10; i++)
		assert_int_equal(h->resp[i], 0);
	assert_int_equal(h->resp[10], 0xa5);
	assert_int_equal(h->nlogs, 2);
	assert_non_null(strstr(h->logs[0], "resource_id 99"));
	assert_logged(h, "response of 24 bytes truncated to 10");
}

/* No writable element at all: nothing written, and said so. */
static void test_response_no_writable_part(void **state)
{
	struct harness *h = *state;
	struct iovec in;
	struct req r;

	req_display_info(&r);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(submit_iov(h, &in, 1, NULL, 0), 0);
	assert_logged(h, "truncated to 0");
	req_free(&r);
}

/* The writable part in many elements, zero-length ones among them. */
static void test_response_split_writable(void **state)
{
	struct harness *h = *state;
	uint8_t ref[DISPLAY_INFO_SIZE], got[DISPLAY_INFO_SIZE + 8];
	struct iovec in, out[64];
	struct req r;
	size_t n = 0, pos = 0;

	req_display_info(&r);
	assert_int_equal(reference(h, &r, ref), DISPLAY_INFO_SIZE);
	memset(got, 0xa5, sizeof(got));
	while (pos < sizeof(got)) {
		size_t len = pos + 13 < sizeof(got) ? 13 : sizeof(got) - pos;

		out[n++] = (struct iovec){ got + pos, 0 };
		out[n++] = (struct iovec){ got + pos, len };
		pos += len;
	}
	req_display_info(&r);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(submit_iov(h, &in, 1, out, n), DISPLAY_INFO_SIZE);
	assert_memory_equal(got, ref, DISPLAY_INFO_SIZE);
	for (size_t i = DISPLAY_INFO_SIZE; i < sizeof(got); i++)
		assert_int_equal(got[i], 0xa5);
	req_free(&r);
}

/* Several elements that together hold less than the response. */
static void test_response_split_writable_truncated(void **state)
{
	struct harness *h = *state;
	uint8_t ref[DISPLAY_INFO_SIZE], got[120];
	struct iovec in, out[3] = { { got, 40 }, { got + 40, 0 }, { got + 40, 60 } };
	struct req r;

	req_display_info(&r);
	assert_int_equal(reference(h, &r, ref), DISPLAY_INFO_SIZE);
	memset(got, 0xa5, sizeof(got));
	req_display_info(&r);
	in = (struct iovec){ r.buf, r.len };
	assert_int_equal(submit_iov(h, &in, 1, out, 3), 100);
	assert_memory_equal(got, ref, 100);
	for (size_t i = 100; i < sizeof(got); i++)
		assert_int_equal(got[i], 0xa5);
	assert_logged(h, "response of 408 bytes truncated to 100");
	req_free(&r);
}

/* ---- types the device does not take ------------------------------------------------- */

/* A request of type with a body of body zero bytes gives code; nothing changes. */
static void expect_type_rejected(struct harness *h, uint32_t type, size_t body,
				 const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_init(&r, type);
	for (size_t i = 0; i < body; i += 4)
		req_u32(&r, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_unknown_types(void **state)
{
	struct harness *h = *state;
	static const uint32_t types[] = { 0, 0x0099, 0x00ff, 0x010e, 0x010f, 0x0110,
					  0x020a, 0x0302, 0x0400, 0x1100, 0xffffffffu };
	char needle[64];

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(needle, sizeof(needle), "unknown type 0x%04x", types[i]);
		expect_type_rejected(h, types[i], 64, needle);
	}
}

static void test_unknown_type_fence_echoed(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_init(&r, 0x0400);
	req_fence(&r, FENCE_ID, CTX_ID, -1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_fence_echo(h, VGM_GPU_FLAG_FENCE, 0);
	assert_fence_event(h, 0);
	s.nevents++;
	assert_unchanged(h, &s);
	assert_logged(h, "unknown type 0x0400");
}

static void test_feature_not_negotiated(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .no_accept = true };
	struct harness *h = harness_new(&o);
	struct snapshot s;
	struct req r;

	(void)state;
	snapshot_take(h, &s);
	req_assign_uuid(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_unchanged(h, &s);
	assert_logged(h, "RESOURCE_ASSIGN_UUID: feature bit 2 not negotiated");
	/* Ungated commands work without any feature. */
	req_display_info(&r);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	harness_free(h);
}

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* GET_EDID needs EDID offered, not accepted: virtio-win's viogpudo asks
 * without accepting the feature, and QEMU answers. In both dialects. */
static void test_edid_offered_not_accepted(void **state)
{
	static const enum vgm_dialect dialects[] = { VGM_DIALECT_STANDARD,
						     VGM_DIALECT_MEMORY_RFC };

	(void)state;
	for (size_t i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		struct harness_opts o = { .dialect = dialects[i], .no_accept = true };
		struct harness *h = harness_new(&o);
		struct req r;

		req_get_edid(&r, 0);
		req_fence(&r, FENCE_ID, CTX_ID, -1);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
		assert_int_equal(h->resp_len, HDR_SIZE + 8 + 1024);
		assert_fence_echo(h, VGM_GPU_FLAG_FENCE, 0);
		/* The generated EDID: its header, and its size in blocks. */
		assert_memory_equal(h->resp + HDR_SIZE + 8, edid_header, sizeof(edid_header));
		assert_int_equal(resp_u32(h, HDR_SIZE) % 128, 0);
		assert_int_equal(h->nlogs, 0);
		harness_free(h);
	}
}

/* Not offered, GET_EDID is refused, even from a driver that accepted every
 * feature the device offers. */
static void test_edid_not_offered(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD,
				  .no_offer = 1ull << VGM_GPU_F_EDID };
	struct harness *h = harness_new(&o);
	struct snapshot s;
	struct req r;

	(void)state;
	snapshot_take(h, &s);
	req_get_edid(&r, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(h->resp_len, HDR_SIZE);
	assert_unchanged(h, &s);
	assert_logged(h, "GET_EDID: feature bit 1 not offered");
	harness_free(h);
}

/* Gating comes before the length: a short gated request is ERR_UNSPEC too. */
static void test_feature_not_negotiated_short(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_MEMORY_RFC, .no_accept = true };
	struct harness *h = harness_new(&o);
	struct snapshot s;
	struct req r;

	(void)state;
	snapshot_take(h, &s);
	req_init(&r, VGM_GPU_CMD_MEMORY_CREATE);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_unchanged(h, &s);
	assert_logged(h, "MEMORY_CREATE: feature bit 2 not negotiated");
	harness_free(h);
}

static void test_3d_and_blob_commands_unsupported(void **state)
{
	(void)state;
	for (uint32_t t = VGM_GPU_CMD_CTX_CREATE; t <= VGM_GPU_CMD_RESOURCE_UNMAP_BLOB; t++) {
		struct harness *h = fresh(t & 1 ? VGM_DIALECT_STANDARD : VGM_DIALECT_MEMORY_RFC);
		char needle[64];

		snprintf(needle, sizeof(needle), "%s: not supported by this device",
			 vgm_command_name(VGM_DIALECT_STANDARD, t));
		expect_type_rejected(h, t, 0, needle);
		expect_type_rejected(h, t, 200, needle);
		harness_free(h);
	}
}

/* The standard dialect's UUID and blob commands come in a later version. */
/* In the standard dialect 0x010b..0x010d are the blob and UUID commands:
 * all-zero bodies name resource 0, which ASSIGN_UUID and CREATE_BLOB
 * refuse, and with which SET_SCANOUT_BLOB disables scanout 0. */
static void test_standard_0x010b_is_uuid_and_blob(void **state)
{
	struct harness *h = *state;
	static const struct {
		uint32_t type;
		uint32_t code;
		const char *needle;
	} cases[] = {
		{ 0x010b, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "RESOURCE_ASSIGN_UUID: resource_id 0" },
		{ 0x010c, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "RESOURCE_CREATE_BLOB: resource_id 0" },
		{ 0x010d, VGM_GPU_RESP_OK_NODATA, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snapshot s;
		struct req r;

		snapshot_take(h, &s);
		req_init(&r, cases[i].type);
		for (size_t b = 0; b < 72; b += 4)
			req_u32(&r, 0);
		assert_int_equal(submit(h, &r), cases[i].code);
		assert_unchanged(h, &s);
		if (cases[i].needle)
			assert_logged(h, cases[i].needle);
	}
}

static void test_cursor_commands_on_control_queue(void **state)
{
	struct harness *h = *state;

	expect_type_rejected(h, VGM_GPU_CMD_UPDATE_CURSOR, 32, "UPDATE_CURSOR: sent on the wrong queue");
	expect_type_rejected(h, VGM_GPU_CMD_MOVE_CURSOR, 32, "MOVE_CURSOR: sent on the wrong queue");
	expect_type_rejected(h, VGM_GPU_CMD_MOVE_CURSOR, 0, "MOVE_CURSOR: sent on the wrong queue");
}

static void test_control_commands_on_cursor_queue(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_create_2d(&r, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
	submit_cursor(h, &r);
	assert_unchanged(h, &s);
	assert_logged(h, "RESOURCE_CREATE_2D: sent on the wrong queue: ignored");
	req_display_info(&r);
	submit_cursor(h, &r);
	assert_unchanged(h, &s);
	assert_logged(h, "GET_DISPLAY_INFO: sent on the wrong queue: ignored");
}

/* ---- API misuse ------------------------------------------------------------------------ */

static void test_submit_misuse(void **state)
{
	struct harness *h = *state;
	uint8_t req[HDR_SIZE] = { 0 }, resp[HDR_SIZE];
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	struct snapshot s;
	size_t written = 777;

	snapshot_take(h, &s);
	assert_int_equal(vgm_device_submit(NULL, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written),
			 -EINVAL);
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, NULL),
			 -EINVAL);
	assert_logged(h, "vgm_device_submit");
	assert_int_equal(vgm_device_submit(h->dev, (enum vgm_queue)2, &in, 1, &out, 1, &written),
			 -EINVAL);
	assert_logged(h, "vgm_device_submit");
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, NULL, 1, &out, 1, &written),
			 -EINVAL);
	assert_logged(h, "vgm_device_submit");
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, &in, 1, NULL, 1, &written),
			 -EINVAL);
	assert_logged(h, "vgm_device_submit");
	assert_int_equal(written, 777); /* untouched on failure */
	assert_unchanged(h, &s);
}

/* A NULL array with no elements is an empty request: answered, not misuse. */
static void test_submit_empty_request(void **state)
{
	struct harness *h = *state;
	uint8_t resp[HDR_SIZE];
	struct iovec out = { resp, sizeof(resp) };
	struct snapshot s;
	size_t written = 777;

	snapshot_take(h, &s);
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, NULL, 0, &out, 1, &written),
			 0);
	assert_unchanged(h, &s);
	assert_int_equal(written, HDR_SIZE);
	assert_int_equal(resp[0] | resp[1] << 8, VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_logged(h, "request has 0 bytes");
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CURSOR, NULL, 0, NULL, 0, &written),
			 0);
	assert_int_equal(written, 0);
	assert_logged(h, "request has 0 bytes");
}

/* ---- names --------------------------------------------------------------------------- */

static void test_command_names_both_dialects(void **state)
{
	static const struct {
		uint32_t type;
		const char *standard, *rfc;
	} names[] = {
		{ 0x0100, "GET_DISPLAY_INFO", "GET_DISPLAY_INFO" },
		{ 0x0101, "RESOURCE_CREATE_2D", "RESOURCE_CREATE_2D" },
		{ 0x0106, "RESOURCE_ATTACH_BACKING", "RESOURCE_ATTACH_BACKING" },
		{ 0x010a, "GET_EDID", "GET_EDID" },
		{ 0x010b, "RESOURCE_ASSIGN_UUID", "MEMORY_CREATE" },
		{ 0x010c, "RESOURCE_CREATE_BLOB", "MEMORY_UNREF" },
		{ 0x010d, "SET_SCANOUT_BLOB", "RESOURCE_ATTACH_MEMORY" },
		{ 0x0200, "CTX_CREATE", "CTX_CREATE" },
		{ 0x0209, "RESOURCE_UNMAP_BLOB", "RESOURCE_UNMAP_BLOB" },
		{ 0x0300, "UPDATE_CURSOR", "UPDATE_CURSOR" },
		{ 0x0301, "MOVE_CURSOR", "MOVE_CURSOR" },
		{ 0, NULL, NULL },
		{ 0x0099, NULL, NULL },
		{ 0x010e, NULL, NULL },
		{ 0x0400, NULL, NULL },
		{ 0xffffffffu, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *s = vgm_command_name(VGM_DIALECT_STANDARD, names[i].type);
		const char *m = vgm_command_name(VGM_DIALECT_MEMORY_RFC, names[i].type);

		if (names[i].standard)
			assert_string_equal(s, names[i].standard);
		else
			assert_null(s);
		if (names[i].rfc)
			assert_string_equal(m, names[i].rfc);
		else
			assert_null(m);
	}
	assert_null(vgm_command_name((enum vgm_dialect)2, 0x0100));
}

static void test_response_names_both_dialects(void **state)
{
	static const struct {
		uint32_t type;
		const char *standard, *rfc;
	} names[] = {
		{ 0x1100, "OK_NODATA", "OK_NODATA" },
		{ 0x1101, "OK_DISPLAY_INFO", "OK_DISPLAY_INFO" },
		{ 0x1104, "OK_EDID", "OK_EDID" },
		{ 0x1105, "OK_RESOURCE_UUID", NULL },
		{ 0x1106, "OK_MAP_INFO", NULL },
		{ 0x1107, NULL, NULL },
		{ 0x1200, "ERR_UNSPEC", "ERR_UNSPEC" },
		{ 0x1203, "ERR_INVALID_RESOURCE_ID", "ERR_INVALID_RESOURCE_ID" },
		{ 0x1205, "ERR_INVALID_PARAMETER", "ERR_INVALID_PARAMETER" },
		{ 0x1206, NULL, "ERR_INVALID_MEMORY_ID" },
		{ 0x1207, NULL, NULL },
		{ 0, NULL, NULL },
		{ 0x0100, NULL, NULL },
		{ 0xffffffffu, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *s = vgm_response_name(VGM_DIALECT_STANDARD, names[i].type);
		const char *m = vgm_response_name(VGM_DIALECT_MEMORY_RFC, names[i].type);

		if (names[i].standard)
			assert_string_equal(s, names[i].standard);
		else
			assert_null(s);
		if (names[i].rfc)
			assert_string_equal(m, names[i].rfc);
		else
			assert_null(m);
	}
}

/* An unknown dialect has no names, for responses as for commands (0.1 and
 * 0.2 answered it as if it were the standard dialect). */
static void test_response_name_unknown_dialect(void **state)
{
	(void)state;
	assert_null(vgm_response_name((enum vgm_dialect)2, VGM_GPU_RESP_OK_NODATA));
	assert_null(vgm_response_name((enum vgm_dialect)2, VGM_GPU_RESP_ERR_UNSPEC));
	assert_null(vgm_response_name((enum vgm_dialect)-1, VGM_GPU_RESP_OK_NODATA));
	assert_null(vgm_command_name((enum vgm_dialect)-1, VGM_GPU_CMD_GET_DISPLAY_INFO));
}

/* The log line of an error names the response in the device's dialect. */
static void test_log_names_response(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_memory_unref(&r, 5);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_MEMORY_ID);
	assert_logged(h, "MEMORY_UNREF: memory_id 5");
	req_memory_unref(&r, 5);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_MEMORY_ID);
	assert_logged(h, "ERR_INVALID_MEMORY_ID");
}

/* ---- rate limiting of guest messages ------------------------------------------------------ */

#define BURST 20
#define FLOOD 40

static void bad_request(struct harness *h)
{
	struct req r;

	req_unref(&r, 1000);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
}

/* Counts the guest lines about the bad request, and adds up the numbers
 * that "N guest messages suppressed" lines report. */
static void count_limited(const struct harness *h, size_t first, size_t *errors,
			  unsigned long long *suppressed)
{
	*errors = 0;
	*suppressed = 0;
	for (size_t i = first; i < h->nlogs; i++) {
		unsigned long long n;

		assert_int_equal(h->log_levels[i], VGM_LOG_WARNING);
		if (strstr(h->logs[i], "resource_id 1000"))
			(*errors)++;
		else if (sscanf(h->logs[i], "%llu guest messages suppressed", &n) == 1)
			*suppressed += n;
		else
			fail_msg("unexpected log line: %s", h->logs[i]);
	}
}

static void test_log_rate_limited(void **state)
{
	struct harness *h = *state;
	struct timespec pause = { 0, 150 * 1000 * 1000 };
	unsigned long long suppressed;
	size_t errors;

	for (int i = 0; i < FLOOD; i++)
		bad_request(h);
	/* The burst is always logged, and in order, before any suppression. */
	for (int i = 0; i < BURST; i++)
		assert_non_null(strstr(h->logs[i], "resource_id 1000"));
	count_limited(h, 0, &errors, &suppressed);
	/* However slow this machine, most of the flood was dropped. */
	assert_true(errors < FLOOD);
	assert_true(errors + suppressed <= FLOOD);
	nanosleep(&pause, NULL);
	bad_request(h);
	/* The next message says how many were dropped, then comes itself. */
	assert_non_null(strstr(h->logs[h->nlogs - 2], "guest messages suppressed"));
	assert_non_null(strstr(h->logs[h->nlogs - 1], "resource_id 1000"));
	count_limited(h, 0, &errors, &suppressed);
	assert_int_equal(errors + suppressed, FLOOD + 1);
	h->nlogs = 0;
}

/* Host misuse is not rate-limited: it is the host's own bug. */
static void test_log_host_misuse_not_limited(void **state)
{
	struct harness *h = *state;
	size_t written;

	for (int i = 0; i < FLOOD; i++)
		bad_request(h);
	h->nlogs = 0;
	assert_int_equal(vgm_device_submit(h->dev, (enum vgm_queue)7, NULL, 0, NULL, 0, &written),
			 -EINVAL);
	assert_logged(h, "API misuse");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)
#define T_RFC(f) cmocka_unit_test_setup_teardown(f, harness_setup_rfc, harness_teardown)
	const struct CMUnitTest tests[] = {
		T(test_response_header_zeroed),
		T(test_response_error_header_zeroed),
		T(test_fence_echo_fence_only),
		T(test_fence_echo_ring_idx),
		T(test_fence_unknown_flags_not_echoed),
		T(test_fence_ring_idx_without_fence),
		T(test_fence_echo_on_error),
		T(test_fence_done_once_per_request),
		cmocka_unit_test(test_request_shorter_than_header),
		cmocka_unit_test(test_request_shorter_than_struct),
		cmocka_unit_test(test_request_exact_size_accepted),
		T(test_request_trailing_bytes_ignored),
		T(test_split_edid_and_create),
		T(test_split_attach_backing_entries),
		T(test_split_zero_length_elements),
		T(test_response_truncated),
		T(test_response_error_truncated),
		T(test_response_no_writable_part),
		T(test_response_split_writable),
		T(test_response_split_writable_truncated),
		T(test_unknown_types),
		T(test_unknown_type_fence_echoed),
		cmocka_unit_test(test_feature_not_negotiated),
		cmocka_unit_test(test_edid_offered_not_accepted),
		cmocka_unit_test(test_edid_not_offered),
		cmocka_unit_test(test_feature_not_negotiated_short),
		cmocka_unit_test(test_3d_and_blob_commands_unsupported),
		T(test_standard_0x010b_is_uuid_and_blob),
		T(test_cursor_commands_on_control_queue),
		T(test_control_commands_on_cursor_queue),
		T(test_submit_misuse),
		T(test_submit_empty_request),
		cmocka_unit_test(test_command_names_both_dialects),
		cmocka_unit_test(test_response_names_both_dialects),
		cmocka_unit_test(test_response_name_unknown_dialect),
		T_RFC(test_log_names_response),
		T(test_log_rate_limited),
		T(test_log_host_misuse_not_limited),
	};
#undef T
#undef T_RFC

	return cmocka_run_group_tests(tests, NULL, NULL);
}
