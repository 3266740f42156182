/* SPDX-License-Identifier: MIT */
/*
 * Saving and restoring a device (docs/snapshot-format.md): a state loads
 * into a new device whose guest RAM is elsewhere and shows what the old
 * one showed; saved, loaded and saved again it is the same bytes; it is
 * state, not history; 2D pixels are what the last transfer copied; every
 * field changed to a bad value is refused with the device left as
 * created; the states this version saved (tests/data/snapshot/) load.
 *
 * VGM_SNAPSHOT_DIR names the fixtures' folder; with VGM_SNAPSHOT_WRITE=1
 * the test writes them there instead of reading them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/util.h"

#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM
#define BLOB_W 64u
#define BLOB_H 32u

static struct harness *device(enum vgm_dialect dialect, bool fresh, uint32_t flags)
{
	const struct harness_opts o = { .dialect = dialect, .num_scanouts = 2,
					.with_release = true, .no_accept = fresh,
					.flags = flags };

	return harness_new(&o);
}

static uint8_t *save(struct harness *h, size_t *len)
{
	size_t size = 0, written = 0;
	uint8_t *buf;

	assert_int_equal(vgm_device_save_size(h->dev, &size), 0);
	buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(vgm_device_save(h->dev, buf, size, &written), 0);
	assert_int_equal(written, size);
	*len = size;
	return buf;
}

/* A new device of the same kind, its guest RAM a copy of h's at other
 * host addresses, the state loaded; not resumed. */
static struct harness *migrate(struct harness *h, enum vgm_dialect dialect, const uint8_t *st,
			       size_t len)
{
	struct harness *d = device(dialect, true, VGM_DEVICE_SAVEABLE);

	ram_move(d, h);
	assert_int_equal(vgm_device_load(d->dev, st, len), 0);
	return d;
}

/* The standard dialect with everything it can hold: a 2D resource shown
 * on scanout 0 with a cursor, a blob shown on scanout 1, a UUID, a fence. */
static struct harness *standard_device(struct backing *b2d, struct backing *bblob)
{
	struct harness *h = device(VGM_DIALECT_STANDARD, false, VGM_DEVICE_SAVEABLE);
	uint8_t *px = malloc(64 * 64 * 4);
	struct req r;

	make_backed(h, 1, FMT, 64, 64, b2d, 4096);
	pattern_fill(px, 64 * 64 * 4, 1);
	backing_write(h, b2d, 0, px, 64 * 64 * 4);
	req_transfer(&r, 1, 0, 0, 64, 64, 0);
	req_fence(&r, 7, 0, -1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_set_scanout(&r, 0, 1, 8, 8, 32, 32);
	expect_nodata(h, &r);
	req_update_cursor(&r, 0, 1, 10, 20, 3, 4);
	submit_cursor(h, &r);
	req_assign_uuid(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_RESOURCE_UUID);
	backing_make(h, bblob, BLOB_W * BLOB_H * 4, 4096);
	pattern_fill(px, BLOB_W * BLOB_H * 4, 2);
	backing_write(h, bblob, 0, px, BLOB_W * BLOB_H * 4);
	req_create_blob(&r, 2, BLOB_W * BLOB_H * 4, bblob);
	expect_nodata(h, &r);
	req_set_scanout_blob(&r, 1, 2, FMT, BLOB_W, BLOB_H, BLOB_W * 4, 0);
	expect_nodata(h, &r);
	free(px);
	return h;
}

/* The memory-rfc dialect: a region named by the guest, two resources in it. */
static struct harness *rfc_device(struct backing *b)
{
	struct harness *h = device(VGM_DIALECT_MEMORY_RFC, false, VGM_DEVICE_SAVEABLE);
	uint8_t *px = malloc(2 * 32 * 32 * 4);
	struct req r;

	backing_make(h, b, 2 * 32 * 32 * 4, 4096);
	pattern_fill(px, 2 * 32 * 32 * 4, 3);
	backing_write(h, b, 0, px, 2 * 32 * 32 * 4);
	req_memory_create(&r, 5, b);
	expect_nodata(h, &r);
	make_resource(h, 1, FMT, 32, 32);
	make_resource(h, 2, FMT, 32, 32);
	req_attach_memory(&r, 1, 5, 0);
	expect_nodata(h, &r);
	req_attach_memory(&r, 2, 5, 32 * 32 * 4);
	expect_nodata(h, &r);
	req_transfer(&r, 2, 0, 0, 32, 32, 0);
	expect_nodata(h, &r);
	req_set_scanout(&r, 1, 2, 0, 0, 32, 32);
	expect_nodata(h, &r);
	free(px);
	return h;
}

static void assert_same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
}

/* What standard_device() made, a device migrated from it and both states. */
static void free_standard(struct harness *h, struct harness *d, struct backing *b2d,
			  struct backing *bblob, uint8_t *st, uint8_t *st2)
{
	free(st);
	free(st2);
	backing_free(b2d);
	backing_free(bblob);
	harness_free(h);
	harness_free(d);
}

