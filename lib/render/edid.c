/* SPDX-License-Identifier: MIT */
/*
 * The EDID generator.
 *
 * Layout of what edid_generate() writes:
 *   block 0  EDID 1.4 base block; its first descriptor is the preferred mode,
 *            or, when that mode is wider or taller than 4095 (the 12-bit DTD
 *            fields), the largest standard mode that fits inside it;
 *   block 1  CTA-861 extension: the preferred mode's VIC if it has a common one,
 *            and the preferred mode's DTD again when it fits a DTD;
 *   block 2  only for modes past 4095: a DisplayID 1.3 extension whose Type I
 *            timing (16-bit fields) carries the preferred mode.
 *
 * Everything is decided first (struct edid_plan), then written byte by byte;
 * every block is zeroed before it is filled, so the output depends only on the
 * arguments.
 */
#include <string.h>

#include "render.h"

#define PNP_ID "VGM"
#define PRODUCT_NAME "virtgpu-mem"
#define PRODUCT_CODE 0x0001u
#define MADE_WEEK 1
#define MADE_YEAR 2026 /* fixed, so that the output is reproducible */
#define GAMMA_BYTE (220 - 100) /* (gamma x 100) - 100 */

#define SIZE_MAX_PX 16384u
#define SCANOUT_MAX 15u

/* Field limits of an 18-byte detailed timing descriptor (DTD). */
#define DTD_MAX_ACTIVE 4095u /* 12-bit active pixels / lines */
#define DTD_MAX_CLOCK 65535u /* 16-bit, 10 kHz units */

/* What a display range limits descriptor can state: 255 x 10 MHz, 255 + 255 kHz. */
#define RANGE_MAX_CLOCK 255000u /* 10 kHz units */
#define RANGE_MAX_HFREQ_HZ 510000u

/* VESA CVT 1.2, reduced blanking (v1). */
#define CVT_RB_H_BLANK 160u
#define CVT_RB_H_FRONT 48u
#define CVT_RB_H_SYNC 32u
#define CVT_RB_V_FRONT 3u
#define CVT_RB_MIN_V_BACK 6u
#define CVT_RB_MIN_V_BLANK_US 460u
#define CVT_CLOCK_STEP_HZ 250000u
#define MIN_CLOCK 1000u /* 10 MHz, in 10 kHz units */

/* A mode and its timing; clock in 10 kHz units, the DTD's unit. */
struct edid_mode {
	uint32_t width, height;
	uint32_t h_total, v_total;
	uint32_t h_front, h_sync;
	uint32_t v_front, v_sync;
	uint32_t clock;
	uint32_t refresh; /* the rate the timing was computed for, Hz */
};

/* A fixed timing the EDID also lists: VESA DMT or CTA-861 numbers. */
struct known_mode {
	uint16_t width, height;
	uint16_t h_total, v_total;
	uint32_t clock_khz;
	uint8_t code; /* established: bit index from byte 0x23; standard: aspect; CTA: VIC */
};

/* The extremes of every timing the EDID lists, for the range limits descriptor. */
struct rate_range {
	uint64_t h_min_hz, h_max_hz;
	uint64_t v_min_mhz, v_max_mhz;
	uint64_t clock_max_khz;
};

struct edid_plan {
	struct edid_mode preferred;
	struct edid_mode first_dtd; /* block 0's first descriptor */
	bool displayid;             /* preferred does not fit a DTD */
	uint8_t vic;                /* 0: no common VIC */
	uint32_t serial;
	uint32_t size_mm[2];
	struct rate_range range;
};

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* Highest first; 1 Hz fits every size up to 16384 x 16384. */
static const uint8_t refresh_rates[] = { 60, 50, 48, 30, 25, 24, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1 };

/* 60 Hz DMT modes of the established timings (bytes 0x23..0x25). */
static const struct known_mode established_modes[] = {
	{ 640, 480, 800, 525, 25175, 5 },     /* 0x23 bit 5 */
	{ 800, 600, 1056, 628, 40000, 0 },    /* 0x23 bit 0 */
	{ 1024, 768, 1344, 806, 65000, 8 + 3 }, /* 0x24 bit 3 */
};

