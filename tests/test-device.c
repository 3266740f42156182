/* SPDX-License-Identifier: MIT */
/*
 * The device object: creation and its config checks, defaults, features,
 * the config space, set_display, reset, introspection, version, and the
 * independence of devices.
 *
 * Extra devices are made with the fixture harness's callbacks and host
 * pointer, so their log lines land in the harness and can be asserted.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "api/api.h"
#include "render/render.h"

#define SENTINEL ((struct vgm_device *)(uintptr_t)0x5e5e5e5eu)
#define EDID_SIZE_OFF 24
#define EDID_BYTES_OFF 32

static void valid_config(struct harness *h, struct vgm_device_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->dialect = VGM_DIALECT_STANDARD;
	cfg->features = VGM_FEATURES_ALL;
	cfg->num_scanouts = 1;
	cfg->scanouts[0] = (struct vgm_scanout_config){ 1, 1024, 768 };
	cfg->log_level = VGM_LOG_DEBUG;
	cfg->ops = &h->ops;
	cfg->host = h;
}

/* Creation fails with -EINVAL, out untouched, and the log line (if any). */
static void expect_new_fails(struct harness *h, const struct vgm_device_config *cfg,
			     const char *needle)
{
	struct vgm_device *dev = SENTINEL;

	assert_int_equal(vgm_device_new(cfg, &dev), -EINVAL);
	assert_ptr_equal(dev, SENTINEL);
	if (needle) {
		assert_int_equal(h->log_levels[h->nlogs - 1], VGM_LOG_ERROR);
		assert_logged(h, needle);
	} else {
		assert_int_equal(h->nlogs, 0);
	}
}

static struct vgm_device *expect_new_ok(const struct vgm_device_config *cfg)
{
	struct vgm_device *dev = NULL;

	assert_int_equal(vgm_device_new(cfg, &dev), 0);
	assert_non_null(dev);
	return dev;
}

static struct harness *with_opts(enum vgm_dialect dialect, uint32_t scanouts)
{
	struct harness_opts o = { .dialect = dialect, .num_scanouts = scanouts,
				  .with_release = true };

	return harness_new(&o);
}

/* ---- vgm_device_new -------------------------------------------------------------- */

static void test_device_new_ok(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_device *dev;
	uint64_t offered;

	valid_config(h, &cfg);
	dev = expect_new_ok(&cfg);
	assert_int_equal(vgm_device_get_features(dev, &offered), 0);
	assert_int_equal(offered, 1ull << VGM_GPU_F_EDID | 1ull << VGM_GPU_F_RESOURCE_UUID |
					  1ull << VGM_GPU_F_RESOURCE_BLOB);
	vgm_device_destroy(dev);
	assert_int_equal(h->nlogs, 0);
}

static void test_device_new_null_args(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;

	valid_config(h, &cfg);
	expect_new_fails(h, NULL, NULL);
	assert_int_equal(vgm_device_new(&cfg, NULL), -EINVAL);
	cfg.ops = NULL;
	expect_new_fails(h, &cfg, NULL);
}

static void test_device_new_config_size(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	/* Below what a 0.1 caller passes (up to and with host), and sizes that
	 * end inside stream_threshold (0.3). */
	const uint32_t v01 = offsetof(struct vgm_device_config, max_table_pieces);
	const uint32_t st = offsetof(struct vgm_device_config, stream_threshold);
	const uint32_t small[] = { 0, 4, 8, v01 - 8, v01 - 1, st + 4, sizeof(cfg) - 1 };

	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		valid_config(h, &cfg);
		cfg.size = small[i];
		expect_new_fails(h, &cfg, NULL);
	}
}

/* A 0.1 or 0.2 caller's config ends before max_table_pieces: the default
 * applies, whatever lies in memory after it. A 0.3 caller's is used. */
static void test_device_new_config_table_pieces(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_device *dev;

	valid_config(h, &cfg);
	cfg.size = offsetof(struct vgm_device_config, max_table_pieces);
	cfg.max_table_pieces = 7; /* past its size: not read */
	dev = expect_new_ok(&cfg);
	assert_int_equal(core_limits(device_core(dev))->table_pieces, VGM_DEFAULT_MAX_TABLE_PIECES);
	vgm_device_destroy(dev);
	cfg.size = sizeof(cfg);
	dev = expect_new_ok(&cfg);
	assert_int_equal(core_limits(device_core(dev))->table_pieces, 7);
	vgm_device_destroy(dev);
	cfg.max_table_pieces = 0;
	dev = expect_new_ok(&cfg);
	assert_int_equal(core_limits(device_core(dev))->table_pieces, VGM_DEFAULT_MAX_TABLE_PIECES);
	vgm_device_destroy(dev);
}

/* stream_threshold: 0 leaves the choice to the machine, at the first large
 * transfer (nothing chosen at creation); a VMM's value is kept; a config
 * that ends before it leaves the choice to the machine whatever lies
 * after; the reserved word before it must be 0. */
static void test_device_new_config_stream_threshold(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_device *dev;

	valid_config(h, &cfg);
	dev = expect_new_ok(&cfg);
	assert_int_equal(render_stream_threshold(device_render(dev)), 0);
	vgm_device_destroy(dev);
	cfg.stream_threshold = 12345;
	dev = expect_new_ok(&cfg);
	assert_int_equal(render_stream_threshold(device_render(dev)), 12345);
	vgm_device_destroy(dev);
	cfg.size = offsetof(struct vgm_device_config, stream_threshold);
	dev = expect_new_ok(&cfg);
	assert_int_equal(render_stream_threshold(device_render(dev)), 0);
	vgm_device_destroy(dev);
	cfg.size = sizeof(cfg);
	cfg.reserved = 1;
	expect_new_fails(h, &cfg, "reserved");
}

