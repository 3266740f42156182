/* SPDX-License-Identifier: MIT */
/*
 * The EDID generator and validator. The decoders below are written from the
 * EDID 1.4, CTA-861 and DisplayID 1.3 layouts, independently of lib/edid.c, so
 * that a field written in the wrong place shows up as a wrong value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/render.h"

#define GUARD 64
#define CANARY 0xa5

/* out has GUARD canary bytes on each side, inside one heap block (ASan sees past it too). */
struct fixture {
	uint8_t *mem;
	uint8_t *out;
	size_t len;
};

struct dtd {
	uint32_t clock; /* 10 kHz */
	uint32_t width, height;
	uint32_t h_blank, v_blank;
	uint32_t h_front, h_sync, v_front, v_sync;
	uint32_t width_mm, height_mm;
	uint8_t flags;    /* DTD byte 17, or DisplayID timing options (byte 3) */
	uint8_t polarity; /* 2: hsync positive, 4: vsync positive (DTD byte 17's bits) */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->mem = malloc(GUARD + EDID_MAX_SIZE + GUARD);
	if (!f->mem) {
		free(f);
		return -1;
	}
	memset(f->mem, CANARY, GUARD + EDID_MAX_SIZE + GUARD);
	f->out = f->mem + GUARD;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static void assert_untouched(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], CANARY);
}

/* Generates into the guarded buffer; nothing outside the returned length may change. */
static const uint8_t *generate(struct fixture *f, uint32_t w, uint32_t h, uint32_t scanout)
{
	memset(f->mem, CANARY, GUARD + EDID_MAX_SIZE + GUARD);
	f->len = edid_generate(w, h, scanout, f->out);
	assert_true(f->len >= EDID_BLOCK_SIZE && f->len <= EDID_MAX_SIZE);
	assert_int_equal(f->len % EDID_BLOCK_SIZE, 0);
	assert_untouched(f->mem, GUARD);
	assert_untouched(f->out + f->len, EDID_MAX_SIZE - f->len + GUARD);
	return f->out;
}

static uint8_t block_sum(const uint8_t *b)
{
	unsigned sum = 0;

	for (size_t i = 0; i < EDID_BLOCK_SIZE; i++)
		sum += b[i];
	return (uint8_t)sum;
}

/* Rewrites a block's checksum after a test changed one of its fields. */
static void fix_checksum(uint8_t *b)
{
	b[EDID_BLOCK_SIZE - 1] = 0;
	b[EDID_BLOCK_SIZE - 1] = (uint8_t)(0x100u - block_sum(b));
}

static struct dtd decode_dtd(const uint8_t *d)
{
	struct dtd t;

	t.clock = (uint32_t)(d[0] | d[1] << 8);
	t.width = (uint32_t)(d[2] | (d[4] & 0xf0) << 4);
	t.h_blank = (uint32_t)(d[3] | (d[4] & 0x0f) << 8);
	t.height = (uint32_t)(d[5] | (d[7] & 0xf0) << 4);
	t.v_blank = (uint32_t)(d[6] | (d[7] & 0x0f) << 8);
	t.h_front = (uint32_t)(d[8] | (d[11] >> 6) << 8);
	t.h_sync = (uint32_t)(d[9] | ((d[11] >> 4) & 3) << 8);
	t.v_front = (uint32_t)(d[10] >> 4 | ((d[11] >> 2) & 3) << 4);
	t.v_sync = (uint32_t)((d[10] & 0xf) | (d[11] & 3) << 4);
	t.width_mm = (uint32_t)(d[12] | (d[14] & 0xf0) << 4);
	t.height_mm = (uint32_t)(d[13] | (d[14] & 0x0f) << 8);
	t.flags = d[17];
	t.polarity = d[17] & 0x06;
	return t;
}

/* DisplayID Type I timing: fields stored minus 1, sync polarity in bit 15 of the porches. */
static struct dtd decode_displayid_timing(const uint8_t *t)
{
	struct dtd d;