/* 60 Hz DMT modes for the 8 standard timing slots; code is the aspect field. */
#define STD_16_10 0u
#define STD_4_3 1u
#define STD_5_4 2u
#define STD_16_9 3u
static const struct known_mode standard_modes[] = {
	{ 1280, 720, 1650, 750, 74250, STD_16_9 },
	{ 1280, 1024, 1688, 1066, 108000, STD_5_4 },
	{ 1440, 900, 1904, 934, 106500, STD_16_10 },
	{ 1600, 900, 1800, 1000, 108000, STD_16_9 },
	{ 1680, 1050, 2240, 1089, 146250, STD_16_10 },
	{ 1600, 1200, 2160, 1250, 162000, STD_4_3 },
	{ 1920, 1080, 2200, 1125, 148500, STD_16_9 },
	{ 1920, 1200, 2592, 1245, 193250, STD_16_10 },
};

/* Common CTA-861 progressive 60 Hz formats. */
static const struct known_mode cta_modes[] = {
	{ 640, 480, 800, 525, 25175, 1 },
	{ 720, 480, 858, 525, 27000, 2 },
	{ 1280, 720, 1650, 750, 74250, 4 },
	{ 1920, 1080, 2200, 1125, 148500, 16 },
	{ 3840, 2160, 4400, 2250, 594000, 97 },
};

/* Candidates, largest area first, for block 0's DTD when the preferred mode needs DisplayID. */
static const uint16_t fallback_sizes[][2] = {
	{ 3840, 2160 }, { 2560, 1600 }, { 2560, 1440 }, { 1920, 1200 }, { 1920, 1080 },
	{ 1600, 1200 }, { 1680, 1050 }, { 1600, 900 }, { 1280, 1024 }, { 1280, 720 },
	{ 1024, 768 }, { 800, 600 }, { 640, 480 },
};

static uint8_t byte(uint64_t v)
{
	return (uint8_t)(v & 0xffu);
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return byte(sum);
}

/* Sets the last byte of an EDID block so that the block sums to 0. */
static void write_checksum(uint8_t *block)
{
	block[EDID_BLOCK_SIZE - 1] = byte(0x100u - sum_bytes(block, EDID_BLOCK_SIZE - 1));
}

/* CVT ties the vertical sync width to the aspect ratio, so that a sink can tell it. */
static uint32_t cvt_v_sync(uint32_t width, uint32_t height)
{
	static const uint8_t ratios[][3] = {
		{ 4, 3, 4 }, { 16, 9, 5 }, { 16, 10, 6 }, { 5, 4, 7 }, { 15, 9, 7 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ratios); i++)
		if ((uint64_t)width * ratios[i][1] == (uint64_t)height * ratios[i][0])
			return ratios[i][2];
	return 10;
}

/*
 * EDID parsers take a DTD clock under 10 MHz for garbage (edid-decode reports
 * it, and the 2022 version even crashes on it), yet a VMM window shrunk to
 * 200 x 150 asks for such a mode. Lengthening the vertical back porch until
 * the clock reaches 10 MHz keeps the refresh rate: at most 1035 more lines,
 * since h_total >= 161, well inside the DTD's 12-bit blanking field.
 */
static void cvt_min_clock(struct edid_mode *m)
{
	uint64_t frame = (uint64_t)m->refresh * m->h_total;
	uint64_t steps;

	if (m->clock >= MIN_CLOCK)
		return;
	m->v_total = (uint32_t)((MIN_CLOCK * 10000ull + frame - 1) / frame);
	/* 10 MHz is a whole number of 0.25 MHz steps, so rounding down stays >= it */
	steps = (uint64_t)m->refresh * m->v_total * m->h_total / CVT_CLOCK_STEP_HZ;
	m->clock = (uint32_t)(steps * (CVT_CLOCK_STEP_HZ / 10000u));
}

