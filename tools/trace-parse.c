/* SPDX-License-Identifier: MIT */
/*
 * The lines of vgm-trace v1: device, ram, write, fill, ctrl, cursor, dump.
 * The parser remembers what earlier lines set up (dialect, scanouts, RAM
 * ranges) so that a line which cannot work is an error here, before
 * anything runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace-private.h"

#define MAX_DISPLAY 16384u
#define EDID_BLOCK 128u
#define EDID_MAX ((unsigned)VGM_GPU_EDID_MAX)

void trace_device_defaults(struct trace_device *d)
{
	*d = (struct trace_device){ .dialect = VGM_DIALECT_STANDARD, .num_scanouts = 1 };
	d->scanouts[0] = (struct vgm_scanout_config){ 1, VGM_DEFAULT_WIDTH, VGM_DEFAULT_HEIGHT };
}

void trace_parser_init(struct trace_parser *p)
{
	*p = (struct trace_parser){
		.dialect = VGM_DIALECT_STANDARD,
		.num_scanouts = 1,
		.max_ram = TRACE_DEFAULT_MAX_RAM,
		.max_ranges = TRACE_DEFAULT_MAX_RANGES,
		.max_data = TRACE_DEFAULT_MAX_DATA,
	};
}

void trace_parser_fini(struct trace_parser *p)
{
	free(p->ram);
	p->ram = NULL;
	p->nram = 0;
}

void trace_op_fini(struct trace_op *op)
{
	switch (op->kind) {
	case TRACE_DEVICE:
		for (size_t i = 0; i < ARRAY_SIZE(op->u.device.edid); i++)
			free(op->u.device.edid[i].data);
		break;
	case TRACE_WRITE:
		free(op->u.write.data);
		break;
	case TRACE_CTRL:
	case TRACE_CURSOR:
		free(op->u.req.data);
		free(op->u.req.cuts);
		break;
	case TRACE_DUMP:
		free(op->u.dump.path);
		break;
	default:
		break;
	}
	*op = (struct trace_op){ .kind = TRACE_NONE };
}

static int want_args(char **tok, size_t n, size_t want, const char *usage,
		     struct trace_error *err)
{
	if (n != want + 1)
		return trace_fail(err, "%s takes %zu argument%s: %s %s", tok[0], want,
				  want == 1 ? "" : "s", tok[0], usage);
	return 0;
}

static int number(const char *what, const char *s, uint64_t max, uint64_t *v,
		  struct trace_error *err)
{
	if (!lex_num(s, max, v))
		return trace_fail(err, "%s '%s' is not a number%s", what, s,
				  max == UINT64_MAX	 ? " (decimal or 0x hex, up to 64 bits)"
				  : max == UINT32_MAX ? " up to 0xffffffff"
						      : " in range");
	return 0;
}

/* ---- device ------------------------------------------------------------------ */

struct device_keys {
	uint32_t seen;	   /* bit per key below */
	uint32_t displays; /* bit per scanout given by display= */
	uint32_t edids;	   /* bit per scanout given by edid= */
};

static int display_key(struct trace_device *d, struct device_keys *k, const char *v,
		       struct trace_error *err)
{
	uint64_t i, w, h;
	const char *s = v;

	if (!lex_num_until(&s, ":", UINT32_MAX, &i) || *s++ != ':' ||
	    !lex_num_until(&s, "x", MAX_DISPLAY, &w) || *s++ != 'x' ||
	    !lex_num(s, MAX_DISPLAY, &h) || w == 0 || h == 0)
		return trace_fail(err, "display=%s is not <scanout>:<width>x<height> (sizes 1..%u)",
				  v, MAX_DISPLAY);
	if (i >= VGM_MAX_SCANOUTS)
		return trace_fail(err, "display=%s: scanout %llu is not below %u", v,
				  (unsigned long long)i, VGM_MAX_SCANOUTS);
	if (k->displays & (1u << i))
		return trace_fail(err, "display=%s: scanout %llu given twice", v,
				  (unsigned long long)i);
	if (!k->displays)
		d->scanouts[0] = (struct vgm_scanout_config){ 0 };
	k->displays |= 1u << i;
	d->scanouts[i] = (struct vgm_scanout_config){ 1, (uint32_t)w, (uint32_t)h };
	return 0;
}