	d.clock = (uint32_t)(t[0] | t[1] << 8 | t[2] << 16) + 1;
	d.width = (uint32_t)(t[4] | t[5] << 8) + 1;
	d.h_blank = (uint32_t)(t[6] | t[7] << 8) + 1;
	d.h_front = (uint32_t)(t[8] | (t[9] & 0x7f) << 8) + 1;
	d.h_sync = (uint32_t)(t[10] | t[11] << 8) + 1;
	d.height = (uint32_t)(t[12] | t[13] << 8) + 1;
	d.v_blank = (uint32_t)(t[14] | t[15] << 8) + 1;
	d.v_front = (uint32_t)(t[16] | (t[17] & 0x7f) << 8) + 1;
	d.v_sync = (uint32_t)(t[18] | t[19] << 8) + 1;
	d.width_mm = d.height_mm = 0;
	d.flags = t[3];
	d.polarity = (uint8_t)((t[9] & 0x80) >> 6 | (t[17] & 0x80) >> 5);
	return d;
}

/* Refresh in mHz of a timing, from its clock and totals. */
static uint64_t refresh_mhz(const struct dtd *t)
{
	return (uint64_t)t->clock * 10000u * 1000u /
	       ((uint64_t)(t->width + t->h_blank) * (t->height + t->v_blank));
}

static const uint8_t *find_block(const uint8_t *edid, size_t len, uint8_t tag)
{
	for (size_t off = EDID_BLOCK_SIZE; off < len; off += EDID_BLOCK_SIZE)
		if (edid[off] == tag)
			return edid + off;
	return NULL;
}

/* The base block's display descriptor with this tag, or NULL. */
static const uint8_t *find_descriptor(const uint8_t *edid, uint8_t tag)
{
	for (size_t off = 0x36; off < 0x7e; off += 18) {
		const uint8_t *d = edid + off;

		if (d[0] == 0 && d[1] == 0 && d[3] == tag)
			return d;
	}
	return NULL;
}

/* A CTA data block with this tag code (bits 7..5), or NULL. */
static const uint8_t *find_cta_data_block(const uint8_t *cta, unsigned tag)
{
	for (size_t pos = 4; pos < cta[2]; pos += 1u + (cta[pos] & 0x1fu))
		if (cta[pos] >> 5 == tag)
			return cta + pos;
	return NULL;
}

/* A DisplayID data block in a DisplayID extension block, or NULL. */
static const uint8_t *find_displayid_data_block(const uint8_t *b, uint8_t tag)
{
	size_t end = 5u + b[2];

	for (size_t pos = 5; pos + 3 <= end; pos += 3u + b[pos + 2])
		if (b[pos] == tag)
			return b + pos;
	return NULL;
}

static const uint32_t sizes[][2] = {
	{ 1, 1 }, { 200, 150 }, { 640, 480 }, { 720, 480 }, { 1024, 768 }, { 1280, 720 },
	{ 1366, 768 }, { 1920, 1080 }, { 2560, 1440 }, { 3840, 2160 }, { 4095, 4095 },
	{ 4096, 2160 }, { 8192, 4320 }, { 16384, 100 }, { 100, 16384 }, { 16384, 16384 },
};

static void test_edid_header_bytes(void **state)
{
	static const uint8_t header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
	const uint8_t *e = generate(*state, 1024, 768, 0);

	assert_memory_equal(e, header, sizeof(header));
	assert_int_equal(e[0x12], 1); /* EDID 1.4 */
	assert_int_equal(e[0x13], 4);
}

static void test_edid_basic_params(void **state)
{
	const uint8_t *e = generate(*state, 1920, 1080, 0);

	assert_int_equal(e[0x14], 0xa0); /* digital, 8 bpc, interface undefined */
	assert_int_equal(e[0x15], 51);   /* 1920 px at 96 DPI = 508 mm */
	assert_int_equal(e[0x16], 29);   /* 1080 px = 286 mm */
	assert_int_equal(e[0x17], 0x78); /* gamma 2.2 */
	assert_int_equal(e[0x18], 0x06); /* sRGB default, preferred timing is native */
	assert_int_equal(e[0x11], 2026 - 1990);
}

