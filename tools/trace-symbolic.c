/* SPDX-License-Identifier: MIT */
/*
 * Requests written by name: "RESOURCE_CREATE_2D resource_id=2 format=B8G8R8X8
 * width=64 height=64". Names come from vgm_command_name() in the trace's
 * dialect; the layouts below are the wire structs of protocol.h, of the
 * memory-regions proposal and, for the 3D commands the library refuses, of
 * the virtio 1.3 specification. Every field defaults to 0.
 */
#include <stdlib.h>
#include <string.h>

#include "trace-private.h"

#define HDR_SIZE 24u
#define ENTRY_SIZE 16u
#define MAX_BODY 72u

enum kind {
	K_U8,
	K_U32,
	K_U64,
	K_RECT,	  /* x,y,width,height: four u32 */
	K_FORMAT, /* u32, or a VGM_GPU_FORMAT_* name */
	K_NR,	  /* u32; default: the number of entries */
	K_SUM,	  /* u64; default: the sum of the entries' lengths */
	K_ARR32,  /* 1..4 u32, comma-separated, the rest 0 */
	K_ARR64,  /* 1..4 u64 */
	K_STR,	  /* up to 64 bytes of text, NUL-padded */
	K_NLEN,	  /* u32; default: the length of the K_STR field */
};

struct field {
	const char *key;
	enum kind kind;
	uint8_t off; /* from the end of the header */
};

struct layout {
	const char *name;
	uint8_t size; /* of the body */
	bool entries; /* mem entries follow the body (entries=) */
	const struct field *fields;
};

#define END { NULL, K_U32, 0 }

static const struct field f_none[] = { END };
static const struct field f_res[] = { { "resource_id", K_U32, 0 }, { "padding", K_U32, 4 }, END };
static const struct field f_create_2d[] = {
	{ "resource_id", K_U32, 0 }, { "format", K_FORMAT, 4 },
	{ "width", K_U32, 8 },	     { "height", K_U32, 12 },
	END,
};
static const struct field f_set_scanout[] = {
	{ "rect", K_RECT, 0 }, { "scanout_id", K_U32, 16 }, { "resource_id", K_U32, 20 }, END
};
static const struct field f_flush[] = {
	{ "rect", K_RECT, 0 }, { "resource_id", K_U32, 16 }, { "padding", K_U32, 20 }, END
};
static const struct field f_transfer[] = {
	{ "rect", K_RECT, 0 },	      { "offset", K_U64, 16 },
	{ "resource_id", K_U32, 24 }, { "padding", K_U32, 28 },
	END,
};
static const struct field f_attach[] = {
	{ "resource_id", K_U32, 0 }, { "nr_entries", K_NR, 4 }, END
};
static const struct field f_capset_info[] = {
	{ "capset_index", K_U32, 0 }, { "padding", K_U32, 4 }, END
};
static const struct field f_capset[] = {
	{ "capset_id", K_U32, 0 }, { "capset_version", K_U32, 4 }, END
};
static const struct field f_edid[] = { { "scanout", K_U32, 0 }, { "padding", K_U32, 4 }, END };
static const struct field f_create_blob[] = {
	{ "resource_id", K_U32, 0 }, { "blob_mem", K_U32, 4 }, { "blob_flags", K_U32, 8 },
	{ "nr_entries", K_NR, 12 },  { "blob_id", K_U64, 16 }, { "size", K_SUM, 24 },
	END,
};
static const struct field f_scanout_blob[] = {
	{ "rect", K_RECT, 0 },	   { "scanout_id", K_U32, 16 }, { "resource_id", K_U32, 20 },
	{ "width", K_U32, 24 },	   { "height", K_U32, 28 },	{ "format", K_FORMAT, 32 },
	{ "padding", K_U32, 36 },  { "strides", K_ARR32, 40 },	{ "offsets", K_ARR32, 56 },
	END,
};
static const struct field f_memory_create[] = {
	{ "size", K_SUM, 0 }, { "memory_id", K_U32, 8 }, { "nr_entries", K_NR, 12 },
	{ "flags", K_U32, 16 }, { "padding", K_U32, 20 },
	END,
};
static const struct field f_memory_unref[] = {
	{ "memory_id", K_U32, 0 }, { "padding", K_U32, 4 }, END
};
static const struct field f_attach_memory[] = {
	{ "resource_id", K_U32, 0 }, { "memory_id", K_U32, 4 }, { "offset", K_ARR64, 8 }, END
};
static const struct field f_ctx_create[] = {
	{ "nlen", K_NLEN, 0 }, { "context_init", K_U32, 4 }, { "debug_name", K_STR, 8 }, END
};
static const struct field f_create_3d[] = {
	{ "resource_id", K_U32, 0 }, { "target", K_U32, 4 },	  { "format", K_U32, 8 },
	{ "bind", K_U32, 12 },	     { "width", K_U32, 16 },	  { "height", K_U32, 20 },
	{ "depth", K_U32, 24 },	     { "array_size", K_U32, 28 }, { "last_level", K_U32, 32 },
	{ "nr_samples", K_U32, 36 }, { "flags", K_U32, 40 },	  { "padding", K_U32, 44 },
	END,
};
static const struct field f_transfer_3d[] = {
	{ "x", K_U32, 0 },	      { "y", K_U32, 4 },	{ "z", K_U32, 8 },
	{ "w", K_U32, 12 },	      { "h", K_U32, 16 },	{ "d", K_U32, 20 },
	{ "offset", K_U64, 24 },      { "resource_id", K_U32, 32 }, { "level", K_U32, 36 },
	{ "stride", K_U32, 40 },      { "layer_stride", K_U32, 44 },
	END,
};
static const struct field f_submit[] = { { "size", K_U32, 0 }, { "padding", K_U32, 4 }, END };
static const struct field f_map_blob[] = {
	{ "resource_id", K_U32, 0 }, { "padding", K_U32, 4 }, { "offset", K_U64, 8 }, END
};
static const struct field f_cursor[] = {
	{ "scanout_id", K_U32, 0 },   { "x", K_U32, 4 },	 { "y", K_U32, 8 },
	{ "resource_id", K_U32, 16 }, { "hot_x", K_U32, 20 }, { "hot_y", K_U32, 24 },
	{ "padding", K_U32, 28 },
	END,
};

