/* SPDX-License-Identifier: MIT */
/*
 * Requests written by name: "RESOURCE_CREATE_2D resource_id=2 format=B8G8R8X8
 * width=64 height=64". Names and layouts are the library's own wire table
 * (vgm_wire_command()) in the trace's dialect: this file knows no offset.
 * A key is a field's name, or the last part of a dotted one when no other
 * field has it ("x" for "pos.x"); "id" is resource_id and "rect" the
 * rectangle "r". Every field defaults to 0.
 */
#include <stdlib.h>
#include <string.h>

#include "trace-private.h"

#define MAX_FIXED 256u	/* the largest fixed part of a request, header included */
#define MAX_FIELDS 32u

/* Header and layout keys, for every command. */
enum hkey { H_TYPE, H_FLAGS, H_FENCE, H_CTX, H_RING, H_LEN, H_SPLIT, H_ENTRIES, H_COUNT };

static const char *const hkeys[H_COUNT] = {
	"type", "hdr_flags", "fence", "ctx", "ring", "len", "split", "entries",
};
/* The header field each of the first keys sets. */
static const char *const hfields[H_LEN] = {
	"hdr.type", "hdr.flags", "hdr.fence_id", "hdr.ctx_id", "hdr.ring_idx",
};

static const struct {
	const char *name;
	uint32_t value;
} formats[] = {
	{ "B8G8R8A8", VGM_GPU_FORMAT_B8G8R8A8_UNORM }, { "B8G8R8X8", VGM_GPU_FORMAT_B8G8R8X8_UNORM },
	{ "A8R8G8B8", VGM_GPU_FORMAT_A8R8G8B8_UNORM }, { "X8R8G8B8", VGM_GPU_FORMAT_X8R8G8B8_UNORM },
	{ "R8G8B8A8", VGM_GPU_FORMAT_R8G8B8A8_UNORM }, { "X8B8G8R8", VGM_GPU_FORMAT_X8B8G8R8_UNORM },
	{ "A8B8G8R8", VGM_GPU_FORMAT_A8B8G8R8_UNORM }, { "R8G8B8X8", VGM_GPU_FORMAT_R8G8B8X8_UNORM },
};

/* The header alone: GET_DISPLAY_INFO's request is nothing else. */
static const struct vgm_wire_layout *header_layout(enum vgm_dialect dialect)
{
	return vgm_wire_command(dialect, VGM_GPU_CMD_GET_DISPLAY_INFO)->request;
}

/* Command types live in 0x01xx, 0x02xx and 0x03xx, low byte below 16. */
static const struct vgm_wire_command *lookup(enum vgm_dialect dialect, const char *name)
{
	for (uint32_t group = 1; group <= 3; group++) {
		for (uint32_t low = 0; low < 16; low++) {
			const struct vgm_wire_command *w = vgm_wire_command(dialect, group << 8 | low);

			if (w && strcmp(w->name, name) == 0)
				return w;
		}
	}
	return NULL;
}

bool symbolic_is_name(enum vgm_dialect dialect, const char *tok)
{
	return strcmp(tok, "HDR") == 0 || lookup(dialect, tok);
}

static const struct vgm_wire_field *field_named(const struct vgm_wire_layout *l, const char *name)
{
	for (uint32_t i = 0; i < l->nfields; i++) {
		if (strcmp(l->fields[i].name, name) == 0)
			return &l->fields[i];
	}
	return NULL;
}

/* ---- the values of one request ------------------------------------------- */

struct request {
	const char *name;		   /* as the trace wrote it */
	const struct vgm_wire_layout *lay; /* the request, header included */
	uint32_t nhdr;			   /* its first fields are the header's */
	const struct vgm_wire_field *hdr[H_LEN]; /* the header fields of hkeys */
	uint8_t bytes[MAX_FIXED];	   /* the fixed part */
	bool set[MAX_FIELDS];		   /* per field of the layout */
	size_t text_len;		   /* of the TEXT field */
	bool have_flags;  /* hdr_flags= replaces the flags fence= and ring= imply */
	uint32_t implied; /* flags implied by fence= and ring= */
	uint32_t seen;	  /* header and meta keys given, bit per key */
	struct bytes entries;
	uint32_t nentries;
	uint64_t entries_sum;
	bool have_len;
	uint64_t len;
	struct bytes split; /* only its cuts */
};