/* sRGB red x = 0.64 -> 655/1024, white y = 0.329 -> 337/1024. */
/* Past 255 cm both sides shrink together; 1 cm is the floor. */
static void test_edid_physical_size_clamped(void **state)
{
	const uint8_t *e = generate(*state, 16384, 16384, 0);

	assert_int_equal(e[0x15], 255);
	assert_int_equal(e[0x16], 255);
	e = generate(*state, 16384, 8192, 0);
	assert_int_equal(e[0x15], 255);
	assert_int_equal(e[0x16], 128);
	e = generate(*state, 1, 1, 0);
	assert_int_equal(e[0x15], 1);
	assert_int_equal(e[0x16], 1);
}

static void test_edid_chromaticity_srgb(void **state)
{
	const uint8_t *e = generate(*state, 1920, 1080, 0);
	unsigned red_x = (unsigned)(e[0x1b] << 2 | e[0x19] >> 6);
	unsigned white_y = (unsigned)(e[0x22] << 2 | (e[0x1a] & 3));

	assert_int_equal(red_x, 655);
	assert_int_equal(white_y, 337);
}

static void test_edid_checksums_zero(void **state)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fixture *f = *state;
		const uint8_t *e = generate(f, sizes[i][0], sizes[i][1], 3);

		for (size_t off = 0; off < f->len; off += EDID_BLOCK_SIZE)
			assert_int_equal(block_sum(e + off), 0);
	}
}

static void test_edid_extension_count_matches_length(void **state)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fixture *f = *state;
		const uint8_t *e = generate(f, sizes[i][0], sizes[i][1], 0);
		bool big = sizes[i][0] > 4095 || sizes[i][1] > 4095;

		assert_int_equal(e[0x7e], f->len / EDID_BLOCK_SIZE - 1);
		assert_int_equal(f->len, big ? 3 * EDID_BLOCK_SIZE : 2 * EDID_BLOCK_SIZE);
	}
}

static void test_edid_manufacturer_vgm(void **state)
{
	const uint8_t *e = generate(*state, 1024, 768, 0);
	unsigned id = (unsigned)(e[0x08] << 8 | e[0x09]);
	char name[4] = {
		(char)('A' - 1 + ((id >> 10) & 0x1f)),
		(char)('A' - 1 + ((id >> 5) & 0x1f)),
		(char)('A' - 1 + (id & 0x1f)),
		0,
	};

	assert_int_equal(id >> 15, 0);
	assert_string_equal(name, "VGM");
}

/*
 * CVT-RB 1024x768 at 60 Hz, by hand:
 *   h_period_est = (16666.67 - 460) / 768 = 21.102 us
 *   v_blank = floor(460 / 21.102) + 1 = 22 (above the minimum 3 + 4 + 6)
 *   totals 1184 x 790; 60 * 790 * 1184 = 56.1216 MHz -> 56.00 MHz in 0.25 steps
 */
static void test_edid_dtd_1024x768_cvt_rb(void **state)
{
	const uint8_t *e = generate(*state, 1024, 768, 0);
	struct dtd t = decode_dtd(e + 0x36);

	assert_int_equal(t.clock, 5600);
	assert_int_equal(t.width, 1024);
	assert_int_equal(t.height, 768);
	assert_int_equal(t.h_blank, 160);
	assert_int_equal(t.h_front, 48);
	assert_int_equal(t.h_sync, 32);
	assert_int_equal(t.v_blank, 22);
	assert_int_equal(t.v_front, 3);
	assert_int_equal(t.v_sync, 4); /* 4:3 */
	assert_int_equal(t.flags, 0x1a); /* digital separate, +hsync -vsync */
	assert_int_equal(t.width_mm, 271);
	assert_int_equal(t.height_mm, 203);
}

/*
 * CVT-RB 1920x1080 at 60 Hz, by hand:
 *   h_period_est = 16206.67 / 1080 = 15.006 us; v_blank = floor(30.65) + 1 = 31
 *   totals 2080 x 1111; 60 * 1111 * 2080 = 138.6528 MHz -> 138.50 MHz
 */
