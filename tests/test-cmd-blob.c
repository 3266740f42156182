/* SPDX-License-Identifier: MIT */
/*
 * RESOURCE_CREATE_BLOB (standard dialect, BLOB_MEM_GUEST), in both orders
 * of create and attach, and what TRANSFER_TO_HOST_2D, SET_SCANOUT and
 * UPDATE_CURSOR do with a blob; the memory-rfc dialect left as it was.
 */
#include "blob-fixture.h"

/* ---- RESOURCE_CREATE_BLOB ------------------------------------------------------------------ */

static void test_create_blob_with_entries(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info ri;
	struct vgm_stats st;
	struct backing b;

	make_blob(h, 5, 3 * 4096, &b, 1000);
	ri = resource_info(h, 5);
	assert_int_equal(ri.blob, 1);
	assert_int_equal(ri.blob_size, 3 * 4096);
	assert_int_equal(ri.backed, 1);
	assert_int_equal(ri.backing_size, 3 * 4096);
	assert_int_equal(ri.backing_offset, 0);
	assert_int_equal(ri.format, 0);
	assert_int_equal(ri.fourcc, 0);
	assert_int_equal(ri.width, 0);
	assert_int_equal(ri.height, 0);
	assert_int_equal(ri.memory_id, 0);
	assert_int_equal(ri.scanout_mask, 0);
	assert_int_equal(ri.has_uuid, 0);
	st = stats(h);
	assert_int_equal(st.resources, 1);
	assert_int_equal(st.regions, 1);
	assert_int_equal(st.backing_entries, b.n);
	assert_int_equal(st.image_bytes, 0); /* guest memory: no host image */
	assert_true(st.table_bytes > 0);
	assert_int_equal(h->live_maps, b.n); /* one mapping per scattered entry, held */
	assert_int_equal(h->nlogs, 0);
	backing_free(&b);
}

/* Entries beyond size are fine: the blob is the first size bytes. */
static void test_create_blob_entries_beyond_size(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 4096);
	req_create_blob(&r, 5, 5000, &b);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 5).blob_size, 5000);
	assert_int_equal(resource_info(h, 5).backing_size, 8192);
	backing_free(&b);
}

/* Every known flag, alone and together. */
static void test_create_blob_known_flags(void **state)
{
	struct harness *h = *state;
	struct backing b;

	backing_make(h, &b, 4096, 4096);
	for (uint32_t flags = 0; flags < 8; flags++) {
		struct req r;

		req_create_blob(&r, 10 + flags, 4096, &b);
		req_set32(&r, CB_FLAGS, flags);
		expect_nodata(h, &r);
		assert_int_equal(resource_info(h, 10 + flags).blob, 1);
	}
	assert_int_equal(stats(h).resources, 8);
	backing_free(&b);
}

/* Create without entries, then ATTACH_BACKING: the other order. */
static void test_create_blob_then_attach(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	req_create_blob(&r, 5, 3 * 4096, NULL);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 5).blob, 1);
	assert_int_equal(resource_info(h, 5).backed, 0);
	assert_int_equal(resource_info(h, 5).blob_size, 3 * 4096);
	assert_int_equal(stats(h).regions, 0);
	assert_int_equal(h->translate_calls, 0);
	backing_make(h, &b, 3 * 4096, 1000);
	req_attach_backing(&r, 5, &b);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 5).backed, 1);
	assert_int_equal(resource_info(h, 5).backing_size, 3 * 4096);
	assert_int_equal(stats(h).regions, 1);
	assert_int_equal(h->live_maps, b.n);
	backing_free(&b);
}

/* ATTACH_BACKING on a blob must cover its size. */
static void test_create_blob_attach_short(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	req_create_blob(&r, 5, 3 * 4096, NULL);
	expect_nodata(h, &r);
	backing_make(h, &b, 3 * 4096 - 1, 1000);
	req_attach_backing(&r, 5, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "entries add up to 12287, less than the blob's 12288");
	req_attach_backing(&r, 5, NULL); /* no pages: not a blob's backing either */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "entries add up to 0, less than the blob's 12288");
	assert_int_equal(resource_info(h, 5).backed, 0);
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

