/* SPDX-License-Identifier: MIT */
/*
 * Request builders (a valid request of every type, byte by byte as a
 * driver writes it) and submission helpers.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/util.h"

static void req_grow(struct req *r, size_t n)
{
	if (r->len + n <= r->cap)
		return;
	r->cap = (r->len + n) * 2;
	r->buf = realloc(r->buf, r->cap);
	assert_non_null(r->buf);
}

void req_u32(struct req *r, uint32_t v)
{
	req_grow(r, 4);
	put_le32(r->buf + r->len, v);
	r->len += 4;
}

void req_u64(struct req *r, uint64_t v)
{
	req_grow(r, 8);
	put_le64(r->buf + r->len, v);
	r->len += 8;
}

void req_set32(struct req *r, size_t off, uint32_t v)
{
	assert_true(off + 4 <= r->len);
	put_le32(r->buf + off, v);
}

void req_set64(struct req *r, size_t off, uint64_t v)
{
	assert_true(off + 8 <= r->len);
	put_le64(r->buf + off, v);
}

void req_init(struct req *r, uint32_t type)
{
	memset(r, 0, sizeof(*r));
	req_u32(r, type);
	req_u32(r, 0); /* flags */
	req_u64(r, 0); /* fence_id */
	req_u32(r, 0); /* ctx_id */
	req_u32(r, 0); /* ring_idx, padding */
}

void req_free(struct req *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void req_fence(struct req *r, uint64_t fence_id, uint32_t ctx_id, int ring)
{
	uint32_t flags = VGM_GPU_FLAG_FENCE | (ring >= 0 ? VGM_GPU_FLAG_INFO_RING_IDX : 0);

	req_set32(r, 4, flags);
	req_set64(r, 8, fence_id);
	req_set32(r, 16, ctx_id);
	req_set32(r, 20, ring >= 0 ? (uint32_t)ring : 0);
}

void req_entries(struct req *r, const struct backing *b)
{
	for (uint32_t i = 0; i < b->n; i++) {
		req_u64(r, b->gpa[i]);
		req_u32(r, b->len[i]);
		req_u32(r, 0);
	}
}

static void rect(struct req *r, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	req_u32(r, x);
	req_u32(r, y);
	req_u32(r, w);
	req_u32(r, h);
}

static void id_and_padding(struct req *r, uint32_t type, uint32_t id)
{
	req_init(r, type);
	req_u32(r, id);
	req_u32(r, 0);
}

void req_display_info(struct req *r)
{
	req_init(r, VGM_GPU_CMD_GET_DISPLAY_INFO);
}

void req_get_edid(struct req *r, uint32_t scanout)
{
	id_and_padding(r, VGM_GPU_CMD_GET_EDID, scanout);
}

void req_create_2d(struct req *r, uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_CREATE_2D);
	req_u32(r, id);
	req_u32(r, format);
	req_u32(r, w);
	req_u32(r, h);
}

void req_unref(struct req *r, uint32_t id)
{
	id_and_padding(r, VGM_GPU_CMD_RESOURCE_UNREF, id);
}

void req_attach_backing(struct req *r, uint32_t id, const struct backing *b)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
	req_u32(r, id);
	req_u32(r, b ? b->n : 0);
	if (b)
		req_entries(r, b);
}

void req_detach_backing(struct req *r, uint32_t id)
{
	id_and_padding(r, VGM_GPU_CMD_RESOURCE_DETACH_BACKING, id);
}

void req_transfer(struct req *r, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		  uint64_t offset)
{
	req_init(r, VGM_GPU_CMD_TRANSFER_TO_HOST_2D);
	rect(r, x, y, w, h);
	req_u64(r, offset);
	req_u32(r, id);
	req_u32(r, 0);
}

void req_set_scanout(struct req *r, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		     uint32_t w, uint32_t h)
{
	req_init(r, VGM_GPU_CMD_SET_SCANOUT);
	rect(r, x, y, w, h);
	req_u32(r, scanout);
	req_u32(r, id);
}

void req_flush(struct req *r, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_FLUSH);
	rect(r, x, y, w, h);
	req_u32(r, id);
	req_u32(r, 0);
}

void req_capset_info(struct req *r, uint32_t index)
{
	id_and_padding(r, VGM_GPU_CMD_GET_CAPSET_INFO, index);
}

void req_capset(struct req *r, uint32_t id, uint32_t version)
{
	req_init(r, VGM_GPU_CMD_GET_CAPSET);
	req_u32(r, id);
	req_u32(r, version);
}

static void cursor(struct req *r, uint32_t type, uint32_t scanout, uint32_t x, uint32_t y)
{
	req_init(r, type);
	req_u32(r, scanout);
	req_u32(r, x);
	req_u32(r, y);
	req_u32(r, 0);
}

void req_update_cursor(struct req *r, uint32_t scanout, uint32_t id, uint32_t x, uint32_t y,
		       uint32_t hot_x, uint32_t hot_y)
{
	cursor(r, VGM_GPU_CMD_UPDATE_CURSOR, scanout, x, y);
	req_u32(r, id);
	req_u32(r, hot_x);
	req_u32(r, hot_y);
	req_u32(r, 0);
}

void req_move_cursor(struct req *r, uint32_t scanout, uint32_t x, uint32_t y)
{
	cursor(r, VGM_GPU_CMD_MOVE_CURSOR, scanout, x, y);
	req_u32(r, 0);
	req_u32(r, 0);
	req_u32(r, 0);
	req_u32(r, 0);
}