static const struct layout layouts[] = {
	{ "HDR", 0, false, f_none },
	{ "GET_DISPLAY_INFO", 0, false, f_none },
	{ "RESOURCE_CREATE_2D", 16, false, f_create_2d },
	{ "RESOURCE_UNREF", 8, false, f_res },
	{ "SET_SCANOUT", 24, false, f_set_scanout },
	{ "RESOURCE_FLUSH", 24, false, f_flush },
	{ "TRANSFER_TO_HOST_2D", 32, false, f_transfer },
	{ "RESOURCE_ATTACH_BACKING", 8, true, f_attach },
	{ "RESOURCE_DETACH_BACKING", 8, false, f_res },
	{ "GET_CAPSET_INFO", 8, false, f_capset_info },
	{ "GET_CAPSET", 8, false, f_capset },
	{ "GET_EDID", 8, false, f_edid },
	{ "RESOURCE_ASSIGN_UUID", 8, false, f_res },
	{ "RESOURCE_CREATE_BLOB", 32, true, f_create_blob },
	{ "SET_SCANOUT_BLOB", 72, false, f_scanout_blob },
	{ "MEMORY_CREATE", 24, true, f_memory_create },
	{ "MEMORY_UNREF", 8, false, f_memory_unref },
	{ "RESOURCE_ATTACH_MEMORY", 40, false, f_attach_memory },
	{ "CTX_CREATE", 72, false, f_ctx_create },
	{ "CTX_DESTROY", 0, false, f_none },
	{ "CTX_ATTACH_RESOURCE", 8, false, f_res },
	{ "CTX_DETACH_RESOURCE", 8, false, f_res },
	{ "RESOURCE_CREATE_3D", 48, false, f_create_3d },
	{ "TRANSFER_TO_HOST_3D", 48, false, f_transfer_3d },
	{ "TRANSFER_FROM_HOST_3D", 48, false, f_transfer_3d },
	{ "SUBMIT_3D", 8, false, f_submit },
	{ "RESOURCE_MAP_BLOB", 16, false, f_map_blob },
	{ "RESOURCE_UNMAP_BLOB", 8, false, f_res },
	{ "UPDATE_CURSOR", 32, false, f_cursor },
	{ "MOVE_CURSOR", 32, false, f_cursor },
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

/* Command types live in 0x01xx, 0x02xx and 0x03xx, low byte below 16. */
static bool lookup_type(enum vgm_dialect dialect, const char *name, uint32_t *type)
{
	for (uint32_t group = 1; group <= 3; group++) {
		for (uint32_t low = 0; low < 16; low++) {
			const char *n = vgm_command_name(dialect, group << 8 | low);

			if (n && strcmp(n, name) == 0) {
				*type = group << 8 | low;
				return true;
			}
		}
	}
	return false;
}

static const struct layout *find_layout(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		if (strcmp(layouts[i].name, name) == 0)
			return &layouts[i];
	}
	return NULL;
}