/* A blob made with entries, detached and attached again. */
static void test_create_blob_detach_reattach(void **state)
{
	struct harness *h = *state;
	struct backing b, c;
	struct req r;

	make_blob(h, 5, 8192, &b, 4096);
	req_detach_backing(&r, 5);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 5).backed, 0);
	assert_int_equal(h->live_maps, 0);
	backing_make(h, &c, 8192, 2048);
	req_attach_backing(&r, 5, &c);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 5).backed, 1);
	assert_int_equal(h->live_maps, c.n);
	backing_free(&b);
	backing_free(&c);
}

static void test_create_blob_bad_blob_mem(void **state)
{
	static const uint32_t bad[] = { 0, VGM_GPU_BLOB_MEM_HOST3D, VGM_GPU_BLOB_MEM_HOST3D_GUEST,
					99, UINT32_MAX };
	struct harness *h = *state;
	struct backing b;

	backing_make(h, &b, 8192, 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char needle[64];
		struct req r;

		snprintf(needle, sizeof(needle), "blob_mem %u is not BLOB_MEM_GUEST", bad[i]);
		req_create_blob(&r, 5, 8192, &b);
		req_set32(&r, CB_MEM, bad[i]);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
	}
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

static void test_create_blob_unknown_flags(void **state)
{
	static const uint32_t bad[] = { 0x8, 0x10, 0x80000000u, 0xfu, UINT32_MAX };
	struct harness *h = *state;
	struct backing b;

	backing_make(h, &b, 8192, 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char needle[64];
		struct req r;

		snprintf(needle, sizeof(needle), "blob_flags 0x%x has unknown bits", bad[i]);
		req_create_blob(&r, 5, 8192, &b);
		req_set32(&r, CB_FLAGS, bad[i]);
		expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, needle);
	}
	backing_free(&b);
}

static void test_create_blob_size_zero(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 4096);
	req_create_blob(&r, 5, 8192, &b);
	req_set64(&r, CB_SIZE, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "RESOURCE_CREATE_BLOB: size is 0");
	req_create_blob(&r, 5, 8192, NULL);
	req_set64(&r, CB_SIZE, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "size is 0");
	backing_free(&b);
}

static void test_create_blob_entries_short_of_size(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 1000);
	req_create_blob(&r, 5, 8192, &b);
	req_set64(&r, CB_SIZE, 8193);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "size 8193: the entries add up to 8192 only");
	req_create_blob(&r, 5, 8192, &b);
	req_set64(&r, CB_SIZE, UINT64_MAX);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "size 18446744073709551615: the entries add up to 8192 only");
	/* One entry shorter by a byte. */
	req_create_blob(&r, 5, 8192, &b);
	req_set32(&r, CB_ENTRY_LEN(3), 999);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "size 8192: the entries add up to 8191 only");
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

static void test_create_blob_bad_resource_id(void **state)
{
	struct harness *h = *state;
	struct backing b, c;
	struct req r;

	make_blob(h, 5, 4096, &b, 4096);
	make_resource(h, 6, FMT, 4, 4);
	backing_make(h, &c, 4096, 4096);
	req_create_blob(&r, 7, 4096, &c);
	req_set32(&r, CB_ID, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 0 is reserved");
	req_create_blob(&r, 7, 4096, &c);
	req_set32(&r, CB_ID, 5); /* a blob */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 5 is in use");
	req_create_blob(&r, 7, 4096, &c);
	req_set32(&r, CB_ID, 6); /* a 2D resource */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, "resource_id 6 is in use");
	assert_int_equal(resource_info(h, 5).backing_size, 4096);
	assert_int_equal(resource_info(h, 6).blob, 0);
	backing_free(&b);
	backing_free(&c);
}

static void test_create_blob_entries_above_limit(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .max_backing_entries = 4 };
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;

	(void)state;
	backing_make(h, &b, 4096, 1024); /* 4 entries: at the limit */
	req_create_blob(&r, 5, 4096, &b);
	req_set32(&r, CB_NR, 5);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "nr_entries 5 is above the limit of 4");
	req_create_blob(&r, 5, 4096, &b);
	req_set32(&r, CB_NR, UINT32_MAX);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "nr_entries 4294967295 is above the limit of 4");
	assert_int_equal(h->translate_calls, 0);
	req_create_blob(&r, 5, 4096, &b);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 5).backed, 1);
	backing_free(&b);
	harness_free(h);
}