/*
 * VESA CVT 1.2 reduced blanking (v1), progressive, no margins, rate R in Hz:
 *   h_period_est = (1000000 / R - 460) / height                       [us]
 *   v_blank      = max(floor(460 / h_period_est) + 1, 3 + v_sync + 6)  [lines]
 *   v_total      = height + v_blank
 *   h_total      = width + 160      (front porch 48, sync 32, back porch 80)
 *   clock        = 0.25 MHz * floor(R * v_total * h_total / 0.25 MHz)
 * 460 / h_period_est is computed exactly as 460 * height * R / (1000000 - 460 * R).
 * Two departures: width is kept as given instead of being rounded down to a
 * multiple of 8 (the guest must see the size the VMM asked for), and small
 * modes get a taller vertical blank (see cvt_min_clock()).
 */
static void cvt_rb(uint32_t width, uint32_t height, uint32_t rate, struct edid_mode *m)
{
	uint64_t v_blank, min_v_blank, steps;

	v_blank = (uint64_t)CVT_RB_MIN_V_BLANK_US * height * rate /
		  (1000000u - CVT_RB_MIN_V_BLANK_US * rate) + 1;
	m->v_sync = cvt_v_sync(width, height);
	min_v_blank = CVT_RB_V_FRONT + m->v_sync + CVT_RB_MIN_V_BACK;
	if (v_blank < min_v_blank)
		v_blank = min_v_blank;

	m->width = width;
	m->height = height;
	m->refresh = rate;
	m->h_total = width + CVT_RB_H_BLANK;
	m->v_total = height + (uint32_t)v_blank;
	m->h_front = CVT_RB_H_FRONT;
	m->h_sync = CVT_RB_H_SYNC;
	m->v_front = CVT_RB_V_FRONT;

	steps = (uint64_t)rate * m->v_total * m->h_total / CVT_CLOCK_STEP_HZ;
	m->clock = (uint32_t)(steps * (CVT_CLOCK_STEP_HZ / 10000u));
	cvt_min_clock(m);
}

static uint64_t mode_hfreq_hz(const struct edid_mode *m)
{
	return (uint64_t)m->clock * 10000u / m->h_total;
}

/* Whether every descriptor that states this mode can hold it. */
static bool mode_fits(const struct edid_mode *m, bool in_dtd)
{
	if (m->clock > RANGE_MAX_CLOCK || mode_hfreq_hz(m) > RANGE_MAX_HFREQ_HZ)
		return false;
	return !in_dtd || m->clock <= DTD_MAX_CLOCK;
}

/* The mode at the highest listed refresh rate that fits. */
static void mode_at_best_refresh(uint32_t width, uint32_t height, struct edid_mode *m)
{
	bool in_dtd = width <= DTD_MAX_ACTIVE && height <= DTD_MAX_ACTIVE;

	for (size_t i = 0; i < ARRAY_SIZE(refresh_rates); i++) {
		cvt_rb(width, height, refresh_rates[i], m);
		if (mode_fits(m, in_dtd))
			return;
	}
	/* Not reached for sizes up to 16384: 1 Hz needs under 300 MHz and 20 kHz. */
}

static bool mode_needs_displayid(const struct edid_mode *m)
{
	return m->width > DTD_MAX_ACTIVE || m->height > DTD_MAX_ACTIVE;
}

/*
 * Block 0's first DTD when the preferred mode is too large for one: the largest
 * standard mode inside it, or, when none is (say 8000 x 400), the preferred
 * size clamped to 4095.
 */
static void fallback_mode(const struct edid_mode *pref, struct edid_mode *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(fallback_sizes); i++) {
		if (fallback_sizes[i][0] <= pref->width && fallback_sizes[i][1] <= pref->height) {
			mode_at_best_refresh(fallback_sizes[i][0], fallback_sizes[i][1], m);
			return;
		}
	}
	mode_at_best_refresh(clamp_u32(pref->width, 1, DTD_MAX_ACTIVE),
			     clamp_u32(pref->height, 1, DTD_MAX_ACTIVE), m);
}

/*
 * Listed modes are the smaller ones: the preferred size has its own DTD. The
 * exception is 640 x 480, which CTA-861 requires of every sink; a virtual
 * display can show it whatever its size.
 */
