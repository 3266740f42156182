/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures. This program is linked with -Wl,--wrap for malloc,
 * calloc, realloc, mmap64 (the build's mmap: _FILE_OFFSET_BITS=64),
 * pixman_image_create_bits and getrandom (tests/meson.build),
 * so the library's calls to them come here first: a test can make the N-th
 * allocation of one library call fail, or the kernel's randomness be
 * missing. Nothing in the library or its API knows.
 *
 * Each scenario sets a device up, then runs one operation once per
 * allocation it makes, failing that one, and asserts what a failed
 * allocation may do: the guest gets ERR_OUT_OF_MEMORY (or a host call
 * -ENOMEM) and nothing changed: counters, scanouts, callbacks, mappings
 * held (the harness's snapshot); or, where the library has a way around (a
 * table kept larger than needed, file positions dropped), the operation
 * succeeds and its result is checked as for a run without failures. Leaks
 * show under ASan and valgrind; harness_free() checks every mapping was
 * given back.
 *
 * The wrappers cannot take a context, so their state is the one global of
 * this program.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "harness.h"
#include <pixman.h>

#define FMT VGM_GPU_FORMAT_B8G8R8A8_UNORM
#define FAKE_FD 77

static struct faults {
	bool armed;	 /* count the library's allocations */
	unsigned fail_at; /* fail this one (1-based) */
	unsigned calls;
	bool hit;	 /* the failure happened */
	bool no_random;	 /* getrandom() fails as without a kernel */
	bool misalign;	 /* mmap() gives addresses 4 KiB past a 2 MiB boundary */
} faults;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
pixman_image_t *__real_pixman_image_create_bits(pixman_format_code_t format, int width,
						 int height, uint32_t *bits, int stride);
ssize_t __real_getrandom(void *buf, size_t len, unsigned int flags);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
pixman_image_t *__wrap_pixman_image_create_bits(pixman_format_code_t format, int width,
						 int height, uint32_t *bits, int stride);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags);

static bool fail_now(void)
{
	if (!faults.armed)
		return false;
	if (++faults.calls != faults.fail_at)
		return false;
	faults.hit = true;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	const uintptr_t huge = 2u << 20;
	uintptr_t start;
	uint8_t *p;

	if (fail_now())
		return MAP_FAILED;
	if (!faults.misalign || addr || fd != -1)
		return __real_mmap64(addr, len, prot, flags, fd, off);
	/* len bytes that start 4 KiB past a 2 MiB boundary, whatever the
	 * kernel would have chosen (recent ones align large mappings). */
	p = __real_mmap64(NULL, len + huge, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return p;
	start = ((uintptr_t)p + huge - 1) / huge * huge + 4096;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	munmap((uint8_t *)start + len, (uintptr_t)p + len + huge - start - len);
	return (void *)start;
}

pixman_image_t *__wrap_pixman_image_create_bits(pixman_format_code_t format, int width,
						 int height, uint32_t *bits, int stride)
{
	return fail_now() ? NULL
			  : __real_pixman_image_create_bits(format, width, height, bits, stride);
}

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags)
{
	if (faults.no_random) {
		errno = ENOSYS;
		return -1;
	}
	return __real_getrandom(buf, len, flags);
}

static void arm(void)
{
	faults.armed = true;
}

static void disarm(void)
{
	faults.armed = false;
}

/* A control request with the allocations of the library call counted. */
static uint32_t submit_armed(struct harness *h, struct req *r)
{
	struct iovec in = { r->buf, r->len }, out = { h->resp, sizeof(h->resp) };
	size_t written = 0;
	int ret;

	arm();
	ret = vgm_device_submit(h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written);
	disarm();
	req_free(r);
	assert_int_equal(ret, 0);
	h->resp_len = written;
	assert_int_equal(written, resp_u32(h, 0) == VGM_GPU_RESP_OK_RESOURCE_UUID ? 40 : 24);
	return resp_u32(h, 0);
}

/* ---- scenarios ------------------------------------------------------------------ */

/* What a scenario keeps between its steps. */
struct scene {
	struct backing b;
	bool have_b;
	uint8_t edid[256];
};