static void test_create_blob_truncated_entries(void **state)
{
	static const size_t chunks[] = { 0, 1, 7, 16, 33 };
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 1000);
	assert_int_equal(b.n, 9);
	req_create_blob(&r, 5, 8192, &b);
	req_set32(&r, CB_NR, 10);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "nr_entries 10: the entries are truncated");
	/* The last entry lacks its last byte, the request cut into iovecs. */
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct snapshot s;

		snapshot_take(h, &s);
		req_create_blob(&r, 5, 8192, &b);
		r.len--;
		assert_int_equal(submit_split(h, &r, chunks[i], sizeof(h->resp)), 24);
		assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_ERR_INVALID_PARAMETER);
		assert_unchanged(h, &s);
		assert_logged(h, "nr_entries 9: the entries are truncated");
	}
	assert_int_equal(h->translate_calls, 0);
	backing_free(&b);
}

/* Shorter than the struct: the dispatcher's rule. */
static void test_create_blob_short_request(void **state)
{
	struct harness *h = *state;
	struct req r;

	req_create_blob(&r, 5, 4096, NULL);
	r.len--;
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "RESOURCE_CREATE_BLOB: request has 55 bytes, needs 56");
}

/* A range the VMM cannot translate: ERR_UNSPEC and no mapping kept. */
static void test_create_blob_untranslatable(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 1000);
	h->fail_gpa = b.gpa[5] + 10; /* entries 0..4 were mapped by then */
	req_create_blob(&r, 5, 8192, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "entries: a range is not guest RAM");
	assert_true(h->translate_calls >= 6);
	assert_int_equal(h->live_maps, 0);
	h->fail_gpa = 0;
	req_create_blob(&r, 5, 8192, &b);
	req_set64(&r, CB_ENTRY_ADDR(0), 0x1000); /* below guest RAM */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "entries: a range is not guest RAM");
	req_create_blob(&r, 5, 8192, &b);
	req_set64(&r, CB_ENTRY_ADDR(8), UINT64_MAX - 10); /* wraps around */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "entry 8: addr 0xfffffffffffffff5");
	assert_int_equal(h->live_maps, 0);
	/* And the id is still free. */
	req_create_blob(&r, 5, 8192, &b);
	expect_nodata(h, &r);
	backing_free(&b);
}

static void test_create_blob_resource_limit(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .max_resources = 1 };
	struct harness *h = harness_new(&o);
	struct req r;

	(void)state;
	req_create_blob(&r, 1, 4096, NULL);
	expect_nodata(h, &r);
	req_create_blob(&r, 2, 4096, NULL);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		     "resource_id 2: the limit of 1 resources is reached");
	harness_free(h);
}

/* Each blob command is gated by its own feature bit. */
static void test_blob_commands_feature_not_accepted(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .no_accept = true };
	struct harness *h = harness_new(&o);
	struct backing b;
	struct req r;

	(void)state;
	backing_make(h, &b, 8192, 4096);
	make_resource(h, 2, FMT, 4, 4);
	req_create_blob(&r, 5, 8192, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "RESOURCE_CREATE_BLOB: feature bit 3 not negotiated");
	req_set_scanout_blob(&r, 0, 0, FMT, IMG_W, IMG_H, IMG_STRIDE, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "SET_SCANOUT_BLOB: feature bit 3 not negotiated");
	req_assign_uuid(&r, 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC,
		     "RESOURCE_ASSIGN_UUID: feature bit 2 not negotiated");
	assert_int_equal(h->translate_calls, 0);
	/* UUIDs alone: blobs stay off. */
	assert_int_equal(vgm_device_set_features(h->dev, 1ull << VGM_GPU_F_RESOURCE_UUID), 0);
	req_create_blob(&r, 5, 8192, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "feature bit 3 not negotiated");
	req_assign_uuid(&r, 2);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_RESOURCE_UUID);
	/* Blobs alone: UUIDs stay off. */
	assert_int_equal(vgm_device_set_features(h->dev, 1ull << VGM_GPU_F_RESOURCE_BLOB), 0);
	req_assign_uuid(&r, 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "feature bit 2 not negotiated");
	req_create_blob(&r, 5, 8192, &b);
	expect_nodata(h, &r);
	backing_free(&b);
	harness_free(h);
}


/* ---- TRANSFER_TO_HOST_2D and SET_SCANOUT on a blob ------------------------------------------ */