bool symbolic_is_name(enum vgm_dialect dialect, const char *tok)
{
	uint32_t type;

	return strcmp(tok, "HDR") == 0 || lookup_type(dialect, tok, &type);
}

/* ---- the values of one request ------------------------------------------- */

struct request {
	const struct layout *lay;
	uint8_t hdr[HDR_SIZE];
	uint8_t body[MAX_BODY];
	bool set[16];	     /* per field of the layout */
	char str[65];	     /* K_STR */
	bool have_flags;     /* hdr_flags= replaces the flags fence= and ring= imply */
	uint32_t implied;    /* flags implied by fence= and ring= */
	uint32_t seen;	     /* header and meta keys given, bit per key */
	struct bytes entries;
	uint32_t nentries;
	uint64_t entries_sum;
	bool have_len;
	uint64_t len;
	struct bytes split; /* only its cuts */
};

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
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

static int set_field(struct request *rq, const struct field *f, const char *key, const char *value,
		     struct trace_error *err)
{
	uint8_t *p = rq->body + f->off;
	uint64_t v[4] = { 0 };
	size_t n;

	switch (f->kind) {
	case K_U8:
		if (!lex_num(value, UINT8_MAX, &v[0]))
			return bad_value(err, key, value, "not a number up to 0xff");
		*p = (uint8_t)v[0];
		return 0;
	case K_U32:
	case K_NR:
	case K_NLEN:
		if (!lex_num(value, UINT32_MAX, &v[0]))
			return bad_value(err, key, value, "not a number up to 0xffffffff");
		put_le(p, v[0], 4);
		return 0;
	case K_U64:
	case K_SUM:
		if (!lex_u64(value, &v[0]))
			return bad_value(err, key, value, "not a 64-bit number");
		put_le(p, v[0], 8);
		return 0;
	case K_FORMAT:
		if (!parse_format(value, &v[0]))
			return bad_value(err, key, value, "not a format name or 32-bit number");
		put_le(p, v[0], 4);
		return 0;
	case K_RECT:
		if (!num_list(value, UINT32_MAX, v, 4, 4, &n))
			return bad_value(err, key, value, "not x,y,width,height (32-bit numbers)");
		for (size_t i = 0; i < 4; i++)
			put_le(p + 4 * i, v[i], 4);
		return 0;
	case K_ARR32:
	case K_ARR64:
		if (!num_list(value, f->kind == K_ARR32 ? UINT32_MAX : UINT64_MAX, v, 1, 4, &n))
			return bad_value(err, key, value, "not 1 to 4 comma-separated numbers");
		for (size_t i = 0; i < 4; i++)
			put_le(p + (f->kind == K_ARR32 ? 4 : 8) * i, v[i], f->kind == K_ARR32 ? 4 : 8);
		return 0;
	case K_STR:
		if (strlen(value) > 64)
			return bad_value(err, key, value, "longer than 64 bytes");
		memcpy(p, value, strlen(value));
		strcpy(rq->str, value);
		return 0;
	}
	return bad_value(err, key, value, "no such field kind");
}