/* A newer caller's larger struct: accepted only if what we don't know is zero. */
static void test_device_new_config_larger(void **state)
{
	struct harness *h = *state;
	struct {
		struct vgm_device_config cfg;
		uint8_t tail[24];
	} big;

	memset(&big, 0, sizeof(big));
	valid_config(h, &big.cfg);
	big.cfg.size = sizeof(big);
	vgm_device_destroy(expect_new_ok(&big.cfg));
	big.tail[23] = 1;
	expect_new_fails(h, &big.cfg, NULL);
	big.tail[23] = 0;
	big.tail[0] = 0x80;
	expect_new_fails(h, &big.cfg, NULL);
}

static void test_device_new_ops_size(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_host_ops ops = h->ops;
	/* Below what a 0.1 caller passes (up to and with log). */
	const uint32_t v01 = offsetof(struct vgm_host_ops, resource_uuid);
	const uint32_t small[] = { 0, 4, v01 - 8, v01 - 1 };

	valid_config(h, &cfg);
	cfg.ops = &ops;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		ops.size = small[i];
		expect_new_fails(h, &cfg, NULL);
	}
}

/* A size that ends inside a member is no version's size: refused, as a
 * callback pointer cut in half would be called. Sizes that end where a
 * member ends are accepted, and what lies past them is not read. */
static void test_device_new_ops_size_mid_member(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_host_ops ops = h->ops;
	const uint32_t v01 = offsetof(struct vgm_host_ops, resource_uuid);
	const uint32_t v02 = sizeof(struct vgm_host_ops);
	const uint32_t mid[] = { v01 + 1, v01 + 4, v01 + 7, v02 - 4, v02 - 1 };

	valid_config(h, &cfg);
	cfg.ops = &ops;
	for (size_t i = 0; i < sizeof(mid) / sizeof(mid[0]); i++) {
		ops.size = mid[i];
		expect_new_fails(h, &cfg, NULL);
	}
	ops.size = v01 + sizeof(ops.resource_uuid); /* with resource_uuid, without scanout_dmabuf */
	vgm_device_destroy(expect_new_ok(&cfg));
	ops.size = v02;
	vgm_device_destroy(expect_new_ok(&cfg));
}

/* The same for the config: max_table_pieces (0.3) cut in half is refused. */
static void test_device_new_config_size_mid_member(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	const uint32_t v01 = offsetof(struct vgm_device_config, max_table_pieces);
	const uint32_t mid[] = { v01 + 1, v01 + 2, v01 + 3 };
	struct vgm_device *dev;

	for (size_t i = 0; i < sizeof(mid) / sizeof(mid[0]); i++) {
		valid_config(h, &cfg);
		cfg.size = mid[i];
		expect_new_fails(h, &cfg, NULL);
	}
	valid_config(h, &cfg);
	cfg.size = v01 + sizeof(cfg.max_table_pieces);
	cfg.max_table_pieces = 9;
	dev = expect_new_ok(&cfg);
	assert_int_equal(core_limits(device_core(dev))->table_pieces, 9);
	vgm_device_destroy(dev);
}

static void test_device_new_ops_larger(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct {
		struct vgm_host_ops ops;
		uint8_t tail[16];
	} big;

	memset(&big, 0, sizeof(big));
	big.ops = h->ops;
	big.ops.size = sizeof(big);
	valid_config(h, &cfg);
	cfg.ops = &big.ops;
	vgm_device_destroy(expect_new_ok(&cfg));
	big.tail[15] = 0xff;
	expect_new_fails(h, &cfg, NULL);
}

static void test_device_new_missing_translate(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_host_ops ops = h->ops;

	ops.translate = NULL;
	valid_config(h, &cfg);
	cfg.ops = &ops;
	expect_new_fails(h, &cfg, "ops->translate is required");
}

/* Only translate is required: every other callback may be NULL. */
static void test_device_new_only_translate(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_host_ops ops = { .size = sizeof(ops), .translate = h->ops.translate };
	struct vgm_device *dev;
	uint8_t req[32] = { 0x0a, 0x01, [24] = 5 }, resp[64];
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	size_t written;

	valid_config(h, &cfg);
	cfg.ops = &ops;
	dev = expect_new_ok(&cfg);
	assert_int_equal(vgm_device_set_display(dev, 0, true, 800, 600), 0);
	/* GET_EDID of a scanout it does not have: an error, logged to nobody. */
	assert_int_equal(vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written), 0);
	assert_int_equal(written, 24);
	assert_int_equal(resp[0] | resp[1] << 8, VGM_GPU_RESP_ERR_INVALID_PARAMETER);
	vgm_device_destroy(dev);
	assert_int_equal(h->nevents, 0);
	assert_int_equal(h->nlogs, 0);
}

static void test_device_new_bad_dialect(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;

	valid_config(h, &cfg);
	cfg.dialect = 2;
	expect_new_fails(h, &cfg, "unknown dialect");
	cfg.dialect = 0xffffffffu;
	expect_new_fails(h, &cfg, "unknown dialect");
}

static void test_device_new_bad_num_scanouts(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;

	valid_config(h, &cfg);
	cfg.num_scanouts = 0;
	expect_new_fails(h, &cfg, "num_scanouts must be 1..16");
	cfg.num_scanouts = 17;
	expect_new_fails(h, &cfg, "num_scanouts must be 1..16");
	cfg.num_scanouts = 0xffffffffu;
	expect_new_fails(h, &cfg, "num_scanouts must be 1..16");
	cfg.num_scanouts = 16;
	vgm_device_destroy(expect_new_ok(&cfg));
}