static void test_state_round_trip_standard(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob), *d;
	static uint8_t shown[2][64 * 64 * 4], again[2][64 * 64 * 4];
	size_t len, len2;
	uint8_t *st = save(h, &len), *st2;
	const struct event *ev;

	(void)state;
	d = migrate(h, VGM_DIALECT_STANDARD, st, len);
	assert_int_equal(d->nevents, 0); /* nothing shown before resume */
	assert_int_equal(d->translate_calls, 0);
	assert_int_equal(vgm_device_resume(d->dev), 0);
	/* resume: both scanouts shown, the cursor, the UUID */
	assert_int_equal(count_events(d, EV_SCANOUT_SET), 2);
	ev = last_event(d, EV_CURSOR_SET);
	assert_non_null(ev);
	assert_int_equal(ev->cursor.hot_x, 3);
	assert_int_equal(ev->cursor.x, 10);
	assert_memory_equal(ev->cursor_pixels, last_event(h, EV_CURSOR_SET)->cursor_pixels,
			    sizeof(ev->cursor_pixels));
	assert_int_equal(d->uuid_calls, 1);
	assert_memory_equal(d->uuid, h->uuid, 16);
	for (uint32_t i = 0; i < 2; i++) {
		read_shown(h, i, shown[i]);
		read_shown(d, i, again[i]);
		assert_memory_equal(shown[i], again[i], sizeof(shown[i]));
	}
	st2 = save(d, &len2);
	assert_same_bytes(st, len, st2, len2);
	free_standard(h, d, &b2d, &bblob, st, st2);
}

static void test_state_round_trip_rfc(void **state)
{
	struct backing b;
	struct harness *h = rfc_device(&b), *d;
	static uint8_t shown[32 * 32 * 4], again[32 * 32 * 4];
	size_t len, len2;
	uint8_t *st = save(h, &len), *st2;
	struct req r;

	(void)state;
	d = migrate(h, VGM_DIALECT_MEMORY_RFC, st, len);
	assert_int_equal(vgm_device_resume(d->dev), 0);
	read_shown(h, 1, shown);
	read_shown(d, 1, again);
	assert_memory_equal(shown, again, sizeof(shown));
	st2 = save(d, &len2);
	assert_same_bytes(st, len, st2, len2);
	/* the region works after resume: resource 1 transfers from the new RAM */
	req_transfer(&r, 1, 0, 0, 32, 32, 0);
	expect_nodata(d, &r);
	req_memory_unref(&r, 5);
	expect_nodata(d, &r);
	req_unref(&r, 1);
	expect_nodata(d, &r);
	req_unref(&r, 2);
	expect_nodata(d, &r);
	assert_int_equal(d->live_maps, 0);
	free(st);
	free(st2);
	backing_free(&b);
	harness_free(h);
	harness_free(d);
}

static void test_state_not_history(void **state)
{
	struct harness *h = device(VGM_DIALECT_STANDARD, false, VGM_DEVICE_SAVEABLE);
	size_t fresh, after;
	struct req r;

	(void)state;
	assert_int_equal(vgm_device_save_size(h->dev, &fresh), 0);
	for (uint32_t i = 0; i < 100000; i++) {
		make_resource(h, 1 + i % 3, FMT, 16, 16);
		req_unref(&r, 1 + i % 3);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	}
	assert_int_equal(vgm_device_save_size(h->dev, &after), 0);
	assert_int_equal(after, fresh);
	/* a never-written 1024x768 image costs its record and one run */
	make_resource(h, 9, FMT, 1024, 768);
	assert_int_equal(vgm_device_save_size(h->dev, &after), 0);
	assert_true(after - fresh <= 72 + 8 + 16);
	harness_free(h);
}

static void test_state_pixels_of_last_transfer(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob), *d;
	static uint8_t before[64 * 64 * 4], after[64 * 64 * 4];
	size_t len;
	uint8_t *st;

	(void)state;
	read_shown(h, 0, before);
	backing_fill(h, &b2d, 0, 0x5a, 64 * 64 * 4); /* the guest changes its pages */
	st = save(h, &len);
	d = migrate(h, VGM_DIALECT_STANDARD, st, len);
	assert_int_equal(vgm_device_resume(d->dev), 0);
	read_shown(d, 0, after);
	assert_memory_equal(before, after, sizeof(before));
	free(st);
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
	harness_free(d);
}

/* Loaded, not resumed (a VMM that migrates on before the guest runs): its
 * save is the state it loaded, the blob scanout's staging copy included,
 * and the next device shows what the first showed, not what guest memory
 * holds since. */
