/* SPDX-License-Identifier: MIT */
/*
 * Decoding and encoding driven by the wire table (table.c). The decoder
 * walks a layout's fields in wire order, checking before each that the
 * message holds all of it, and stores each value at the field's offset in
 * the message's C struct; padding is read and dropped. The encoder walks
 * the same fields into the writer's buffer, padding zeroed. No other code
 * in the library knows where a field is.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* Numbers are copied as their bytes are: on a little-endian host those are
 * their value, on the wire and in the C structs alike. The library refuses
 * other hosts (render/format.c's table needs one too). */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the wire codec assumes a little-endian host"
#endif

/* A walk through a message: its bytes, and where the next field starts. */
struct walk {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

/* Copies a field's bytes into its C member. Small sizes are spelt out so
 * the compiler makes them plain moves: this runs for every field of every
 * request. */
static void store(void *out, size_t offset, const uint8_t *p, size_t n)
{
	uint8_t *dst = (uint8_t *)out + offset;

	switch (n) {
	case 1:
		*dst = *p;
		break;
	case 4:
		memcpy(dst, p, 4);
		break;
	case 8:
		memcpy(dst, p, 8);
		break;
	case 16:
		memcpy(dst, p, 16);
		break;
	default:
		memcpy(dst, p, n);
		break;
	}
}

static bool get_fields(const struct vgm_wire_field *f, size_t n, struct walk *w, void *out);

static bool get_records(const struct vgm_wire_field *f, struct walk *w, void *out)
{
	for (uint32_t i = 0; i < f->count; i++) {
		uint8_t *rec = (uint8_t *)out + f->offset + (size_t)i * f->record->size;

		if (!get_fields(f->record->fields, f->record->nfields, w, rec))
			return false;
	}
	return true;
}

/* Reads the fields in order from the walk's position, which moves past
 * them; false when the message ends before a field does. */
static bool get_fields(const struct vgm_wire_field *f, size_t n, struct walk *w, void *out)
{
	for (const struct vgm_wire_field *end = f + n; f < end; f++) {
		const uint8_t *p = w->p + w->pos;

		if (f->kind == VGM_WIRE_RECORDS) {
			if (!get_records(f, w, out))
				return false;
			continue;
		}
		if (w->len - w->pos < f->size)
			return false;
		w->pos += f->size;
		if (f->kind != VGM_WIRE_PAD) /* padding is read and dropped */
			store(out, f->offset, p, f->size);
	}
	return true;
}

bool wire_layout_flat(const struct vgm_wire_layout *l)
{
	size_t pos = 0;

	for (uint32_t i = 0; i < l->nfields; i++) {
		const struct vgm_wire_field *f = &l->fields[i];

		if (f->kind == VGM_WIRE_RECORDS || f->offset != pos)
			return false;
		pos += f->size;
	}
	return pos == l->size;
}

bool wire_decode_hdr(const uint8_t *msg, size_t len, struct vgm_gpu_ctrl_hdr *h)
{
	const struct vgm_wire_layout *l = wire_header();
	struct walk w = { msg, len, 0 };

	return get_fields(l->fields, l->nfields, &w, h);
}

bool wire_decode_body(const struct vgm_wire_layout *l, const uint8_t *msg, size_t len, void *out)
{
	/* Every message's first fields are the header's (test-wire checks). */
	size_t first = wire_header()->nfields;
	struct walk w = { msg, len, WIRE_HDR_SIZE };

	if (len < WIRE_HDR_SIZE)
		return false;
	return get_fields(l->fields + first, l->nfields - first, &w, out);
}

bool wire_decode_record(const struct vgm_wire_layout *rec, const uint8_t *bytes, size_t len,
			void *out)
{
	struct walk w = { bytes, len, 0 };

	return get_fields(rec->fields, rec->nfields, &w, out);
}

/* ---- encoding ----------------------------------------------------------------- */

/* Writes the fields of a struct at in into dst, the bytes of its layout. */
static void put_fields(const struct vgm_wire_field *f, size_t n, const uint8_t *in, uint8_t *dst)
{
	for (const struct vgm_wire_field *end = f + n; f < end; f++) {
		if (f->kind == VGM_WIRE_PAD)
			memset(dst + f->offset, 0, f->size);
		else if (f->kind == VGM_WIRE_RECORDS)
			for (uint32_t i = 0; i < f->count; i++)
				put_fields(f->record->fields, f->record->nfields,
					   in + f->offset + (size_t)i * f->record->size,
					   dst + f->offset + (size_t)i * f->record->size);
		else
			store(dst, f->offset, in + f->offset, f->size);
	}
}

void wire_encode(const struct vgm_wire_layout *l, const void *in, struct writer *w)
{
	if (w->cap - w->pos < l->size)
		abort(); /* responses are sized by the library, never by the guest */
	put_fields(l->fields, l->nfields, in, w->buf + w->pos);
	w->pos += l->size;
}
