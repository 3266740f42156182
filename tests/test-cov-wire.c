/* SPDX-License-Identifier: MIT */
/*
 * The table-driven decoder (lib/wire) through the internal API: every
 * command's body is read in wire order, little-endian, with padding read
 * and dropped, and a body cut short anywhere is refused (dispatch checks
 * lengths first, so only these tests reach the refusals). The bytes of
 * each field are distinct, so a field read from the wrong offset or in
 * the wrong order shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "wire/wire.h"

#define BODY_MAX 128

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

/* Decodes the whole body of a command of the dialect (its request is the
 * header and len bytes: it must succeed) into out, zeroed first, and every
 * shorter prefix (each must fail). */
static void decode_all_cuts(enum vgm_dialect dialect, uint32_t type, size_t len, void *out,
			    size_t out_size)
{
	const struct vgm_wire_command *w = wire_command(dialect, type);
	uint8_t buf[WIRE_HDR_SIZE + BODY_MAX] = { 0 };
	uint8_t scratch[WIRE_HDR_SIZE + BODY_MAX];

	assert_non_null(w);
	assert_true(len <= BODY_MAX && out_size <= sizeof(scratch));
	assert_int_equal(w->request->size, WIRE_HDR_SIZE + len);
	body_bytes(buf + WIRE_HDR_SIZE, len);
	for (size_t cut = 0; cut < len; cut++) {
		memset(scratch, 0, sizeof(scratch));
		assert_false(wire_decode_body(w->request, buf, WIRE_HDR_SIZE + cut, scratch));
	}
	memset(out, 0, out_size);
	assert_true(wire_decode_body(w->request, buf, WIRE_HDR_SIZE + len, out));
}

#define DECODE(dialect, type, len, out) decode_all_cuts(dialect, type, len, out, sizeof(*(out)))

static void test_wire_hdr(void **state)
{
	uint8_t buf[WIRE_HDR_SIZE];
	struct vgm_gpu_ctrl_hdr h;

	(void)state;
	body_bytes(buf, sizeof(buf));
	for (size_t cut = 0; cut < sizeof(buf); cut++)
		assert_false(wire_decode_hdr(buf, cut, &h));
	assert_true(wire_decode_hdr(buf, sizeof(buf), &h));
	assert_int_equal(h.type, at(0, 4));
	assert_int_equal(h.flags, at(4, 4));
	assert_int_equal(h.fence_id, at(8, 8));
	assert_int_equal(h.ctx_id, at(16, 4));
	assert_int_equal(h.ring_idx, 21);
}

static void test_wire_entry(void **state)
{
	const struct vgm_wire_layout *rec =
		wire_command(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING)->request->record;
	uint8_t buf[sizeof(struct vgm_gpu_mem_entry)];
	struct vgm_gpu_mem_entry e = { 0 };

	(void)state;
	assert_int_equal(rec->size, sizeof(buf));
	body_bytes(buf, sizeof(buf));
	for (size_t cut = 0; cut < sizeof(buf); cut++)
		assert_false(wire_decode_record(rec, buf, cut, &e));
	memset(&e, 0, sizeof(e));
	assert_true(wire_decode_record(rec, buf, sizeof(buf), &e));
	assert_int_equal(e.addr, at(0, 8));
	assert_int_equal(e.length, at(8, 4));
	assert_int_equal(e.padding, 0); /* read and dropped */
}

/* Commands whose body is one id and padding: the id is read at 0. */
static void test_wire_id(void **state)
{
	struct vgm_gpu_resource_unref unref;
	struct vgm_gpu_resource_detach_backing detach;
	struct vgm_gpu_get_edid edid;
	struct vgm_gpu_resource_assign_uuid uuid;
	struct vgm_gpu_memory_unref memory;
	struct vgm_gpu_get_capset_info capset;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_UNREF, 8, &unref);
	assert_int_equal(unref.resource_id, at(0, 4));
	assert_int_equal(unref.padding, 0);
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_DETACH_BACKING, 8, &detach);
	assert_int_equal(detach.resource_id, at(0, 4));
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_GET_EDID, 8, &edid);
	assert_int_equal(edid.scanout, at(0, 4));
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, 8, &uuid);
	assert_int_equal(uuid.resource_id, at(0, 4));
	DECODE(VGM_DIALECT_MEMORY_RFC, VGM_GPU_CMD_MEMORY_UNREF, 8, &memory);
	assert_int_equal(memory.memory_id, at(0, 4));
	DECODE(VGM_DIALECT_MEMORY_RFC, VGM_GPU_CMD_GET_CAPSET_INFO, 8, &capset);
	assert_int_equal(capset.capset_index, at(0, 4));
}