static void test_state_save_before_resume(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob), *d, *e;
	static uint8_t shown[BLOB_W * BLOB_H * 4], again[BLOB_W * BLOB_H * 4];
	size_t len, len2;
	uint8_t *st = save(h, &len), *st2;

	(void)state;
	read_shown(h, 1, shown);
	d = migrate(h, VGM_DIALECT_STANDARD, st, len);
	st2 = save(d, &len2);
	assert_same_bytes(st, len, st2, len2);
	backing_fill(d, &bblob, 0, 0x5a, BLOB_W * BLOB_H * 4); /* not flushed */
	e = migrate(d, VGM_DIALECT_STANDARD, st2, len2);
	assert_int_equal(vgm_device_resume(e->dev), 0);
	read_shown(e, 1, again);
	assert_memory_equal(shown, again, sizeof(shown));
	free_standard(h, d, &b2d, &bblob, st, st2);
	harness_free(e);
}

/* A save walks the state once, writing what fits: every buffer shorter
 * than the state is refused, and nothing is written past its end (each
 * buffer is allocated to its length, for ASan and valgrind); one longer
 * receives the state and says how long it is. */
static void save_cut_short(struct harness *h)
{
	size_t size = 0, written = 0;
	uint8_t *buf;

	assert_int_equal(vgm_device_save_size(h->dev, &size), 0);
	for (size_t len = 1; len < size; len++) {
		buf = malloc(len);
		assert_non_null(buf);
		assert_int_equal(vgm_device_save(h->dev, buf, len, &written), -ENOSPC);
		free(buf);
	}
	buf = malloc(size + 16);
	assert_non_null(buf);
	assert_int_equal(vgm_device_save(h->dev, buf, size + 16, &written), 0);
	assert_int_equal(written, size);
	free(buf);
}

static void test_state_can_save(void **state)
{
	struct harness *h = device(VGM_DIALECT_STANDARD, false, 0);
	uint32_t why = 0;
	size_t size = 0, written = 0;
	uint8_t small[8];

	(void)state;
	assert_int_equal(vgm_device_can_save(h->dev, &why), -EBUSY);
	assert_int_equal(why, VGM_SAVE_BLOCKED_NOT_SAVEABLE);
	assert_int_equal(vgm_device_save_size(h->dev, &size), -EBUSY);
	assert_int_equal(vgm_device_save(h->dev, small, sizeof(small), &written), -EBUSY);
	assert_int_equal(vgm_device_load(h->dev, small, sizeof(small)), -EINVAL);
	assert_true(count_logs(h, "not VGM_DEVICE_SAVEABLE", 0) == 1);
	h->nlogs = 0;
	harness_free(h);
	h = device(VGM_DIALECT_STANDARD, false, VGM_DEVICE_SAVEABLE);
	assert_int_equal(vgm_device_can_save(h->dev, &why), 0);
	assert_int_equal(why, 0);
	memset(small, 0xee, sizeof(small));
	assert_int_equal(vgm_device_save(h->dev, small, sizeof(small), &written), -ENOSPC);
	assert_int_equal(small[0], 0xee); /* the header goes last, when all fitted */
	save_cut_short(h);
	harness_free(h);
	/* unknown flags are API misuse */
	{
		struct vgm_host_ops ops = { .size = sizeof(ops) };
		struct vgm_device_config cfg = { .size = sizeof(cfg), .num_scanouts = 1,
						 .flags = 2 };
		struct vgm_device *dev = NULL;

		ops.translate = NULL;
		cfg.ops = &ops;
		assert_int_equal(vgm_device_new(&cfg, &dev), -EINVAL);
	}
}

/* d records into /dev/null. */
static void record_to_null(struct harness *d)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(vgm_device_record_start(d->dev, fd), 0);
	close(fd);
}