static bool known_mode_listed(const struct known_mode *k, const struct edid_mode *pref)
{
	if (k->width == 640 && k->height == 480)
		return true;
	if (k->width == pref->width && k->height == pref->height)
		return false;
	return k->width <= pref->width && k->height <= pref->height;
}

static uint8_t cta_vic(const struct edid_mode *pref)
{
	if (pref->refresh != 60)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(cta_modes); i++)
		if (cta_modes[i].width == pref->width && cta_modes[i].height == pref->height)
			return cta_modes[i].code;
	return 0;
}

static void range_init(struct rate_range *r)
{
	r->h_min_hz = UINT64_MAX;
	r->h_max_hz = 0;
	r->v_min_mhz = UINT64_MAX;
	r->v_max_mhz = 0;
	r->clock_max_khz = 0;
}

static void range_add(struct rate_range *r, uint64_t clock_khz, uint32_t h_total, uint32_t v_total)
{
	uint64_t h_hz = clock_khz * 1000u / h_total;
	uint64_t v_mhz = clock_khz * 1000000u / ((uint64_t)h_total * v_total);

	r->h_min_hz = h_hz < r->h_min_hz ? h_hz : r->h_min_hz;
	r->h_max_hz = h_hz > r->h_max_hz ? h_hz : r->h_max_hz;
	r->v_min_mhz = v_mhz < r->v_min_mhz ? v_mhz : r->v_min_mhz;
	r->v_max_mhz = v_mhz > r->v_max_mhz ? v_mhz : r->v_max_mhz;
	r->clock_max_khz = clock_khz > r->clock_max_khz ? clock_khz : r->clock_max_khz;
}

static void range_add_mode(struct rate_range *r, const struct edid_mode *m)
{
	range_add(r, (uint64_t)m->clock * 10u, m->h_total, m->v_total);
}

static void range_add_known(struct rate_range *r, const struct known_mode *k, size_t n,
			    const struct edid_mode *pref)
{
	for (size_t i = 0; i < n; i++)
		if (known_mode_listed(&k[i], pref))
			range_add(r, k[i].clock_khz, k[i].h_total, k[i].v_total);
}

/* The range limits descriptor must cover every timing the EDID lists. */
static void plan_range(struct edid_plan *p)
{
	range_init(&p->range);
	range_add_mode(&p->range, &p->preferred);
	range_add_mode(&p->range, &p->first_dtd);
	range_add_known(&p->range, established_modes, ARRAY_SIZE(established_modes), &p->preferred);
	range_add_known(&p->range, standard_modes, ARRAY_SIZE(standard_modes), &p->preferred);
	for (size_t i = 0; i < ARRAY_SIZE(cta_modes); i++)
		if (cta_modes[i].code == p->vic)
			range_add(&p->range, cta_modes[i].clock_khz, cta_modes[i].h_total,
				  cta_modes[i].v_total);
}

static uint32_t px_to_mm(uint32_t px)
{
	return (uint32_t)(((uint64_t)px * 254u + 480u) / 960u); /* 96 DPI, rounded */
}

/*
 * Physical size at 96 DPI. Past 2550 mm (255 cm, the base block's limit) both
 * sides shrink by the same factor, so that the aspect ratio survives.
 */
static void plan_size(struct edid_plan *p)
{
	uint32_t w = px_to_mm(p->preferred.width), h = px_to_mm(p->preferred.height);
	uint32_t big = w > h ? w : h;

	if (big > 2550u) {
		w = (uint32_t)(((uint64_t)w * 2550u + big / 2) / big);
		h = (uint32_t)(((uint64_t)h * 2550u + big / 2) / big);
	}
	p->size_mm[0] = clamp_u32(w, 1, 2550);
	p->size_mm[1] = clamp_u32(h, 1, 2550);
}