static int no_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -EFAULT;
}

/* Whether the library takes these bytes as an EDID, asked of a scratch
 * device: the trace unit uses the public API only. 0, -EINVAL (refused),
 * -ENOMEM. */
static int edid_accepted(const uint8_t *edid, size_t len)
{
	static const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = no_translate };
	struct vgm_device_config cfg = { .size = sizeof(cfg), .num_scanouts = 1, .ops = &ops };
	struct vgm_device *dev;
	int ret = vgm_device_new(&cfg, &dev);

	if (ret < 0)
		return ret;
	ret = vgm_device_set_edid(dev, 0, edid, len);
	vgm_device_destroy(dev);
	return ret;
}

/* edid=<scanout>:<hex>: the EDID the device gives for that scanout. */
static int edid_key(struct trace_device *d, struct device_keys *k, const char *v,
		    struct trace_error *err)
{
	struct trace_request req = { 0 };
	const char *s = v;
	struct bytes b;
	size_t digits;
	uint64_t i;
	int ret;

	if (!lex_num_until(&s, ":", UINT32_MAX, &i) || *s++ != ':' || !bytes_is_hex(s))
		return trace_fail(err, "edid=%.24s%s is not <scanout>:<hex bytes>", v,
				  strlen(v) > 24 ? "..." : "");
	if (i >= VGM_MAX_SCANOUTS)
		return trace_fail(err, "edid=%llu:...: scanout %llu is not below %u",
				  (unsigned long long)i, (unsigned long long)i, VGM_MAX_SCANOUTS);
	digits = strlen(s);
	if (digits % 2)
		return trace_fail(err, "edid=%llu:...: an odd number of hex digits",
				  (unsigned long long)i);
	if (digits / 2 < EDID_BLOCK || digits / 2 > EDID_MAX || (digits / 2) % EDID_BLOCK)
		return trace_fail(err,
				  "edid=%llu:...: %zu bytes; an EDID is %u to %u bytes, "
				  "a multiple of %u",
				  (unsigned long long)i, digits / 2, EDID_BLOCK, EDID_MAX,
				  EDID_BLOCK);
	if (k->edids & (1u << i))
		return trace_fail(err, "edid=%llu:...: scanout %llu given twice",
				  (unsigned long long)i, (unsigned long long)i);
	bytes_init(&b);
	if (bytes_token(&b, s, err) < 0 || bytes_finish(&b, &req, err) < 0) {
		bytes_fini(&b);
		return -1;
	}
	free(req.cuts);
	ret = edid_accepted(req.data, req.len);
	if (ret < 0) {
		free(req.data);
		return ret == -ENOMEM ? trace_fail(err, "out of memory")
				      : trace_fail(err,
						   "edid=%llu:...: the library refuses this EDID "
						   "(header, extension count or checksum)",
						   (unsigned long long)i);
	}
	k->edids |= 1u << i;
	d->edid[i].data = req.data;
	d->edid[i].len = req.len;
	return 0;
}

static int dialect_key(struct trace_device *d, const char *v, struct trace_error *err)
{
	if (strcmp(v, "standard") == 0)
		d->dialect = VGM_DIALECT_STANDARD;
	else if (strcmp(v, "memory-rfc") == 0)
		d->dialect = VGM_DIALECT_MEMORY_RFC;
	else
		return trace_fail(err, "dialect=%s: not standard or memory-rfc", v);
	return 0;
}

static const char *const device_keys[] = {
	"dialect", "features", "scanouts", "display", "hostmem",
	"max-entries", "max-resources", "max-regions", "edid", "renderer",
};

