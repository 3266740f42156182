/* SPDX-License-Identifier: MIT */
/*
 * The wire table (lib/wire/table.c) against itself: in every layout of
 * every command and response the fields follow each other without a gap
 * from offset 0 and fill the layout, so the offsets the table takes from
 * the C structs are the wire offsets the decoder walks; every message
 * begins with the header's six fields; kinds, sizes and counts agree;
 * names are unique within a layout; the encoder writes back what the
 * decoder read (padding as zeros). Also what each dialect has.
 *
 * The layouts against Linux's own structs: tests/abi/test-wire-table.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "wire/wire.h"

#define MSG_MAX 2048

static const char *const hdr_names[] = {
	"hdr.type", "hdr.flags", "hdr.fence_id", "hdr.ctx_id", "hdr.ring_idx", "hdr.padding",
};

/* Bytes one element of a kind takes; 0 for records (their layout says). */
static uint32_t element_size(uint32_t kind)
{
	switch (kind) {
	case VGM_WIRE_U8:
	case VGM_WIRE_TEXT:
	case VGM_WIRE_BYTES:
	case VGM_WIRE_PAD:
		return 1;
	case VGM_WIRE_U32:
	case VGM_WIRE_U32S:
		return 4;
	case VGM_WIRE_U64:
	case VGM_WIRE_U64S:
		return 8;
	case VGM_WIRE_RECT:
		return 16;
	default:
		return 0;
	}
}

static void check_layout(const struct vgm_wire_layout *l, const char *what);

static void check_field(const struct vgm_wire_field *f, const char *what)
{
	bool single = f->kind == VGM_WIRE_U8 || f->kind == VGM_WIRE_U32 ||
		      f->kind == VGM_WIRE_U64 || f->kind == VGM_WIRE_RECT;

	(void)what;
	assert_non_null(f->name);
	assert_true(f->kind >= VGM_WIRE_U8 && f->kind <= VGM_WIRE_RECORDS);
	assert_true(f->count >= 1);
	if (single)
		assert_int_equal(f->count, 1);
	if (f->kind == VGM_WIRE_RECORDS) {
		assert_non_null(f->record);
		assert_int_equal(f->size, f->count * f->record->size);
		check_layout(f->record, f->name);
	} else {
		assert_null(f->record);
		assert_int_equal(f->size, f->count * element_size(f->kind));
	}
}

/* Contiguous fields filling the layout, unique names, and the trailer's
 * count or length field where there must be one. */
static void check_layout(const struct vgm_wire_layout *l, const char *what)
{
	uint32_t walked = 0, counts = 0, lengths = 0;

	assert_true(l->nfields > 0);
	for (uint32_t i = 0; i < l->nfields; i++) {
		const struct vgm_wire_field *f = &l->fields[i];

		check_field(f, what);
		assert_int_equal(f->offset, walked);
		walked += f->size;
		counts += (f->flags & VGM_WIRE_COUNT) != 0;
		lengths += (f->flags & VGM_WIRE_LENGTH) != 0;
		for (uint32_t k = 0; k < i; k++)
			assert_string_not_equal(l->fields[k].name, f->name);
	}
	assert_int_equal(walked, l->size);
	assert_int_equal(counts, l->trailer == VGM_WIRE_TRAILER_RECORDS);
	assert_true(lengths <= (l->trailer == VGM_WIRE_TRAILER_BYTES));
	assert_true((l->record != NULL) == (l->trailer == VGM_WIRE_TRAILER_RECORDS));
	if (l->record)
		check_layout(l->record, what);
}

