/* SPDX-License-Identifier: MIT */
/*
 * What the guest learns about the displays: GET_DISPLAY_INFO, GET_EDID
 * (generated and VMM-supplied), vgm_device_set_edid and set_display as the
 * guest sees them, and the capset commands (no capsets).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define DISPLAY_INFO_SIZE 408
#define PMODE(i) (24u + 24u * (i))
#define EDID_RESP_SIZE 1056
#define EDID_SIZE_OFF 24
#define EDID_PAD_OFF 28
#define EDID_BYTES_OFF 32
#define EDID_FIELD 1024
#define EDID_BLOCK 128
#define GET_EDID_SCANOUT 24

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

static struct harness *with_scanouts(uint32_t n)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = n,
				  .with_release = true };

	return harness_new(&o);
}

/* Asserts entry i of the last OK_DISPLAY_INFO. */
static void assert_pmode(const struct harness *h, uint32_t i, uint32_t w, uint32_t hgt,
			 uint32_t enabled)
{
	assert_int_equal(resp_u32(h, PMODE(i) + 0), 0);
	assert_int_equal(resp_u32(h, PMODE(i) + 4), 0);
	assert_int_equal(resp_u32(h, PMODE(i) + 8), w);
	assert_int_equal(resp_u32(h, PMODE(i) + 12), hgt);
	assert_int_equal(resp_u32(h, PMODE(i) + 16), enabled);
	assert_int_equal(resp_u32(h, PMODE(i) + 20), 0); /* flags */
}

static void get_display_info(struct harness *h)
{
	struct req r;

	req_display_info(&r);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(h->resp_len, DISPLAY_INFO_SIZE);
}

/* ---- GET_DISPLAY_INFO ---------------------------------------------------------- */

static void test_display_info_one_scanout(void **state)
{
	struct harness *h = *state;

	get_display_info(h);
	for (size_t i = 4; i < 24; i++)
		assert_int_equal(h->resp[i], 0);
	assert_pmode(h, 0, 1024, 768, 1);
	for (uint32_t i = 1; i < VGM_MAX_SCANOUTS; i++)
		assert_pmode(h, i, 0, 0, 0); /* nonexistent scanouts */
}

static void test_display_info_disabled_scanout(void **state)
{
	struct harness *h = with_scanouts(3);

	(void)state;
	assert_int_equal(vgm_device_set_display(h->dev, 1, false, 0, 0), 0);
	assert_int_equal(vgm_device_set_display(h->dev, 2, true, 640, 480), 0);
	get_display_info(h);
	assert_pmode(h, 0, 1024, 768, 1);
	assert_pmode(h, 1, 0, 0, 0);
	assert_pmode(h, 2, 640, 480, 1);
	for (uint32_t i = 3; i < VGM_MAX_SCANOUTS; i++)
		assert_pmode(h, i, 0, 0, 0);
	harness_free(h);
}

static void test_display_info_sixteen_scanouts(void **state)
{
	struct harness *h = with_scanouts(16);

	(void)state;
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(vgm_device_set_display(h->dev, i, i != 7, 100 + i, 200 + 2 * i), 0);
	get_display_info(h);
	for (uint32_t i = 0; i < 16; i++) {
		if (i == 7)
			assert_pmode(h, i, 0, 0, 0);
		else
			assert_pmode(h, i, 100 + i, 200 + 2 * i, 1);
	}
	harness_free(h);
}

/* The guest sees the new size at its next GET_DISPLAY_INFO. */
static void test_display_info_follows_set_display(void **state)
{
	struct harness *h = *state;

	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 1920, 1200), 0);
	get_display_info(h);
	assert_pmode(h, 0, 1920, 1200, 1);
	assert_int_equal(vgm_device_set_display(h->dev, 0, false, 0, 0), 0);
	get_display_info(h);
	assert_pmode(h, 0, 0, 0, 0);
	/* Re-enabled with 0x0: the size it had. */
	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 0, 0), 0);
	get_display_info(h);
	assert_pmode(h, 0, 1920, 1200, 1);
}

/* ---- GET_EDID: the generated EDID ---------------------------------------------- */