/* The keys that may be given more than once (once per scanout). */
#define KEY_DISPLAY 3
#define KEY_EDID 8
#define KEY_RENDERER 9

static int renderer_key(struct trace_device *d, const char *v, struct trace_error *err)
{
	if (strcmp(v, "2d") == 0)
		d->renderer = VGM_RENDERER_2D;
	else if (strcmp(v, "virgl") == 0)
		d->renderer = VGM_RENDERER_VIRGL;
	else
		return trace_fail(err, "renderer=%s: not 2d or virgl", v);
	return 0;
}

static int device_key(struct trace_device *d, struct device_keys *k, int key, const char *v,
		      struct trace_error *err)
{
	uint64_t n;

	switch (key) {
	case 0:
		return dialect_key(d, v, err);
	case 1:
		d->have_features = true;
		return number("features", v, UINT64_MAX, &d->features, err);
	case 2:
		if (!lex_num(v, UINT32_MAX, &n) || n < 1 || n > VGM_MAX_SCANOUTS)
			return trace_fail(err, "scanouts=%s is not in 1..%u", v, VGM_MAX_SCANOUTS);
		d->num_scanouts = (uint32_t)n;
		return 0;
	case KEY_DISPLAY:
		return display_key(d, k, v, err);
	case 4:
		return number("hostmem", v, UINT64_MAX, &d->hostmem, err);
	case KEY_EDID:
		return edid_key(d, k, v, err);
	case KEY_RENDERER:
		return renderer_key(d, v, err);
	}
	if (number(device_keys[key], v, UINT32_MAX, &n, err) < 0)
		return -1;
	if (key == 5)
		d->max_entries = (uint32_t)n;
	else if (key == 6)
		d->max_resources = (uint32_t)n;
	else
		d->max_regions = (uint32_t)n;
	return 0;
}

static int device_token(struct trace_device *d, struct device_keys *k, const char *tok,
			struct trace_error *err)
{
	const char *v;
	char key[32];

	if (!lex_key(tok, key, sizeof(key), &v))
		return trace_fail(err, "device: '%s' is not key=value", tok);
	for (int i = 0; i < (int)ARRAY_SIZE(device_keys); i++) {
		if (strcmp(key, device_keys[i]) != 0)
			continue;
		if (i != KEY_DISPLAY && i != KEY_EDID && (k->seen & (1u << i)))
			return trace_fail(err, "device: %s= given twice", key);
		k->seen |= 1u << i;
		return device_key(d, k, i, v, err);
	}
	return trace_fail(err, "device: unknown key '%s'", key);
}

static int parse_device(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
			struct trace_error *err)
{
	struct trace_device *d = &op->u.device;
	struct device_keys k = { 0 };

	if (p->have_device)
		return trace_fail(err, "a second device line");
	if (p->started)
		return trace_fail(err, "device after the first ctrl, cursor or dump");
	trace_device_defaults(d);
	/* From here on the op owns what edid= allocates: trace_parse_line()
	 * frees it with the op when a later key fails. */
	op->kind = TRACE_DEVICE;
	for (size_t i = 1; i < n; i++) {
		if (device_token(d, &k, tok[i], err) < 0)
			return -1;
	}
	if (k.displays >> d->num_scanouts)
		return trace_fail(err, "device: display= names a scanout not below scanouts=%u",
				  d->num_scanouts);
	if (k.edids >> d->num_scanouts)
		return trace_fail(err, "device: edid= names a scanout not below scanouts=%u",
				  d->num_scanouts);
	p->have_device = true;
	p->dialect = d->dialect;
	p->num_scanouts = d->num_scanouts;
	return 0;
}

/* ---- the data budget ------------------------------------------------------------ */