static void test_transfer_blob_ok_copies_nothing(void **state)
{
	static const uint32_t rects[][4] = {
		{ 0, 0, IMG_W, IMG_H },
		{ 0, 0, UINT32_MAX, UINT32_MAX },
		{ UINT32_MAX, UINT32_MAX, 2, 2 },
	};
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint8_t before[32 * 16 * 4];
	struct snapshot s;
	struct req r;

	show(h, 0, &part);
	model_rect(f->guest, IMG_OFFSET, IMG_STRIDE, &part, before);
	guest_write(f, 0, IMG_SIZE, 5);
	snapshot_take(h, &s);
	for (size_t i = 0; i < sizeof(rects) / sizeof(rects[0]); i++) {
		req_transfer(&r, BLOB, rects[i][0], rects[i][1], rects[i][2], rects[i][3],
			     UINT64_MAX);
		expect_nodata(h, &r);
	}
	assert_unchanged(h, &s);
	assert_scanout_bytes(h, 0, FOURCC, &part, before); /* the copy is FLUSH's job */
	/* An unbacked blob: OK as well. */
	req_create_blob(&r, 2, 4096, NULL);
	expect_nodata(h, &r);
	req_transfer(&r, 2, 0, 0, 1, 1, 0);
	expect_nodata(h, &r);
	assert_int_equal(h->nlogs, 0);
}

static void test_set_scanout_2d_names_blob(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;
	struct req r;

	make_backed(h, 2, FMT, IMG_W, IMG_H, &b, 4096);
	req_create_blob(&r, 3, IMG_SIZE, NULL);
	expect_nodata(h, &r);
	show_resource(h, 0, 2, IMG_W, IMG_H);
	req_set_scanout(&r, 0, 2, 0, 0, IMG_W, IMG_H);
	req_set32(&r, SS_RES, BLOB);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "SET_SCANOUT: resource_id 1 is a blob: it needs SET_SCANOUT_BLOB");
	req_set_scanout(&r, 0, 2, 0, 0, IMG_W, IMG_H);
	req_set32(&r, SS_RES, 3); /* unbacked: a blob first */
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER, "resource_id 3 is a blob");
	assert_int_equal(scanout_info(h, 0).resource_id, 2);
	backing_free(&b);
}

/* ---- UPDATE_CURSOR from a blob ----------------------------------------------------------------- */

static void test_cursor_blob_ok(void **state)
{
	struct harness *h = *state;
	uint8_t bytes[CURSOR_BYTES + 100];
	const struct event *e;
	struct backing b;
	struct req r;

	make_blob(h, 7, sizeof(bytes), &b, 1000);
	pattern_fill(bytes, sizeof(bytes), 9);
	backing_write(h, &b, 0, bytes, sizeof(bytes));
	req_update_cursor(&r, 0, 7, 100, 200, 3, 4);
	submit_cursor(h, &r);
	assert_int_equal(count_events(h, EV_CURSOR_SET), 1);
	e = last_event(h, EV_CURSOR_SET);
	assert_int_equal(e->scanout, 0);
	assert_int_equal(e->cursor.x, 100);
	assert_int_equal(e->cursor.y, 200);
	assert_int_equal(e->cursor.hot_x, 3);
	assert_int_equal(e->cursor.hot_y, 4);
	/* Bytes B, G, R, A: ARGB8888 in host order. */
	for (uint32_t i = 0; i < 64 * 64; i++) {
		const uint8_t *p = bytes + 4 * i;
		uint32_t want = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				(uint32_t)p[3] << 24;

		assert_int_equal(e->cursor_pixels[i], want);
	}
	assert_int_equal(h->nlogs, 0);
	backing_free(&b);
}

static void test_cursor_blob_exactly_one_image(void **state)
{
	struct harness *h = *state;
	uint8_t bytes[CURSOR_BYTES];
	struct backing b;
	struct req r;

	make_blob(h, 7, CURSOR_BYTES, &b, 4096);
	pattern_fill(bytes, sizeof(bytes), 10);
	backing_write(h, &b, 0, bytes, sizeof(bytes));
	req_update_cursor(&r, 0, 7, 0, 0, 0, 0);
	submit_cursor(h, &r);
	assert_int_equal(last_event(h, EV_CURSOR_SET)->cursor_pixels[64 * 64 - 1],
			 (uint32_t)bytes[CURSOR_BYTES - 4] |
				 (uint32_t)bytes[CURSOR_BYTES - 3] << 8 |
				 (uint32_t)bytes[CURSOR_BYTES - 2] << 16 |
				 (uint32_t)bytes[CURSOR_BYTES - 1] << 24);
	backing_free(&b);
}