static void test_state_load_rules(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob), *d;
	const struct harness_opts one = { .dialect = VGM_DIALECT_STANDARD, .no_accept = true,
					  .flags = VGM_DEVICE_SAVEABLE };
	const struct harness_opts poor = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = 2,
					   .no_accept = true, .max_host_memory = 4096,
					   .flags = VGM_DEVICE_SAVEABLE };
	struct vgm_pixels px;
	size_t len;
	uint8_t *st = save(h, &len);
	struct req r;

	(void)state;
	/* not fresh: a device whose features were set */
	assert_int_equal(vgm_device_load(h->dev, st, len), -EINVAL);
	assert_true(count_logs(h, "not as created", 0) == 1);
	h->nlogs = 0;
	/* another number of scanouts; a budget too small */
	d = harness_new(&one);
	assert_int_equal(vgm_device_load(d->dev, st, len), -EINVAL);
	assert_true(count_logs(d, "field num_scanouts", 0) == 1);
	d->nlogs = 0;
	harness_free(d);
	d = harness_new(&poor);
	assert_int_equal(vgm_device_load(d->dev, st, len), -EINVAL);
	assert_true(count_logs(d, "host memory", 0) == 1);
	d->nlogs = 0;
	harness_free(d);
	/* a device that records: its recording could not replay the state */
	d = device(VGM_DIALECT_STANDARD, true, VGM_DEVICE_SAVEABLE);
	ram_move(d, h);
	record_to_null(d);
	assert_int_equal(vgm_device_load(d->dev, st, len), -EINVAL);
	assert_true(count_logs(d, "records", 0) == 1);
	d->nlogs = 0;
	assert_int_equal(vgm_device_record_stop(d->dev), 0);
	assert_int_equal(vgm_device_load(d->dev, st, len), 0);
	assert_int_equal(vgm_device_resume(d->dev), 0);
	harness_free(d);
	/* loaded, not resumed: no requests, nothing shown; resume once */
	d = migrate(h, VGM_DIALECT_STANDARD, st, len);
	assert_int_equal(vgm_device_load(d->dev, st, len), -EINVAL);
	assert_true(count_logs(d, "not as created", 0) == 1);
	assert_int_equal(vgm_device_get_scanout_pixels(d->dev, 0, &px), -ENODATA);
	req_display_info(&r);
	{
		size_t written;
		struct iovec in = { r.buf, r.len }, out = { d->resp, sizeof(d->resp) };

		assert_int_equal(vgm_device_submit(d->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1,
						   &written),
				 -EBUSY);
		req_free(&r);
	}
	assert_int_equal(vgm_device_resume(d->dev), 0);
	assert_int_equal(vgm_device_resume(d->dev), -EINVAL);
	assert_true(count_logs(d, "before vgm_device_resume", 0) == 1);
	assert_true(count_logs(d, "was not loaded", 0) == 1);
	d->nlogs = 0;
	assert_int_equal(vgm_device_get_scanout_pixels(d->dev, 0, &px), 0);
	free(st);
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
	harness_free(d);
}

/* ---- one field at a time ------------------------------------------------------------ */

enum { HDR = 0 }; /* the header, in place of a section's tag */

struct mutation {
	uint32_t tag;	/* section (HDR: the header) */
	uint32_t rec;	/* which record of the section */
	uint32_t off;	/* in the record */
	uint32_t size;	/* 1, 4 or 8 bytes */
	uint64_t value;
	const char *needle; /* in the one log line */
};

/* Where section tag's payload starts (its header 16 bytes before). */
static size_t section_at(const uint8_t *st, size_t len, uint32_t tag)
{
	for (size_t at = 32; at + 16 <= len; at += 16 + le64(st + at + 8)) {
		if (le32(st + at) == tag)
			return at + 16;
	}
	harness_fail("no section %u", tag);
}

/* Where record rec of a section starts. */
static size_t record_at(const uint8_t *st, size_t len, uint32_t tag, uint32_t rec)
{
	size_t at;

	if (tag == HDR)
		return 0;
	at = section_at(st, len, tag);
	switch (tag) {
	case 2: /* display: no EDID set, 16 bytes each */
		return at + rec * 16u;
	case 3: /* regions: after the count */
		return at + 4;
	case 4: /* resources: after the count, each record and its pixels */
		at += 4;
		while (rec--)
			at += 72 + le64(st + at + 64);
		return at;
	case 5:
		return at + rec * 48u;
	default:
		return at;
	}
}