static void put_field(struct request *rq, const struct vgm_wire_field *f, uint64_t v)
{
	le_store(rq->bytes + f->offset, v, f->size);
}

static int bad_value(struct trace_error *err, const char *key, const char *value,
		     const char *what)
{
	return trace_fail(err, "%s=%s: %s", key, value, what);
}

/* n numbers separated by commas, each up to max, into out. */
static bool num_list(const char *s, uint64_t max, uint64_t *out, size_t min_n, size_t max_n,
		     size_t *n)
{
	size_t i = 0;

	for (;;) {
		if (i == max_n || !lex_num_until(&s, ",", max, &out[i++]))
			return false;
		if (!*s)
			break;
		s++; /* the comma */
	}
	*n = i;
	return i >= min_n;
}

static bool parse_format(const char *s, uint64_t *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		size_t len = strlen(formats[i].name);

		if (strncmp(s, formats[i].name, len) == 0 &&
		    (s[len] == '\0' || strcmp(s + len, "_UNORM") == 0)) {
			*v = formats[i].value;
			return true;
		}
	}
	return lex_num(s, UINT32_MAX, v);
}

/* A number of up to 8 bytes (U8, U32, padding), or a format name. */
static int set_number(struct request *rq, const struct vgm_wire_field *f, const char *key,
		      const char *value, struct trace_error *err)
{
	uint64_t max = f->size >= 8 ? UINT64_MAX : (1ull << (8 * f->size)) - 1;
	char what[48];
	uint64_t v;

	if (f->flags & VGM_WIRE_FORMAT) {
		if (!parse_format(value, &v))
			return bad_value(err, key, value, "not a format name or 32-bit number");
	} else if (f->size == 8) {
		if (!lex_u64(value, &v))
			return bad_value(err, key, value, "not a 64-bit number");
	} else if (!lex_num(value, max, &v)) {
		snprintf(what, sizeof(what), "not a number up to 0x%llx", (unsigned long long)max);
		return bad_value(err, key, value, what);
	}
	put_field(rq, f, v);
	return 0;
}

/* Comma-separated numbers: the rectangle's four, or 1..count of an array
 * (the rest 0). */
static int set_numbers(struct request *rq, const struct vgm_wire_field *f, const char *key,
		       const char *value, struct trace_error *err)
{
	bool rect = f->kind == VGM_WIRE_RECT;
	uint32_t width = f->kind == VGM_WIRE_U64S ? 8 : 4;
	uint32_t count = f->size / width;
	uint64_t v[16] = { 0 };
	char what[48];
	size_t n;

	if (count > ARRAY_SIZE(v))
		return bad_value(err, key, value, "too many numbers; write it in hex");
	if (!num_list(value, width == 8 ? UINT64_MAX : UINT32_MAX, v, rect ? 4 : 1, count, &n)) {
		if (rect)
			return bad_value(err, key, value, "not x,y,width,height (32-bit numbers)");
		snprintf(what, sizeof(what), "not 1 to %u comma-separated numbers", count);
		return bad_value(err, key, value, what);
	}
	for (uint32_t i = 0; i < count; i++)
		le_store(rq->bytes + f->offset + width * i, v[i], width);
	return 0;
}

static int set_field(struct request *rq, const struct vgm_wire_field *f, const char *key,
		     const char *value, struct trace_error *err)
{
	char what[48];

	switch (f->kind) {
	case VGM_WIRE_U8:
	case VGM_WIRE_U32:
	case VGM_WIRE_U64:
		return set_number(rq, f, key, value, err);
	case VGM_WIRE_PAD:
		if (f->size > 8)
			break;
		return set_number(rq, f, key, value, err);
	case VGM_WIRE_RECT:
	case VGM_WIRE_U32S:
	case VGM_WIRE_U64S:
		return set_numbers(rq, f, key, value, err);
	case VGM_WIRE_TEXT:
		if (strlen(value) > f->size) {
			snprintf(what, sizeof(what), "longer than %u bytes", f->size);
			return bad_value(err, key, value, what);
		}
		memcpy(rq->bytes + f->offset, value, strlen(value));
		rq->text_len = strlen(value);
		return 0;
	default:
		break;
	}
	return bad_value(err, key, value, "has no symbolic value; write the request in hex");
}