static void test_device_new_scanout_too_large(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;

	valid_config(h, &cfg);
	cfg.num_scanouts = 3;
	cfg.scanouts[2] = (struct vgm_scanout_config){ 1, 16384, 16384 };
	vgm_device_destroy(expect_new_ok(&cfg));
	cfg.scanouts[2].width = 16385;
	expect_new_fails(h, &cfg, "scanout size above 16384");
	cfg.scanouts[2].width = 16384;
	cfg.scanouts[2].height = 0xffffffffu;
	expect_new_fails(h, &cfg, "scanout size above 16384");
	/* Past num_scanouts the entries are not looked at. */
	cfg.num_scanouts = 2;
	vgm_device_destroy(expect_new_ok(&cfg));
}

/* The callbacks are copied: the caller's struct may go away. */
static void test_device_new_copies_ops(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_host_ops ops = h->ops;
	struct vgm_device *dev;

	valid_config(h, &cfg);
	cfg.ops = &ops;
	dev = expect_new_ok(&cfg);
	memset(&ops, 0, sizeof(ops));
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(vgm_device_set_display(dev, 0, true, 800, 600), 0);
	assert_int_equal(count_events(h, EV_CONFIG_CHANGED), 1);
	vgm_device_destroy(dev);
}

/* ---- defaults ------------------------------------------------------------------------ */

static void test_device_default_scanout_size(void **state)
{
	struct harness *h = *state;
	struct vgm_device_config cfg;
	struct vgm_scanout_info si = { .size = sizeof(si) };
	struct vgm_device *dev;

	valid_config(h, &cfg);
	cfg.num_scanouts = 2;
	cfg.scanouts[0] = (struct vgm_scanout_config){ 1, 0, 0 };
	cfg.scanouts[1] = (struct vgm_scanout_config){ 0, 0, 0 };
	dev = expect_new_ok(&cfg);
	assert_int_equal(vgm_device_get_scanout_info(dev, 0, &si), 0);
	assert_int_equal(si.enabled, 1);
	assert_int_equal(si.width, VGM_DEFAULT_WIDTH);
	assert_int_equal(si.height, VGM_DEFAULT_HEIGHT);
	assert_int_equal(vgm_device_get_scanout_info(dev, 1, &si), 0);
	assert_int_equal(si.enabled, 0);
	assert_int_equal(si.width, 1024);
	assert_int_equal(si.height, 768);
	vgm_device_destroy(dev);
}

/* The harness passes limits of 0: the defaults. 256 MiB of images fit, a byte more does not. */
static void test_device_default_host_memory(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st = { .size = sizeof(st) };
	struct snapshot s;
	struct req r;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8192, 8192);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.host_bytes, VGM_DEFAULT_MAX_HOST_MEMORY);
	snapshot_take(h, &s);
	req_create_2d(&r, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 1, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_unchanged(h, &s);
	assert_logged(h, "width x height 1x1: 4 bytes do not fit");
	req_unref(&r, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 1, 1);
}

/* n entries of 1 byte, 2 bytes apart (never adjacent). */
static void req_attach_tiny(struct req *r, uint32_t id, uint32_t n)
{
	req_init(r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
	req_u32(r, id);
	req_u32(r, n);
	for (uint32_t i = 0; i < n; i++) {
		req_u64(r, RAM_BASE + 2ull * i);
		req_u32(r, 1);
		req_u32(r, 0);
	}
}

static void test_device_default_backing_entries(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st = { .size = sizeof(st) };
	struct snapshot s;
	struct req r;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 128, 128);
	snapshot_take(h, &s);
	req_attach_tiny(&r, 1, VGM_DEFAULT_MAX_BACKING_ENTRIES + 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
	assert_unchanged(h, &s);
	assert_logged(h, "nr_entries 65537 is above the limit of 65536");
	req_attach_tiny(&r, 1, VGM_DEFAULT_MAX_BACKING_ENTRIES);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.backing_entries, VGM_DEFAULT_MAX_BACKING_ENTRIES);
}

/*
 * A 7680x4320 framebuffer in one 4 KiB entry per page, the entry array in
 * 127 descriptors of a page after the command's own (viogpudo's habit):
 * 32,400 entries fit the default limit, and the last page is where the
 * table says.
 */
static void test_device_default_backing_entries_8k(void **state)
{
	enum { W = 7680, H = 4320, PAGE = 4096, PAGES = W * H * 4 / PAGE };
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .ram_size = (size_t)PAGES * PAGE };
	struct harness *h = harness_new(&o);
	uint32_t px[16 * 16], want[16 * 16];
	struct req r;

	(void)state;
	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	req_init(&r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
	req_u32(&r, 1);
	req_u32(&r, PAGES);
	for (uint32_t i = 0; i < PAGES; i++) {
		req_u64(&r, RAM_BASE + (uint64_t)i * PAGE);
		req_u32(&r, PAGE);
		req_u32(&r, 0);
	}
	assert_int_equal(submit_split_after(h, &r, 32, PAGE, 24), 24);
	assert_int_equal(resp_u32(h, 0), VGM_GPU_RESP_OK_NODATA);
	/* The bottom right 16x16 pixels: the end of the last 16 rows. */
	for (uint32_t y = 0; y < 16; y++) {
		for (uint32_t x = 0; x < 16; x++) {
			want[y * 16 + x] = 0xff000000u | (y << 8) | x;
			memcpy(ram_ptr(h, RAM_BASE + ((uint64_t)(H - 16 + y) * W + W - 16 + x) * 4),
			       &want[y * 16 + x], 4);
		}
	}
	req_transfer(&r, 1, W - 16, H - 16, 16, 16, ((uint64_t)(H - 16) * W + W - 16) * 4);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_set_scanout(&r, 0, 1, W - 16, H - 16, 16, 16);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_XRGB8888, px, 16 * 4), 0);
	assert_memory_equal(px, want, sizeof(want));
	harness_free(h);
}

