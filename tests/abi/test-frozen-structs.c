/* SPDX-License-Identifier: MIT */
/*
 * Frozen ABI: copies of the public structs as version 0.1 shipped them, and
 * of a struct that grew since as the version that grew it has it.
 *
 * A VMM built against 0.1 passes these layouts with these sizes forever.
 * Fields may be added to the end of the current structs; nothing may move,
 * shrink or change type. Never edit the frozen copies: when a struct grows,
 * add a frozen_NAME_X_Y (X.Y the version that adds the field) next to its
 * 0.1 copy, checked with SIZE_SINCE() and FIELD_SINCE().
 *
 * Besides the layouts, the library must accept a 0.1-sized struct, and must
 * not read past its end: each one is placed right before a PROT_NONE page;
 * and the fields a struct grew must be read.
 *
 * A plain program linked against the shared library: it prints every
 * difference and exits 1 if there is any.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <virtgpu-mem/virtgpu-mem.h>

/* ---- the 0.1 layouts (do not edit) ------------------------------------------------ */

struct frozen_vgm_rect_0_1 {
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

struct frozen_vgm_guest_map_0_1 {
	void *ptr;
	uint64_t len;
	void *cookie;
	int fd;
	uint64_t fd_offset;
};

struct frozen_vgm_pixels_0_1 {
	const void *data;
	uint32_t stride;
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
};

struct frozen_vgm_cursor_0_1 {
	const uint32_t *pixels;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t x;
	uint32_t y;
};

struct frozen_vgm_host_ops_0_1 {
	uint32_t size;
	int (*translate)(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map);
	void (*release)(void *host, const struct vgm_guest_map *map);
	void (*fence_done)(void *host, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id);
	void (*config_changed)(void *host);
	void (*scanout_set)(void *host, uint32_t scanout, const struct vgm_pixels *px);
	void (*scanout_disable)(void *host, uint32_t scanout);
	void (*scanout_update)(void *host, uint32_t scanout, const struct vgm_rect *rect);
	void (*cursor_set)(void *host, uint32_t scanout, const struct vgm_cursor *cursor);
	void (*cursor_move)(void *host, uint32_t scanout, uint32_t x, uint32_t y);
	void (*cursor_hide)(void *host, uint32_t scanout);
	void (*log)(void *host, enum vgm_log_level level, const char *msg);
};

struct frozen_vgm_scanout_config_0_1 {
	uint32_t enabled;
	uint32_t width;
	uint32_t height;
};

struct frozen_vgm_device_config_0_1 {
	uint32_t size;
	uint32_t dialect;
	uint64_t features;
	uint32_t num_scanouts;
	struct frozen_vgm_scanout_config_0_1 scanouts[16];
	uint64_t max_host_memory;
	uint32_t max_backing_entries;
	uint32_t max_resources;
	uint32_t max_regions;
	uint32_t log_level;
	const struct frozen_vgm_host_ops_0_1 *ops;
	void *host;
};

/* ---- the 0.3 layouts (do not edit) ------------------------------------------------ */

/* 0.3 added max_table_pieces after the 0.1 fields (which end without
 * padding: a pointer last), then a reserved word that keeps
 * stream_threshold 8-byte aligned on every ABI, stream_threshold, the
 * renderer and its flags, the device's flags and a reserved word. */
struct frozen_vgm_device_config_0_3 {
	struct frozen_vgm_device_config_0_1 v0_1;
	uint32_t max_table_pieces;
	uint32_t reserved;
	uint64_t stream_threshold;
	uint32_t renderer;
	uint32_t renderer_flags;
	uint32_t flags;
	uint32_t reserved2;
};

/* 0.2 added resource_uuid and scanout_dmabuf to the host ops, 0.3
 * request_done. */
struct frozen_vgm_host_ops_0_3 {
	struct frozen_vgm_host_ops_0_1 v0_1;
	void (*resource_uuid)(void *host, uint32_t resource_id, const uint8_t uuid[16]);
	void (*scanout_dmabuf)(void *host, uint32_t scanout, const struct vgm_dmabuf *buf);
	void (*request_done)(void *host, uint64_t tag, size_t written);
};

struct frozen_vgm_resource_info_0_1 {
	uint32_t size;
	uint32_t format;
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t backed;
	uint32_t memory_id;
	uint64_t backing_offset;
	uint64_t backing_size;
	uint32_t scanout_mask;
};

struct frozen_vgm_scanout_info_0_1 {
	uint32_t size;
	uint32_t enabled;
	uint32_t width;
	uint32_t height;
	uint32_t resource_id;
	struct frozen_vgm_rect_0_1 rect;
};

struct frozen_vgm_stats_0_1 {
	uint32_t size;
	uint32_t resources;
	uint32_t regions;
	uint32_t memory_ids;
	uint64_t host_bytes;
	uint64_t image_bytes;
	uint64_t table_bytes;
	uint64_t object_bytes;
	uint64_t backing_entries;
};

/* ---- checking ------------------------------------------------------------------------ */

struct check {
	unsigned run;
	unsigned failed;
};

static void expect_equal(struct check *c, unsigned long long now, unsigned long long frozen,
			 const char *what, int line)
{
	c->run++;
	if (now == frozen)
		return;
	c->failed++;
	fprintf(stderr, "test-frozen-structs.c:%d: %s: now %llu, in 0.1 %llu\n", line, what, now,
		frozen);
}

#define MEMBER_SIZE(type, f) sizeof(((type *)0)->f)

/* The current struct is at least as large as version v's, as aligned, and
 * every field of v is where it was, as large as it was. */
#define SIZE_SINCE(c, name, v)                                                                 \
	do {                                                                                   \
		expect_equal(c, sizeof(struct name) >= sizeof(struct frozen_##name##_##v), 1,    \
			     "sizeof " #name " >= " #v, __LINE__);                              \
		expect_equal(c, _Alignof(struct name), _Alignof(struct frozen_##name##_##v),    \
			     "_Alignof " #name, __LINE__);                                      \
	} while (0)

#define FIELD_SINCE(c, name, v, f)                                                             \
	do {                                                                                   \
		expect_equal(c, offsetof(struct name, f), offsetof(struct frozen_##name##_##v, f), \
			     "offsetof " #name "." #f, __LINE__);                               \
		expect_equal(c, MEMBER_SIZE(struct name, f),                                    \
			     MEMBER_SIZE(struct frozen_##name##_##v, f), "sizeof " #name "." #f, \
			     __LINE__);                                                         \
	} while (0)

#define SIZE(c, name) SIZE_SINCE(c, name, 0_1)
#define FIELD(c, name, f) FIELD_SINCE(c, name, 0_1, f)

#define SAME(c, now, frozen) \
	expect_equal(c, (unsigned long long)(now), (unsigned long long)(frozen), #now, __LINE__)

static void test_frozen_small_structs(struct check *c)
{
	SIZE(c, vgm_rect);
	FIELD(c, vgm_rect, x);
	FIELD(c, vgm_rect, y);
	FIELD(c, vgm_rect, width);
	FIELD(c, vgm_rect, height);
	/* Passed by pointer in callbacks, not sized: it can never grow. */
	SAME(c, sizeof(struct vgm_rect), sizeof(struct frozen_vgm_rect_0_1));

	SIZE(c, vgm_guest_map);
	FIELD(c, vgm_guest_map, ptr);
	FIELD(c, vgm_guest_map, len);
	FIELD(c, vgm_guest_map, cookie);
	FIELD(c, vgm_guest_map, fd);
	FIELD(c, vgm_guest_map, fd_offset);
	/* Filled by the VMM's translate(): it can never grow either. */
	SAME(c, sizeof(struct vgm_guest_map), sizeof(struct frozen_vgm_guest_map_0_1));

	SIZE(c, vgm_pixels);
	FIELD(c, vgm_pixels, data);
	FIELD(c, vgm_pixels, stride);
	FIELD(c, vgm_pixels, fourcc);
	FIELD(c, vgm_pixels, width);
	FIELD(c, vgm_pixels, height);
	SAME(c, sizeof(struct vgm_pixels), sizeof(struct frozen_vgm_pixels_0_1));

	SIZE(c, vgm_cursor);
	FIELD(c, vgm_cursor, pixels);
	FIELD(c, vgm_cursor, hot_x);
	FIELD(c, vgm_cursor, hot_y);
	FIELD(c, vgm_cursor, x);
	FIELD(c, vgm_cursor, y);
	SAME(c, sizeof(struct vgm_cursor), sizeof(struct frozen_vgm_cursor_0_1));

	SIZE(c, vgm_scanout_config);
	FIELD(c, vgm_scanout_config, enabled);
	FIELD(c, vgm_scanout_config, width);
	FIELD(c, vgm_scanout_config, height);
	/* An array element of vgm_device_config: its size is frozen. */
	SAME(c, sizeof(struct vgm_scanout_config), sizeof(struct frozen_vgm_scanout_config_0_1));
}

static void test_frozen_sized_structs(struct check *c)
{
	SIZE(c, vgm_host_ops);
	FIELD(c, vgm_host_ops, size);
	FIELD(c, vgm_host_ops, translate);
	FIELD(c, vgm_host_ops, release);
	FIELD(c, vgm_host_ops, fence_done);
	FIELD(c, vgm_host_ops, config_changed);
	FIELD(c, vgm_host_ops, scanout_set);
	FIELD(c, vgm_host_ops, scanout_disable);
	FIELD(c, vgm_host_ops, scanout_update);
	FIELD(c, vgm_host_ops, cursor_set);
	FIELD(c, vgm_host_ops, cursor_move);
	FIELD(c, vgm_host_ops, cursor_hide);
	FIELD(c, vgm_host_ops, log);
	SIZE_SINCE(c, vgm_host_ops, 0_3);
	FIELD_SINCE(c, vgm_host_ops, 0_3, resource_uuid);
	FIELD_SINCE(c, vgm_host_ops, 0_3, scanout_dmabuf);
	FIELD_SINCE(c, vgm_host_ops, 0_3, request_done);
	SAME(c, sizeof(struct vgm_host_ops), sizeof(struct frozen_vgm_host_ops_0_3));

	SIZE(c, vgm_device_config);
	FIELD(c, vgm_device_config, size);
	FIELD(c, vgm_device_config, dialect);
	FIELD(c, vgm_device_config, features);
	FIELD(c, vgm_device_config, num_scanouts);
	FIELD(c, vgm_device_config, scanouts);
	FIELD(c, vgm_device_config, max_host_memory);
	FIELD(c, vgm_device_config, max_backing_entries);
	FIELD(c, vgm_device_config, max_resources);
	FIELD(c, vgm_device_config, max_regions);
	FIELD(c, vgm_device_config, log_level);
	FIELD(c, vgm_device_config, ops);
	FIELD(c, vgm_device_config, host);

	/* The 0.1 fields are checked above. */
	SIZE_SINCE(c, vgm_device_config, 0_3);
	FIELD_SINCE(c, vgm_device_config, 0_3, max_table_pieces);
	FIELD_SINCE(c, vgm_device_config, 0_3, reserved);
	FIELD_SINCE(c, vgm_device_config, 0_3, stream_threshold);
	FIELD_SINCE(c, vgm_device_config, 0_3, renderer);
	FIELD_SINCE(c, vgm_device_config, 0_3, renderer_flags);
	FIELD_SINCE(c, vgm_device_config, 0_3, flags);
	FIELD_SINCE(c, vgm_device_config, 0_3, reserved2);
	SAME(c, sizeof(struct vgm_device_config), 288);

	SIZE(c, vgm_resource_info);
	FIELD(c, vgm_resource_info, size);
	FIELD(c, vgm_resource_info, format);
	FIELD(c, vgm_resource_info, fourcc);
	FIELD(c, vgm_resource_info, width);
	FIELD(c, vgm_resource_info, height);
	FIELD(c, vgm_resource_info, stride);
	FIELD(c, vgm_resource_info, backed);
	FIELD(c, vgm_resource_info, memory_id);
	FIELD(c, vgm_resource_info, backing_offset);
	FIELD(c, vgm_resource_info, backing_size);
	FIELD(c, vgm_resource_info, scanout_mask);

	SIZE(c, vgm_scanout_info);
	FIELD(c, vgm_scanout_info, size);
	FIELD(c, vgm_scanout_info, enabled);
	FIELD(c, vgm_scanout_info, width);
	FIELD(c, vgm_scanout_info, height);
	FIELD(c, vgm_scanout_info, resource_id);
	FIELD(c, vgm_scanout_info, rect);

	SIZE(c, vgm_stats);
	FIELD(c, vgm_stats, size);
	FIELD(c, vgm_stats, resources);
	FIELD(c, vgm_stats, regions);
	FIELD(c, vgm_stats, memory_ids);
	FIELD(c, vgm_stats, host_bytes);
	FIELD(c, vgm_stats, image_bytes);
	FIELD(c, vgm_stats, table_bytes);
	FIELD(c, vgm_stats, object_bytes);
	FIELD(c, vgm_stats, backing_entries);
}

/* Enum values and limits a 0.1 VMM compiled in. */
static void test_frozen_constants(struct check *c)
{
	SAME(c, VGM_DIALECT_STANDARD, 0);
	SAME(c, VGM_DIALECT_MEMORY_RFC, 1);
	SAME(c, VGM_QUEUE_CONTROL, 0);
	SAME(c, VGM_QUEUE_CURSOR, 1);
	SAME(c, VGM_LOG_ERROR, 1);
	SAME(c, VGM_LOG_WARNING, 2);
	SAME(c, VGM_LOG_INFO, 3);
	SAME(c, VGM_LOG_DEBUG, 4);
	SAME(c, VGM_FEATURES_ALL, UINT64_MAX);
	SAME(c, VGM_MAX_SCANOUTS, 16);
	SAME(c, VGM_CURSOR_SIZE, 64);
}

/* ---- behaviour: the library takes 0.1-sized structs -------------------------------- */

struct guarded {
	uint8_t *map;
	size_t page;
};

/* size bytes that end where a PROT_NONE page begins. */
static void *guarded_alloc(struct guarded *g, size_t size)
{
	g->page = (size_t)sysconf(_SC_PAGESIZE);
	g->map = mmap(NULL, 2 * g->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		      0);
	if (g->map == MAP_FAILED || mprotect(g->map + g->page, g->page, PROT_NONE) != 0) {
		perror("mmap");
		_exit(1);
	}
	memset(g->map, 0, g->page);
	/* As close to the guard page as the struct's alignment allows: a size
	 * that ends inside its 8-byte alignment (a 0.3 config cut after
	 * max_table_pieces) leaves at most 7 readable bytes after it. */
	return g->map + ((g->page - size) & ~(size_t)7);
}

static void guarded_free(struct guarded *g)
{
	munmap(g->map, 2 * g->page);
}

static int fake_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -EFAULT;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* RESOURCE_CREATE_2D id 1, B8G8R8X8, 4 x 2; returns the response type. */
static uint32_t create_resource(struct vgm_device *dev)
{
	uint8_t req[40] = { 0 }, resp[24] = { 0 };
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	size_t written = 0;

	put_le32(req, VGM_GPU_CMD_RESOURCE_CREATE_2D);
	put_le32(req + 24, 1);
	put_le32(req + 28, VGM_GPU_FORMAT_B8G8R8X8_UNORM);
	put_le32(req + 32, 4);
	put_le32(req + 36, 2);
	if (vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) != 0 ||
	    written != sizeof(resp))
		return 0;
	return le32(resp);
}

static void test_frozen_device_new_takes_0_1_config(struct check *c)
{
	struct guarded gops, gcfg, gstats, ginfo, gso;
	struct frozen_vgm_host_ops_0_1 *ops = guarded_alloc(&gops, sizeof(*ops));
	struct frozen_vgm_device_config_0_1 *cfg = guarded_alloc(&gcfg, sizeof(*cfg));
	struct frozen_vgm_stats_0_1 *st = guarded_alloc(&gstats, sizeof(*st));
	struct frozen_vgm_resource_info_0_1 *ri = guarded_alloc(&ginfo, sizeof(*ri));
	struct frozen_vgm_scanout_info_0_1 *si = guarded_alloc(&gso, sizeof(*si));
	struct vgm_device *dev = NULL;
	int host = 0;

	ops->size = sizeof(*ops);
	ops->translate = fake_translate;
	cfg->size = sizeof(*cfg);
	cfg->dialect = VGM_DIALECT_MEMORY_RFC;
	cfg->features = VGM_FEATURES_ALL;
	cfg->num_scanouts = 2;
	cfg->scanouts[0] = (struct frozen_vgm_scanout_config_0_1){ 1, 800, 600 };
	cfg->scanouts[1] = (struct frozen_vgm_scanout_config_0_1){ 0, 0, 0 };
	cfg->ops = ops;
	cfg->host = &host;

	/* A 0.1 VMM's pointers are to the 0.1 structs: the casts are the ABI. */
	SAME(c, vgm_device_new((const struct vgm_device_config *)(const void *)cfg, &dev), 0);
	if (!dev)
		goto out;

	st->size = sizeof(*st);
	SAME(c, vgm_device_get_stats(dev, (struct vgm_stats *)(void *)st), 0);
	SAME(c, st->resources, 0);
	SAME(c, st->size, sizeof(*st));

	SAME(c, create_resource(dev), VGM_GPU_RESP_OK_NODATA);
	ri->size = sizeof(*ri);
	SAME(c, vgm_device_get_resource_info(dev, 1, (struct vgm_resource_info *)(void *)ri), 0);
	SAME(c, ri->format, VGM_GPU_FORMAT_B8G8R8X8_UNORM);
	SAME(c, ri->width, 4);
	SAME(c, ri->height, 2);
	SAME(c, ri->stride, 16);
	SAME(c, ri->backed, 0);
	SAME(c, ri->scanout_mask, 0);

	SAME(c, vgm_device_get_stats(dev, (struct vgm_stats *)(void *)st), 0);
	SAME(c, st->resources, 1);
	SAME(c, st->image_bytes, 4 * 2 * 4);

	si->size = sizeof(*si);
	SAME(c, vgm_device_get_scanout_info(dev, 0, (struct vgm_scanout_info *)(void *)si), 0);
	SAME(c, si->enabled, 1);
	SAME(c, si->width, 800);
	SAME(c, si->height, 600);
	SAME(c, si->resource_id, 0);
	SAME(c, vgm_device_get_scanout_info(dev, 1, (struct vgm_scanout_info *)(void *)si), 0);
	SAME(c, si->enabled, 0);
	SAME(c, si->width, VGM_DEFAULT_WIDTH);
	SAME(c, si->height, VGM_DEFAULT_HEIGHT);

	vgm_device_destroy(dev);
out:
	guarded_free(&gso);
	guarded_free(&ginfo);
	guarded_free(&gstats);
	guarded_free(&gcfg);
	guarded_free(&gops);
}

/* RESOURCE_ATTACH_BACKING of resource 1 with two entries; returns the
 * response type. */
static uint32_t attach_two_entries(struct vgm_device *dev)
{
	uint8_t req[32 + 2 * 16] = { 0 }, resp[24] = { 0 };
	struct iovec in = { req, sizeof(req) }, out = { resp, sizeof(resp) };
	size_t written = 0;

	put_le32(req, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
	put_le32(req + 24, 1);
	put_le32(req + 28, 2);
	for (int i = 0; i < 2; i++) {
		put_le32(req + 32 + 16 * i + 4, 1); /* addr 4 GiB: fake_translate refuses it */
		put_le32(req + 32 + 16 * i + 8, 4096);
	}
	if (vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) != 0 ||
	    written != sizeof(resp))
		return 0;
	return le32(resp);
}

/* A 0.3 config, ending at a PROT_NONE page, and its max_table_pieces is
 * read: with 1, two entries are refused before translate() is asked. */
static void test_frozen_device_new_takes_0_3_config(struct check *c)
{
	struct guarded gops, gcfg;
	struct frozen_vgm_host_ops_0_1 *ops = guarded_alloc(&gops, sizeof(*ops));
	struct frozen_vgm_device_config_0_3 *cfg = guarded_alloc(&gcfg, sizeof(*cfg));
	struct vgm_device *dev = NULL;

	ops->size = sizeof(*ops);
	ops->translate = fake_translate;
	cfg->v0_1.size = sizeof(*cfg);
	cfg->v0_1.num_scanouts = 1;
	cfg->v0_1.ops = ops;
	for (uint32_t pieces = 1; pieces <= 2; pieces++) {
		cfg->max_table_pieces = pieces;
		dev = NULL;
		SAME(c, vgm_device_new((const struct vgm_device_config *)(const void *)cfg, &dev), 0);
		if (!dev)
			break;
		SAME(c, create_resource(dev), VGM_GPU_RESP_OK_NODATA);
		SAME(c, attach_two_entries(dev), pieces == 1 ? VGM_GPU_RESP_ERR_OUT_OF_MEMORY
							     : VGM_GPU_RESP_ERR_UNSPEC);
		vgm_device_destroy(dev);
	}
	guarded_free(&gcfg);
	guarded_free(&gops);
}

/* A config of size bytes before a PROT_NONE page, the reserved word set to
 * reserved if the size holds it: vgm_device_new()'s answer. */
static int new_with_config_size(size_t size, uint32_t reserved)
{
	struct guarded gops, gcfg;
	struct frozen_vgm_host_ops_0_1 *ops = guarded_alloc(&gops, sizeof(*ops));
	struct frozen_vgm_device_config_0_3 *cfg = guarded_alloc(&gcfg, size);
	struct vgm_device *dev = NULL;
	int rc;

	ops->size = sizeof(*ops);
	ops->translate = fake_translate;
	cfg->v0_1.size = (uint32_t)size;
	cfg->v0_1.num_scanouts = 1;
	cfg->v0_1.ops = ops;
	if (size >= offsetof(struct frozen_vgm_device_config_0_3, stream_threshold))
		cfg->reserved = reserved;
	rc = vgm_device_new((const struct vgm_device_config *)(const void *)cfg, &dev);
	if (rc == 0 && !dev)
		rc = 1; /* success without a device: reported as a mismatch */
	if (dev)
		vgm_device_destroy(dev);
	guarded_free(&gcfg);
	guarded_free(&gops);
	return rc;
}

/* The sizes of 0.3's growth: one that ends after max_table_pieces, before
 * the reserved word, is accepted and nothing past it read; one that ends
 * inside stream_threshold is no version's and is refused; a nonzero
 * reserved word is refused. */
static void test_frozen_config_0_3_sizes(struct check *c)
{
	const size_t pieces_end = offsetof(struct frozen_vgm_device_config_0_3, reserved);
	const size_t full = sizeof(struct frozen_vgm_device_config_0_3);

	SAME(c, new_with_config_size(pieces_end, 0), 0);
	SAME(c, new_with_config_size(pieces_end + 4, 0), 0);
	SAME(c, new_with_config_size(pieces_end + 4, 1), -EINVAL);
	SAME(c, new_with_config_size(pieces_end + 8, 0), -EINVAL);
	SAME(c, new_with_config_size(full - 1, 0), -EINVAL);
	SAME(c, new_with_config_size(full, 0), 0);
	SAME(c, new_with_config_size(full, 1), -EINVAL);
}

int main(void)
{
	struct check c = { 0, 0 };

	test_frozen_small_structs(&c);
	test_frozen_sized_structs(&c);
	test_frozen_constants(&c);
	test_frozen_device_new_takes_0_1_config(&c);
	test_frozen_device_new_takes_0_3_config(&c);
	test_frozen_config_0_3_sizes(&c);
	printf("%u checks, %u failed\n", c.run, c.failed);
	return c.failed ? 1 : 0;
}