/* entries=addr:length,addr:length,... (nothing after '=': no entries). */
static int set_entries(struct request *rq, const char *value, struct trace_error *err)
{
	const struct vgm_wire_layout *rec = rq->lay->record;
	const struct vgm_wire_field *addr = field_named(rec, "addr");
	const struct vgm_wire_field *length = field_named(rec, "length");
	const char *s = value;

	if (!addr || !length || rec->size > MAX_FIXED)
		return trace_fail(err, "entries: the library's entry has no addr and length");
	while (*s) {
		uint8_t e[MAX_FIXED] = { 0 };
		uint64_t a, len;

		if (!lex_num_until(&s, ":", UINT64_MAX, &a) || *s++ != ':' ||
		    !lex_num_until(&s, ",", UINT32_MAX, &len) || (*s && !*++s))
			return bad_value(err, "entries", value,
					 "not addr:length,... (64-bit addr, 32-bit length)");
		le_store(e + addr->offset, a, addr->size);
		le_store(e + length->offset, len, length->size);
		if (bytes_put(&rq->entries, e, rec->size, err) < 0)
			return -1;
		rq->nentries++;
		rq->entries_sum += len; /* < 2^32 entries of < 2^32 bytes */
	}
	return 0;
}

/* split=off,off,...: descriptor boundaries at these byte offsets. */
static int set_split(struct request *rq, const char *value, struct trace_error *err)
{
	const char *s = value;

	while (*s) {
		uint64_t off;

		if (!lex_num_until(&s, ",", SIZE_MAX, &off) || (*s && !*++s))
			return bad_value(err, "split", value, "not a list of byte offsets");
		if (bytes_cut_at(&rq->split, (size_t)off, err) < 0)
			return -1;
	}
	if (!rq->split.ncuts)
		return bad_value(err, "split", value, "no offsets");
	return 0;
}

static int set_header_key(struct request *rq, enum hkey k, const char *value,
			  struct trace_error *err)
{
	const struct vgm_wire_field *f;
	uint64_t v;

	if (k == H_ENTRIES)
		return set_entries(rq, value, err);
	if (k == H_SPLIT)
		return set_split(rq, value, err);
	if (k == H_LEN) {
		rq->have_len = true;
		if (!lex_num(value, TRACE_MAX_RESP_SIZE, &rq->len))
			return bad_value(err, hkeys[k], value, "not a length up to 16 MiB");
		return 0;
	}
	f = rq->hdr[k];
	if (!lex_num(value, f->size >= 8 ? UINT64_MAX : (1ull << (8 * f->size)) - 1, &v))
		return bad_value(err, hkeys[k], value, "not a number of the field's size");
	put_field(rq, f, v);
	rq->have_flags |= k == H_FLAGS;
	rq->implied |= k == H_FENCE ? VGM_GPU_FLAG_FENCE : 0;
	rq->implied |= k == H_RING ? VGM_GPU_FLAG_INFO_RING_IDX : 0;
	return 0;
}