static void test_device_default_max_resources(void **state)
{
	struct harness *h = *state;
	struct snapshot s;
	struct req r;

	for (uint32_t id = 1; id <= VGM_DEFAULT_MAX_RESOURCES; id++)
		make_resource(h, id, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 1, 1);
	snapshot_take(h, &s);
	req_create_2d(&r, VGM_DEFAULT_MAX_RESOURCES + 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 1, 1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_unchanged(h, &s);
	assert_logged(h, "the limit of 65536 resources is reached");
}

static void test_device_default_max_regions(void **state)
{
	struct harness *h = *state;
	struct backing b;
	struct snapshot s;
	struct req r;

	backing_make(h, &b, 64, 64);
	for (uint32_t id = 1; id <= VGM_DEFAULT_MAX_REGIONS; id++) {
		req_memory_create(&r, id, &b);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	}
	snapshot_take(h, &s);
	req_memory_create(&r, VGM_DEFAULT_MAX_REGIONS + 1, &b);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_unchanged(h, &s);
	assert_logged(h, "the limit of 65536 regions is reached");
	backing_free(&b);
}

/* ---- features ---------------------------------------------------------------------------- */

static uint64_t offered_by(struct harness *h, enum vgm_dialect dialect, uint64_t features)
{
	struct vgm_device_config cfg;
	struct vgm_device *dev;
	uint64_t offered = 0xdeadbeef;

	valid_config(h, &cfg);
	cfg.dialect = dialect;
	cfg.features = features;
	dev = expect_new_ok(&cfg);
	assert_int_equal(vgm_device_get_features(dev, &offered), 0);
	vgm_device_destroy(dev);
	return offered;
}

static void test_features_offered_per_dialect(void **state)
{
	struct harness *h = *state;
	const uint64_t edid = 1ull << VGM_GPU_F_EDID, memory = 1ull << VGM_GPU_F_MEMORY;
	const uint64_t uuid = 1ull << VGM_GPU_F_RESOURCE_UUID, blob = 1ull << VGM_GPU_F_RESOURCE_BLOB;

	assert_int_equal(offered_by(h, VGM_DIALECT_STANDARD, VGM_FEATURES_ALL), edid | uuid | blob);
	assert_int_equal(offered_by(h, VGM_DIALECT_MEMORY_RFC, VGM_FEATURES_ALL), edid | memory);
	assert_int_equal(offered_by(h, VGM_DIALECT_STANDARD, 0), 0);
	assert_int_equal(offered_by(h, VGM_DIALECT_MEMORY_RFC, 0), 0);
	/* Bit 2 is RESOURCE_UUID in the standard dialect. */
	assert_int_equal(offered_by(h, VGM_DIALECT_STANDARD, memory), uuid);
	assert_int_equal(offered_by(h, VGM_DIALECT_MEMORY_RFC, memory), memory);
	/* VIRGL, blob, context init and transport bits are never offered. */
	assert_int_equal(offered_by(h, VGM_DIALECT_MEMORY_RFC, 0x19 | 1ull << 32), 0);
}

/*
 * Whether the accepted set holds bit 2 (RESOURCE_UUID, or MEMORY in
 * memory-rfc), seen from the guest: RESOURCE_ASSIGN_UUID of a resource, or
 * MEMORY_UNREF of a memory id, that does not exist is refused by its gate
 * (ERR_UNSPEC) or, past the gate, for its id. (GET_EDID cannot tell: it is
 * answered whenever EDID is offered.)
 */
static void gate_expect(struct harness *h, bool open)
{
	bool rfc = h->opts.dialect == VGM_DIALECT_MEMORY_RFC;
	struct req r;

	if (rfc)
		req_memory_unref(&r, 99);
	else
		req_assign_uuid(&r, 99);
	if (!open) {
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_UNSPEC);
		assert_logged(h, "feature bit 2 not negotiated");
	} else if (rfc) {
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_MEMORY_ID);
		assert_logged(h, "MEMORY_UNREF: memory_id 99");
	} else {
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
		assert_logged(h, "RESOURCE_ASSIGN_UUID: resource_id 99");
	}
}

static void test_features_set_unoffered(void **state)
{
	struct harness *h = *state;
	static const uint64_t bad[] = { 1ull << 0, 1ull << 4, 1ull << 5, 1ull << 23,
					(1ull << 1) | (1ull << 0) };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vgm_device_set_features(h->dev, bad[i]), -EINVAL);
		assert_logged(h, "a feature that was not offered");
		gate_expect(h, true); /* the accepted set is kept */
	}
	assert_int_equal(vgm_device_set_features(NULL, 0), -EINVAL);
}

static void test_features_transport_bits_ignored(void **state)
{
	struct harness *h = *state;
	const uint64_t transport = 1ull << 24 | 1ull << 28 | 1ull << 32 | 1ull << 33 | 1ull << 63;

	assert_int_equal(vgm_device_set_features(h->dev, transport), 0);
	gate_expect(h, false);
	assert_int_equal(vgm_device_set_features(h->dev, transport | 1ull << VGM_GPU_F_RESOURCE_UUID),
			 0);
	gate_expect(h, true);
	assert_int_equal(h->nlogs, 0);
}