static void get_edid(struct harness *h, uint32_t scanout)
{
	struct req r;

	req_get_edid(&r, scanout);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
	assert_int_equal(h->resp_len, EDID_RESP_SIZE);
	assert_int_equal(resp_u32(h, EDID_PAD_OFF), 0);
}

static uint8_t block_sum(const uint8_t *b)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < EDID_BLOCK; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

/* The response's EDID is valid, its blocks as many as `size` says, and
 * everything past it zero. Returns the EDID. */
static const uint8_t *assert_edid_valid(const struct harness *h)
{
	const uint8_t *e = h->resp + EDID_BYTES_OFF;
	uint32_t size = resp_u32(h, EDID_SIZE_OFF);

	assert_true(size >= EDID_BLOCK && size <= EDID_FIELD);
	assert_int_equal(size % EDID_BLOCK, 0);
	assert_memory_equal(e, edid_header, sizeof(edid_header));
	assert_int_equal(e[0x12], 1); /* EDID 1.4 */
	assert_int_equal(e[0x13], 4);
	assert_int_equal(e[0x7e], size / EDID_BLOCK - 1);
	for (uint32_t off = 0; off < size; off += EDID_BLOCK)
		assert_int_equal(block_sum(e + off), 0);
	for (uint32_t i = size; i < EDID_FIELD; i++)
		assert_int_equal(e[i], 0);
	return e;
}

/* The preferred mode: the first detailed timing descriptor, at 0x36. */
static void assert_preferred_mode(const uint8_t *e, uint32_t w, uint32_t hgt)
{
	const uint8_t *d = e + 0x36;

	assert_true(d[0] != 0 || d[1] != 0); /* a timing, not a display descriptor */
	assert_int_equal(d[2] | (d[4] & 0xf0) << 4, w);
	assert_int_equal(d[5] | (d[7] & 0xf0) << 4, hgt);
}

static void test_edid_generated(void **state)
{
	struct harness *h = *state;
	const uint8_t *e;

	get_edid(h, 0);
	for (size_t i = 4; i < 24; i++)
		assert_int_equal(h->resp[i], 0);
	e = assert_edid_valid(h);
	assert_int_equal(resp_u32(h, EDID_SIZE_OFF), 2 * EDID_BLOCK); /* base + CTA-861 */
	assert_int_equal(e[EDID_BLOCK], 0x02);			      /* CTA extension tag */
	assert_preferred_mode(e, 1024, 768);
}

static void test_edid_follows_set_display(void **state)
{
	static const uint32_t sizes[][2] = {
		{ 640, 480 }, { 1280, 1024 }, { 1920, 1080 }, { 3840, 2160 }, { 4095, 4095 },
		{ 1, 1 },
	};
	struct harness *h = *state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(vgm_device_set_display(h->dev, 0, true, sizes[i][0], sizes[i][1]),
				 0);
		get_edid(h, 0);
		assert_preferred_mode(assert_edid_valid(h), sizes[i][0], sizes[i][1]);
	}
}

/* Past 4095 a DTD cannot carry the mode: a DisplayID block is added. */
static void test_edid_large_mode_three_blocks(void **state)
{
	struct harness *h = *state;

	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 8192, 4320), 0);
	get_edid(h, 0);
	assert_edid_valid(h);
	assert_int_equal(resp_u32(h, EDID_SIZE_OFF), 3 * EDID_BLOCK);
	assert_int_equal(h->resp[EDID_BYTES_OFF + 2 * EDID_BLOCK], 0x70); /* DisplayID tag */
}

/* Each scanout its own EDID: its own mode and its own serial. */
static void test_edid_per_scanout(void **state)
{
	struct harness *h = with_scanouts(2);
	uint8_t first[EDID_FIELD];

	(void)state;
	assert_int_equal(vgm_device_set_display(h->dev, 1, true, 800, 600), 0);
	get_edid(h, 0);
	assert_preferred_mode(assert_edid_valid(h), 1024, 768);
	memcpy(first, h->resp + EDID_BYTES_OFF, sizeof(first));
	get_edid(h, 1);
	assert_preferred_mode(assert_edid_valid(h), 800, 600);
	assert_memory_not_equal(first + 0x0c, h->resp + EDID_BYTES_OFF + 0x0c, 4); /* serial */
	harness_free(h);
}