struct scenario {
	struct harness_opts opts;
	/* Sets the device up, without failures. */
	void (*setup)(struct harness *h, struct scene *sc);
	/* The operation, its library calls armed: OK_NODATA (or the
	 * command's OK) on success, else the failure it reports. */
	uint32_t (*act)(struct harness *h, struct scene *sc);
	/* Asserts the operation's effects, after a success. */
	void (*check_ok)(struct harness *h, struct scene *sc);
	/* What a failed allocation must produce, or 0: the operation must
	 * succeed whatever fails (it has a way around every allocation). */
	uint32_t fail_code;
	/* Some failures are got around, others refused: both must happen. */
	bool mixed;
};

static void scene_free(struct scene *sc)
{
	if (sc->have_b)
		backing_free(&sc->b);
	sc->have_b = false;
}

/*
 * Runs the operation with the 1st, 2nd ... allocation failing until it
 * runs with none failing. Returns how many allocations it makes.
 */
static unsigned run_faults(const struct scenario *s)
{
	unsigned refused = 0, survived = 0, k;

	for (k = 1;; k++) {
		struct harness *h = harness_new(&s->opts);
		struct scene sc = { 0 };
		struct snapshot snap;
		uint32_t got;

		if (s->setup)
			s->setup(h, &sc);
		snapshot_take(h, &snap);
		h->nlogs = 0;
		faults = (struct faults){ .fail_at = k };
		got = s->act(h, &sc);
		if (!faults.hit || got < VGM_GPU_RESP_ERR_UNSPEC) {
			s->check_ok(h, &sc);
			survived += faults.hit;
		} else {
			assert_int_not_equal(s->fail_code, 0);
			assert_int_equal(got, s->fail_code);
			assert_unchanged(h, &snap);
			refused++;
		}
		scene_free(&sc);
		harness_free(h);
		if (!faults.hit)
			break;
	}
	/* The operation allocates, and every failure was met one way or the other. */
	assert_true(k > 1);
	if (s->fail_code)
		assert_true(refused > 0);
	if (s->mixed || !s->fail_code)
		assert_true(survived > 0);
	return k - 1;
}

static struct vgm_stats stats(struct harness *h)
{
	struct vgm_stats st = { .size = sizeof(st) };

	assert_int_equal(vgm_device_get_stats(h->dev, &st), 0);
	return st;
}

static bool has_resource(struct harness *h, uint32_t id)
{
	struct vgm_resource_info ri = { .size = sizeof(ri) };

	return vgm_device_get_resource_info(h->dev, id, &ri) == 0;
}

/* Backing for resource 9 as it is, attached. */
static void make_backed_existing(struct harness *h, struct scene *sc)
{
	struct req r;

	backing_make(h, &sc->b, (uint64_t)resource_info(h, 9).stride * resource_info(h, 9).height,
		     1u << 20);
	sc->have_b = true;
	req_attach_backing(&r, 9, &sc->b);
	expect_nodata(h, &r);
}

/* The last pixel scanout 0 shows. */
static uint32_t last_pixel(struct harness *h)
{
	struct vgm_pixels px;
	uint32_t v;

	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, &px), 0);
	memcpy(&v, (const uint8_t *)px.data + (size_t)(px.height - 1) * px.stride +
			   ((size_t)px.width - 1) * 4,
	       sizeof(v));
	return v;
}

/* ---- RESOURCE_CREATE_2D ---------------------------------------------------------- */

static uint32_t act_create_2d(struct harness *h, struct scene *sc)
{
	struct req r;

	(void)sc;
	req_create_2d(&r, 9, FMT, 64, 32);
	return submit_armed(h, &r);
}

static void check_create_2d(struct harness *h, struct scene *sc)
{
	(void)sc;
	assert_int_equal(resource_info(h, 9).width, 64);
	assert_int_equal(resource_info(h, 9).height, 32);
}