static const struct mutation mutations[] = {
	{ HDR, 0, 0, 1, 'X', "header, field magic" },
	{ HDR, 0, 8, 4, 2, "header, field version" },
	{ HDR, 0, 12, 4, 1, "header, field flags" },
	{ HDR, 0, 28, 4, 1, "header, field reserved" },
	{ 1, 0, 0, 4, VGM_DIALECT_MEMORY_RFC, "device, field dialect" },
	{ 1, 0, 4, 4, 1, "device, field num_scanouts" },
	{ 1, 0, 16, 8, 1ull << 20, "device, field accepted" },
	{ 1, 0, 24, 4, 2, "device, field events" },
	{ 1, 0, 28, 4, 1, "device, field reserved" },
	{ 2, 0, 0, 4, 2, "display, field enabled" },
	{ 2, 1, 4, 4, 0, "display, field width x height" },
	{ 2, 0, 8, 4, 16385, "display, field width x height" },
	{ 2, 0, 12, 4, 128, "display, field edid" },
	{ 3, 0, 0, 4, 5, "regions, field memory_id" },
	{ 3, 0, 4, 4, 0, "regions, field entries" },
	{ 3, 0, 4, 4, 1u << 30, "regions, field entries" },
	{ 3, 0, 8, 8, 4096, "regions, field size" },
	{ 3, 0, 16, 4, 64, "regions, field granularity" },
	{ 3, 0, 20, 4, 0, "regions, field ranges" },
	{ 3, 0, 32, 8, 0, "regions, field range length" },
	{ 4, 0, 0, 4, 0, "resources, field id" },
	{ 4, 0, 0, 4, 2, "resources, field id" },
	{ 4, 0, 4, 4, 3, "resources, field kind" },
	{ 4, 0, 8, 4, 999, "resources, field format" },
	{ 4, 0, 12, 4, 0, "resources, field width x height" },
	{ 4, 0, 12, 4, 1u << 20, "resources, field pixels" },
	{ 4, 0, 24, 8, 1, "resources, field blob_size" },
	{ 4, 0, 32, 4, 9, "resources, field region" },
	{ 4, 0, 36, 4, 2, "resources, field has_uuid" },
	{ 4, 0, 40, 8, 1, "resources, field backing_offset" },
	{ 4, 0, 48, 4, 0, "resources, field uuid" },
	{ 4, 0, 54, 1, 0x00, "resources, field uuid (not a version 4" },
	{ 4, 0, 64, 8, 1ull << 40, "resources, field pixels length" },
	{ 4, 1, 20, 4, 0x100, "resources, field blob_flags" },
	{ 4, 1, 24, 8, 0, "resources, field blob_size" },
	{ 4, 1, 24, 8, 1ull << 40, "resources, field backing_offset" },
	{ 4, 1, 8, 4, FMT, "resources, field format" },
	{ 4, 1, 32, 4, 0, "regions, field memory_id (0, and no resource" },
	{ 5, 0, 0, 4, 99, "scanouts, field resource_id" },
	{ 5, 0, 12, 4, 0, "scanouts, field rect" },
	{ 5, 0, 4, 4, 1000, "scanouts, field rect" },
	{ 5, 0, 20, 4, FMT, "scanouts, field format" },
	{ 5, 0, 36, 4, 1, "scanouts, field reserved" },
	{ 5, 1, 20, 4, 999, "scanouts, field format" },
	{ 5, 1, 32, 4, 4, "scanouts, field stride" },
	{ 5, 1, 40, 8, 4096, "scanouts, field offset" },
	{ 6, 0, 0, 4, 2, "cursors, field visible" },
	{ 6, 0, 24, 8, 1, "cursors, field image" },
	{ 7, 0, 0, 4, 2, "fences, field count" },
	{ 7, 0, 4, 4, 1, "fences, field ctx_id" },
	{ 8, 0, 0, 8, 1, "views, field pixels (no blob shown)" },
	{ 8, 0, 8, 8, 1, "views, field pixels" },
};

static void put(uint8_t *p, uint32_t size, uint64_t v)
{
	if (size == 1)
		*p = (uint8_t)v;
	else if (size == 4)
		put_le32(p, (uint32_t)v);
	else
		put_le64(p, v);
}

static void fix_crc(uint8_t *st, size_t len)
{
	put_le32(st + 24, crc32_update(0, st + 32, len - 32));
}

/* Loads st into a new device: refused with one line containing needle,
 * and the device is as created (its own save is a fresh device's). */
static void expect_refused(const uint8_t *st, size_t len, const char *needle,
			   const uint8_t *fresh, size_t fresh_len)
{
	struct harness *d = device(VGM_DIALECT_STANDARD, true, VGM_DEVICE_SAVEABLE);
	struct vgm_stats stats = { .size = sizeof(stats) };
	size_t dlen;
	uint8_t *dst;

	assert_int_equal(vgm_device_load(d->dev, st, len), -EINVAL);
	if (count_logs(d, needle, 0) != 1)
		fail_msg("no line with \"%s\" (%s)", needle, d->nlogs ? d->logs[0] : "no log");
	d->nlogs = 0;
	assert_int_equal(vgm_device_get_stats(d->dev, &stats), 0);
	assert_int_equal(stats.resources, 0);
	assert_int_equal(stats.regions, 0);
	assert_int_equal(stats.image_bytes, 0);
	dst = save(d, &dlen);
	assert_same_bytes(dst, dlen, fresh, fresh_len);
	assert_int_equal(d->nevents, 0);
	free(dst);
	harness_free(d);
}

/* bad: st with the first region's first range as long as its address
 * allows, and the region's size grown as much (the ranges' sum). */
static void longest_first_range(uint8_t *bad, const uint8_t *st, size_t len)
{
	size_t at = record_at(st, len, 3, 0);
	uint64_t longest = UINT64_MAX - le64(st + at + 24);

	put_le64(bad + at + 32, longest);
	put_le64(bad + at + 8, le64(st + at + 8) - le64(st + at + 32) + longest);
	fix_crc(bad, len);
}