static void test_edid_dtd_1920x1080_cvt_rb(void **state)
{
	const uint8_t *e = generate(*state, 1920, 1080, 0);
	struct dtd t = decode_dtd(e + 0x36);

	assert_int_equal(t.clock, 13850);
	assert_int_equal(t.width, 1920);
	assert_int_equal(t.height, 1080);
	assert_int_equal(t.h_blank, 160);
	assert_int_equal(t.v_blank, 31);
	assert_int_equal(t.v_sync, 5); /* 16:9 */
}

/*
 * 4095x4095 needs 1075 MHz at 60 Hz, 891 at 50, 855 at 48: past the DTD's
 * 655.35 MHz. At 30 Hz: v_blank = floor(460 * 4095 * 30 / 986200) + 1 = 58,
 * 30 * 4153 * 4255 = 530.13 MHz -> 530.00 MHz.
 */
static void test_edid_dtd_4095_lowers_refresh(void **state)
{
	const uint8_t *e = generate(*state, 4095, 4095, 0);
	struct dtd t = decode_dtd(e + 0x36);

	assert_int_equal(t.width, 4095);
	assert_int_equal(t.height, 4095);
	assert_int_equal(t.v_blank, 58);
	assert_int_equal(t.clock, 53000);
	assert_in_range(refresh_mhz(&t), 29900, 30000);
}

/* Every size stays an exact round trip through the DTD when it fits one. */
static void test_edid_dtd_decodes_requested_size(void **state)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const uint8_t *e = generate(*state, sizes[i][0], sizes[i][1], 0);
		struct dtd t = decode_dtd(e + 0x36);

		if (sizes[i][0] > 4095 || sizes[i][1] > 4095)
			continue;
		assert_int_equal(t.width, sizes[i][0]);
		assert_int_equal(t.height, sizes[i][1]);
		assert_in_range(t.clock, 1000, 65535); /* 10 MHz .. 655.35 MHz */
		assert_in_range(refresh_mhz(&t), 24000, 60000);
	}
}

/*
 * 4000x300: 460 * 300 * 60 / 972400 = 8.5, so 9 lines, below the CVT minimum
 * 3 + 10 + 6 = 19 (v sync 10: not a CVT aspect ratio).
 * 60 * 319 * 4160 = 79.62 MHz -> 79.50 MHz.
 */
static void test_edid_dtd_min_v_blank(void **state)
{
	const uint8_t *e = generate(*state, 4000, 300, 0);
	struct dtd t = decode_dtd(e + 0x36);

	assert_int_equal(t.v_blank, 19);
	assert_int_equal(t.v_sync, 10);
	assert_int_equal(t.clock, 7950);
}

/* 200x150 is 2.1 MHz in plain CVT: the vertical blank grows to reach 10 MHz at 60 Hz. */
static void test_edid_dtd_small_mode_min_clock(void **state)
{
	const uint8_t *e = generate(*state, 200, 150, 0);
	struct dtd t = decode_dtd(e + 0x36);

	assert_int_equal(t.clock, 1000);
	assert_int_equal(t.width, 200);
	assert_int_equal(t.height, 150);
	assert_int_equal(t.h_blank, 160);
	assert_in_range(refresh_mhz(&t), 59000, 60000);
}

static void test_edid_tiny_size_in_bounds(void **state)
{
	const uint8_t *e = generate(*state, 1, 1, 0);
	struct dtd t = decode_dtd(e + 0x36);

	assert_int_equal(t.width, 1);
	assert_int_equal(t.height, 1);
	assert_true(edid_valid(e, ((struct fixture *)*state)->len));

	e = generate(*state, 0, 0, 0); /* out of contract: clamped to 1x1 */
	t = decode_dtd(e + 0x36);
	assert_int_equal(t.width, 1);
	assert_int_equal(t.height, 1);
}