/* entries=addr:length,addr:length,... (nothing after '=': no entries). */
static int set_entries(struct request *rq, const char *value, struct trace_error *err)
{
	const char *s = value;

	while (*s) {
		uint8_t e[ENTRY_SIZE] = { 0 };
		uint64_t addr, len;

		if (!lex_num_until(&s, ":", UINT64_MAX, &addr) || *s++ != ':' ||
		    !lex_num_until(&s, ",", UINT32_MAX, &len) || (*s && !*++s))
			return bad_value(err, "entries", value,
					 "not addr:length,... (64-bit addr, 32-bit length)");
		put_le(e, addr, 8);
		put_le(e + 8, len, 4);
		if (bytes_put(&rq->entries, e, sizeof(e), err) < 0)
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

enum hkey { H_TYPE, H_FLAGS, H_FENCE, H_CTX, H_RING, H_LEN, H_SPLIT, H_ENTRIES, H_COUNT };

static const char *const hkeys[H_COUNT] = {
	"type", "hdr_flags", "fence", "ctx", "ring", "len", "split", "entries",
};

static int set_header_key(struct request *rq, enum hkey k, const char *value,
			  struct trace_error *err)
{
	static const uint8_t off[] = { [H_TYPE] = 0, [H_FLAGS] = 4, [H_FENCE] = 8, [H_CTX] = 16,
				       [H_RING] = 20 };
	static const uint8_t size[] = { [H_TYPE] = 4, [H_FLAGS] = 4, [H_FENCE] = 8, [H_CTX] = 4,
					[H_RING] = 1 };
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
	if (!lex_num(value, size[k] == 8 ? UINT64_MAX : (1ull << (8 * size[k])) - 1, &v))
		return bad_value(err, hkeys[k], value, "not a number of the field's size");
	put_le(rq->hdr + off[k], v, size[k]);
	rq->have_flags |= k == H_FLAGS;
	rq->implied |= k == H_FENCE ? VGM_GPU_FLAG_FENCE : 0;
	rq->implied |= k == H_RING ? VGM_GPU_FLAG_INFO_RING_IDX : 0;
	return 0;
}

static int set_key(struct request *rq, const char *key, const char *value,
		   struct trace_error *err)
{
	const char *field = strcmp(key, "id") == 0 ? "resource_id" : key;

	for (int k = 0; k < H_COUNT; k++) {
		if (strcmp(key, hkeys[k]) != 0 || (k == H_ENTRIES && !rq->lay->entries))
			continue;
		if (rq->seen & (1u << k))
			return trace_fail(err, "%s= given twice", key);
		rq->seen |= 1u << k;
		return set_header_key(rq, (enum hkey)k, value, err);
	}
	for (size_t i = 0; rq->lay->fields[i].key; i++) {
		if (strcmp(field, rq->lay->fields[i].key) != 0)
			continue;
		if (rq->set[i])
			return trace_fail(err, "%s= given twice", key);
		rq->set[i] = true;
		return set_field(rq, &rq->lay->fields[i], key, value, err);
	}
	return trace_fail(err, "%s has no key '%s' (see docs/trace-format.md)", rq->lay->name, key);
}

/* Fields whose default depends on the others. */
static void set_defaults(struct request *rq)
{
	for (size_t i = 0; rq->lay->fields[i].key; i++) {
		const struct field *f = &rq->lay->fields[i];

		if (rq->set[i])
			continue;
		if (f->kind == K_NR)
			put_le(rq->body + f->off, rq->nentries, 4);
		else if (f->kind == K_SUM)
			put_le(rq->body + f->off, rq->entries_sum, 8);
		else if (f->kind == K_NLEN)
			put_le(rq->body + f->off, strlen(rq->str), 4);
	}
	if (!rq->have_flags)
		put_le(rq->hdr + 4, rq->implied, 4);
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
		put_le(rq->hdr, type, 4);
	set_defaults(rq);
	if (bytes_put(b, rq->hdr, HDR_SIZE, err) < 0 ||
	    bytes_put(b, rq->body, rq->lay->size, err) < 0 ||
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
	struct request rq = { .lay = find_layout(toks[0]) };
	uint32_t type = 0;
	int ret;

	if (strcmp(toks[0], "HDR") != 0 && !lookup_type(dialect, toks[0], &type))
		return trace_fail(err, "%s is not a command of the %s dialect", toks[0],
				  dialect == VGM_DIALECT_MEMORY_RFC ? "memory-rfc" : "standard");
	if (!rq.lay)
		return trace_fail(err, "%s has no symbolic layout; write it in hex", toks[0]);
	bytes_init(&rq.entries);
	bytes_init(&rq.split);
	ret = encode(&rq, type, toks, n, b, err);
	bytes_fini(&rq.entries);
	bytes_fini(&rq.split);
	return ret;
}
