/* SPDX-License-Identifier: MIT */
/*
 * What the blob tests share: the wire offsets of CREATE_BLOB and
 * SET_SCANOUT_BLOB for one-field mutations, and the fixture of blob 1, a
 * 64x32 XRGB image, rows 320 bytes apart from offset 192, in a blob that
 * ends exactly after its last row, with the guest's bytes kept as the model
 * of what a scanout shows.
 */
#ifndef VGM_TEST_BLOB_FIXTURE_H
#define VGM_TEST_BLOB_FIXTURE_H

#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#define CB_ID offsetof(struct vgm_gpu_resource_create_blob, resource_id)
#define CB_MEM offsetof(struct vgm_gpu_resource_create_blob, blob_mem)
#define CB_FLAGS offsetof(struct vgm_gpu_resource_create_blob, blob_flags)
#define CB_NR offsetof(struct vgm_gpu_resource_create_blob, nr_entries)
#define CB_SIZE offsetof(struct vgm_gpu_resource_create_blob, size)
#define CB_ENTRY_ADDR(i)                                                                           \
	(sizeof(struct vgm_gpu_resource_create_blob) + (i) * sizeof(struct vgm_gpu_mem_entry) +    \
	 offsetof(struct vgm_gpu_mem_entry, addr))
#define CB_ENTRY_LEN(i)                                                                            \
	(sizeof(struct vgm_gpu_resource_create_blob) + (i) * sizeof(struct vgm_gpu_mem_entry) +    \
	 offsetof(struct vgm_gpu_mem_entry, length))

#define SB_X offsetof(struct vgm_gpu_set_scanout_blob, r.x)
#define SB_Y offsetof(struct vgm_gpu_set_scanout_blob, r.y)
#define SB_W offsetof(struct vgm_gpu_set_scanout_blob, r.width)
#define SB_H offsetof(struct vgm_gpu_set_scanout_blob, r.height)
#define SB_SCANOUT offsetof(struct vgm_gpu_set_scanout_blob, scanout_id)
#define SB_RES offsetof(struct vgm_gpu_set_scanout_blob, resource_id)
#define SB_IMG_W offsetof(struct vgm_gpu_set_scanout_blob, width)
#define SB_IMG_H offsetof(struct vgm_gpu_set_scanout_blob, height)
#define SB_FORMAT offsetof(struct vgm_gpu_set_scanout_blob, format)
#define SB_PADDING offsetof(struct vgm_gpu_set_scanout_blob, padding)
#define SB_STRIDE(i) (offsetof(struct vgm_gpu_set_scanout_blob, strides) + 4 * (i))
#define SB_OFFSET(i) (offsetof(struct vgm_gpu_set_scanout_blob, offsets) + 4 * (i))

#define SS_RES offsetof(struct vgm_gpu_set_scanout, resource_id)

#define BLOB 1u
#define IMG_W 64u
#define IMG_H 32u
#define IMG_STRIDE 320u
#define IMG_OFFSET 192u
#define IMG_SIZE (IMG_OFFSET + IMG_STRIDE * IMG_H) /* 10432: ends with the last row */
#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM
#define FOURCC DRM_FORMAT_XRGB8888
#define CURSOR_BYTES (64u * 64u * 4u)

/* ---- helpers ------------------------------------------------------------------------------ */

static inline struct vgm_stats stats(struct harness *h)
{
	struct vgm_stats st = { .size = sizeof(st) };

	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	return st;
}

static inline struct vgm_scanout_info scanout_info(struct harness *h, uint32_t scanout)
{
	struct vgm_scanout_info si = { .size = sizeof(si) };

	assert_int_equal(vgm_device_get_scanout_info(h->dev, scanout, &si), 0);
	return si;
}

static inline void make_blob(struct harness *h, uint32_t id, uint64_t size, struct backing *b,
		      uint32_t entry_len)
{
	struct req r;

	backing_make(h, b, size, entry_len);
	req_create_blob(&r, id, size, b);
	expect_nodata(h, &r);
}

/* Entries of entry_len bytes that follow each other in guest RAM. */
static inline void backing_adjacent(struct harness *h, struct backing *b, uint64_t size,
			     uint32_t entry_len)
{
	uint64_t base = ram_alloc(h, (size_t)size);

	b->n = (uint32_t)((size + entry_len - 1) / entry_len);
	b->size = size;
	b->gpa = calloc(b->n, sizeof(*b->gpa));
	b->len = calloc(b->n, sizeof(*b->len));
	assert_non_null(b->gpa);
	assert_non_null(b->len);
	for (uint32_t i = 0; i < b->n; i++) {
		b->gpa[i] = base + (uint64_t)i * entry_len;
		b->len[i] = i + 1 < b->n ? entry_len : (uint32_t)(size - (uint64_t)i * entry_len);
	}
}

static inline void rect_set(struct req *r, const struct vgm_rect *rc)
{
	req_set32(r, SB_X, rc->x);
	req_set32(r, SB_Y, rc->y);
	req_set32(r, SB_W, rc->width);
	req_set32(r, SB_H, rc->height);
}

/* Rectangle rc of the image at offset, stride bytes a row, of guest bytes g,
 * packed at rc->width * 4 bytes a row into out. */