static void test_edid_huge_size_in_bounds(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 16384, 16384, 0);
	const uint8_t *did = find_block(e, f->len, 0x70);
	const uint8_t *timing;
	struct dtd t;

	assert_non_null(did);
	timing = find_displayid_data_block(did, 0x03);
	assert_non_null(timing);
	t = decode_displayid_timing(timing + 3);
	assert_int_equal(t.width, 16384);
	assert_int_equal(t.height, 16384);
	assert_true(edid_valid(e, f->len));

	e = generate(f, UINT32_MAX, UINT32_MAX, UINT32_MAX); /* out of contract: clamped */
	did = find_block(e, f->len, 0x70);
	assert_non_null(did);
	timing = find_displayid_data_block(did, 0x03);
	assert_non_null(timing);
	t = decode_displayid_timing(timing + 3);
	assert_int_equal(t.width, 16384);
	assert_int_equal(t.height, 16384);
}

/*
 * 8192x4320 at 60 Hz: v_blank = floor(460 * 4320 * 60 / 972400) + 1 = 123,
 * 60 * 4443 * 8352 = 2226.48 MHz -> 2226.25 MHz, carried by DisplayID; block 0
 * holds 3840x2160, the largest standard mode inside it.
 */
static void test_edid_displayid_8192x4320(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 8192, 4320, 0);
	const uint8_t *did = find_block(e, f->len, 0x70);
	const uint8_t *timing;
	struct dtd t, base = decode_dtd(e + 0x36);

	assert_int_equal(f->len, 3 * EDID_BLOCK_SIZE);
	assert_non_null(did);
	assert_int_equal(did[1], 0x13); /* DisplayID 1.3 */
	timing = find_displayid_data_block(did, 0x03);
	assert_non_null(timing);
	assert_int_equal(timing[2], 20);
	t = decode_displayid_timing(timing + 3);
	assert_int_equal(t.width, 8192);
	assert_int_equal(t.height, 4320);
	assert_int_equal(t.clock, 222625);
	assert_int_equal(t.h_blank, 160);
	assert_int_equal(t.v_blank, 123);
	assert_int_equal(t.h_front, 48);
	assert_int_equal(t.h_sync, 32);
	assert_int_equal(t.v_front, 3);
	assert_int_equal(t.v_sync, 10); /* 256:135 is not a CVT aspect ratio */
	assert_int_equal(t.polarity, 0x02); /* +hsync -vsync */
	assert_int_equal(t.flags & 0x80, 0x80); /* preferred */
	assert_int_equal(t.flags & 0x0f, 7);    /* 256:135 */
	assert_int_equal(base.width, 3840);
	assert_int_equal(base.height, 2160);
}

/* The DisplayID section has a checksum of its own over version..checksum. */
static void test_edid_displayid_section_checksum(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 5120, 2880, 0);
	const uint8_t *did = find_block(e, f->len, 0x70);
	unsigned sum = 0;

	assert_non_null(did);
	assert_true(did[2] <= 121);
	for (size_t i = 1; i < 1u + 5u + did[2]; i++)
		sum += did[i];
	assert_int_equal(sum & 0xff, 0);
	assert_int_equal(did[3], 3);         /* product type: standalone display */
	assert_int_equal(did[5], 0x00);      /* product identification comes first */
	assert_memory_equal(did + 8, "VGM", 3);
}

/* No standard mode fits inside 16384x100: block 0 gets the size clamped to 4095. */
static void test_edid_displayid_fallback_clamped(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 16384, 100, 0);
	const uint8_t *did = find_block(e, f->len, 0x70);
	const uint8_t *timing;
	struct dtd base = decode_dtd(e + 0x36);

	assert_int_equal(base.width, 4095);
	assert_int_equal(base.height, 100);
	assert_non_null(did);
	timing = find_displayid_data_block(did, 0x03);
	assert_non_null(timing);
	assert_int_equal(timing[3 + 3] & 0x0f, 8); /* aspect: undefined */
}

static void test_edid_displayid_params(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 5120, 2880, 0);
	const uint8_t *did = find_block(e, f->len, 0x70);
	const uint8_t *params;

	assert_non_null(did);
	params = find_displayid_data_block(did, 0x01);
	assert_non_null(params);
	assert_int_equal(params[2], 12);
	assert_int_equal(params[3] | params[4] << 8, 13550); /* 1355 mm in 0.1 mm */
	assert_int_equal(params[7] | params[8] << 8, 5120);
	assert_int_equal(params[9] | params[10] << 8, 2880);
	assert_int_equal(params[13], 78); /* 16:9 = 1.78 */
	assert_non_null(find_displayid_data_block(did, 0x0f));
}