static void test_wire_create_2d(void **state)
{
	struct vgm_gpu_resource_create_2d c;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_CREATE_2D, 16, &c);
	assert_int_equal(c.resource_id, at(0, 4));
	assert_int_equal(c.format, at(4, 4));
	assert_int_equal(c.width, at(8, 4));
	assert_int_equal(c.height, at(12, 4));
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
	struct vgm_gpu_set_scanout s;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_SET_SCANOUT, 24, &s);
	assert_rect_at(&s.r, 0);
	assert_int_equal(s.scanout_id, at(16, 4));
	assert_int_equal(s.resource_id, at(20, 4));
}

static void test_wire_flush(void **state)
{
	struct vgm_gpu_resource_flush f;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_FLUSH, 24, &f);
	assert_rect_at(&f.r, 0);
	assert_int_equal(f.resource_id, at(16, 4));
}

static void test_wire_transfer(void **state)
{
	struct vgm_gpu_transfer_to_host_2d t;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_TRANSFER_TO_HOST_2D, 32, &t);
	assert_rect_at(&t.r, 0);
	assert_int_equal(t.offset, at(16, 8));
	assert_int_equal(t.resource_id, at(24, 4));
}

static void test_wire_attach_backing(void **state)
{
	struct vgm_gpu_resource_attach_backing a;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, 8, &a);
	assert_int_equal(a.resource_id, at(0, 4));
	assert_int_equal(a.nr_entries, at(4, 4));
}

static void test_wire_cursor(void **state)
{
	struct vgm_gpu_update_cursor u;

	(void)state;
	for (uint32_t type = VGM_GPU_CMD_UPDATE_CURSOR; type <= VGM_GPU_CMD_MOVE_CURSOR; type++) {
		DECODE(VGM_DIALECT_STANDARD, type, 32, &u);
		assert_int_equal(u.pos.scanout_id, at(0, 4));
		assert_int_equal(u.pos.x, at(4, 4));
		assert_int_equal(u.pos.y, at(8, 4));
		assert_int_equal(u.resource_id, at(16, 4));
		assert_int_equal(u.hot_x, at(20, 4));
		assert_int_equal(u.hot_y, at(24, 4));
	}
}

static void test_wire_memory_create(void **state)
{
	struct vgm_gpu_memory_create m;

	(void)state;
	DECODE(VGM_DIALECT_MEMORY_RFC, VGM_GPU_CMD_MEMORY_CREATE, 24, &m);
	assert_int_equal(m.size, at(0, 8));
	assert_int_equal(m.memory_id, at(8, 4));
	assert_int_equal(m.nr_entries, at(12, 4));
	assert_int_equal(m.flags, at(16, 4));
}

static void test_wire_attach_memory(void **state)
{
	struct vgm_gpu_resource_attach_memory a;

	(void)state;
	DECODE(VGM_DIALECT_MEMORY_RFC, VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, 40, &a);
	assert_int_equal(a.resource_id, at(0, 4));
	assert_int_equal(a.memory_id, at(4, 4));
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(a.offset[i], at(8 + 8 * i, 8));
}

static void test_wire_create_blob(void **state)
{
	struct vgm_gpu_resource_create_blob b;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_CREATE_BLOB, 32, &b);
	assert_int_equal(b.resource_id, at(0, 4));
	assert_int_equal(b.blob_mem, at(4, 4));
	assert_int_equal(b.blob_flags, at(8, 4));
	assert_int_equal(b.nr_entries, at(12, 4));
	assert_int_equal(b.blob_id, at(16, 8));
	assert_int_equal(b.size, at(24, 8));
}

static void test_wire_set_scanout_blob(void **state)
{
	struct vgm_gpu_set_scanout_blob s;

	(void)state;
	DECODE(VGM_DIALECT_STANDARD, VGM_GPU_CMD_SET_SCANOUT_BLOB, 72, &s);
	assert_rect_at(&s.r, 0);
	assert_int_equal(s.scanout_id, at(16, 4));
	assert_int_equal(s.resource_id, at(20, 4));
	assert_int_equal(s.width, at(24, 4));
	assert_int_equal(s.height, at(28, 4));
	assert_int_equal(s.format, at(32, 4));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(s.strides[i], at(40 + 4 * i, 4));
		assert_int_equal(s.offsets[i], at(56 + 4 * i, 4));
	}
}

/* GET_DISPLAY_INFO carries nothing after its header: decoding it reads and
 * writes nothing, however many bytes follow. */
static void test_wire_nothing(void **state)
{
	const struct vgm_wire_layout *l =
		wire_command(VGM_DIALECT_STANDARD, VGM_GPU_CMD_GET_DISPLAY_INFO)->request;
	uint8_t buf[WIRE_HDR_SIZE + 8];
	struct vgm_gpu_ctrl_hdr out = { 0 };
	const struct vgm_gpu_ctrl_hdr zero = { 0 };

	(void)state;
	body_bytes(buf, sizeof(buf));
	assert_int_equal(l->size, WIRE_HDR_SIZE);
	assert_true(wire_decode_body(l, buf, WIRE_HDR_SIZE, &out));
	assert_true(wire_decode_body(l, buf, sizeof(buf), &out));
	assert_memory_equal(&out, &zero, sizeof(out));
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