static void test_features_get_null(void **state)
{
	struct harness *h = *state;
	uint64_t offered = 7;

	assert_int_equal(vgm_device_get_features(NULL, &offered), -EINVAL);
	assert_int_equal(offered, 7);
	assert_int_equal(vgm_device_get_features(h->dev, NULL), -EINVAL);
}

/* ---- the config space ----------------------------------------------------------------- */

static const uint8_t config_bytes[16] = {
	1, 0, 0, 0, /* events_read: DISPLAY */
	0, 0, 0, 0, /* events_clear reads 0 */
	3, 0, 0, 0, /* num_scanouts */
	0, 0, 0, 0, /* num_capsets */
};

static void test_config_read_every_range(void **state)
{
	struct harness *h = with_opts(VGM_DIALECT_STANDARD, 3);
	uint8_t buf[20];

	(void)state;
	assert_int_equal(vgm_device_set_display(h->dev, 2, true, 640, 480), 0);
	for (uint32_t off = 0; off <= 16; off++) {
		for (uint32_t len = 0; len <= 16 - off; len++) {
			memset(buf, 0xcc, sizeof(buf));
			assert_int_equal(vgm_device_config_read(h->dev, off, buf, len), 0);
			assert_memory_equal(buf, config_bytes + off, len);
			for (size_t i = len; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xcc);
		}
	}
	harness_free(h);
}

static void test_config_read_out_of_range(void **state)
{
	struct harness *h = *state;
	static const uint32_t bad[][2] = {
		{ 17, 0 }, { 16, 1 },	      { 0, 17 },	  { 15, 2 },
		{ 12, 8 }, { 0xffffffffu, 1 }, { 1, 0xffffffffu }, { 0xffffffffu, 0xffffffffu },
	};
	uint8_t buf[32];

	memset(buf, 0xcc, sizeof(buf));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vgm_device_config_read(h->dev, bad[i][0], buf, bad[i][1]),
				 -EINVAL);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xcc);
	assert_int_equal(vgm_device_config_read(h->dev, 0, NULL, 4), -EINVAL);
	assert_int_equal(vgm_device_config_read(h->dev, 0, NULL, 0), 0);
	assert_int_equal(vgm_device_config_read(NULL, 0, buf, 4), -EINVAL);
}

static uint32_t events_read(struct harness *h)
{
	uint8_t b[4];

	assert_int_equal(vgm_device_config_read(h->dev, 0, b, 4), 0);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void write_u32(struct harness *h, uint32_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	assert_int_equal(vgm_device_config_write(h->dev, off, b, 4), 0);
}

static void test_config_write_events_clear(void **state)
{
	struct harness *h = *state;
	uint8_t one = 1, all[16];

	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 0, 0), 0);
	assert_int_equal(events_read(h), VGM_GPU_EVENT_DISPLAY);
	write_u32(h, 4, 0);
	write_u32(h, 4, ~VGM_GPU_EVENT_DISPLAY);
	assert_int_equal(events_read(h), VGM_GPU_EVENT_DISPLAY);
	write_u32(h, 4, VGM_GPU_EVENT_DISPLAY);
	assert_int_equal(events_read(h), 0);
	/* A one-byte write of events_clear. */
	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 0, 0), 0);
	assert_int_equal(vgm_device_config_write(h->dev, 4, &one, 1), 0);
	assert_int_equal(events_read(h), 0);
	/* The whole space at once: only events_clear counts. */
	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 0, 0), 0);
	memset(all, 0xff, sizeof(all));
	assert_int_equal(vgm_device_config_write(h->dev, 0, all, sizeof(all)), 0);
	assert_int_equal(events_read(h), 0);
	assert_int_equal(h->nlogs, 0);
}

static void test_config_write_read_only_ignored(void **state)
{
	struct harness *h = *state;
	uint8_t b[16];

	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 0, 0), 0);
	write_u32(h, 0, 0xffffffffu); /* events_read */
	write_u32(h, 8, 5);	      /* num_scanouts */
	write_u32(h, 12, 9);	      /* num_capsets */
	assert_int_equal(vgm_device_config_read(h->dev, 0, b, sizeof(b)), 0);
	assert_int_equal(b[0], VGM_GPU_EVENT_DISPLAY);
	assert_int_equal(b[4], 0);
	assert_int_equal(b[8], 1);
	assert_int_equal(b[12], 0);
}

static void test_config_write_out_of_range(void **state)
{
	struct harness *h = *state;
	uint8_t buf[32] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 0, 0), 0);
	assert_int_equal(vgm_device_config_write(h->dev, 0, buf, 17), -EINVAL);
	assert_logged(h, "config_write");
	assert_int_equal(vgm_device_config_write(h->dev, 16, buf, 1), -EINVAL);
	assert_logged(h, "config_write");
	assert_int_equal(vgm_device_config_write(h->dev, 4, buf, 0xffffffffu), -EINVAL);
	assert_logged(h, "config_write");
	assert_int_equal(vgm_device_config_write(h->dev, 4, NULL, 4), -EINVAL);
	assert_logged(h, "config_write");
	assert_int_equal(vgm_device_config_write(NULL, 4, buf, 4), -EINVAL);
	assert_int_equal(events_read(h), VGM_GPU_EVENT_DISPLAY); /* nothing cleared */
}

/* ---- set_display ---------------------------------------------------------------------- */