static void plan_edid(uint32_t width, uint32_t height, uint32_t scanout, struct edid_plan *p)
{
	width = clamp_u32(width, 1, SIZE_MAX_PX);
	height = clamp_u32(height, 1, SIZE_MAX_PX);
	mode_at_best_refresh(width, height, &p->preferred);
	p->displayid = mode_needs_displayid(&p->preferred);
	if (p->displayid)
		fallback_mode(&p->preferred, &p->first_dtd);
	else
		p->first_dtd = p->preferred;
	p->vic = cta_vic(&p->preferred);
	/* 0 would mean "no serial number". */
	p->serial = clamp_u32(scanout, 0, SCANOUT_MAX) + 1;
	plan_size(p);
	plan_range(p);
}

/* Header, vendor and product, manufacture date, EDID version. */
static void write_identity(uint8_t *b, uint32_t serial)
{
	/* PNP id: three letters, A = 1, five bits each, big-endian. */
	uint32_t pnp = (uint32_t)(PNP_ID[0] - 'A' + 1) << 10 | (uint32_t)(PNP_ID[1] - 'A' + 1) << 5 |
		       (uint32_t)(PNP_ID[2] - 'A' + 1);

	memcpy(b, edid_header, sizeof(edid_header));
	b[0x08] = byte(pnp >> 8);
	b[0x09] = byte(pnp);
	le_store(b + 0x0a, PRODUCT_CODE, 2);
	le_store(b + 0x0c, serial, 2);
	le_store(b + 0x0e, serial >> 16, 2);
	b[0x10] = MADE_WEEK;
	b[0x11] = MADE_YEAR - 1990;
	b[0x12] = 1; /* EDID 1.4 */
	b[0x13] = 4;
}

/*
 * Digital input, 8 bits per colour, interface undefined; size in cm; gamma 2.2;
 * features: RGB 4:4:4 only, sRGB default colour space, preferred timing is native.
 * Not continuous frequency: the EDID lists the modes it means, and the range
 * limits descriptor says "range limits only" to match.
 */
static void write_basic_params(uint8_t *b, const uint32_t size_mm[2])
{
	b[0x14] = 0x80 | 0x20;
	b[0x15] = byte(clamp_u32((size_mm[0] + 5) / 10, 1, 255));
	b[0x16] = byte(clamp_u32((size_mm[1] + 5) / 10, 1, 255));
	b[0x17] = GAMMA_BYTE;
	b[0x18] = 0x04 | 0x02;
}

/*
 * sRGB primaries and D65 white point, CIE 1931 x, y in units of 1/10000, in
 * the EDID's order: red x y, green x y, blue x y, white x y. Each is stored as a
 * 10-bit binary fraction: the high 8 bits in 0x1b..0x22, the low 2 bits packed
 * four to a byte in 0x19 and 0x1a.
 */
static void write_chromaticity(uint8_t *b)
{
	static const uint16_t srgb_xy[8] = { 6400, 3300, 3000, 6000, 1500, 600, 3127, 3290 };

	for (unsigned i = 0; i < 8; i++) {
		uint32_t v = (srgb_xy[i] * 1024u + 5000u) / 10000u;

		b[0x1b + i] = byte(v >> 2);
		b[0x19 + i / 4] |= byte((v & 3u) << (6 - 2 * (i % 4)));
	}
}

static void write_legacy_timings(uint8_t *b, const struct edid_mode *pref)
{
	unsigned slot = 0;

	for (size_t i = 0; i < ARRAY_SIZE(established_modes); i++) {
		const struct known_mode *k = &established_modes[i];

		if (known_mode_listed(k, pref))
			b[0x23 + k->code / 8] |= byte(1u << (k->code % 8));
	}
	for (size_t i = 0; i < ARRAY_SIZE(standard_modes); i++) {
		const struct known_mode *k = &standard_modes[i];

		if (!known_mode_listed(k, pref))
			continue;
		b[0x26 + 2 * slot] = byte(k->width / 8u - 31u);
		b[0x27 + 2 * slot] = byte((uint32_t)k->code << 6); /* low bits: refresh - 60 = 0 */
		slot++;
	}
	for (; slot < 8; slot++) {
		b[0x26 + 2 * slot] = 0x01; /* unused */
		b[0x27 + 2 * slot] = 0x01;
	}
}

static uint8_t hi_bits(uint32_t v, unsigned shift, uint32_t mask, unsigned pos)
{
	return byte(((v >> shift) & mask) << pos);
}