static void test_state_each_bad_field(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob);
	struct harness *f = device(VGM_DIALECT_STANDARD, true, VGM_DEVICE_SAVEABLE);
	size_t len, fresh_len;
	uint8_t *st, *fresh = save(f, &fresh_len), *bad;
	struct req r;

	(void)state;
	req_create_2d(&r, 3, FMT, 8, 8); /* a resource without backing */
	expect_nodata(h, &r);
	st = save(h, &len);
	bad = malloc(len + 1);
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];

		memcpy(bad, st, len);
		put(bad + record_at(st, len, m->tag, m->rec) + m->off, m->size, m->value);
		fix_crc(bad, len);
		expect_refused(bad, len, m->needle, fresh, fresh_len);
	}
	/* a range so long that its entries (4 GiB - 1 bytes each at most)
	 * number 2^32 and more: counted modulo 2^32, it was loaded, and a
	 * resume wrote 2^32 entries into room for a few */
	memcpy(bad, st, len);
	longest_first_range(bad, st, len);
	expect_refused(bad, len, "regions, field entries", fresh, fresh_len);
	/* the frame: checksum, length, a section's flags, a tag twice, an
	 * unknown critical one, a required one missing */
	memcpy(bad, st, len);
	bad[len - 1] ^= 1;
	expect_refused(bad, len, "header, field crc32", fresh, fresh_len);
	memcpy(bad, st, len);
	expect_refused(bad, len - 1, "header, field length", fresh, fresh_len);
	memcpy(bad, st, len);
	put_le32(bad + section_at(st, len, 1) - 12, 2);
	fix_crc(bad, len);
	expect_refused(bad, len, "sections, field flags", fresh, fresh_len);
	memcpy(bad, st, len);
	put_le32(bad + section_at(st, len, 6) - 16, 1);
	fix_crc(bad, len);
	expect_refused(bad, len, "sections, field tag (twice)", fresh, fresh_len);
	memcpy(bad, st, len);
	put_le32(bad + section_at(st, len, 7) - 16, 99);
	put_le32(bad + section_at(st, len, 7) - 12, 1);
	fix_crc(bad, len);
	expect_refused(bad, len, "unknown, critical", fresh, fresh_len);
	memcpy(bad, st, len);
	put_le32(bad + section_at(st, len, 5) - 16, 99);
	put_le32(bad + section_at(st, len, 5) - 12, 0);
	fix_crc(bad, len);
	expect_refused(bad, len, "sections, field missing", fresh, fresh_len);
	/* an unknown section that is not critical is skipped */
	memcpy(bad, st, len);
	put_le32(bad + section_at(st, len, 7) - 16, 99);
	fix_crc(bad, len);
	{
		struct harness *d = migrate(h, VGM_DIALECT_STANDARD, bad, len);

		assert_int_equal(vgm_device_resume(d->dev), 0);
		harness_free(d);
	}
	free(bad);
	free(st);
	free(fresh);
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
	harness_free(f);
}

/* A device reset after a load is as created again: a second load of a
 * state without cursors (the section is not critical) leaves no trace of
 * the first one's cursor. */
static void test_state_reset_then_load(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob), *d;
	struct harness *f = device(VGM_DIALECT_STANDARD, true, VGM_DEVICE_SAVEABLE);
	size_t len, bare_len, want_len, got_len;
	uint8_t *st = save(h, &len), *bare = save(f, &bare_len), *want, *got;

	(void)state;
	put_le32(bare + section_at(bare, bare_len, 6 /* cursors */) - 16, 99);
	fix_crc(bare, bare_len);
	assert_int_equal(vgm_device_load(f->dev, bare, bare_len), 0);
	want = save(f, &want_len);
	d = migrate(h, VGM_DIALECT_STANDARD, st, len);
	assert_int_equal(vgm_device_reset(d->dev), 0);
	assert_int_equal(vgm_device_load(d->dev, bare, bare_len), 0);
	got = save(d, &got_len);
	assert_same_bytes(want, want_len, got, got_len);
	free(st);
	free(bare);
	free(want);
	free(got);
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
	harness_free(d);
	harness_free(f);
}

/* ---- the states this version saved ---------------------------------------------------- */

struct fixture {
	const char *name;
	enum vgm_dialect dialect;
	uint32_t scanout; /* one that shows something */
};

static const struct fixture fixtures[] = {
	{ "standard-v1.bin", VGM_DIALECT_STANDARD, 1 },
	{ "memory-rfc-v1.bin", VGM_DIALECT_MEMORY_RFC, 1 },
};

/* The device a fixture was saved from (the same guest addresses and
 * bytes each time: the harness's allocator and patterns are fixed). */