static void expect_cursor_ignored(struct harness *h, uint32_t id, const char *needle)
{
	struct snapshot s;
	struct req r;

	snapshot_take(h, &s);
	req_update_cursor(&r, 0, id, 0, 0, 0, 0);
	submit_cursor(h, &r);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

static void test_cursor_blob_too_small_or_unbacked(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct req r;

	make_blob(h, 7, CURSOR_BYTES - 1, &b, 4096);
	expect_cursor_ignored(h, 7,
			      "UPDATE_CURSOR: resource_id 7: a blob cursor needs 16384 bytes of "
			      "backing: ignored");
	req_create_blob(&r, 8, CURSOR_BYTES, NULL);
	expect_nodata(h, &r);
	expect_cursor_ignored(h, 8, "resource_id 8: a blob cursor needs 16384 bytes");
	backing_free(&b);
}

/* ---- the memory-rfc dialect, unchanged --------------------------------------------------------- */

/* There 0x010b..0x010d are MEMORY_CREATE, MEMORY_UNREF and
 * RESOURCE_ATTACH_MEMORY: blob-shaped bytes make no blob. */
static void test_rfc_blob_bytes_are_memory_commands(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info ri = { .size = sizeof(ri) };
	uint8_t uuid[16] = { 0 };
	uint32_t found = 77;
	struct backing b;
	struct req r;

	backing_make(h, &b, 8192, 4096);
	req_memory_create(&r, 1, &b);
	expect_nodata(h, &r);
	make_resource(h, 2, FMT, 4, 4);
	/* CREATE_BLOB of resource 7: MEMORY_UNREF of memory 7. */
	req_create_blob(&r, 7, 8192, &b);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID,
		     "MEMORY_UNREF: memory_id 7 does not exist");
	/* CREATE_BLOB of resource 1: MEMORY_UNREF of memory 1, which goes. */
	req_create_blob(&r, 1, 8192, &b);
	expect_nodata(h, &r);
	assert_int_equal(stats(h).memory_ids, 0);
	assert_int_equal(stats(h).regions, 0);
	assert_int_equal(stats(h).resources, 1);
	assert_int_equal(vgm_device_get_resource_info(h->dev, 1, &ri), -ENOENT);
	/* SET_SCANOUT_BLOB: RESOURCE_ATTACH_MEMORY of resource r.x (0). */
	req_set_scanout_blob(&r, 0, 2, FMT, IMG_W, IMG_H, IMG_STRIDE, 0);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
		     "RESOURCE_ATTACH_MEMORY: resource_id 0 does not exist");
	/* ASSIGN_UUID: a MEMORY_CREATE too short. */
	req_assign_uuid(&r, 2);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
		     "MEMORY_CREATE: request has 32 bytes, needs 48");
	assert_int_equal(resource_info(h, 2).blob, 0);
	assert_int_equal(resource_info(h, 2).has_uuid, 0);
	assert_int_equal(h->uuid_calls, 0);
	assert_int_equal(vgm_device_find_uuid(h->dev, uuid, &found), -ENOENT);
	backing_free(&b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)
#define TR(f) cmocka_unit_test_setup_teardown(f, harness_setup_rfc, harness_teardown)
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_scattered, teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_two_scanouts, teardown)
#define TD(f) cmocka_unit_test_setup_teardown(f, setup_single, teardown)
#define TA(f) cmocka_unit_test_setup_teardown(f, setup_adjacent, teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_blob_with_entries),
		T(test_create_blob_entries_beyond_size),
		T(test_create_blob_known_flags),
		T(test_create_blob_then_attach),
		T(test_create_blob_attach_short),
		T(test_create_blob_detach_reattach),
		T(test_create_blob_bad_blob_mem),
		T(test_create_blob_unknown_flags),
		T(test_create_blob_size_zero),
		T(test_create_blob_entries_short_of_size),
		T(test_create_blob_bad_resource_id),
		T(test_create_blob_entries_above_limit),
		T(test_create_blob_truncated_entries),
		T(test_create_blob_short_request),
		T(test_create_blob_untranslatable),
		T(test_create_blob_resource_limit),
		T(test_blob_commands_feature_not_accepted),
		TS(test_transfer_blob_ok_copies_nothing),
		TS(test_set_scanout_2d_names_blob),
		T(test_cursor_blob_ok),
		T(test_cursor_blob_exactly_one_image),
		T(test_cursor_blob_too_small_or_unbacked),
		TR(test_rfc_blob_bytes_are_memory_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