/* An 18-byte detailed timing descriptor; CVT RB wants +hsync -vsync. */
static void write_dtd(uint8_t *d, const struct edid_mode *m, const uint32_t size_mm[2])
{
	uint32_t h_blank = m->h_total - m->width, v_blank = m->v_total - m->height;

	le_store(d, m->clock, 2);
	d[2] = byte(m->width);
	d[3] = byte(h_blank);
	d[4] = hi_bits(m->width, 8, 0xf, 4) | hi_bits(h_blank, 8, 0xf, 0);
	d[5] = byte(m->height);
	d[6] = byte(v_blank);
	d[7] = hi_bits(m->height, 8, 0xf, 4) | hi_bits(v_blank, 8, 0xf, 0);
	d[8] = byte(m->h_front);
	d[9] = byte(m->h_sync);
	d[10] = hi_bits(m->v_front, 0, 0xf, 4) | hi_bits(m->v_sync, 0, 0xf, 0);
	d[11] = hi_bits(m->h_front, 8, 3, 6) | hi_bits(m->h_sync, 8, 3, 4) |
		hi_bits(m->v_front, 4, 3, 2) | hi_bits(m->v_sync, 4, 3, 0);
	d[12] = byte(size_mm[0]);
	d[13] = byte(size_mm[1]);
	d[14] = hi_bits(size_mm[0], 8, 0xf, 4) | hi_bits(size_mm[1], 8, 0xf, 0);
	d[17] = 0x18 | 0x02; /* digital separate sync, hsync positive, vsync negative */
}

/* A display descriptor holding up to 13 characters, ended by 0x0a, padded with spaces. */
static void write_text(uint8_t *d, uint8_t tag, const char *text)
{
	size_t n = strlen(text);

	n = n > 13 ? 13 : n;
	d[3] = tag;
	memset(d + 5, ' ', 13);
	memcpy(d + 5, text, n);
	if (n < 13)
		d[5 + n] = 0x0a;
}

/* A range limit value; past 255 it is stored minus 255 and the offset flag is set. */
static uint8_t range_value(uint64_t v, uint8_t *flags, uint8_t offset_flag)
{
	if (v <= 255)
		return byte(v);
	*flags |= offset_flag;
	return byte(v > 510 ? 255 : v - 255);
}

/* Rounded outwards so that every listed timing stays inside. */
static void write_range(uint8_t *d, const struct rate_range *r)
{
	uint64_t v_min = r->v_min_mhz / 1000u, v_max = (r->v_max_mhz + 999u) / 1000u;
	uint64_t h_min = r->h_min_hz / 1000u, h_max = (r->h_max_hz + 999u) / 1000u;
	uint64_t clock = (r->clock_max_khz + 9999u) / 10000u;
	uint8_t flags = 0;

	d[3] = 0xfd;
	d[5] = range_value(v_min < 1 ? 1 : v_min > 50 ? 50 : v_min, &flags, 0x01);
	d[6] = range_value(v_max < 75 ? 75 : v_max, &flags, 0x02);
	d[7] = range_value(h_min < 1 ? 1 : h_min, &flags, 0x04);
	d[8] = range_value(h_max, &flags, 0x08);
	d[4] = flags; /* "min + 255" flags are only valid with the "max + 255" one: min <= max */
	d[9] = byte(clock < 1 ? 1 : clock > 255 ? 255 : clock);
	d[10] = 0x01; /* range limits only: no GTF or CVT formula offered */
	d[11] = 0x0a;
	memset(d + 12, ' ', 6);
}

static void write_base_block(uint8_t *b, const struct edid_plan *p, uint8_t extensions)
{
	memset(b, 0, EDID_BLOCK_SIZE);
	write_identity(b, p->serial);
	write_basic_params(b, p->size_mm);
	write_chromaticity(b);
	write_legacy_timings(b, &p->preferred);
	write_dtd(b + 0x36, &p->first_dtd, p->size_mm);
	write_range(b + 0x48, &p->range);
	write_text(b + 0x5a, 0xfc, PRODUCT_NAME);
	/*
	 * Dummy descriptor: a serial number string would make the binary serial
	 * above redundant (EDID 1.4 wants one or the other), and the binary one is
	 * what tells the scanouts apart.
	 */
	b[0x6c + 3] = 0x10;
	b[0x7e] = extensions;
	write_checksum(b);
}