/* The last part of a dotted name ("x" of "pos.x"), or the name. */
static const char *last_part(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/* The body field a key names: its name, or the last part of a dotted one
 * when no other body field has that last part. -1: none. */
static int body_field(const struct request *rq, const char *key)
{
	const char *name = strcmp(key, "id") == 0 ? "resource_id" : key;
	int found = -1, by_part = -1, parts = 0;

	if (strcmp(key, "rect") == 0)
		name = "r";
	for (uint32_t i = rq->nhdr; i < rq->lay->nfields; i++) {
		const char *fname = rq->lay->fields[i].name;

		if (strcmp(fname, name) == 0)
			found = (int)i;
		else if (strchr(fname, '.') && strcmp(last_part(fname), name) == 0 && ++parts)
			by_part = (int)i;
	}
	return found >= 0 ? found : parts == 1 ? by_part : -1;
}

static int set_key(struct request *rq, const char *key, const char *value,
		   struct trace_error *err)
{
	int i;

	for (int k = 0; k < H_COUNT; k++) {
		if (strcmp(key, hkeys[k]) != 0 ||
		    (k == H_ENTRIES && rq->lay->trailer != VGM_WIRE_TRAILER_RECORDS))
			continue;
		if (rq->seen & (1u << k))
			return trace_fail(err, "%s= given twice", key);
		rq->seen |= 1u << k;
		return set_header_key(rq, (enum hkey)k, value, err);
	}
	i = body_field(rq, key);
	if (i < 0)
		return trace_fail(err, "%s has no key '%s' (see docs/trace-format.md)", rq->name,
				  key);
	if (rq->set[i])
		return trace_fail(err, "%s= given twice", key);
	rq->set[i] = true;
	return set_field(rq, &rq->lay->fields[i], key, value, err);
}

/* Fields whose default depends on the others. */
static void set_defaults(struct request *rq)
{
	for (uint32_t i = rq->nhdr; i < rq->lay->nfields; i++) {
		const struct vgm_wire_field *f = &rq->lay->fields[i];

		if (rq->set[i])
			continue;
		if (f->flags & VGM_WIRE_COUNT)
			put_field(rq, f, rq->nentries);
		else if (f->flags & VGM_WIRE_TOTAL)
			put_field(rq, f, rq->entries_sum);
		else if (f->flags & VGM_WIRE_TEXT_LENGTH)
			put_field(rq, f, rq->text_len);
	}
	if (!rq->have_flags)
		put_field(rq, rq->hdr[H_FLAGS], rq->implied);
}

/* len= and split=, once every byte is there. */
static int apply_meta(struct request *rq, struct bytes *b, struct trace_error *err)
{
	if (rq->have_len && bytes_resize(b, (size_t)rq->len, err) < 0)
		return -1;
	for (size_t i = 0; i < rq->split.ncuts; i++) {
		if (bytes_cut_at(b, rq->split.cuts[i], err) < 0)
			return -1;
	}
	return bytes_sort_cuts(b, err);
}

static int encode(struct request *rq, uint32_t type, char **toks, size_t n, struct bytes *b,
		  struct trace_error *err)
{
	bool have_type = false;

	for (size_t i = 1; i < n; i++) {
		const char *value;
		char key[32];

		if (!lex_key(toks[i], key, sizeof(key), &value))
			continue;
		have_type |= strcmp(key, "type") == 0;
		if (set_key(rq, key, value, err) < 0)
			return -1;
	}
	if (!have_type)
		put_field(rq, rq->hdr[H_TYPE], type);
	set_defaults(rq);
	if (bytes_put(b, rq->bytes, rq->lay->size, err) < 0 ||
	    (rq->entries.len && bytes_put(b, rq->entries.data, rq->entries.len, err) < 0))
		return -1;
	/* What is not key=value is raw bytes after the struct and entries. */
	for (size_t i = 1; i < n; i++) {
		const char *value;
		char key[32];

		if (!lex_key(toks[i], key, sizeof(key), &value) && bytes_token(b, toks[i], err) < 0)
			return -1;
	}
	if (b->half)
		return trace_fail(err, "an odd number of hex digits after the fields");
	return apply_meta(rq, b, err);
}

int symbolic_encode(enum vgm_dialect dialect, char **toks, size_t n, struct bytes *b,
		    struct trace_error *err)
{
	const struct vgm_wire_command *w = NULL;
	struct request rq = { .name = toks[0], .lay = header_layout(dialect) };
	int ret;

	/* HDR: a bare header, its type given with type=. */
	if (strcmp(toks[0], "HDR") != 0 && !(w = lookup(dialect, toks[0])))
		return trace_fail(err, "%s is not a command of the %s dialect", toks[0],
				  dialect == VGM_DIALECT_MEMORY_RFC ? "memory-rfc" : "standard");
	rq.nhdr = rq.lay->nfields;
	if (w)
		rq.lay = w->request;
	if (rq.lay->size > MAX_FIXED || rq.lay->nfields > MAX_FIELDS)
		return trace_fail(err, "%s is too large to write symbolically; write it in hex",
				  toks[0]);
	for (int k = 0; k < H_LEN; k++) {
		rq.hdr[k] = field_named(rq.lay, hfields[k]);
		if (!rq.hdr[k])
			return trace_fail(err, "%s: the library's header has no %s", toks[0],
					  hfields[k]);
	}
	/* entries= and split= are held with the request's own bytes. */
	bytes_init(&rq.entries);
	rq.entries.room = b->room;
	bytes_init(&rq.split);
	rq.split.room = b->room;
	ret = encode(&rq, w ? w->type : 0, toks, n, b, err);
	bytes_fini(&rq.entries);
	bytes_fini(&rq.split);
	return ret;
}