static void test_edid_cta_vic_1920x1080(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 1920, 1080, 0);
	const uint8_t *cta = find_block(e, f->len, 0x02);
	const uint8_t *vdb;

	assert_non_null(cta);
	assert_int_equal(cta - e, EDID_BLOCK_SIZE); /* block 1 */
	assert_int_equal(cta[1], 3);
	assert_int_equal(cta[3], 0x81); /* underscanned, no audio/YCbCr, 1 native DTD */
	vdb = find_cta_data_block(cta, 2);
	assert_non_null(vdb);
	assert_int_equal(vdb[0] & 0x1f, 1);
	assert_int_equal(vdb[1], 16);
	/* video capability: extended tag 0, QS set, IT and CE always underscanned */
	vdb = find_cta_data_block(cta, 7);
	assert_non_null(vdb);
	assert_int_equal(vdb[1], 0x00);
	assert_int_equal(vdb[2], 0x4a);
	/* the same DTD as block 0's */
	assert_memory_equal(cta + cta[2], e + 0x36, 18);
}

static void test_edid_cta_common_vics(void **state)
{
	static const uint32_t vics[][3] = {
		{ 640, 480, 1 }, { 720, 480, 2 }, { 1280, 720, 4 }, { 3840, 2160, 97 },
	};

	for (size_t i = 0; i < sizeof(vics) / sizeof(vics[0]); i++) {
		struct fixture *f = *state;
		const uint8_t *e = generate(f, vics[i][0], vics[i][1], 0);
		const uint8_t *cta = find_block(e, f->len, 0x02);
		const uint8_t *vdb;

		assert_non_null(cta);
		vdb = find_cta_data_block(cta, 2);
		assert_non_null(vdb);
		assert_int_equal(vdb[1], vics[i][2]);
	}
}

static void test_edid_cta_no_vdb_for_uncommon_size(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 1366, 768, 0);
	const uint8_t *cta = find_block(e, f->len, 0x02);

	assert_non_null(cta);
	assert_null(find_cta_data_block(cta, 2));
	assert_non_null(find_cta_data_block(cta, 7)); /* the video capability block stays */
}

static void test_edid_cta_no_dtd_with_displayid(void **state)
{
	struct fixture *f = *state;
	const uint8_t *e = generate(f, 8192, 4320, 0);
	const uint8_t *cta = find_block(e, f->len, 0x02);

	assert_non_null(cta);
	assert_int_equal(cta[3] & 0x0f, 0);
	assert_int_equal(cta[cta[2]], 0); /* no DTD: padding */
	assert_int_equal(cta[cta[2] + 1], 0);
}

static void test_edid_name_descriptor(void **state)
{
	const uint8_t *e = generate(*state, 1024, 768, 0);
	const uint8_t *d = find_descriptor(e, 0xfc);

	assert_non_null(d);
	assert_memory_equal(d + 5, "virtgpu-mem\n ", 13);
}

/* 1024x768 lists 640x480 and 800x600 only, and no standard timing. */
static void test_edid_legacy_timings_1024x768(void **state)
{
	const uint8_t *e = generate(*state, 1024, 768, 0);

	assert_int_equal(e[0x23], 0x21); /* 640x480@60, 800x600@60 */
	assert_int_equal(e[0x24], 0x00);
	assert_int_equal(e[0x25], 0x00);
	for (size_t i = 0x26; i < 0x36; i++)
		assert_int_equal(e[i], 0x01);
}

/* CTA-861 wants 640x480p60 of every sink, even one smaller than that. */
static void test_edid_legacy_timings_640x480_always(void **state)
{
	const uint8_t *e = generate(*state, 400, 300, 0);

	assert_int_equal(e[0x23], 0x20);
	assert_int_equal(e[0x24], 0x00);
}