/*
 * CTA-861 extension, revision 3: underscanned (a virtual display shows every
 * pixel), no audio or YCbCr flags; a video
 * data block with the VIC, if any; a video capability data block; the
 * preferred DTD, if it fits one, which is then also the one native DTD.
 */
static void write_cta_block(uint8_t *b, const struct edid_plan *p)
{
	uint8_t pos = 4;

	memset(b, 0, EDID_BLOCK_SIZE);
	b[0] = 0x02;
	b[1] = 3;
	if (p->vic) {
		b[pos++] = 2 << 5 | 1; /* video data block, 1 byte */
		b[pos++] = p->vic;
	}
	/*
	 * Video capability data block: RGB quantization range selectable (sources
	 * guess wrong without this block), IT and CE formats always underscanned,
	 * as byte 3 says; PT left 0 since it would equal both.
	 */
	b[pos++] = 7 << 5 | 2; /* extended tag, 2 bytes */
	b[pos++] = 0x00;
	b[pos++] = 0x40 | 0x08 | 0x02;
	b[2] = pos; /* where the DTDs start */
	b[3] = 0x80 | (p->displayid ? 0 : 1);
	if (!p->displayid)
		write_dtd(b + pos, &p->preferred, p->size_mm);
	write_checksum(b);
}

static uint8_t displayid_aspect_code(const struct edid_mode *m)
{
	static const uint16_t ratios[][2] = {
		{ 1, 1 }, { 5, 4 }, { 4, 3 }, { 15, 9 }, { 16, 9 }, { 16, 10 }, { 64, 27 }, { 256, 135 },
	};

	for (uint8_t i = 0; i < ARRAY_SIZE(ratios); i++)
		if ((uint64_t)m->width * ratios[i][1] == (uint64_t)m->height * ratios[i][0])
			return i;
	return 8; /* undefined: computed from the active size */
}

/* DisplayID Type I timing: 20 bytes, every field stored minus 1. */
static void write_displayid_timing(uint8_t *t, const struct edid_mode *m)
{
	le_store(t, m->clock - 1, 3);
	t[3] = 0x80 | displayid_aspect_code(m); /* preferred, progressive, no stereo */
	le_store(t + 4, m->width - 1, 2);
	le_store(t + 6, m->h_total - m->width - 1, 2);
	le_store(t + 8, (m->h_front - 1) | 0x8000u, 2); /* hsync positive */
	le_store(t + 10, m->h_sync - 1, 2);
	le_store(t + 12, m->height - 1, 2);
	le_store(t + 14, m->v_total - m->height - 1, 2);
	le_store(t + 16, m->v_front - 1, 2); /* vsync negative */
	le_store(t + 18, m->v_sync - 1, 2);
}

/* Starts a DisplayID data block (revision 0); returns where its payload goes. */
static uint8_t *displayid_data_block(uint8_t *p, uint8_t tag, uint8_t len)
{
	p[0] = tag;
	p[1] = 0;
	p[2] = len;
	return p + 3;
}

/* Product identification: the base block's vendor, product and serial again. */
static uint8_t write_displayid_product(uint8_t *p, uint32_t serial)
{
	const uint8_t name_len = sizeof(PRODUCT_NAME) - 1;
	uint8_t *d = displayid_data_block(p, 0x00, 12 + name_len);

	memcpy(d, PNP_ID, 3); /* DisplayID takes the PNP id as three ASCII letters */
	le_store(d + 3, PRODUCT_CODE, 2);
	le_store(d + 5, serial, 2);
	le_store(d + 7, serial >> 16, 2);
	d[9] = MADE_WEEK;
	d[10] = MADE_YEAR - 2000;
	d[11] = name_len;
	memcpy(d + 12, PRODUCT_NAME, name_len);
	return 3 + 12 + name_len;
}