static struct harness *fixture_device(const struct fixture *fx, struct backing *b1,
				      struct backing *b2)
{
	if (fx->dialect == VGM_DIALECT_STANDARD)
		return standard_device(b1, b2);
	*b2 = (struct backing){ 0 };
	return rfc_device(b1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* A fixture loads, resumes to show what its device showed, and saves
 * again to the same bytes (as long as this library writes version 1). */
static void check_fixture(const struct fixture *fx, const char *path)
{
	static uint8_t shown[64 * 64 * 4], again[64 * 64 * 4];
	struct backing b1, b2;
	struct harness *h = fixture_device(fx, &b1, &b2), *d;
	size_t len, len2;
	uint8_t *st = read_file(path, &len), *st2;

	d = migrate(h, fx->dialect, st, len);
	assert_int_equal(vgm_device_resume(d->dev), 0);
	read_shown(h, fx->scanout, shown);
	read_shown(d, fx->scanout, again);
	assert_memory_equal(shown, again, sizeof(shown));
	st2 = save(d, &len2);
	assert_same_bytes(st, len, st2, len2);
	free(st);
	free(st2);
	backing_free(&b1);
	backing_free(&b2);
	harness_free(h);
	harness_free(d);
}

static void test_state_fixtures(void **state)
{
	const char *dir = getenv("VGM_SNAPSHOT_DIR");
	const char *write = getenv("VGM_SNAPSHOT_WRITE");
	char path[4096];

	(void)state;
	if (!dir)
		fail_msg("VGM_SNAPSHOT_DIR is not set (tests/meson.build sets it)");
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixtures[i].name);
		if (write && strcmp(write, "1") == 0) {
			struct backing b1, b2;
			struct harness *h = fixture_device(&fixtures[i], &b1, &b2);
			size_t len;
			uint8_t *st = save(h, &len);

			write_file(path, st, len);
			free(st);
			backing_free(&b1);
			backing_free(&b2);
			harness_free(h);
		}
		check_fixture(&fixtures[i], path);
	}
}

/* ---- guest memory that moves ------------------------------------------------------ */

static void test_state_unmap_guest(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob);
	const struct event *ev;
	static uint8_t shown[BLOB_W * BLOB_H * 4], want[BLOB_W * BLOB_H * 4];
	int64_t maps = h->live_maps;
	struct req r;

	(void)state;
	ram_move(h, NULL);
	h->nevents = 0;
	h->first_release_seq = 0;
	assert_int_equal(vgm_device_unmap_guest(h->dev, RAM_BASE, h->ram.size), 0);
	assert_int_equal(h->live_maps, maps); /* given back and made again */
	/* the blob's scanout shows the new RAM, the 2D one is untouched; the
	 * old mappings are given back after it is shown (a display thread
	 * reads the old pixels until scanout_set() returns) */
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 1);
	ev = last_event(h, EV_SCANOUT_SET);
	assert_int_equal(ev->scanout, 1);
	assert_true(h->first_release_seq > ev->seq);
	/* what it shows is read from the new RAM: the old one faults */
	read_shown(h, 1, shown);
	pattern_fill(want, sizeof(want), 2);
	assert_memory_equal(shown, want, sizeof(want));
	req_transfer(&r, 1, 0, 0, 64, 64, 0);
	expect_nodata(h, &r); /* reads the new mapping: the old one faults */
	/* a range that is not mapped again: its backings are lost */
	h->fail_gpa = bblob.gpa[0];
	h->nevents = 0;
	assert_int_equal(vgm_device_unmap_guest(h->dev, bblob.gpa[0], 4096), 1);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 1);
	assert_true(count_logs(h, "lost", 0) >= 1);
	req_set_scanout_blob(&r, 1, 2, FMT, BLOB_W, BLOB_H, BLOB_W * 4, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	/* back again: a later call maps it */
	h->fail_gpa = 0;
	assert_int_equal(vgm_device_unmap_guest(h->dev, 0, 1), 0);
	req_set_scanout_blob(&r, 1, 2, FMT, BLOB_W, BLOB_H, BLOB_W * 4, 0);
	expect_nodata(h, &r);
	req_unref(&r, 2);
	expect_nodata(h, &r);
	req_unref(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(h->live_maps, 0);
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
}

/* A resume whose blob backing translate() refuses: the scanout is dark,
 * and the host, never shown it, is not told to disable it. */
static void test_state_resume_lost_blob(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob), *d;
	struct vgm_pixels px;
	size_t len;
	uint8_t *st = save(h, &len);

	(void)state;
	d = migrate(h, VGM_DIALECT_STANDARD, st, len);
	d->fail_gpa = bblob.gpa[0];
	assert_int_equal(vgm_device_resume(d->dev), 1);
	assert_int_equal(count_events(d, EV_SCANOUT_DISABLE), 0);
	assert_int_equal(count_events(d, EV_SCANOUT_SET), 1); /* the 2D one */
	assert_int_equal(vgm_device_get_scanout_pixels(d->dev, 1, &px), -ENODATA);
	assert_true(count_logs(d, "lost", 0) == 1);
	free(st);
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
	harness_free(d);
}