/* 1920x1080: 1280x720 (16:9) is in the first standard timing slot. */
static void test_edid_standard_timings_1920x1080(void **state)
{
	const uint8_t *e = generate(*state, 1920, 1080, 0);

	assert_int_equal(e[0x24] & 0x08, 0x08); /* 1024x768@60 */
	assert_int_equal(e[0x26], 1280 / 8 - 31);
	assert_int_equal(e[0x27], 0xc0); /* 16:9, 60 Hz */
}

/* The preferred timing: DisplayID's Type I timing if there is one, else block 0's DTD. */
static struct dtd preferred_timing(const struct fixture *f)
{
	const uint8_t *did = find_block(f->out, f->len, 0x70);
	const uint8_t *timing = did ? find_displayid_data_block(did, 0x03) : NULL;

	assert_true(!did || timing);
	return timing ? decode_displayid_timing(timing + 3) : decode_dtd(f->out + 0x36);
}

/* Range limits cover the preferred timing, with the +255 kHz offset when needed. */
static void assert_range_covers(const struct fixture *f, const struct dtd *t)
{
	const uint8_t *r = find_descriptor(f->out, 0xfd);
	uint64_t h_hz = (uint64_t)t->clock * 10000u / (t->width + t->h_blank);
	unsigned h_max;

	assert_non_null(r);
	h_max = r[8] + ((r[4] & 0x08) ? 255u : 0u);
	assert_int_equal(r[10], 0x01); /* range limits only */
	assert_true(r[5] * 1000u <= refresh_mhz(t) && refresh_mhz(t) <= r[6] * 1000u);
	assert_true(r[7] * 1000u <= h_hz && h_hz <= h_max * 1000u);
	assert_true(t->clock <= r[9] * 1000u);
}

static void test_edid_range_covers_preferred(void **state)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fixture *f = *state;
		struct dtd t;

		generate(f, sizes[i][0], sizes[i][1], 0);
		t = preferred_timing(f);
		assert_range_covers(f, &t);
	}
}

/* A coarse grid over 1..16384 squared: valid, exact size, clock within its field. */
static void test_edid_sweep_consistent(void **state)
{
	struct fixture *f = *state;

	for (uint32_t w = 1; w <= 16384; w += 257) {
		for (uint32_t h = 1; h <= 16384; h += 263) {
			struct dtd t;

			generate(f, w, h, (w + h) % 16);
			assert_true(edid_valid(f->out, f->len));
			t = preferred_timing(f);
			assert_int_equal(t.width, w);
			assert_int_equal(t.height, h);
			assert_true(t.clock >= 1000);
			assert_true(f->len == 3 * EDID_BLOCK_SIZE || t.clock <= 65535);
			assert_range_covers(f, &t);
		}
	}
}

static void test_edid_serial_per_scanout(void **state)
{
	uint32_t serials[16];

	for (uint32_t s = 0; s < 16; s++) {
		const uint8_t *e = generate(*state, 1024, 768, s);

		serials[s] = (uint32_t)e[0x0c] | (uint32_t)e[0x0d] << 8 | (uint32_t)e[0x0e] << 16 |
			     (uint32_t)e[0x0f] << 24;
		assert_int_not_equal(serials[s], 0);
		for (uint32_t prev = 0; prev < s; prev++)
			assert_int_not_equal(serials[prev], serials[s]);
	}
}

/* Same arguments, same bytes, whatever the buffer held before. */
static void test_edid_deterministic(void **state)
{
	struct fixture *f = *state;
	uint8_t first[EDID_MAX_SIZE];
	size_t len;

	generate(f, 2560, 1440, 2);
	len = f->len;
	memcpy(first, f->out, len);
	memset(f->out, 0x5a, EDID_MAX_SIZE);
	assert_int_equal(edid_generate(2560, 1440, 2, f->out), len);
	assert_memory_equal(first, f->out, len);
}

static void test_edid_valid_accepts_generated(void **state)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct fixture *f = *state;
		const uint8_t *e = generate(f, sizes[i][0], sizes[i][1], 0);

		assert_true(edid_valid(e, f->len));
	}
}

