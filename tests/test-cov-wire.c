/* SPDX-License-Identifier: MIT */
/*
 * wire.c through the internal API: every decoder reads its body in wire
 * order, little-endian, with padding read and dropped, and refuses a body
 * cut short anywhere (dispatch checks lengths first, so only these tests
 * reach the refusals). The bytes of each field are distinct, so a field
 * read from the wrong offset or in the wrong order shows.
 */
#include <string.h>

#include "harness.h"
#include "private.h"

typedef bool (*decoder)(struct reader *r, struct cmd *c);

/* A body whose byte i is i + 1: field values tell where they were read. */
static void body_bytes(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i + 1);
}

/* The little-endian value of the n bytes at off of such a body. */
static uint64_t at(size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)(uint8_t)(off + i + 1) << (8 * i);
	return v;
}

/* Decodes the whole body (it must succeed and read all of it) into c, and
 * every shorter prefix (each must fail). */
static void decode_all_cuts(decoder d, size_t len, struct cmd *c)
{
	uint8_t buf[128];
	struct reader r;

	assert_true(len <= sizeof(buf));
	body_bytes(buf, len);
	for (size_t cut = 0; cut < len; cut++) {
		struct cmd scratch = { 0 };

		reader_init(&r, buf, cut);
		assert_false(d(&r, &scratch));
	}
	memset(c, 0, sizeof(*c));
	reader_init(&r, buf, len);
	assert_true(d(&r, c));
	assert_int_equal(reader_left(&r), 0);
}

static void test_wire_hdr(void **state)
{
	uint8_t buf[WIRE_HDR_SIZE];
	struct vgm_gpu_ctrl_hdr h;
	struct reader r;

	(void)state;
	body_bytes(buf, sizeof(buf));
	for (size_t cut = 0; cut < sizeof(buf); cut++) {
		reader_init(&r, buf, cut);
		assert_false(wire_get_hdr(&r, &h));
	}
	reader_init(&r, buf, sizeof(buf));
	assert_true(wire_get_hdr(&r, &h));
	assert_int_equal(h.type, at(0, 4));
	assert_int_equal(h.flags, at(4, 4));
	assert_int_equal(h.fence_id, at(8, 8));
	assert_int_equal(h.ctx_id, at(16, 4));
	assert_int_equal(h.ring_idx, 21);
	assert_int_equal(reader_left(&r), 0);
}

static void test_wire_entry(void **state)
{
	uint8_t buf[WIRE_ENTRY_SIZE];
	struct vgm_gpu_mem_entry e;
	struct reader r;

	(void)state;
	body_bytes(buf, sizeof(buf));
	for (size_t cut = 0; cut < sizeof(buf); cut++) {
		reader_init(&r, buf, cut);
		assert_false(wire_get_entry(&r, &e));
	}
	reader_init(&r, buf, sizeof(buf));
	assert_true(wire_get_entry(&r, &e));
	assert_int_equal(e.addr, at(0, 8));
	assert_int_equal(e.length, at(8, 4));
	assert_int_equal(e.padding, 0); /* read and dropped */
	assert_int_equal(reader_left(&r), 0);
}

static void test_wire_id(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_id, 8, &c);
	assert_int_equal(c.id, at(0, 4));
}

static void test_wire_create_2d(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_create_2d, 16, &c);
	assert_int_equal(c.u.create_2d.resource_id, at(0, 4));
	assert_int_equal(c.u.create_2d.format, at(4, 4));
	assert_int_equal(c.u.create_2d.width, at(8, 4));
	assert_int_equal(c.u.create_2d.height, at(12, 4));
}

static void assert_rect_at(const struct vgm_gpu_rect *r, size_t off)
{
	assert_int_equal(r->x, at(off, 4));
	assert_int_equal(r->y, at(off + 4, 4));
	assert_int_equal(r->width, at(off + 8, 4));
	assert_int_equal(r->height, at(off + 12, 4));
}

static void test_wire_set_scanout(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_set_scanout, 24, &c);
	assert_rect_at(&c.u.set_scanout.r, 0);
	assert_int_equal(c.u.set_scanout.scanout_id, at(16, 4));
	assert_int_equal(c.u.set_scanout.resource_id, at(20, 4));
}

static void test_wire_flush(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_flush, 24, &c);
	assert_rect_at(&c.u.flush.r, 0);
	assert_int_equal(c.u.flush.resource_id, at(16, 4));
}