static void expect_edid_error(struct harness *h, uint32_t scanout, const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_get_edid(&r, 0);
	req_set32(&r, GET_EDID_SCANOUT, scanout);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(h->resp_len, 24);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_edid_scanout_out_of_range(void **state)
{
	struct harness *h = *state;

	expect_edid_error(h, 1, "scanout 1 is not below num_scanouts 1");
	expect_edid_error(h, 16, "scanout 16");
	expect_edid_error(h, 0xffffffffu, "scanout 4294967295");
}

/* The padding after scanout is not a field: anything goes. */
static void test_edid_padding_ignored(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_get_edid(&r, 0);
	req_set32(&r, GET_EDID_SCANOUT + 4, 0xffffffffu);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
	assert_preferred_mode(assert_edid_valid(h), 1024, 768);
}

/* ---- GET_EDID: the VMM's own EDID ----------------------------------------------- */

/* A plausible EDID of n blocks: header, extension count, pattern, checksums. */
static void make_edid(uint8_t *e, size_t n)
{
	for (size_t i = 0; i < n * EDID_BLOCK; i++)
		e[i] = (uint8_t)(i * 7 + 3);
	memcpy(e, edid_header, sizeof(edid_header));
	e[0x7e] = (uint8_t)(n - 1);
	for (uint8_t *blk = e; blk < e + n * EDID_BLOCK; blk += EDID_BLOCK) {
		blk[EDID_BLOCK - 1] = 0;
		blk[EDID_BLOCK - 1] = (uint8_t)(0x100 - block_sum(blk));
	}
}

static void expect_edid_bytes(struct harness *h, uint32_t scanout, const uint8_t *e, size_t len)
{
	get_edid(h, scanout);
	assert_int_equal(resp_u32(h, EDID_SIZE_OFF), len);
	assert_memory_equal(h->resp + EDID_BYTES_OFF, e, len);
	for (size_t i = len; i < EDID_FIELD; i++)
		assert_int_equal(h->resp[EDID_BYTES_OFF + i], 0);
}

static void test_edid_supplied_returned_as_is(void **state)
{
	struct harness *h = *state;
	uint8_t e[EDID_FIELD];

	for (size_t n = 1; n <= 8; n *= 2) {
		make_edid(e, n);
		assert_int_equal(vgm_device_set_edid(h->dev, 0, e, n * EDID_BLOCK), 0);
		memset(e + 8, 0, 8); /* the device keeps its own copy */
		make_edid(e, n);
		expect_edid_bytes(h, 0, e, n * EDID_BLOCK);
	}
}

static void test_edid_supplied_reset_with_null(void **state)
{
	struct harness *h = *state;
	uint8_t generated[EDID_FIELD], e[EDID_BLOCK];

	get_edid(h, 0);
	memcpy(generated, h->resp + EDID_BYTES_OFF, sizeof(generated));
	make_edid(e, 1);
	assert_int_equal(vgm_device_set_edid(h->dev, 0, e, sizeof(e)), 0);
	expect_edid_bytes(h, 0, e, sizeof(e));
	assert_int_equal(vgm_device_set_edid(h->dev, 0, NULL, 0), 0);
	get_edid(h, 0);
	assert_memory_equal(h->resp + EDID_BYTES_OFF, generated, sizeof(generated));
}

/* The VMM's EDID stays what it said, whatever set_display does later. */
static void test_edid_supplied_only_its_scanout(void **state)
{
	struct harness *h = with_scanouts(2);
	uint8_t e[2 * EDID_BLOCK];

	(void)state;
	make_edid(e, 2);
	assert_int_equal(vgm_device_set_edid(h->dev, 1, e, sizeof(e)), 0);
	get_edid(h, 0);
	assert_preferred_mode(assert_edid_valid(h), 1024, 768);
	expect_edid_bytes(h, 1, e, sizeof(e));
	harness_free(h);
}

/* One invalid EDID: -EINVAL, logged at ERROR, the previous EDID stays. */
static void expect_set_edid_refused(struct harness *h, uint32_t scanout, const uint8_t *e,
				    size_t len, const uint8_t *current)
{
	struct snapshot s;

	snapshot_take(h, &s);
	assert_int_equal(vgm_device_set_edid(h->dev, scanout, e, len), -EINVAL);
	assert_unchanged(h, &s);
	assert_int_equal(h->log_levels[h->nlogs - 1], VGM_LOG_ERROR);
	assert_logged(h, "vgm_device_set_edid");
	expect_edid_bytes(h, 0, current, EDID_BLOCK);
}

static void test_set_edid_invalid(void **state)
{
	struct harness *h = *state;
	uint8_t cur[EDID_BLOCK], e[EDID_FIELD + 2 * EDID_BLOCK];

	make_edid(cur, 1);
	assert_int_equal(vgm_device_set_edid(h->dev, 0, cur, sizeof(cur)), 0);

	make_edid(e, 1);
	e[0x20] ^= 1; /* bad checksum */
	expect_set_edid_refused(h, 0, e, EDID_BLOCK, cur);
	make_edid(e, 2);
	e[EDID_BLOCK + 5] ^= 1; /* bad checksum in the extension */
	expect_set_edid_refused(h, 0, e, 2 * EDID_BLOCK, cur);
	make_edid(e, 1);
	e[0] = 0x01; /* bad header, good checksum */
	e[EDID_BLOCK - 1] = (uint8_t)(e[EDID_BLOCK - 1] - 1);
	expect_set_edid_refused(h, 0, e, EDID_BLOCK, cur);
	make_edid(e, 2);
	expect_set_edid_refused(h, 0, e, EDID_BLOCK, cur); /* says 1 extension, has none */
	make_edid(e, 1);
	expect_set_edid_refused(h, 0, e, 0, cur);
	expect_set_edid_refused(h, 0, e, 100, cur);
	expect_set_edid_refused(h, 0, e, 129, cur);
	make_edid(e, 9);
	expect_set_edid_refused(h, 0, e, 9 * EDID_BLOCK, cur); /* 1152 bytes */
	make_edid(e, 1);
	expect_set_edid_refused(h, 1, e, EDID_BLOCK, cur); /* bad scanout */
	expect_set_edid_refused(h, 0, NULL, EDID_BLOCK, cur);
	assert_int_equal(vgm_device_set_edid(NULL, 0, e, EDID_BLOCK), -EINVAL);
}

/* ---- capsets ---------------------------------------------------------------------- */

static void expect_no_capset(struct harness *h, struct req *r)
{
	struct snapshot s;

	snapshot_take(h, &s);
	assert_int_equal(submit(h, r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_int_equal(h->resp_len, 24);
	assert_unchanged(h, &s);
	assert_logged(h, "no capsets");
}

static void test_capset_info_unspec(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_capset_info(&r, 0);
	expect_no_capset(h, &r);
	req_capset_info(&r, 1);
	expect_no_capset(h, &r);
}

static void test_capset_unspec(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_capset(&r, 1, 1); /* VIRGL */
	expect_no_capset(h, &r);
	req_capset(&r, 0, 0);
	expect_no_capset(h, &r);
}

static void test_capsets_rfc_unspec(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_capset_info(&r, 0);
	expect_no_capset(h, &r);
	req_capset(&r, 1, 1);
	expect_no_capset(h, &r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)
	const struct CMUnitTest tests[] = {
		T(test_display_info_one_scanout),
		cmocka_unit_test(test_display_info_disabled_scanout),
		cmocka_unit_test(test_display_info_sixteen_scanouts),
		T(test_display_info_follows_set_display),
		T(test_edid_generated),
		T(test_edid_follows_set_display),
		T(test_edid_large_mode_three_blocks),
		cmocka_unit_test(test_edid_per_scanout),
		T(test_edid_scanout_out_of_range),
		T(test_edid_padding_ignored),
		T(test_edid_supplied_returned_as_is),
		T(test_edid_supplied_reset_with_null),
		cmocka_unit_test(test_edid_supplied_only_its_scanout),
		T(test_set_edid_invalid),
		T(test_capset_info_unspec),
		T(test_capset_unspec),
		cmocka_unit_test_setup_teardown(test_capsets_rfc_unspec, harness_setup_rfc,
						harness_teardown),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