static void check_message(const struct vgm_wire_layout *l, const char *what)
{
	print_message("%s\n", what);
	check_layout(l, what);
	assert_true(l->size >= WIRE_HDR_SIZE && l->nfields >= 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(l->fields[i].name, hdr_names[i]);
	assert_int_equal(l->fields[6 % l->nfields].offset % WIRE_HDR_SIZE, 0);
}

static void test_wire_layouts_walk(void **state)
{
	const struct vgm_wire_command *w;

	(void)state;
	for (size_t i = 0; (w = wire_command_at(i)); i++) {
		assert_int_equal(w->size, sizeof(*w));
		check_message(w->request, w->name);
		assert_true((w->ok == 0) == (w->response == NULL));
		if (w->response)
			check_message(w->response, w->name);
	}
	check_message(wire_header(), "header");
	assert_int_equal(wire_header()->size, WIRE_HDR_SIZE);
}

/* Every command is in the dialects it says, and only there; no type twice
 * in a dialect. */
static void test_wire_dialects(void **state)
{
	const struct vgm_wire_command *w;

	(void)state;
	for (size_t i = 0; (w = wire_command_at(i)); i++) {
		for (int d = VGM_DIALECT_STANDARD; d <= VGM_DIALECT_MEMORY_RFC; d++) {
			const struct vgm_wire_command *found = wire_command(d, w->type);

			if (w->dialects & (1u << d))
				assert_ptr_equal(found, w);
			else
				assert_ptr_not_equal(found, w);
		}
		assert_true(w->queue == VGM_QUEUE_CONTROL || w->queue == VGM_QUEUE_CURSOR);
		assert_true((w->queue == VGM_QUEUE_CURSOR) == (w->ok == 0));
		if (w->ok) {
			enum vgm_dialect d = (w->dialects & 1u << VGM_DIALECT_STANDARD)
						     ? VGM_DIALECT_STANDARD
						     : VGM_DIALECT_MEMORY_RFC;

			assert_ptr_equal(wire_response(d, w->ok), w->response);
		}
	}
	assert_null(wire_command((enum vgm_dialect)2, VGM_GPU_CMD_GET_DISPLAY_INFO));
	/* The two dialects share the numbers 0x010b..0x010d. */
	assert_string_equal(wire_command(VGM_DIALECT_STANDARD, 0x010b)->name,
			    "RESOURCE_ASSIGN_UUID");
	assert_string_equal(wire_command(VGM_DIALECT_MEMORY_RFC, 0x010b)->name, "MEMORY_CREATE");
	assert_null(wire_response_name(VGM_DIALECT_MEMORY_RFC, VGM_GPU_RESP_OK_RESOURCE_UUID));
	assert_null(wire_response_name(VGM_DIALECT_STANDARD, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID));
	assert_int_equal(wire_response(VGM_DIALECT_STANDARD, VGM_GPU_RESP_OK_EDID)->size, 1056);
}

/* Zeroes the bytes of the padding fields of l in msg. */
static void zero_padding(const struct vgm_wire_layout *l, uint8_t *msg)
{
	for (uint32_t i = 0; i < l->nfields; i++) {
		const struct vgm_wire_field *f = &l->fields[i];

		if (f->kind == VGM_WIRE_PAD)
			memset(msg + f->offset, 0, f->size);
		for (uint32_t k = 0; f->kind == VGM_WIRE_RECORDS && k < f->count; k++)
			zero_padding(f->record, msg + f->offset + k * f->record->size);
	}
}

/* Decoding a message into its C struct, then encoding the struct, gives
 * back the bytes but for the padding. The C struct of every layout is as
 * large as the layout (the table's offsets come from it). */
static void round_trip(const struct vgm_wire_layout *l, const char *what)
{
	uint8_t in[MSG_MAX], c_struct[MSG_MAX], out[MSG_MAX];
	struct writer w;

	(void)what;
	assert_true(l->size <= MSG_MAX);
	for (size_t i = 0; i < l->size; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	memset(c_struct, 0, sizeof(c_struct));
	assert_true(wire_decode_hdr(in, l->size, (struct vgm_gpu_ctrl_hdr *)(void *)c_struct));
	assert_true(wire_decode_body(l, in, l->size, c_struct));
	writer_init(&w, out, l->size);
	wire_encode(l, c_struct, &w);
	assert_int_equal(w.pos, l->size);
	zero_padding(l, in);
	assert_memory_equal(out, in, l->size);
}

static void test_wire_round_trip(void **state)
{
	const struct vgm_wire_command *w;

	(void)state;
	for (size_t i = 0; (w = wire_command_at(i)); i++) {
		round_trip(w->request, w->name);
		if (w->response)
			round_trip(w->response, w->name);
	}
}

/* A flat layout's decoding is a copy: the struct the table's walk makes
 * (padding members zeroed) is the message's bytes with the padding zeroed.
 * A layout whose fields are not at their wire positions, or end short of
 * its size, is not flat. Every record layout the dispatch copies is flat,
 * and so is every request of the protocol but those with records inline. */
static void flat_is_a_copy(const struct vgm_wire_layout *l)
{
	uint8_t in[MSG_MAX], c_struct[MSG_MAX];

	for (size_t i = 0; i < l->size; i++)
		in[i] = (uint8_t)(i * 5 + 1);
	memset(c_struct, 0, sizeof(c_struct));
	assert_true(wire_decode_hdr(in, l->size, (struct vgm_gpu_ctrl_hdr *)(void *)c_struct));
	assert_true(wire_decode_body(l, in, l->size, c_struct));
	zero_padding(l, in);
	assert_memory_equal(c_struct, in, l->size);
}

static void test_wire_layout_flat(void **state)
{
	const struct vgm_wire_command *w;
	struct vgm_wire_field moved[2];
	struct vgm_wire_layout l;
	size_t flat = 0, all = 0;

	(void)state;
	for (size_t i = 0; (w = wire_command_at(i)); i++, all++) {
		bool inline_records = false;

		for (uint32_t k = 0; k < w->request->nfields; k++)
			inline_records |= w->request->fields[k].kind == VGM_WIRE_RECORDS;
		assert_int_equal(wire_layout_flat(w->request), !inline_records);
		if (wire_layout_flat(w->request)) {
			flat_is_a_copy(w->request);
			flat++;
		}
		if (w->request->record)
			assert_true(wire_layout_flat(w->request->record));
	}
	assert_true(flat > all / 2);
	/* Two u32 fields swapped in the C struct; then one short of the size. */
	w = wire_command(VGM_DIALECT_STANDARD, VGM_GPU_CMD_RESOURCE_UNREF);
	l = *w->request;
	l.fields = moved;
	l.nfields = 2;
	moved[0] = (struct vgm_wire_field){ .kind = VGM_WIRE_U32, .offset = 4, .size = 4 };
	moved[1] = (struct vgm_wire_field){ .kind = VGM_WIRE_U32, .offset = 0, .size = 4 };
	l.size = 8;
	assert_false(wire_layout_flat(&l));
	moved[0].offset = 0;
	moved[1].offset = 4;
	assert_true(wire_layout_flat(&l));
	l.size = 12;
	assert_false(wire_layout_flat(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_layouts_walk),
		cmocka_unit_test(test_wire_dialects),
		cmocka_unit_test(test_wire_round_trip),
		cmocka_unit_test(test_wire_layout_flat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