/* What the data budget leaves for the bytes of the line being parsed. */
static size_t data_room(const struct trace_parser *p)
{
	uint64_t left = p->data < p->max_data ? p->max_data - p->data : 0;

	return left < SIZE_MAX ? (size_t)left : SIZE_MAX;
}

/* The bytes a parsed operation holds until the trace is freed. */
static uint64_t op_data(const struct trace_op *op)
{
	uint64_t n = sizeof(*op);

	switch (op->kind) {
	case TRACE_NONE:
		return 0; /* not kept */
	case TRACE_DEVICE:
		for (size_t i = 0; i < ARRAY_SIZE(op->u.device.edid); i++)
			n += op->u.device.edid[i].len;
		break;
	case TRACE_WRITE:
		n += op->u.write.len;
		break;
	case TRACE_CTRL:
	case TRACE_CURSOR:
		n += op->u.req.len + op->u.req.ncuts * sizeof(*op->u.req.cuts);
		break;
	case TRACE_DUMP:
		n += strlen(op->u.dump.path) + 1;
		break;
	default:
		break;
	}
	return n;
}

/* Counts op against the data budget: the whole trace is parsed before
 * it runs, so every line's bytes are held at once. */
static int charge_data(struct trace_parser *p, const struct trace_op *op,
		       struct trace_error *err)
{
	uint64_t n = op_data(op);

	if (p->data > p->max_data || n > p->max_data - p->data)
		return trace_fail(err,
				  "the trace holds more than %llu bytes of requests and data "
				  "(its data budget)",
				  (unsigned long long)p->max_data);
	p->data += n;
	return 0;
}

/* ---- ram, write, fill ------------------------------------------------------------ */