static void test_set_display_event(void **state)
{
	struct harness *h = *state;
	struct vgm_scanout_info si = { .size = sizeof(si) };

	assert_int_equal(events_read(h), 0);
	assert_int_equal(vgm_device_set_display(h->dev, 0, false, 1280, 720), 0);
	assert_int_equal(events_read(h), VGM_GPU_EVENT_DISPLAY);
	assert_int_equal(count_events(h, EV_CONFIG_CHANGED), 1);
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, &si), 0);
	assert_int_equal(si.enabled, 0);
	assert_int_equal(si.width, 1280);
	assert_int_equal(si.height, 720);
	/* Each change is notified, even while the event is pending. */
	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 16384, 16384), 0);
	assert_int_equal(count_events(h, EV_CONFIG_CHANGED), 2);
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, &si), 0);
	assert_int_equal(si.enabled, 1);
	assert_int_equal(si.width, 16384);
}

static void expect_set_display_fails(struct harness *h, uint32_t scanout, uint32_t w,
				     uint32_t hgt)
{
	struct snapshot s;

	snapshot_take(h, &s);
	assert_int_equal(vgm_device_set_display(h->dev, scanout, true, w, hgt), -EINVAL);
	assert_unchanged(h, &s);
	assert_int_equal(events_read(h), 0);
	assert_logged(h, "vgm_device_set_display: bad scanout or size");
}

static void test_set_display_bad_args(void **state)
{
	struct harness *h = *state;

	expect_set_display_fails(h, 1, 800, 600);
	expect_set_display_fails(h, 16, 800, 600);
	expect_set_display_fails(h, 0xffffffffu, 800, 600);
	expect_set_display_fails(h, 0, 16385, 600);
	expect_set_display_fails(h, 0, 800, 16385);
	expect_set_display_fails(h, 0, 0xffffffffu, 0xffffffffu);
	assert_int_equal(vgm_device_set_display(NULL, 0, true, 800, 600), -EINVAL);
}

/* ---- reset ---------------------------------------------------------------------------- */

/* Resources, a named region, backing, a scanout showing one, a custom EDID,
 * a changed display. */
static void populate(struct harness *h, struct backing *pool, const uint8_t *edid)
{
	struct backing b;
	struct req r;

	assert_int_equal(vgm_device_set_display(h->dev, 0, true, 800, 600), 0);
	assert_int_equal(vgm_device_set_edid(h->dev, 0, edid, 128), 0);
	make_backed(h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 16, 16, &b, 512);
	backing_free(&b);
	backing_make(h, pool, 4096, 1024);
	req_memory_create(&r, 5, pool);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	make_resource(h, 2, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 8, 8);
	req_attach_memory(&r, 2, 5, 256);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	req_set_scanout(&r, 0, 1, 0, 0, 16, 16);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}

static void make_edid(uint8_t e[128])
{
	uint8_t sum = 0;

	for (int i = 0; i < 128; i++)
		e[i] = (uint8_t)(i * 3);
	memcpy(e, (const uint8_t[8]){ 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 }, 8);
	e[0x7e] = 0;
	for (int i = 0; i < 127; i++)
		sum = (uint8_t)(sum + e[i]);
	e[127] = (uint8_t)(0x100 - sum);
}

static void assert_empty(struct harness *h)
{
	struct vgm_stats st = { .size = sizeof(st) };

	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	assert_int_equal(st.resources, 0);
	assert_int_equal(st.regions, 0);
	assert_int_equal(st.memory_ids, 0);
	assert_int_equal(st.host_bytes, 0);
	assert_int_equal(st.image_bytes, 0);
	assert_int_equal(st.table_bytes, 0);
	assert_int_equal(st.backing_entries, 0);
	assert_int_equal(h->live_maps, 0);
}

static void test_reset_frees_and_clears(void **state)
{
	struct harness *h = *state;
	struct vgm_scanout_info si = { .size = sizeof(si) };
	struct backing pool;
	uint8_t edid[128];
	uint64_t offered;
	struct req r;

	make_edid(edid);
	populate(h, &pool, edid);
	h->nevents = 0;
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(count_events(h, EV_SCANOUT_DISABLE), 1);
	assert_empty(h);
	assert_int_equal(events_read(h), 0);
	gate_expect(h, false); /* features cleared */
	/* The display configuration and the EDID stay (GET_EDID needs EDID
	 * offered, not accepted). */
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, &si), 0);
	assert_int_equal(si.resource_id, 0);
	assert_int_equal(si.width, 800);
	assert_int_equal(si.height, 600);
	req_get_edid(&r, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
	assert_int_equal(resp_u32(h, EDID_SIZE_OFF), 128);
	assert_memory_equal(h->resp + EDID_BYTES_OFF, edid, 128);
	assert_int_equal(vgm_device_get_features(h->dev, &offered), 0);
	assert_int_equal(vgm_device_set_features(h->dev, offered), 0);
	gate_expect(h, true);
	req_get_edid(&r, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
	assert_int_equal(resp_u32(h, EDID_SIZE_OFF), 128);
	assert_memory_equal(h->resp + EDID_BYTES_OFF, edid, 128);
	backing_free(&pool);
}

/* After a reset the ids are free again and the device works as new. */
static void test_reset_then_reuse(void **state)
{
	struct harness *h = *state;
	struct backing pool;
	uint8_t edid[128];
	uint64_t offered;

	make_edid(edid);
	populate(h, &pool, edid);
	backing_free(&pool);
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_int_equal(vgm_device_reset(h->dev), 0); /* twice is fine */
	assert_empty(h);
	assert_int_equal(vgm_device_get_features(h->dev, &offered), 0);
	assert_int_equal(vgm_device_set_features(h->dev, offered), 0);
	h->nevents = 0;
	populate(h, &pool, edid);
	backing_free(&pool);
	assert_int_equal(vgm_device_reset(NULL), -EINVAL);
}

/* ---- introspection --------------------------------------------------------------------- */

static void test_resource_info_errors(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info info;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4);
	memset(&info, 0xab, sizeof(info));
	info.size = sizeof(info);
	assert_int_equal(vgm_device_get_resource_info(h->dev, 2, &info), -ENOENT);
	assert_int_equal(vgm_device_get_resource_info(h->dev, 0, &info), -ENOENT);
	assert_int_equal(info.format, 0xabababab); /* untouched */
	assert_int_equal(vgm_device_get_resource_info(h->dev, 1, NULL), -EINVAL);
	assert_int_equal(vgm_device_get_resource_info(NULL, 1, &info), -EINVAL);
	info.size = 0;
	assert_int_equal(vgm_device_get_resource_info(h->dev, 1, &info), -EINVAL);
	info.size = 4;
	assert_int_equal(vgm_device_get_resource_info(h->dev, 1, &info), -EINVAL);
	assert_int_equal(info.format, 0xabababab);
}