/* (long side / short side - 1) x 100: DisplayID states the ratio as one byte. */
static uint8_t displayid_aspect_byte(const struct edid_mode *m)
{
	uint32_t lo = m->width < m->height ? m->width : m->height;
	uint32_t hi = m->width < m->height ? m->height : m->width;
	uint64_t v = ((uint64_t)hi * 100u + lo / 2) / lo - 100u;

	return byte(v > 255 ? 255 : v);
}

/* Display parameters: physical size in 0.1 mm, native size, gamma 2.2, 8 bpc. */
static uint8_t write_displayid_params(uint8_t *p, const struct edid_plan *plan)
{
	uint8_t *d = displayid_data_block(p, 0x01, 12);

	le_store(d, plan->size_mm[0] * 10, 2);
	le_store(d + 2, plan->size_mm[1] * 10, 2);
	le_store(d + 4, plan->preferred.width, 2);
	le_store(d + 6, plan->preferred.height, 2);
	d[9] = GAMMA_BYTE;
	d[10] = displayid_aspect_byte(&plan->preferred);
	d[11] = (8 - 1) << 4 | (8 - 1);
	return 3 + 12;
}

/*
 * Display interface: a proprietary digital interface (it is virtual), one
 * link, RGB at 8 bpc only, no content protection or spread spectrum.
 */
static uint8_t write_displayid_interface(uint8_t *p)
{
	uint8_t *d = displayid_data_block(p, 0x0f, 10);

	d[0] = 0xb << 4 | 1;
	d[2] = 1 << 1; /* bit 1: 8 bpc */
	return 3 + 10;
}

static uint8_t write_displayid_timings(uint8_t *p, const struct edid_mode *m)
{
	write_displayid_timing(displayid_data_block(p, 0x03, 20), m);
	return 3 + 20;
}

/*
 * DisplayID 1.3 extension. Its section (from byte 1) is: version, payload
 * length, product type, extension count, the data blocks, and a checksum of
 * its own besides the EDID block's. Being the first DisplayID section, it
 * names a product type and starts with product identification; as a display
 * it also needs display parameters, a display interface and a Type I timing.
 */
static void write_displayid_block(uint8_t *b, const struct edid_plan *p)
{
	uint8_t *s = b + 1;
	uint8_t len = 0;

	memset(b, 0, EDID_BLOCK_SIZE);
	b[0] = 0x70;
	s[0] = 0x13;
	s[2] = 3; /* product type: standalone display device */
	s[3] = 0;
	len += write_displayid_product(s + 4 + len, p->serial);
	len += write_displayid_params(s + 4 + len, p);
	len += write_displayid_interface(s + 4 + len);
	len += write_displayid_timings(s + 4 + len, &p->preferred);
	s[1] = len;
	s[4 + len] = byte(0x100u - sum_bytes(s, 4u + len));
	write_checksum(b);
}

size_t edid_generate(uint32_t width, uint32_t height, uint32_t scanout, uint8_t out[EDID_MAX_SIZE])
{
	struct edid_plan plan;
	uint8_t extensions;

	plan_edid(width, height, scanout, &plan);
	extensions = plan.displayid ? 2 : 1;
	write_base_block(out, &plan, extensions);
	write_cta_block(out + EDID_BLOCK_SIZE, &plan);
	if (plan.displayid)
		write_displayid_block(out + 2 * EDID_BLOCK_SIZE, &plan);
	return (size_t)(extensions + 1) * EDID_BLOCK_SIZE;
}

bool edid_valid(const uint8_t *buf, size_t len)
{

	if (!buf || len < EDID_BLOCK_SIZE || len > EDID_MAX_SIZE || len % EDID_BLOCK_SIZE)
		return false;
	if (memcmp(buf, edid_header, sizeof(edid_header)) != 0)
		return false;
	if (buf[0x7e] != len / EDID_BLOCK_SIZE - 1)
		return false;
	for (size_t off = 0; off < len; off += EDID_BLOCK_SIZE)
		if (sum_bytes(buf + off, EDID_BLOCK_SIZE) != 0)
			return false;
	return true;
}