static void test_state_lost_2d_backing(void **state)
{
	struct backing b2d, bblob;
	struct harness *h = standard_device(&b2d, &bblob);
	struct req r;

	(void)state;
	h->fail_gpa = b2d.gpa[0];
	assert_int_equal(vgm_device_unmap_guest(h->dev, b2d.gpa[0], 1), 1);
	req_transfer(&r, 1, 0, 0, 64, 64, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_true(count_logs(h, "backing is lost", 0) == 1);
	req_detach_backing(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 0); /* 2D keeps its pixels */
	backing_free(&b2d);
	backing_free(&bblob);
	harness_free(h);
}

/* ---- tables on mappings of their own ---------------------------------------------- */

/* Tables of 128 KiB and more are mappings of their own (core/spare.c), the
 * smaller ones malloc's. A region translated again frees its old table as
 * what it is and keeps the new one as what that is: with 6,000 scattered
 * pages the table shrinks to malloc's while unmapped and comes back a
 * mapping; with 9,000 it stays a mapping throughout. */
static const uint32_t large_pages[] = { 6000, 9000 };

static struct harness *large_device(uint32_t pages, bool fresh)
{
	const struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .num_scanouts = 1,
					.with_release = true, .no_accept = fresh,
					.flags = VGM_DEVICE_SAVEABLE,
					.ram_size = ((size_t)pages * 2 + 16) * 4096 };

	return harness_new(&o);
}

/* Resource 1: one 1024-pixel row a page, pages rows, the bytes of pattern
 * 5 (*px, for check_rows). */
static struct harness *large_backed(uint32_t pages, struct backing *b, uint8_t **px)
{
	struct harness *h = large_device(pages, false);
	size_t size = (size_t)pages * 4096;

	make_backed(h, 1, FMT, 1024, pages, b, 4096);
	*px = malloc(size);
	assert_non_null(*px);
	pattern_fill(*px, size, 5);
	backing_write(h, b, 0, *px, size);
	return h;
}

/* Transfers the whole resource and checks, shown, its last 64 rows: the
 * last pieces of the table. */
static void check_rows(struct harness *h, uint32_t pages, const uint8_t *px)
{
	static uint8_t shown[64 * 64 * 4];
	const struct vgm_rect all = { 0, 0, 1024, pages };
	struct req r;

	transfer_ok(h, 1, &all, 0);
	req_set_scanout(&r, 0, 1, 0, pages - 64, 64, 64);
	expect_nodata(h, &r);
	read_shown(h, 0, shown);
	for (uint32_t j = 0; j < 64; j++)
		assert_memory_equal(shown + j * 256, px + (size_t)(pages - 64 + j) * 4096, 256);
}

static void unref_all(struct harness *h)
{
	struct req r;

	req_unref(&r, 1);
	expect_nodata(h, &r);
	assert_int_equal(h->live_maps, 0);
}

static void test_state_large_table_unmapped(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(large_pages); i++) {
		struct backing b;
		uint8_t *px;
		struct harness *h = large_backed(large_pages[i], &b, &px);

		for (int round = 0; round < 2; round++) {
			ram_move(h, NULL);
			assert_int_equal(vgm_device_unmap_guest(h->dev, RAM_BASE, h->ram.size), 0);
			check_rows(h, large_pages[i], px);
		}
		unref_all(h);
		free(px);
		backing_free(&b);
		harness_free(h);
	}
}

static void test_state_large_table_resumed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(large_pages); i++) {
		struct backing b;
		uint8_t *px, *st;
		size_t len;
		struct harness *h = large_backed(large_pages[i], &b, &px);
		struct harness *d = large_device(large_pages[i], true);

		st = save(h, &len);
		ram_move(d, h);
		assert_int_equal(vgm_device_load(d->dev, st, len), 0);
		assert_int_equal(vgm_device_resume(d->dev), 0);
		check_rows(d, large_pages[i], px);
		ram_move(d, NULL); /* and moved again after the resume */
		assert_int_equal(vgm_device_unmap_guest(d->dev, RAM_BASE, d->ram.size), 0);
		check_rows(d, large_pages[i], px);
		unref_all(d);
		free(st);
		free(px);
		backing_free(&b);
		harness_free(h);
		harness_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_round_trip_standard),
		cmocka_unit_test(test_state_round_trip_rfc),
		cmocka_unit_test(test_state_not_history),
		cmocka_unit_test(test_state_pixels_of_last_transfer),
		cmocka_unit_test(test_state_save_before_resume),
		cmocka_unit_test(test_state_each_bad_field),
		cmocka_unit_test(test_state_reset_then_load),
		cmocka_unit_test(test_state_fixtures),
		cmocka_unit_test(test_state_can_save),
		cmocka_unit_test(test_state_load_rules),
		cmocka_unit_test(test_state_unmap_guest),
		cmocka_unit_test(test_state_lost_2d_backing),
		cmocka_unit_test(test_state_resume_lost_blob),
		cmocka_unit_test(test_state_large_table_unmapped),
		cmocka_unit_test(test_state_large_table_resumed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