static void test_edid_valid_rejects_bad_checksum(void **state)
{
	struct fixture *f = *state;

	generate(f, 1920, 1080, 0);
	f->out[EDID_BLOCK_SIZE + 0x10] ^= 0x01; /* a byte of the CTA block */
	assert_false(edid_valid(f->out, f->len));
}

static void test_edid_valid_rejects_bad_header(void **state)
{
	struct fixture *f = *state;

	generate(f, 1920, 1080, 0);
	f->out[7] = 0xff;
	fix_checksum(f->out);
	assert_false(edid_valid(f->out, f->len));
}

static void test_edid_valid_rejects_len_not_multiple(void **state)
{
	struct fixture *f = *state;

	generate(f, 1920, 1080, 0);
	assert_false(edid_valid(f->out, f->len - 1));
	assert_false(edid_valid(f->out, EDID_BLOCK_SIZE + 64));
}

static void test_edid_valid_rejects_extension_count_mismatch(void **state)
{
	struct fixture *f = *state;

	generate(f, 1920, 1080, 0);
	f->out[0x7e] = 2;
	fix_checksum(f->out);
	assert_false(edid_valid(f->out, f->len));
	/* the count is right for the base block alone, but the length says 2 blocks */
	f->out[0x7e] = 0;
	fix_checksum(f->out);
	assert_false(edid_valid(f->out, f->len));
	assert_true(edid_valid(f->out, EDID_BLOCK_SIZE));
}

/* 8 blocks (1024 bytes) is the most GET_EDID carries; 9 is refused. */
static void test_edid_valid_length_limits(void **state)
{
	struct fixture *f = *state;
	uint8_t big[EDID_MAX_SIZE + EDID_BLOCK_SIZE] = { 0 };

	generate(f, 1920, 1080, 0);
	memcpy(big, f->out, EDID_BLOCK_SIZE); /* all-zero extensions sum to 0 */
	big[0x7e] = 7;
	fix_checksum(big);
	assert_true(edid_valid(big, EDID_MAX_SIZE));
	big[0x7e] = 8;
	fix_checksum(big);
	assert_false(edid_valid(big, sizeof(big)));
	assert_false(edid_valid(big, 0));
	assert_false(edid_valid(NULL, EDID_BLOCK_SIZE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_edid_header_bytes),
		T(test_edid_basic_params),
		T(test_edid_physical_size_clamped),
		T(test_edid_chromaticity_srgb),
		T(test_edid_checksums_zero),
		T(test_edid_extension_count_matches_length),
		T(test_edid_manufacturer_vgm),
		T(test_edid_dtd_1024x768_cvt_rb),
		T(test_edid_dtd_1920x1080_cvt_rb),
		T(test_edid_dtd_4095_lowers_refresh),
		T(test_edid_dtd_decodes_requested_size),
		T(test_edid_dtd_min_v_blank),
		T(test_edid_dtd_small_mode_min_clock),
		T(test_edid_tiny_size_in_bounds),
		T(test_edid_huge_size_in_bounds),
		T(test_edid_displayid_8192x4320),
		T(test_edid_displayid_section_checksum),
		T(test_edid_displayid_fallback_clamped),
		T(test_edid_displayid_params),
		T(test_edid_cta_vic_1920x1080),
		T(test_edid_cta_common_vics),
		T(test_edid_cta_no_vdb_for_uncommon_size),
		T(test_edid_cta_no_dtd_with_displayid),
		T(test_edid_name_descriptor),
		T(test_edid_legacy_timings_1024x768),
		T(test_edid_legacy_timings_640x480_always),
		T(test_edid_standard_timings_1920x1080),
		T(test_edid_range_covers_preferred),
		T(test_edid_sweep_consistent),
		T(test_edid_serial_per_scanout),
		T(test_edid_deterministic),
		T(test_edid_valid_accepts_generated),
		T(test_edid_valid_rejects_bad_checksum),
		T(test_edid_valid_rejects_bad_header),
		T(test_edid_valid_rejects_len_not_multiple),
		T(test_edid_valid_rejects_extension_count_mismatch),
		T(test_edid_valid_length_limits),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