static void test_wire_transfer(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_transfer, 32, &c);
	assert_rect_at(&c.u.transfer.r, 0);
	assert_int_equal(c.u.transfer.offset, at(16, 8));
	assert_int_equal(c.u.transfer.resource_id, at(24, 4));
}

static void test_wire_attach_backing(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_attach_backing, 8, &c);
	assert_int_equal(c.u.attach_backing.resource_id, at(0, 4));
	assert_int_equal(c.u.attach_backing.nr_entries, at(4, 4));
}

static void test_wire_cursor(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_cursor, 32, &c);
	assert_int_equal(c.u.cursor.pos.scanout_id, at(0, 4));
	assert_int_equal(c.u.cursor.pos.x, at(4, 4));
	assert_int_equal(c.u.cursor.pos.y, at(8, 4));
	assert_int_equal(c.u.cursor.resource_id, at(16, 4));
	assert_int_equal(c.u.cursor.hot_x, at(20, 4));
	assert_int_equal(c.u.cursor.hot_y, at(24, 4));
}

static void test_wire_memory_create(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_memory_create, 24, &c);
	assert_int_equal(c.u.memory_create.size, at(0, 8));
	assert_int_equal(c.u.memory_create.memory_id, at(8, 4));
	assert_int_equal(c.u.memory_create.nr_entries, at(12, 4));
	assert_int_equal(c.u.memory_create.flags, at(16, 4));
}

static void test_wire_attach_memory(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_attach_memory, 40, &c);
	assert_int_equal(c.u.attach_memory.resource_id, at(0, 4));
	assert_int_equal(c.u.attach_memory.memory_id, at(4, 4));
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(c.u.attach_memory.offset[i], at(8 + 8 * i, 8));
}

static void test_wire_create_blob(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_create_blob, 32, &c);
	assert_int_equal(c.u.create_blob.resource_id, at(0, 4));
	assert_int_equal(c.u.create_blob.blob_mem, at(4, 4));
	assert_int_equal(c.u.create_blob.blob_flags, at(8, 4));
	assert_int_equal(c.u.create_blob.nr_entries, at(12, 4));
	assert_int_equal(c.u.create_blob.blob_id, at(16, 8));
	assert_int_equal(c.u.create_blob.size, at(24, 8));
}

static void test_wire_set_scanout_blob(void **state)
{
	struct cmd c;

	(void)state;
	decode_all_cuts(wire_get_set_scanout_blob, 72, &c);
	assert_rect_at(&c.u.set_scanout_blob.r, 0);
	assert_int_equal(c.u.set_scanout_blob.scanout_id, at(16, 4));
	assert_int_equal(c.u.set_scanout_blob.resource_id, at(20, 4));
	assert_int_equal(c.u.set_scanout_blob.width, at(24, 4));
	assert_int_equal(c.u.set_scanout_blob.height, at(28, 4));
	assert_int_equal(c.u.set_scanout_blob.format, at(32, 4));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(c.u.set_scanout_blob.strides[i], at(40 + 4 * i, 4));
		assert_int_equal(c.u.set_scanout_blob.offsets[i], at(56 + 4 * i, 4));
	}
}

/* GET_DISPLAY_INFO and the capset commands carry nothing the library reads. */
static void test_wire_nothing(void **state)
{
	uint8_t buf[8] = { 0 };
	struct reader r;
	struct cmd c = { 0 };

	(void)state;
	reader_init(&r, buf, 0);
	assert_true(wire_get_nothing(&r, &c));
	reader_init(&r, buf, sizeof(buf));
	assert_true(wire_get_nothing(&r, &c));
	assert_int_equal(reader_left(&r), sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_hdr),
		cmocka_unit_test(test_wire_entry),
		cmocka_unit_test(test_wire_id),
		cmocka_unit_test(test_wire_create_2d),
		cmocka_unit_test(test_wire_set_scanout),
		cmocka_unit_test(test_wire_flush),
		cmocka_unit_test(test_wire_transfer),
		cmocka_unit_test(test_wire_attach_backing),
		cmocka_unit_test(test_wire_cursor),
		cmocka_unit_test(test_wire_memory_create),
		cmocka_unit_test(test_wire_attach_memory),
		cmocka_unit_test(test_wire_create_blob),
		cmocka_unit_test(test_wire_set_scanout_blob),
		cmocka_unit_test(test_wire_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