static void test_alloc_create_2d(void **state)
{
	const struct scenario s = {
		.act = act_create_2d,
		.check_ok = check_create_2d,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	/* The resource and its pixels. */
	assert_int_equal(run_faults(&s), 2);
}

/* Images of 2 MiB and more are mappings of their own. */
static uint32_t act_create_2d_mapped(struct harness *h, struct scene *sc)
{
	struct req r;

	(void)sc;
	req_create_2d(&r, 9, FMT, 1024, 512);
	return submit_armed(h, &r);
}

static void check_create_2d_mapped(struct harness *h, struct scene *sc)
{
	struct vgm_rect all = { 0, 0, 1024, 512 };

	assert_int_equal(resource_info(h, 9).height, 512);
	assert_int_equal(stats(h).image_bytes, 1024 * 512 * 4);
	/* The mapping holds the pixels: the last row comes through. */
	make_backed_existing(h, sc);
	backing_fill(h, &sc->b, (uint64_t)1024 * 4 * 511, 0x33, 1024 * 4);
	transfer_ok(h, 9, &all, 0);
	show_resource(h, 0, 9, 1024, 512);
	assert_int_equal(last_pixel(h), 0x33333333);
}

static void test_alloc_create_2d_mapped(void **state)
{
	const struct scenario s = {
		.act = act_create_2d_mapped,
		.check_ok = check_create_2d_mapped,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	/* The resource and the mapping of its pixels. */
	assert_int_equal(run_faults(&s), 2);
}

/* Whatever address mmap() gives, the pixels start on a 2 MiB boundary
 * (huge pages need it) and the rest of the mapping is given back. */
static void test_alloc_image_aligned_from_any_mapping(void **state)
{
	struct harness *h = harness_new(&(struct harness_opts){ 0 });
	struct scene sc = { 0 };
	struct vgm_pixels px;
	struct req r;

	(void)state;
	faults = (struct faults){ .misalign = true };
	req_create_2d(&r, 9, FMT, 1024, 512);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	faults.misalign = false;
	make_backed_existing(h, &sc);
	show_resource(h, 0, 9, 1024, 512);
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, &px), 0);
	assert_int_equal((uintptr_t)px.data % (2u << 20), 0);
	backing_fill(h, &sc.b, 0, 0x21, sc.b.size);
	transfer_ok(h, 9, &(struct vgm_rect){ 0, 0, 1024, 512 }, 0);
	assert_int_equal(last_pixel(h), 0x21212121);
	scene_free(&sc);
	harness_free(h);
}

/* An id table starts with 16 slots and holds at most 13 entries in them:
 * the 14th makes it grow. The tables below are filled with ids 1 to 14
 * but 9, the id the operation under test adds. */
#define TABLE_ROOM 13u

static uint32_t filler_id(uint32_t k)
{
	return k < 9 ? k : k + 1;
}

static void setup_full_resources(struct harness *h, struct scene *sc)
{
	(void)sc;
	for (uint32_t k = 1; k <= TABLE_ROOM; k++)
		make_resource(h, filler_id(k), FMT, 1, 1);
}