/* A 0.1 caller's smaller struct (sizeof: scanout_mask, then padding to 8
 * where 0.2 put blob): filled up to its size, not a byte further. */
static void test_resource_info_older_size(void **state)
{
	struct harness *h = *state;
	struct vgm_resource_info info;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4);
	memset(&info, 0xab, sizeof(info));
	info.size = 56;
	assert_int_equal(vgm_device_get_resource_info(h->dev, 1, &info), 0);
	assert_int_equal(info.format, VGM_GPU_FORMAT_B8G8R8A8_UNORM);
	assert_int_equal(info.fourcc, DRM_FORMAT_ARGB8888);
	assert_int_equal(info.scanout_mask, 0);
	assert_int_equal(info.has_uuid, 0xabababab);
	assert_int_equal(info.size, 56);
}

/* The sizes an info struct is filled at, short of the library's own: each
 * version's sizeof, and where a member added since ends. */
struct info_sizes {
	size_t full;
	size_t older[4];
};

static bool older_size(const struct info_sizes *sz, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(sz->older); i++) {
		if (sz->older[i] && sz->older[i] == size)
			return true;
	}
	return false;
}

static int resource_info_at(struct harness *h, void *info)
{
	return vgm_device_get_resource_info(h->dev, 1, info);
}

static int scanout_info_at(struct harness *h, void *info)
{
	return vgm_device_get_scanout_info(h->dev, 0, info);
}

static int stats_at(struct harness *h, void *info)
{
	return vgm_device_get_stats(h->dev, info);
}

/* Every size from 0 to past the struct: one that ends inside a member
 * (half a counter) is no version's and refused, the output untouched;
 * one that is some version's, or the whole struct or more, is filled up
 * to it (or to the library's struct) and not a byte further. */
static void check_info_sizes(struct harness *h, int (*fn)(struct harness *h, void *info),
			     const struct info_sizes *sz)
{
	uint8_t buf[128];

	assert_true(sz->full + 8 <= sizeof(buf));
	for (uint32_t size = 0; size <= sz->full + 8; size++) {
		bool ok = size >= sz->full || older_size(sz, size);
		size_t filled = ok ? (size < sz->full ? size : sz->full) : sizeof(size);

		memset(buf, 0xab, sizeof(buf));
		memcpy(buf, &size, sizeof(size));
		if (fn(h, buf) != (ok ? 0 : -EINVAL))
			fail_msg("size %u: %s", size, ok ? "refused" : "accepted");
		for (size_t i = filled; i < sizeof(buf); i++) {
			if (buf[i] != 0xab)
				fail_msg("size %u: byte %zu written", size, i);
		}
	}
}

static void test_info_size_inside_member(void **state)
{
	struct harness *h = *state;
	const struct info_sizes resource = {
		sizeof(struct vgm_resource_info),
		{ offsetof(struct vgm_resource_info, scanout_mask) + 4, /* 0.1 on i386 */
		  offsetof(struct vgm_resource_info, blob) + 4, /* 0.1 elsewhere */
		  offsetof(struct vgm_resource_info, has_uuid) + 4,
		  offsetof(struct vgm_resource_info, blob_size) + 8 },
	};
	const struct info_sizes scanout = { sizeof(struct vgm_scanout_info), { 0 } };
	const struct info_sizes stats = { sizeof(struct vgm_stats), { 0 } };

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4);
	check_info_sizes(h, resource_info_at, &resource);
	check_info_sizes(h, scanout_info_at, &scanout);
	check_info_sizes(h, stats_at, &stats);
}

static void test_scanout_info_errors(void **state)
{
	struct harness *h = *state;
	struct vgm_scanout_info si;

	memset(&si, 0xab, sizeof(si));
	si.size = sizeof(si);
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 1, &si), -EINVAL);
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0xffffffffu, &si), -EINVAL);
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, NULL), -EINVAL);
	assert_int_equal(vgm_device_get_scanout_info(NULL, 0, &si), -EINVAL);
	si.size = 0;
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, &si), -EINVAL);
	assert_int_equal(si.enabled, 0xabababab);
}

static void test_scanout_pixels_errors(void **state)
{
	struct harness *h = *state;
	struct vgm_pixels px;
	uint32_t dst[16];

	memset(&px, 0xab, sizeof(px));
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, &px), -ENODATA);
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 1, &px), -EINVAL);
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, NULL), -EINVAL);
	assert_int_equal(vgm_device_get_scanout_pixels(NULL, 0, &px), -EINVAL);
	assert_int_equal(px.stride, 0xabababab);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_XRGB8888, dst, 64),
			 -ENODATA);
	assert_int_equal(vgm_device_read_scanout(h->dev, 1, DRM_FORMAT_XRGB8888, dst, 64),
			 -EINVAL);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_RGB565, dst, 64), -EINVAL);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_XRGB8888, NULL, 64),
			 -EINVAL);
}