void req_memory_create(struct req *r, uint32_t memory_id, const struct backing *b)
{
	req_init(r, VGM_GPU_CMD_MEMORY_CREATE);
	req_u64(r, b->size);
	req_u32(r, memory_id);
	req_u32(r, b->n);
	req_u32(r, 0); /* flags */
	req_u32(r, 0);
	req_entries(r, b);
}

void req_memory_unref(struct req *r, uint32_t memory_id)
{
	id_and_padding(r, VGM_GPU_CMD_MEMORY_UNREF, memory_id);
}

void req_attach_memory(struct req *r, uint32_t id, uint32_t memory_id, uint64_t offset)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY);
	req_u32(r, id);
	req_u32(r, memory_id);
	req_u64(r, offset);
	req_u64(r, 0);
	req_u64(r, 0);
	req_u64(r, 0);
}

void req_create_blob(struct req *r, uint32_t id, uint64_t size, const struct backing *b)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_CREATE_BLOB);
	req_u32(r, id);
	req_u32(r, VGM_GPU_BLOB_MEM_GUEST);
	req_u32(r, VGM_GPU_BLOB_FLAG_USE_SHAREABLE);
	req_u32(r, b ? b->n : 0);
	req_u64(r, 0); /* blob_id: only for host blobs */
	req_u64(r, size);
	if (b)
		req_entries(r, b);
}

void req_set_scanout_blob(struct req *r, uint32_t scanout, uint32_t id, uint32_t format,
			  uint32_t width, uint32_t hgt, uint32_t stride, uint32_t offset)
{
	req_init(r, VGM_GPU_CMD_SET_SCANOUT_BLOB);
	rect(r, 0, 0, width, hgt);
	req_u32(r, scanout);
	req_u32(r, id);
	req_u32(r, width);
	req_u32(r, hgt);
	req_u32(r, format);
	req_u32(r, 0); /* padding */
	req_u32(r, stride);
	for (int i = 0; i < 3; i++)
		req_u32(r, 0); /* strides[1..3] */
	req_u32(r, offset);
	for (int i = 0; i < 3; i++)
		req_u32(r, 0); /* offsets[1..3] */
}

void req_assign_uuid(struct req *r, uint32_t id)
{
	id_and_padding(r, VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, id);
}

/* ---- submitting ---------------------------------------------------------------- */

size_t submit_split(struct harness *h, struct req *r, size_t chunk, size_t resp_cap)
{
	return submit_split_after(h, r, 0, chunk, resp_cap);
}

size_t submit_split_after(struct harness *h, struct req *r, size_t first, size_t chunk,
			  size_t resp_cap)
{
	size_t rest = r->len - first;
	size_t n = (first > 0) + (chunk ? (rest + chunk - 1) / chunk : 1);
	struct iovec *in = calloc(n ? n : 1, sizeof(*in));
	struct iovec out = { h->resp, resp_cap };
	size_t written = 12345;

	assert_non_null(in);
	assert_true(resp_cap <= sizeof(h->resp) && first <= r->len);
	if (first)
		in[0] = (struct iovec){ r->buf, first };
	for (size_t i = first > 0; i < n; i++) {
		size_t off = first + (chunk ? (i - (first > 0)) * chunk : 0);
		size_t len = chunk ? (r->len - off < chunk ? r->len - off : chunk) : rest;

		in[i] = (struct iovec){ r->buf + off, len };
	}
	memset(h->resp, 0xa5, sizeof(h->resp));
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, in, n, &out, 1, &written), 0);
	free(in);
	req_free(r);
	assert_true(written <= resp_cap);
	h->resp_len = written;
	return written;
}

uint32_t submit(struct harness *h, struct req *r)
{
	assert_true(submit_split(h, r, 0, sizeof(h->resp)) >= 24);
	return resp_u32(h, 0);
}

void submit_cursor(struct harness *h, struct req *r)
{
	struct iovec in = { r->buf, r->len };
	uint8_t out_buf[64];
	struct iovec out = { out_buf, sizeof(out_buf) };
	size_t written = 12345;

	memset(out_buf, 0xa5, sizeof(out_buf));
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CURSOR, &in, 1, &out, 1, &written), 0);
	assert_int_equal(written, 0);
	for (size_t i = 0; i < sizeof(out_buf); i++)
		assert_int_equal(out_buf[i], 0xa5);
	req_free(r);
}

uint32_t resp_u32(const struct harness *h, size_t off)
{
	assert_true(off + 4 <= h->resp_len);
	return (uint32_t)h->resp[off] | (uint32_t)h->resp[off + 1] << 8 |
	       (uint32_t)h->resp[off + 2] << 16 | (uint32_t)h->resp[off + 3] << 24;
}

uint64_t resp_u64(const struct harness *h, size_t off)
{
	return (uint64_t)resp_u32(h, off + 4) << 32 | resp_u32(h, off);
}

void make_resource(struct harness *h, uint32_t id, uint32_t format, uint32_t w, uint32_t hgt)
{
	struct req r;

	req_create_2d(&r, id, format, w, hgt);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}

void make_backed(struct harness *h, uint32_t id, uint32_t format, uint32_t w, uint32_t hgt,
		 struct backing *b, uint32_t entry_len)
{
	struct req r;

	make_resource(h, id, format, w, hgt);
	backing_make(h, b, (uint64_t)w * hgt * 4, entry_len);
	req_attach_backing(&r, id, b);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}