static inline void model_rect(const uint8_t *g, uint32_t offset, uint32_t stride,
		       const struct vgm_rect *rc, uint8_t *out)
{
	size_t row = (size_t)rc->width * 4;

	for (uint32_t y = 0; y < rc->height; y++)
		memcpy(out + y * row, g + offset + (size_t)(rc->y + y) * stride + (size_t)rc->x * 4,
		       row);
}

/* What the scanout shows, its own bytes, packed. */
static inline uint8_t *read_rect(struct harness *h, uint32_t scanout, uint32_t fourcc,
			  const struct vgm_rect *rc)
{
	uint8_t *buf = malloc((size_t)rc->width * rc->height * 4);

	assert_non_null(buf);
	assert_int_equal(vgm_device_read_scanout(h->dev, scanout, fourcc, buf, rc->width * 4), 0);
	return buf;
}

static inline void assert_scanout_bytes(struct harness *h, uint32_t scanout, uint32_t fourcc,
				 const struct vgm_rect *rc, const uint8_t *want)
{
	uint8_t *got = read_rect(h, scanout, fourcc, rc);

	assert_memory_equal(got, want, (size_t)rc->width * rc->height * 4);
	free(got);
}

static inline void assert_rect(const struct vgm_rect *r, uint32_t x, uint32_t y, uint32_t w,
			uint32_t hgt)
{
	assert_int_equal(r->x, x);
	assert_int_equal(r->y, y);
	assert_int_equal(r->width, w);
	assert_int_equal(r->height, hgt);
}

/* ---- fixture: blob 1 with the guest's bytes ---------------------------------------------- */

struct fixture {
	struct harness *h;
	struct backing b;
	uint8_t guest[IMG_SIZE]; /* blob 1's bytes, as the guest wrote them */
};

static inline struct fixture *fixture_new(const struct harness_opts *o, uint32_t entry_len)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct req r;

	assert_non_null(f);
	f->h = harness_new(o);
	if (entry_len)
		backing_make(f->h, &f->b, IMG_SIZE, entry_len);
	else
		backing_adjacent(f->h, &f->b, IMG_SIZE, 1024);
	pattern_fill(f->guest, IMG_SIZE, 1);
	backing_write(f->h, &f->b, 0, f->guest, IMG_SIZE);
	req_create_blob(&r, BLOB, IMG_SIZE, &f->b);
	expect_nodata(f->h, &r);
	return f;
}

/* Scattered 1000-byte entries: the scanout needs a staging copy. */
static inline int setup_scattered(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true };

	*state = fixture_new(&o, 1000);
	return 0;
}

static inline int setup_two_scanouts(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .num_scanouts = 2 };

	*state = fixture_new(&o, 1000);
	return 0;
}

/* One entry: contiguous in the host's mapping, the scanout points into it. */
static inline int setup_single(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true };

	*state = fixture_new(&o, IMG_SIZE);
	return 0;
}

/* Entries adjacent in RAM, a host without release(): one piece, direct too. */
static inline int setup_adjacent(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD };

	*state = fixture_new(&o, 0);
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	harness_free(f->h);
	backing_free(&f->b);
	free(f);
	return 0;
}

/* The guest changes [off, off + len) of blob 1 to a new pattern. */
static inline void guest_write(struct fixture *f, size_t off, size_t len, uint32_t seed)
{
	pattern_fill(f->guest + off, len, seed);
	backing_write(f->h, &f->b, off, f->guest + off, len);
}

static inline void req_show(struct req *r, uint32_t scanout, const struct vgm_rect *rc)
{
	req_set_scanout_blob(r, scanout, BLOB, FMT, IMG_W, IMG_H, IMG_STRIDE, IMG_OFFSET);
	rect_set(r, rc);
}

static inline void show(struct harness *h, uint32_t scanout, const struct vgm_rect *rc)
{
	struct req r;

	req_show(&r, scanout, rc);
	expect_nodata(h, &r);
}

static inline void assert_shows_guest(struct fixture *f, uint32_t scanout, const struct vgm_rect *rc)
{
	uint8_t *want = malloc((size_t)rc->width * rc->height * 4);

	assert_non_null(want);
	model_rect(f->guest, IMG_OFFSET, IMG_STRIDE, rc, want);
	assert_scanout_bytes(f->h, scanout, FOURCC, rc, want);
	free(want);
}

static const struct vgm_rect full = { 0, 0, IMG_W, IMG_H };
static const struct vgm_rect part = { 8, 4, 32, 16 };

/* SET_SCANOUT_BLOB of all of blob 1 on scanout 0 with one field changed:
 * rejected with code, nothing changed, one log line with needle. */
static inline void expect_show_error(struct harness *h, size_t off, uint32_t v, uint32_t code,
				     const char *needle)
{
	struct req r;

	req_show(&r, 0, &full);
	req_set32(&r, off, v);
	expect_rejected(h, &r, code, needle);
}

/* True when this process may have size bytes of writable guest RAM (the
 * same address space and commit charge as the harness's): large-RAM tests
 * skip otherwise. Mapped writable at once, not PROT_NONE then mprotect():
 * under valgrind that takes seconds a GiB. */
static inline bool ram_mappable(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, size);
	return true;
}

#endif /* VGM_TEST_BLOB_FIXTURE_H */