static void test_stats_errors(void **state)
{
	struct harness *h = *state;
	struct vgm_stats st;

	memset(&st, 0xab, sizeof(st));
	st.size = 0;
	assert_int_equal(vgm_device_get_stats(h->dev, &st), -EINVAL);
	st.size = 4;
	assert_int_equal(vgm_device_get_stats(h->dev, &st), -EINVAL);
	assert_int_equal(st.resources, 0xabababab);
	st.size = sizeof(st);
	assert_int_equal(vgm_device_get_stats(NULL, &st), -EINVAL);
	assert_int_equal(vgm_device_get_stats(h->dev, NULL), -EINVAL);
}

/* ---- the rest ------------------------------------------------------------------------------ */

static void test_destroy_null(void **state)
{
	struct harness *h = *state;
	struct snapshot s;

	make_resource(h, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4);
	snapshot_take(h, &s);
	vgm_device_destroy(NULL);
	assert_unchanged(h, &s); /* no callbacks, other devices untouched */
	assert_int_equal(h->nlogs, 0);
}

static void test_version_matches_header(void **state)
{
	char expect[32];

	(void)state;
	assert_string_equal(vgm_version(), VGM_VERSION_STRING);
	snprintf(expect, sizeof(expect), "%d.%d.%d", VGM_VERSION_MAJOR, VGM_VERSION_MINOR,
		 VGM_VERSION_MICRO);
	assert_string_equal(vgm_version(), expect);
	assert_true(VGM_CHECK_VERSION(0, 1, 0));
	assert_false(VGM_CHECK_VERSION(VGM_VERSION_MAJOR + 1, 0, 0));
}

static void test_devices_independent(void **state)
{
	struct harness *a = with_opts(VGM_DIALECT_STANDARD, 1);
	struct harness *b = with_opts(VGM_DIALECT_MEMORY_RFC, 2);
	struct vgm_resource_info info = { .size = sizeof(info) };
	struct req r;

	(void)state;
	make_resource(a, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 4, 4);
	make_resource(b, 1, VGM_GPU_FORMAT_R8G8B8A8_UNORM, 8, 2);
	req_unref(&r, 1);
	assert_int_equal(submit(a, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(vgm_device_get_resource_info(b->dev, 1, &info), 0);
	assert_int_equal(info.width, 8);
	assert_int_equal(vgm_device_set_display(a->dev, 0, true, 640, 480), 0);
	assert_int_equal(vgm_device_set_features(a->dev, 0), 0);
	assert_int_equal(events_read(b), 0);
	assert_int_equal(b->nevents, 0);
	/* b's accepted set is its own: MEMORY_UNREF passes its gate. */
	req_memory_unref(&r, 5);
	assert_int_equal(submit(b, &r), VGM_GPU_RESP_ERR_INVALID_MEMORY_ID);
	assert_logged(b, "memory_id 5");
	/* One device's flood of guest errors does not silence the other. */
	for (int i = 0; i < 40; i++) {
		req_assign_uuid(&r, 1);
		assert_int_equal(submit(a, &r), VGM_GPU_RESP_ERR_UNSPEC);
	}
	a->nlogs = 0;
	req_unref(&r, 77);
	assert_int_equal(submit(b, &r), VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_logged(b, "resource_id 77");
	harness_free(a);
	harness_free(b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)
#define T_RFC(f) cmocka_unit_test_setup_teardown(f, harness_setup_rfc, harness_teardown)
	const struct CMUnitTest tests[] = {
		T(test_device_new_ok),
		T(test_device_new_null_args),
		T(test_device_new_config_size),
		T(test_device_new_config_table_pieces),
		T(test_device_new_config_stream_threshold),
		T(test_device_new_config_larger),
		T(test_device_new_ops_size),
		T(test_device_new_ops_size_mid_member),
		T(test_device_new_config_size_mid_member),
		T(test_device_new_ops_larger),
		T(test_device_new_missing_translate),
		T(test_device_new_only_translate),
		T(test_device_new_bad_dialect),
		T(test_device_new_bad_num_scanouts),
		T(test_device_new_scanout_too_large),
		T(test_device_new_copies_ops),
		T(test_device_default_scanout_size),
		T(test_device_default_host_memory),
		T(test_device_default_backing_entries),
		cmocka_unit_test(test_device_default_backing_entries_8k),
		T(test_device_default_max_resources),
		T_RFC(test_device_default_max_regions),
		T(test_features_offered_per_dialect),
		T(test_features_set_unoffered),
		T(test_features_transport_bits_ignored),
		T(test_features_get_null),
		cmocka_unit_test(test_config_read_every_range),
		T(test_config_read_out_of_range),
		T(test_config_write_events_clear),
		T(test_config_write_read_only_ignored),
		T(test_config_write_out_of_range),
		T(test_set_display_event),
		T(test_set_display_bad_args),
		T_RFC(test_reset_frees_and_clears),
		T_RFC(test_reset_then_reuse),
		T(test_resource_info_errors),
		T(test_resource_info_older_size),
		T(test_info_size_inside_member),
		T(test_scanout_info_errors),
		T(test_scanout_pixels_errors),
		T(test_stats_errors),
		T(test_destroy_null),
		cmocka_unit_test(test_version_matches_header),
		cmocka_unit_test(test_devices_independent),
	};
#undef T
#undef T_RFC

	return cmocka_run_group_tests(tests, NULL, NULL);
}
