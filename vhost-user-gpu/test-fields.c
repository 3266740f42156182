/* SPDX-License-Identifier: MIT */
/*
 * The backend's reading of request fields through the library's wire
 * table: the fields it looks at are where virtio-gpu puts them, in each
 * dialect, and a request cut short, of a type the dialect does not have,
 * or without the field, gives no value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fields.h"
#include "util/util.h"

/* A GET_EDID request for scanout 3, with its padding. */
static void get_edid(uint8_t req[32])
{
	memset(req, 0, 32);
	put_le32(req, VGM_GPU_CMD_GET_EDID);
	put_le32(req + 24, 3);
	put_le32(req + 28, 0xdeadbeef);
}

static void test_fields_u32_reads_the_named_field(void **state)
{
	uint8_t req[32];
	uint32_t v = 0;

	(void)state;
	get_edid(req);
	assert_true(fields_u32(VGM_DIALECT_STANDARD, req, sizeof(req), "scanout", &v));
	assert_int_equal(v, 3);
	v = 0;
	assert_true(fields_u32(VGM_DIALECT_MEMORY_RFC, req, 28, "scanout", &v));
	assert_int_equal(v, 3);
}

static void test_fields_u32_refuses_what_is_not_there(void **state)
{
	uint8_t req[32];
	uint32_t v = 7;

	(void)state;
	get_edid(req);
	assert_false(fields_u32(VGM_DIALECT_STANDARD, req, 27, "scanout", &v));
	assert_false(fields_u32(VGM_DIALECT_STANDARD, req, 3, "scanout", &v));
	assert_false(fields_u32(VGM_DIALECT_STANDARD, req, sizeof(req), "resource_id", &v));
	assert_false(fields_u32(VGM_DIALECT_STANDARD, req, sizeof(req), "padding", &v));
	assert_false(fields_u32((enum vgm_dialect)7, req, sizeof(req), "scanout", &v));
	put_le32(req, 0x01ff); /* no such command */
	assert_false(fields_u32(VGM_DIALECT_STANDARD, req, sizeof(req), "scanout", &v));
	assert_int_equal(v, 7);
}

/* The memory entries' count and start: the numbers the recorder once
 * typed itself (count at 28/36, entries at 32/56/48, 16 bytes each). */
static void entries_at(enum vgm_dialect dialect, uint32_t type, uint32_t count_at,
		       uint32_t at)
{
	const struct vgm_wire_layout *l = fields_request(dialect, type);
	const struct vgm_wire_field *count = fields_flagged(l, VGM_WIRE_COUNT);

	assert_non_null(l);
	assert_int_equal(l->trailer, VGM_WIRE_TRAILER_RECORDS);
	assert_non_null(count);
	assert_int_equal(count->offset, count_at);
	assert_int_equal(l->size, at);
	assert_int_equal(l->record->size, 16);
	assert_int_equal(fields_named(l->record, "addr")->offset, 0);
	assert_int_equal(fields_named(l->record, "length")->offset, 8);
}

static void test_fields_find_the_memory_entries(void **state)
{
	(void)state;
	entries_at(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, 28, 32);
	entries_at(VGM_DIALECT_MEMORY_RFC, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, 28, 32);
	entries_at(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_CREATE_BLOB, 36, 56);
	entries_at(VGM_DIALECT_MEMORY_RFC, VGM_GPU_CMD_MEMORY_CREATE, 36, 48);
	/* the same number in the other dialect has no entries */
	assert_int_not_equal(
		fields_request(VGM_DIALECT_STANDARD, VGM_GPU_CMD_MEMORY_CREATE)->trailer,
		VGM_WIRE_TRAILER_RECORDS);
	assert_null(fields_flagged(fields_request(VGM_DIALECT_STANDARD, VGM_GPU_CMD_GET_EDID),
				   VGM_WIRE_COUNT));
	assert_null(fields_request(VGM_DIALECT_STANDARD, 0x01ff));
	assert_null(fields_named(NULL, "addr"));
}

static void test_fields_number_reads_numbers_only(void **state)
{
	const struct vgm_wire_layout *l =
		fields_request(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING)->record;
	uint8_t e[16];
	uint64_t v = 0;

	(void)state;
	put_le64(e, 0x123456789abcdef0ull);
	put_le32(e + 8, 0x1000);
	put_le32(e + 12, 0x55);
	assert_true(fields_number(fields_named(l, "addr"), e, sizeof(e), &v));
	assert_true(v == 0x123456789abcdef0ull);
	assert_true(fields_number(fields_named(l, "length"), e, 12, &v));
	assert_int_equal(v, 0x1000);
	v = 9;
	assert_false(fields_number(fields_named(l, "length"), e, 11, &v));
	assert_false(fields_number(fields_named(l, "padding"), e, sizeof(e), &v));
	assert_false(fields_number(NULL, e, sizeof(e), &v));
	assert_int_equal(v, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_u32_reads_the_named_field),
		cmocka_unit_test(test_fields_u32_refuses_what_is_not_there),
		cmocka_unit_test(test_fields_find_the_memory_entries),
		cmocka_unit_test(test_fields_number_reads_numbers_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