/* The range holding [gpa, gpa + len), len >= 1, or NULL. */
static const struct trace_range *find_range(const struct trace_parser *p, uint64_t gpa,
					    uint64_t len)
{
	for (size_t i = 0; i < p->nram; i++) {
		const struct trace_range *r = &p->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

static int add_range(struct trace_parser *p, uint64_t gpa, uint64_t size, struct trace_error *err)
{
	struct trace_range *ram;
	size_t i = 0;

	for (; i < p->nram && p->ram[i].gpa < gpa; i++)
		;
	if ((i > 0 && p->ram[i - 1].gpa + p->ram[i - 1].size > gpa) ||
	    (i < p->nram && gpa + size > p->ram[i].gpa))
		return trace_fail(err, "ram 0x%llx +0x%llx overlaps an earlier range",
				  (unsigned long long)gpa, (unsigned long long)size);
	if (p->nram >= p->max_ranges || size > p->max_ram - p->ram_total)
		return trace_fail(err, "ram: more than %zu ranges or %llu bytes in all "
				  "(the trace's RAM limit)",
				  p->max_ranges, (unsigned long long)p->max_ram);
	ram = realloc(p->ram, (p->nram + 1) * sizeof(*ram));
	if (!ram)
		return trace_fail(err, "out of memory");
	p->ram = ram;
	memmove(&ram[i + 1], &ram[i], (p->nram - i) * sizeof(*ram));
	ram[i] = (struct trace_range){ gpa, size };
	p->nram++;
	p->ram_total += size;
	return 0;
}

static int parse_ram(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
		     struct trace_error *err)
{
	uint64_t gpa, size, end;

	if (want_args(tok, n, 2, "<gpa> <size>", err) < 0 ||
	    number("ram: gpa", tok[1], UINT64_MAX, &gpa, err) < 0 ||
	    number("ram: size", tok[2], UINT64_MAX, &size, err) < 0)
		return -1;
	if (size == 0 || __builtin_add_overflow(gpa, size, &end))
		return trace_fail(err, "ram: size must be 1 or more, and gpa + size below 2^64");
	if (add_range(p, gpa, size, err) < 0)
		return -1;
	op->kind = TRACE_RAM;
	op->u.ram.gpa = gpa;
	op->u.ram.size = size;
	return 0;
}

static int check_inside(const struct trace_parser *p, const char *what, uint64_t gpa,
			uint64_t len, struct trace_error *err)
{
	if (!find_range(p, gpa, len))
		return trace_fail(err, "%s 0x%llx +0x%llx is not inside one ram range", what,
				  (unsigned long long)gpa, (unsigned long long)len);
	return 0;
}

static int parse_write(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
		       struct trace_error *err)
{
	struct trace_request req = { 0 };
	struct bytes b;
	uint64_t gpa;

	if (n < 3)
		return trace_fail(err, "write takes a gpa and hex bytes: write <gpa> <hex>");
	if (number("write: gpa", tok[1], UINT64_MAX, &gpa, err) < 0)
		return -1;
	bytes_init(&b);
	b.room = data_room(p);
	for (size_t i = 2; i < n; i++) {
		if (strcmp(tok[i], "|") == 0 || bytes_token(&b, tok[i], err) < 0) {
			bytes_fini(&b);
			return strcmp(tok[i], "|") ? -1 : trace_fail(err, "write: no '|' here");
		}
	}
	if (bytes_finish(&b, &req, err) < 0 || check_inside(p, "write", gpa, req.len, err) < 0) {
		bytes_fini(&b);
		free(req.data);
		return -1;
	}
	op->kind = TRACE_WRITE;
	op->u.write.gpa = gpa;
	op->u.write.data = req.data;
	op->u.write.len = req.len;
	return 0;
}

static int parse_fill(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
		      struct trace_error *err)
{
	uint64_t gpa, len, byte;

	if (want_args(tok, n, 3, "<gpa> <len> <byte>", err) < 0 ||
	    number("fill: gpa", tok[1], UINT64_MAX, &gpa, err) < 0 ||
	    number("fill: len", tok[2], UINT64_MAX, &len, err) < 0 ||
	    number("fill: byte", tok[3], UINT8_MAX, &byte, err) < 0)
		return -1;
	if (len == 0)
		return trace_fail(err, "fill: len must be 1 or more");
	if (check_inside(p, "fill", gpa, len, err) < 0)
		return -1;
	op->kind = TRACE_FILL;
	op->u.fill.gpa = gpa;
	op->u.fill.len = len;
	op->u.fill.byte = (uint8_t)byte;
	return 0;
}

/* ---- ctrl, cursor, dump ------------------------------------------------------------ */

/* The writable elements are allocated (and filled) for each ctrl line: at
 * most TRACE_MAX_RESP_SIZE bytes in all, not that much each. */
static int parse_resp(struct trace_request *req, const char *v, struct trace_error *err)
{
	uint64_t size, total = 0;
	const char *s = v;

	req->nresp = 0;
	while (*s) {
		if (req->nresp == TRACE_MAX_RESP || !lex_num_until(&s, ",", TRACE_MAX_RESP_SIZE, &size) ||
		    (*s && !*++s))
			return trace_fail(err, "resp=%s is not 1 to %u sizes up to %u, comma-separated",
					  v, TRACE_MAX_RESP, TRACE_MAX_RESP_SIZE);
		req->resp[req->nresp++] = (uint32_t)size;
		total += size;
	}
	if (!req->nresp)
		return trace_fail(err, "resp= needs a size");
	if (total > TRACE_MAX_RESP_SIZE)
		return trace_fail(err, "resp=%s: more than %u bytes in all", v,
				  TRACE_MAX_RESP_SIZE);
	return 0;
}

static bool looks_like_name(const char *tok)
{
	for (; *tok; tok++) {
		if ((*tok < 'A' || *tok > 'Z') && (*tok < '0' || *tok > '9') && *tok != '_')
			return false;
	}
	return true;
}

static int request_bytes(struct trace_parser *p, char **tok, size_t n, struct bytes *b,
			 struct trace_error *err)
{
	if (n && symbolic_is_name(p->dialect, tok[0]))
		return symbolic_encode(p->dialect, tok, n, b, err);
	for (size_t i = 0; i < n; i++) {
		if (!bytes_is_hex(tok[i]) && strcmp(tok[i], "|") != 0 && looks_like_name(tok[i]))
			return trace_fail(err, "%s: %s", tok[i],
					  i ? "a name after hex bytes"
					    : p->dialect == VGM_DIALECT_MEMORY_RFC
						  ? "not a command of the memory-rfc dialect"
						  : "not a command of the standard dialect");
		if (bytes_token(b, tok[i], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_request(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
			 struct trace_error *err)
{
	struct trace_request *req = &op->u.req;
	bool ctrl = strcmp(tok[0], "ctrl") == 0;
	size_t first = 1;
	struct bytes b;

	*req = (struct trace_request){ .resp = { TRACE_DEFAULT_RESP }, .nresp = 1 };
	if (n > 1 && strncmp(tok[1], "resp=", 5) == 0) {
		if (!ctrl)
			return trace_fail(err, "cursor: the cursor queue has no responses (resp=)");
		if (parse_resp(req, tok[1] + 5, err) < 0)
			return -1;
		first = 2;
	}
	if (ctrl && n > first && strcmp(tok[first], "hostdep") == 0) {
		req->host_dependent = true;
		first++;
	}
	bytes_init(&b);
	b.room = data_room(p);
	if (request_bytes(p, tok + first, n - first, &b, err) < 0 ||
	    bytes_finish(&b, req, err) < 0) {
		bytes_fini(&b);
		return -1;
	}
	if (!ctrl)
		req->nresp = 0;
	p->started = true;
	op->kind = ctrl ? TRACE_CTRL : TRACE_CURSOR;
	return 0;
}

static int parse_dump(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
		      struct trace_error *err)
{
	uint64_t scanout;

	if (want_args(tok, n, 2, "<scanout> <path>", err) < 0 ||
	    number("dump: scanout", tok[1], UINT32_MAX, &scanout, err) < 0)
		return -1;
	if (scanout >= p->num_scanouts)
		return trace_fail(err, "dump: scanout %llu is not below scanouts=%u",
				  (unsigned long long)scanout, p->num_scanouts);
	op->u.dump.path = strdup(tok[2]);
	if (!op->u.dump.path)
		return trace_fail(err, "out of memory");
	op->u.dump.scanout = (uint32_t)scanout;
	p->started = true;
	op->kind = TRACE_DUMP;
	return 0;
}

typedef int (*line_fn)(struct trace_parser *p, char **tok, size_t n, struct trace_op *op,
		       struct trace_error *err);

static const struct {
	const char *word;
	line_fn parse;
} keywords[] = {
	{ "device", parse_device }, { "ram", parse_ram },	{ "write", parse_write },
	{ "fill", parse_fill },	    { "ctrl", parse_request },	{ "cursor", parse_request },
	{ "dump", parse_dump },
};

int trace_parse_line(struct trace_parser *p, const char *text, size_t len, struct trace_op *op,
		     struct trace_error *err)
{
	struct tokens t;
	int ret = -1;

	*op = (struct trace_op){ .kind = TRACE_NONE, .line = ++p->line };
	err->line = p->line;
	if (tokens_split(&t, text, len, err) < 0)
		return -1;
	if (t.n == 0)
		ret = 0;
	for (size_t i = 0; t.n && i < ARRAY_SIZE(keywords); i++) {
		if (strcmp(t.tok[0], keywords[i].word) == 0) {
			ret = keywords[i].parse(p, t.tok, t.n, op, err);
			break;
		}
		if (i + 1 == ARRAY_SIZE(keywords))
			trace_fail(err, "unknown keyword '%s'", t.tok[0]);
	}
	tokens_fini(&t);
	if (ret == 0)
		ret = charge_data(p, op, err);
	if (ret < 0) {
		trace_op_fini(op);
		op->line = p->line;
	}
	return ret;
}