static void test_alloc_create_2d_table_grows(void **state)
{
	const struct scenario s = {
		.setup = setup_full_resources,
		.act = act_create_2d,
		.check_ok = check_create_2d,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	/* The resource, its pixels, the larger table. */
	assert_int_equal(run_faults(&s), 3);
}

/* ---- RESOURCE_ATTACH_BACKING ------------------------------------------------------- */

static void setup_resource(struct harness *h, struct scene *sc)
{
	make_resource(h, 9, FMT, 64, 64);
	/* Two entries of 8 KiB, split by the host into pages: the table
	 * outgrows its first guess. */
	backing_make(h, &sc->b, 64 * 64 * 4, 8192);
	sc->have_b = true;
}

static uint32_t act_attach(struct harness *h, struct scene *sc)
{
	struct req r;

	req_attach_backing(&r, 9, &sc->b);
	return submit_armed(h, &r);
}

static void check_attached(struct harness *h, struct scene *sc)
{
	struct vgm_resource_info ri = resource_info(h, 9);
	struct vgm_rect row = { 0, 5, 64, 1 };
	uint8_t want[64 * 4];
	uint8_t *shown = malloc(64 * 64 * 4);

	assert_int_equal(ri.backed, 1);
	assert_int_equal(ri.backing_size, 64 * 64 * 4);
	assert_int_equal(stats(h).regions, 1);
	assert_int_equal(h->live_maps, 4); /* one mapping per page */
	/* The table works, however it was sized: a row comes through. */
	pattern_fill(want, sizeof(want), 3);
	backing_write(h, &sc->b, 5 * 64 * 4, want, sizeof(want));
	transfer_ok(h, 9, &row, 5 * 64 * 4);
	show_resource(h, 0, 9, 64, 64);
	assert_non_null(shown);
	read_shown(h, 0, shown);
	assert_memory_equal(shown + 5 * 64 * 4, want, sizeof(want));
	free(shown);
}

static void test_alloc_attach_backing(void **state)
{
	const struct scenario s = {
		.opts = { .with_release = true, .split_pages = true },
		.setup = setup_resource,
		.act = act_attach,
		.check_ok = check_attached,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		.mixed = true, /* the tables shrunk to size: a failed shrink keeps them */
	};

	(void)state;
	/* The entries, the region, its two tables, twice grown, the release
	 * table shrunk (the pieces fill the piece table's room: no resize). */
	assert_int_equal(run_faults(&s), 7);
}

/* With file positions: failing to keep them costs the dma-buf, not the
 * backing. */
static void test_alloc_attach_backing_fds(void **state)
{
	const struct scenario s = {
		.opts = { .with_release = true, .split_pages = true, .fake_fd = FAKE_FD },
		.setup = setup_resource,
		.act = act_attach,
		.check_ok = check_attached,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		.mixed = true,
	};

	(void)state;
	/* ... and the positions, grown and shrunk, and the list of files. */
	assert_int_equal(run_faults(&s), 11);
}

/* ---- RESOURCE_CREATE_BLOB, SET_SCANOUT_BLOB ---------------------------------------- */

static void setup_blob_pages(struct harness *h, struct scene *sc)
{
	/* 64x64 pixels in pages scattered through RAM: not contiguous. */
	backing_make(h, &sc->b, 64 * 64 * 4, 4096);
	sc->have_b = true;
}

static uint32_t act_create_blob(struct harness *h, struct scene *sc)
{
	struct req r;

	req_create_blob(&r, 9, sc->b.size, &sc->b);
	return submit_armed(h, &r);
}

static void check_blob(struct harness *h, struct scene *sc)
{
	struct vgm_resource_info ri = resource_info(h, 9);

	(void)sc;
	assert_int_equal(ri.blob, 1);
	assert_int_equal(ri.backed, 1);
	assert_int_equal(ri.blob_size, 64 * 64 * 4);
	assert_int_equal(stats(h).regions, 1);
}

static void test_alloc_create_blob(void **state)
{
	const struct scenario s = {
		.opts = { .with_release = true },
		.setup = setup_blob_pages,
		.act = act_create_blob,
		.check_ok = check_blob,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		.mixed = true,
	};

	(void)state;
	/* The entries, the resource, the region and its two tables, the
	 * release table shrunk (the piece table is the right size). */
	assert_int_equal(run_faults(&s), 6);
}

static void setup_blob_and_full(struct harness *h, struct scene *sc)
{
	setup_full_resources(h, sc);
	setup_blob_pages(h, sc);
}

static void test_alloc_create_blob_table_grows(void **state)
{
	const struct scenario s = {
		.opts = { .with_release = true },
		.setup = setup_blob_and_full,
		.act = act_create_blob,
		.check_ok = check_blob,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		.mixed = true,
	};

	(void)state;
	/* ... and the larger table, grown last so a failure leaves it alone. */
	assert_int_equal(run_faults(&s), 7);
}

static void setup_blob(struct harness *h, struct scene *sc)
{
	struct req r;

	setup_blob_pages(h, sc);
	req_create_blob(&r, 9, sc->b.size, &sc->b);
	expect_nodata(h, &r);
}

static uint32_t act_show_blob(struct harness *h, struct scene *sc)
{
	struct req r;

	(void)sc;
	req_set_scanout_blob(&r, 0, 9, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64, 256, 0);
	return submit_armed(h, &r);
}

static void check_shown_blob(struct harness *h, struct scene *sc)
{
	struct vgm_scanout_info si = { .size = sizeof(si) };

	(void)sc;
	assert_int_equal(vgm_device_get_scanout_info(h->dev, 0, &si), 0);
	assert_int_equal(si.resource_id, 9);
	/* Not contiguous: a staging copy of the 64x64 pixels, in the budget. */
	assert_int_equal(stats(h).image_bytes, 64 * 64 * 4);
	assert_int_equal(count_events(h, EV_SCANOUT_SET), 1);
}

static void test_alloc_set_scanout_blob_staging(void **state)
{
	const struct scenario s = {
		.setup = setup_blob,
		.act = act_show_blob,
		.check_ok = check_shown_blob,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	assert_int_equal(run_faults(&s), 1);
}

/* ---- RESOURCE_ASSIGN_UUID ---------------------------------------------------------- */

/* Resources with UUIDs fill the first UUID table. */
static void setup_full_uuids(struct harness *h, struct scene *sc)
{
	struct req r;

	setup_full_resources(h, sc);
	make_resource(h, 9, FMT, 1, 1);
	for (uint32_t k = 1; k <= TABLE_ROOM; k++) {
		req_assign_uuid(&r, filler_id(k));
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_RESOURCE_UUID);
	}
}

static uint32_t act_assign_uuid(struct harness *h, struct scene *sc)
{
	struct req r;

	(void)sc;
	req_assign_uuid(&r, 9);
	return submit_armed(h, &r);
}

static void check_uuid(struct harness *h, struct scene *sc)
{
	struct vgm_resource_info ri = resource_info(h, 9);
	uint32_t found = 0;

	(void)sc;
	assert_int_equal(ri.has_uuid, 1);
	assert_memory_equal(ri.uuid, h->resp + 24, 16);
	assert_int_equal(vgm_device_find_uuid(h->dev, ri.uuid, &found), 0);
	assert_int_equal(found, 9);
	assert_int_equal(h->uuid_calls, TABLE_ROOM + 1);
}

static void test_alloc_assign_uuid_table_grows(void **state)
{
	const struct scenario s = {
		.setup = setup_full_uuids,
		.act = act_assign_uuid,
		.check_ok = check_uuid,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	assert_int_equal(run_faults(&s), 1);
}

/* ---- MEMORY_CREATE (memory-rfc) ------------------------------------------------------ */

static void setup_full_regions(struct harness *h, struct scene *sc)
{
	struct backing one;
	struct req r;

	for (uint32_t k = 1; k <= TABLE_ROOM; k++) {
		backing_make(h, &one, 4096, 4096);
		req_memory_create(&r, filler_id(k), &one);
		expect_nodata(h, &r);
		backing_free(&one);
	}
	backing_make(h, &sc->b, 3 * 4096, 4096);
	sc->have_b = true;
}

static uint32_t act_memory_create(struct harness *h, struct scene *sc)
{
	struct req r;

	req_memory_create(&r, 9, &sc->b);
	return submit_armed(h, &r);
}

static void check_memory(struct harness *h, struct scene *sc)
{
	struct req r;

	(void)sc;
	assert_int_equal(stats(h).memory_ids, TABLE_ROOM + 1);
	assert_int_equal(stats(h).regions, TABLE_ROOM + 1);
	/* It is there: a resource can be placed in it. */
	make_resource(h, 1, FMT, 16, 16);
	req_attach_memory(&r, 1, 9, 4096);
	expect_nodata(h, &r);
	assert_int_equal(resource_info(h, 1).memory_id, 9);
}

static void test_alloc_memory_create_table_grows(void **state)
{
	const struct scenario s = {
		.opts = { .dialect = VGM_DIALECT_MEMORY_RFC, .with_release = true },
		.setup = setup_full_regions,
		.act = act_memory_create,
		.check_ok = check_memory,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
		.mixed = true,
	};

	(void)state;
	/* The entries, the region and its two tables, the release table
	 * shrunk, then the larger table of memory ids. */
	assert_int_equal(run_faults(&s), 6);
}

/* ---- the cursor: pixman images --------------------------------------------------------- */

static void setup_cursor(struct harness *h, struct scene *sc)
{
	make_backed(h, 9, FMT, 64, 64, &sc->b, 4096);
	sc->have_b = true;
	backing_fill(h, &sc->b, 0, 0x5a, sc->b.size);
	transfer_ok(h, 9, &(struct vgm_rect){ 0, 0, 64, 64 }, 0);
}

/* The cursor queue has no answers: OK when the host got the cursor. */
static uint32_t act_cursor(struct harness *h, struct scene *sc)
{
	struct req r;
	struct iovec in;
	size_t written = 1;

	(void)sc;
	req_update_cursor(&r, 0, 9, 10, 20, 1, 2);
	in = (struct iovec){ r.buf, r.len };
	arm();
	assert_int_equal(vgm_device_submit(h->dev, VGM_QUEUE_CURSOR, &in, 1, NULL, 0, &written), 0);
	disarm();
	req_free(&r);
	assert_int_equal(written, 0);
	if (count_events(h, EV_CURSOR_SET) == 1)
		return VGM_GPU_RESP_OK_NODATA;
	assert_logged(h, "no memory to convert the image");
	return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
}

static void check_cursor(struct harness *h, struct scene *sc)
{
	const struct event *e = last_event(h, EV_CURSOR_SET);

	(void)sc;
	assert_non_null(e);
	assert_int_equal(e->cursor.x, 10);
	assert_int_equal(e->cursor.y, 20);
	assert_int_equal(e->cursor_pixels[64 * 64 - 1], 0x5a5a5a5a);
}

static void test_alloc_update_cursor(void **state)
{
	const struct scenario s = {
		.setup = setup_cursor,
		.act = act_cursor,
		.check_ok = check_cursor,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	/* The resource's image (made once, then kept) and the cursor's. */
	assert_int_equal(run_faults(&s), 2);
}

/* ---- host calls ---------------------------------------------------------------------- */

static void setup_shown(struct harness *h, struct scene *sc)
{
	make_backed(h, 9, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 8, 4, &sc->b, 4096);
	sc->have_b = true;
	backing_fill(h, &sc->b, 0, 0x40, sc->b.size);
	transfer_ok(h, 9, &(struct vgm_rect){ 0, 0, 8, 4 }, 0);
	show_resource(h, 0, 9, 8, 4);
}

/* Read back as BGR888, a conversion: 0 -> OK, -ENOMEM -> ERR_OUT_OF_MEMORY. */
static uint32_t act_read_scanout(struct harness *h, struct scene *sc)
{
	uint8_t rgb[8 * 4 * 3];
	int ret;

	memset(rgb, 0, sizeof(rgb));
	arm();
	ret = vgm_device_read_scanout(h->dev, 0, DRM_FORMAT_BGR888, rgb, 8 * 3);
	disarm();
	memcpy(sc->edid, rgb, sizeof(rgb)); /* kept for check_read */
	if (ret == -ENOMEM)
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	assert_int_equal(ret, 0);
	return VGM_GPU_RESP_OK_NODATA;
}

static void check_read(struct harness *h, struct scene *sc)
{
	(void)h;
	for (size_t i = 0; i < 8 * 4 * 3; i++)
		assert_int_equal(sc->edid[i], 0x40);
}

static void test_alloc_read_scanout(void **state)
{
	const struct scenario s = {
		.setup = setup_shown,
		.act = act_read_scanout,
		.check_ok = check_read,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	/* A source image and a destination image. */
	assert_int_equal(run_faults(&s), 2);
}

/* An EDID of the VMM's own: one block, header and checksum right. */
static void make_edid(uint8_t *e, uint8_t serial)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t sum = 0;

	memset(e, 0, 128);
	memcpy(e, header, sizeof(header));
	e[12] = serial;
	for (size_t i = 0; i < 127; i++)
		sum = (uint8_t)(sum + e[i]);
	e[127] = (uint8_t)(0x100 - sum);
}

static void setup_edid(struct harness *h, struct scene *sc)
{
	make_edid(sc->edid, 1);
	assert_int_equal(vgm_device_set_edid(h->dev, 0, sc->edid, 128), 0);
	make_edid(sc->edid + 128, 2);
}

/* Replaces the EDID; GET_EDID tells which one the guest gets. */
static uint32_t act_set_edid(struct harness *h, struct scene *sc)
{
	int ret;

	arm();
	ret = vgm_device_set_edid(h->dev, 0, sc->edid + 128, 128);
	disarm();
	if (ret == -ENOMEM) {
		struct req r;

		req_get_edid(&r, 0);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
		assert_memory_equal(h->resp + 32, sc->edid, 128); /* the old one stays */
		return VGM_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	assert_int_equal(ret, 0);
	return VGM_GPU_RESP_OK_NODATA;
}

static void check_edid(struct harness *h, struct scene *sc)
{
	struct req r;

	req_get_edid(&r, 0);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_EDID);
	assert_int_equal(resp_u32(h, 24), 128);
	assert_memory_equal(h->resp + 32, sc->edid + 128, 128);
}

static void test_alloc_set_edid(void **state)
{
	const struct scenario s = {
		.setup = setup_edid,
		.act = act_set_edid,
		.check_ok = check_edid,
		.fail_code = VGM_GPU_RESP_ERR_OUT_OF_MEMORY,
	};

	(void)state;
	assert_int_equal(run_faults(&s), 1);
}

/* Reset shrinks the id tables back; when it cannot, it empties them. */
static void setup_many(struct harness *h, struct scene *sc)
{
	struct req r;

	(void)sc;
	for (uint32_t id = 1; id <= 40; id++) {
		make_resource(h, id, FMT, 1, 1);
		req_assign_uuid(&r, id);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_RESOURCE_UUID);
	}
}

static uint32_t act_reset(struct harness *h, struct scene *sc)
{
	int ret;

	(void)sc;
	arm();
	ret = vgm_device_reset(h->dev);
	disarm();
	assert_int_equal(ret, 0);
	return VGM_GPU_RESP_OK_NODATA;
}

static void check_reset(struct harness *h, struct scene *sc)
{
	struct vgm_stats st = stats(h);
	uint64_t offered = 0;

	(void)sc;
	assert_int_equal(st.resources, 0);
	assert_int_equal(st.image_bytes, 0);
	/* The tables work as before, whatever size they kept. */
	assert_int_equal(vgm_device_get_features(h->dev, &offered), 0);
	assert_int_equal(vgm_device_set_features(h->dev, offered), 0);
	setup_many(h, sc);
	assert_int_equal(stats(h).resources, 40);
	assert_int_equal(resource_info(h, 40).has_uuid, 1);
	assert_false(has_resource(h, 41));
}

static void test_alloc_reset(void **state)
{
	const struct scenario s = {
		.setup = setup_many,
		.act = act_reset,
		.check_ok = check_reset,
		.fail_code = 0,
	};

	(void)state;
	/* A fresh table for resources, UUIDs and memory ids. */
	assert_int_equal(run_faults(&s), 3);
}

static int no_ram(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -EFAULT;
}

/* vgm_device_new: -ENOMEM, nothing leaked, the out pointer untouched. */
static void test_alloc_device_new(void **state)
{
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = no_ram };
	struct vgm_device_config cfg = { .size = sizeof(cfg), .num_scanouts = 1, .ops = &ops };
	struct vgm_device *dev;
	void *untouched = &cfg;
	unsigned k;

	(void)state;
	for (k = 1;; k++) {
		int ret;

		dev = untouched;
		faults = (struct faults){ .fail_at = k };
		arm();
		ret = vgm_device_new(&cfg, &dev);
		disarm();
		if (!faults.hit) {
			assert_int_equal(ret, 0);
			vgm_device_destroy(dev);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_ptr_equal(dev, untouched);
	}
	/* The device and its three id tables. */
	assert_int_equal(k, 5);
}

/* ---- no randomness from the kernel ----------------------------------------------------- */

static void test_alloc_no_getrandom(void **state)
{
	struct harness *h;
	uint8_t uuids[3][16];
	struct req r;

	(void)state;
	faults = (struct faults){ .no_random = true };
	h = harness_new(&(struct harness_opts){ 0 }); /* id tables seeded without it */
	for (uint32_t id = 1; id <= 3; id++) {
		uint32_t found = 0;

		make_resource(h, id, FMT, 1, 1);
		req_assign_uuid(&r, id);
		assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_RESOURCE_UUID);
		memcpy(uuids[id - 1], h->resp + 24, 16);
		assert_int_equal(uuids[id - 1][6] >> 4, 4);
		assert_int_equal(uuids[id - 1][8] & 0xc0, 0x80);
		assert_int_equal(vgm_device_find_uuid(h->dev, uuids[id - 1], &found), 0);
		assert_int_equal(found, id);
	}
	faults.no_random = false;
	assert_memory_not_equal(uuids[0], uuids[1], 16);
	assert_memory_not_equal(uuids[1], uuids[2], 16);
	assert_memory_not_equal(uuids[0], uuids[2], 16);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_create_2d),
		cmocka_unit_test(test_alloc_create_2d_mapped),
		cmocka_unit_test(test_alloc_image_aligned_from_any_mapping),
		cmocka_unit_test(test_alloc_create_2d_table_grows),
		cmocka_unit_test(test_alloc_attach_backing),
		cmocka_unit_test(test_alloc_attach_backing_fds),
		cmocka_unit_test(test_alloc_create_blob),
		cmocka_unit_test(test_alloc_create_blob_table_grows),
		cmocka_unit_test(test_alloc_set_scanout_blob_staging),
		cmocka_unit_test(test_alloc_assign_uuid_table_grows),
		cmocka_unit_test(test_alloc_memory_create_table_grows),
		cmocka_unit_test(test_alloc_update_cursor),
		cmocka_unit_test(test_alloc_read_scanout),
		cmocka_unit_test(test_alloc_set_edid),
		cmocka_unit_test(test_alloc_reset),
		cmocka_unit_test(test_alloc_device_new),
		cmocka_unit_test(test_alloc_no_getrandom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
