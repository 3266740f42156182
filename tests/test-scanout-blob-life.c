/* SPDX-License-Identifier: MIT */
/*
 * A shown blob over its life: RESOURCE_FLUSH refreshes what the host sees;
 * DETACH_BACKING, RESOURCE_UNREF and reset disable the scanout before any
 * guest mapping goes back to the VMM. Then a Linux guest's console made of
 * a blob, and dma-buf scanouts through /dev/udmabuf with the fallback to
 * pixels where it is missing.
 */
#include "blob-fixture.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FULL_BYTES (IMG_W * IMG_H * 4u)
#define PART_BYTES (32u * 16u * 4u)

/* ---- helpers ------------------------------------------------------------------------------ */

/* The EV_SCANOUT_DISABLEs from event `from` on, ndisable of them, all came
 * before the first release() since the test set first_release_seq to 0. */
static void assert_disabled_first(struct harness *h, size_t from, size_t ndisable)
{
	size_t n = 0;

	assert_true(h->first_release_seq > 0);
	for (size_t i = from; i < h->nevents; i++) {
		if (h->events[i].kind != EV_SCANOUT_DISABLE)
			continue;
		assert_true(h->events[i].seq < h->first_release_seq);
		n++;
	}
	assert_int_equal(n, ndisable);
}

static void drop_blob(struct harness *h, uint32_t id, bool unref)
{
	struct req r;

	if (unref)
		req_unref(&r, id);
	else
		req_detach_backing(&r, id);
	expect_nodata(h, &r);
}

/* Shows blob 1 on scanouts 0 (all of it) .. nscanouts - 1 (part), then
 * detaches or unrefs it. Returns the staging bytes the views held. */
static uint64_t show_then_drop(struct fixture *f, uint32_t nscanouts, bool unref)
{
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes, held;
	size_t from;

	for (uint32_t i = 0; i < nscanouts; i++)
		show(h, i, i ? &part : &full);
	held = stats(h).image_bytes - before;
	from = h->nevents;
	h->first_release_seq = 0;
	drop_blob(h, BLOB, unref);
	assert_disabled_first(h, from, nscanouts);
	assert_int_equal(h->nevents, from + nscanouts);
	for (uint32_t i = 0; i < nscanouts; i++)
		assert_int_equal(scanout_info(h, i).resource_id, 0);
	assert_int_equal(stats(h).image_bytes, before);
	assert_int_equal(h->live_maps, 0);
	if (unref)
		assert_int_equal(stats(h).resources, 0);
	else
		assert_int_equal(resource_info(h, BLOB).scanout_mask, 0);
	assert_int_equal(h->nlogs, 0);
	return held;
}

static void flush(struct harness *h, uint32_t id, const struct vgm_rect *rc)
{
	struct req r;

	req_flush(&r, id, rc->x, rc->y, rc->width, rc->height);
	expect_nodata(h, &r);
}

/* What a staged view of rc shows once the guest has changed its bytes from
 * old to now and flushed fl (image coordinates): now only where fl is. */
static void model_flushed(const uint8_t *old, const uint8_t *now, const struct vgm_rect *rc,
			  const struct vgm_rect *fl, uint8_t *out)
{
	for (uint32_t y = 0; y < rc->height; y++) {
		for (uint32_t x = 0; x < rc->width; x++) {
			uint32_t ix = rc->x + x, iy = rc->y + y;
			bool in = ix >= fl->x && ix - fl->x < fl->width && iy >= fl->y &&
				  iy - fl->y < fl->height;
			size_t at = IMG_OFFSET + (size_t)iy * IMG_STRIDE + (size_t)ix * 4;

			memcpy(out + ((size_t)y * rc->width + x) * 4, (in ? now : old) + at, 4);
		}
	}
}

/* ---- RESOURCE_FLUSH of a shown blob ------------------------------------------------------- */

/* The update is the flushed part of the rectangle, in scanout coordinates. */
static void test_flush_blob_update_rect(void **state)
{
	static const struct vgm_rect flushed[] = {
		{ 0, 0, 16, 8 }, { 0, 0, IMG_W, IMG_H }, { 30, 10, 100, 100 }
	};
	static const uint32_t want[][4] = { { 0, 0, 8, 4 }, { 0, 0, 32, 16 }, { 22, 6, 10, 10 } };
	struct fixture *f = *state;
	struct harness *h = f->h;

	show(h, 0, &part);
	for (size_t i = 0; i < ARRAY_LEN(flushed); i++) {
		const struct event *e;

		flush(h, BLOB, &flushed[i]);
		e = last_event(h, EV_SCANOUT_UPDATE);
		assert_int_equal(e->scanout, 0);
		assert_rect(&e->rect, want[i][0], want[i][1], want[i][2], want[i][3]);
	}
	assert_int_equal(count_events(h, EV_SCANOUT_UPDATE), ARRAY_LEN(flushed));
	assert_int_equal(h->nlogs, 0);
}

/* Outside the rectangle, empty, or shown nowhere: OK and no update. A
 * blob has no size of its own to check the rectangle against. */
static void test_flush_blob_no_overlap(void **state)
{
	static const struct vgm_rect outside[] = {
		{ 0, 0, 8, 4 },	  { 40, 4, 24, 16 }, { 8, 20, 32, 12 }, { 8, 4, 0, 16 },
		{ UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX },
	};
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;

	flush(h, BLOB, &full); /* not shown yet */
	make_blob(h, 2, IMG_SIZE, &b, 1000);
	show(h, 0, &part);
	flush(h, 2, &full);
	for (size_t i = 0; i < ARRAY_LEN(outside); i++)
		flush(h, BLOB, &outside[i]);
	assert_int_equal(h->nevents, 1); /* the scanout_set */
	assert_int_equal(h->nlogs, 0);
	backing_free(&b);
}

/* A staging copy is refreshed where the guest flushed, and only there;
 * the host's pointer stays the same. */
static void test_flush_blob_refreshes_flushed_part(void **state)
{
	static const struct vgm_rect sub = { 16, 8, 8, 4 };
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint8_t old[IMG_SIZE], want[PART_BYTES];
	struct vgm_pixels px;

	show(h, 0, &part);
	memcpy(old, f->guest, IMG_SIZE);
	guest_write(f, 0, IMG_SIZE, 7);
	model_flushed(old, f->guest, &part, &(struct vgm_rect){ 0, 0, 0, 0 }, want);
	assert_scanout_bytes(h, 0, FOURCC, &part, want); /* no flush yet */
	flush(h, BLOB, &sub);
	assert_rect(&last_event(h, EV_SCANOUT_UPDATE)->rect, 8, 4, 8, 4);
	model_flushed(old, f->guest, &part, &sub, want);
	assert_scanout_bytes(h, 0, FOURCC, &part, want);
	flush(h, BLOB, &full);
	assert_shows_guest(f, 0, &part);
	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, 0, &px), 0);
	assert_ptr_equal(px.data, last_event(h, EV_SCANOUT_SET)->pixels.data);
}

/* A direct view is guest memory: changes show before any flush. */
static void test_flush_blob_direct_shows_at_once(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint64_t before = stats(h).image_bytes;

	show(h, 0, &part);
	guest_write(f, 0, IMG_SIZE, 8);
	assert_shows_guest(f, 0, &part);
	flush(h, BLOB, &(struct vgm_rect){ 16, 8, 8, 4 });
	assert_rect(&last_event(h, EV_SCANOUT_UPDATE)->rect, 8, 4, 8, 4);
	assert_shows_guest(f, 0, &part);
	assert_int_equal(stats(h).image_bytes, before);
}

/* Two scanouts with different rectangles: an update each, each copy
 * refreshed in its own part. */
static void test_flush_blob_two_scanouts(void **state)
{
	static const struct vgm_rect fl = { 0, 0, 16, 8 };
	struct fixture *f = *state;
	struct harness *h = f->h;
	uint8_t old[IMG_SIZE], want[FULL_BYTES];
	size_t n;

	show(h, 0, &full);
	show(h, 1, &part);
	memcpy(old, f->guest, IMG_SIZE);
	guest_write(f, 0, IMG_SIZE, 9);
	n = h->nevents;
	flush(h, BLOB, &fl);
	assert_int_equal(h->nevents, n + 2);
	assert_int_equal(h->events[n].kind, EV_SCANOUT_UPDATE);
	assert_int_equal(h->events[n].scanout, 0);
	assert_rect(&h->events[n].rect, 0, 0, 16, 8);
	assert_int_equal(h->events[n + 1].kind, EV_SCANOUT_UPDATE);
	assert_int_equal(h->events[n + 1].scanout, 1);
	assert_rect(&h->events[n + 1].rect, 0, 0, 8, 4);
	model_flushed(old, f->guest, &full, &fl, want);
	assert_scanout_bytes(h, 0, FOURCC, &full, want);
	model_flushed(old, f->guest, &part, &fl, want);
	assert_scanout_bytes(h, 1, FOURCC, &part, want);
}

/* ---- DETACH_BACKING, RESOURCE_UNREF and reset of a shown blob ------------------------------- */

static void test_detach_blob_shown_staging(void **state)
{
	assert_int_equal(show_then_drop(*state, 1, false), FULL_BYTES);
}

static void test_detach_blob_shown_direct(void **state)
{
	assert_int_equal(show_then_drop(*state, 1, false), 0);
}

static void test_detach_blob_shown_two_scanouts(void **state)
{
	assert_int_equal(show_then_drop(*state, 2, false), FULL_BYTES + PART_BYTES);
}

static void test_unref_blob_shown_staging(void **state)
{
	assert_int_equal(show_then_drop(*state, 1, true), FULL_BYTES);
}

static void test_unref_blob_shown_direct(void **state)
{
	assert_int_equal(show_then_drop(*state, 1, true), 0);
}

static void test_unref_blob_shown_two_scanouts(void **state)
{
	assert_int_equal(show_then_drop(*state, 2, true), FULL_BYTES + PART_BYTES);
}

/* A blob that no scanout shows goes without a word to the display; the
 * one that is shown stays. */
static void test_detach_blob_not_shown(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct backing b;
	int64_t maps;
	size_t n;

	make_blob(h, 2, IMG_SIZE, &b, 1000);
	show(h, 0, &part);
	n = h->nevents;
	maps = h->live_maps;
	h->first_release_seq = 0;
	drop_blob(h, 2, false);
	assert_true(h->first_release_seq > 0);
	assert_int_equal(h->live_maps, maps - b.n);
	drop_blob(h, 2, true);
	assert_int_equal(h->nevents, n);
	assert_int_equal(scanout_info(h, 0).resource_id, BLOB);
	assert_shows_guest(f, 0, &part);
	backing_free(&b);
}

/* After DETACH_BACKING: FLUSH is a no-op, SET_SCANOUT_BLOB wants backing,
 * and with the pages attached again the blob shows again. */
static void test_detach_blob_then_attach_and_show(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct req r;
	size_t n;

	show(h, 0, &part);
	drop_blob(h, BLOB, false);
	n = h->nevents;
	req_flush(&r, BLOB, 0, 0, IMG_W, IMG_H);
	expect_nodata(h, &r);
	assert_int_equal(h->nevents, n);
	req_show(&r, 0, &part);
	expect_rejected(h, &r, VGM_GPU_RESP_ERR_UNSPEC, "resource_id 1 has no backing");
	req_attach_backing(&r, BLOB, &f->b);
	expect_nodata(h, &r);
	show(h, 0, &part);
	assert_shows_guest(f, 0, &part);
	assert_int_equal(h->live_maps, f->b.n);
}

/* Reset: every scanout disabled, then everything freed. */
static void test_reset_blob_shown(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	struct vgm_stats st;
	size_t from;

	show(h, 0, &full);
	show(h, 1, &part);
	from = h->nevents;
	h->first_release_seq = 0;
	assert_int_equal(vgm_device_reset(h->dev), 0);
	assert_disabled_first(h, from, 2);
	st = stats(h);
	assert_int_equal(st.resources, 0);
	assert_int_equal(st.regions, 0);
	assert_int_equal(st.image_bytes, 0);
	assert_int_equal(h->live_maps, 0);
	assert_int_equal(scanout_info(h, 0).resource_id, 0);
	assert_int_equal(scanout_info(h, 1).resource_id, 0);
}

/* Destroy: the host is going away, no display callbacks; every mapping
 * still goes back. */
static void test_destroy_blob_shown(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	size_t n;

	show(h, 0, &full);
	n = h->nevents;
	vgm_device_destroy(h->dev);
	h->dev = NULL; /* teardown's destroy is then a no-op */
	assert_int_equal(h->nevents, n);
	assert_int_equal(h->live_maps, 0);
}

/* ---- a Linux guest's console made of a blob ------------------------------------------------ */

#define CON_W 1024u
#define CON_H 768u
#define CON_STRIDE (CON_W * 4u)
#define CON_SIZE (CON_STRIDE * CON_H)

/* The guest draws rc with new bytes. */
static void console_draw(struct harness *h, const struct backing *b, uint8_t *g,
			 const struct vgm_rect *rc, uint32_t seed)
{
	for (uint32_t y = 0; y < rc->height; y++) {
		size_t off = (size_t)(rc->y + y) * CON_STRIDE + (size_t)rc->x * 4;

		pattern_fill(g + off, (size_t)rc->width * 4, seed + y);
		backing_write(h, b, off, g + off, (size_t)rc->width * 4);
	}
}

/* TRANSFER_TO_HOST_2D and a fenced RESOURCE_FLUSH of the damage, as the
 * Linux driver sends them for a dumb buffer: the update, then the fence. */
static void console_update(struct harness *h, const struct vgm_rect *rc, uint64_t fence)
{
	size_t n = h->nevents;
	struct req r;

	req_transfer(&r, 1, rc->x, rc->y, rc->width, rc->height,
		     (uint64_t)rc->y * CON_STRIDE + rc->x * 4);
	expect_nodata(h, &r);
	assert_int_equal(h->nevents, n);
	req_flush(&r, 1, rc->x, rc->y, rc->width, rc->height);
	req_fence(&r, fence, 0, -1);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->resp_len, 24);
	assert_int_equal(resp_u32(h, 4) & VGM_GPU_FLAG_FENCE, VGM_GPU_FLAG_FENCE);
	assert_int_equal(resp_u64(h, 8), fence);
	assert_int_equal(h->nevents, n + 2);
	assert_int_equal(h->events[n].kind, EV_SCANOUT_UPDATE);
	assert_rect(&h->events[n].rect, rc->x, rc->y, rc->width, rc->height);
	assert_int_equal(h->events[n + 1].kind, EV_FENCE);
	assert_int_equal(h->events[n + 1].fence_id, fence);
}

static void assert_console_shows(struct harness *h, const uint8_t *g)
{
	uint8_t *got = malloc(CON_SIZE);

	assert_non_null(got);
	assert_int_equal(vgm_device_read_scanout(h->dev, 0, FOURCC, got, CON_STRIDE), 0);
	assert_memory_equal(got, g, CON_SIZE);
	free(got);
}

/* CREATE_BLOB with scattered 4 KiB pages, TRANSFER (nothing to copy),
 * SET_SCANOUT_BLOB, fenced FLUSH; then the guest draws and flushes again. */
static void test_console_blob_linux(void **state)
{
	static const struct vgm_rect all = { 0, 0, CON_W, CON_H }, cell = { 80, 200, 8, 16 };
	struct harness *h = *state;
	uint8_t *g = malloc(CON_SIZE);
	const struct vgm_pixels *px;
	struct backing b;
	struct req r;

	assert_non_null(g);
	backing_make(h, &b, CON_SIZE, 4096);
	pattern_fill(g, CON_SIZE, 21);
	backing_write(h, &b, 0, g, CON_SIZE);
	req_create_blob(&r, 1, CON_SIZE, &b);
	expect_nodata(h, &r);
	req_transfer(&r, 1, 0, 0, CON_W, CON_H, 0);
	expect_nodata(h, &r);
	assert_int_equal(stats(h).image_bytes, 0);
	req_set_scanout_blob(&r, 0, 1, FMT, CON_W, CON_H, CON_STRIDE, 0);
	expect_nodata(h, &r);
	px = &last_event(h, EV_SCANOUT_SET)->pixels;
	assert_int_equal(px->fourcc, FOURCC);
	assert_int_equal(px->width, CON_W);
	assert_int_equal(px->height, CON_H);
	assert_int_equal(px->stride, CON_STRIDE);
	assert_int_equal(stats(h).image_bytes, CON_SIZE); /* a row a page: staged */
	console_update(h, &all, 1);
	assert_console_shows(h, g);
	console_draw(h, &b, g, &cell, 22);
	console_update(h, &cell, 2);
	assert_console_shows(h, g);
	assert_int_equal(h->nlogs, 0);
	backing_free(&b);
	free(g);
}

/* ---- dma-buf scanouts ------------------------------------------------------------------------ */

#define DMA_SIZE (3u * 4096u) /* blob 1 in whole pages, as udmabuf wants them */
#define DMA_RAM (16u << 20)

/* Blob 1 of three scattered pages with the guest's bytes, on a harness
 * that may take dma-bufs and may say guest RAM is the memfd. */
struct dma {
	struct harness *h;
	struct backing b;
	int memfd;
	uint8_t guest[DMA_SIZE];
};

static int ram_memfd(size_t size)
{
	int fd = memfd_create("vgm-test-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd > 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0); /* udmabuf wants it */
	return fd;
}

static struct dma *dma_new(bool with_dmabuf, bool with_fd)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true,
				  .ram_size = DMA_RAM, .with_dmabuf = with_dmabuf };
	struct dma *d = calloc(1, sizeof(*d));
	struct req r;

	assert_non_null(d);
	d->memfd = ram_memfd(DMA_RAM);
	o.fake_fd = with_fd ? d->memfd : 0;
	d->h = harness_new(&o);
	backing_make(d->h, &d->b, DMA_SIZE, 4096);
	pattern_fill(d->guest, DMA_SIZE, 31);
	backing_write(d->h, &d->b, 0, d->guest, DMA_SIZE);
	req_create_blob(&r, BLOB, DMA_SIZE, &d->b);
	expect_nodata(d->h, &r);
	return d;
}

static void dma_free(struct dma *d)
{
	harness_free(d->h);
	backing_free(&d->b);
	close(d->memfd);
	free(d);
}

/* The scanout went to the host as pixels, the guest's. */
static void assert_got_pixels(struct dma *d, const struct vgm_rect *rc)
{
	uint8_t want[FULL_BYTES];

	assert_int_equal(count_events(d->h, EV_SCANOUT_DMABUF), 0);
	assert_int_equal(last_event(d->h, EV_SCANOUT_SET)->pixels.width, rc->width);
	model_rect(d->guest, IMG_OFFSET, IMG_STRIDE, rc, want);
	assert_scanout_bytes(d->h, 0, FOURCC, rc, want);
}

static bool udmabuf_opens(void)
{
	int fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

#define SKIP_IF_UDMABUF()                                                                          \
	do {                                                                                       \
		if (udmabuf_opens()) {                                                             \
			print_message("SKIP: /dev/udmabuf opens here: it is not absent\n");        \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* Without /dev/udmabuf: pixels, and one INFO line however often. */
static void test_dmabuf_absent_falls_back_to_pixels(void **state)
{
	struct dma *d;

	(void)state;
	SKIP_IF_UDMABUF();
	d = dma_new(true, true);
	show(d->h, 0, &part);
	assert_got_pixels(d, &part);
	assert_int_equal(count_logs(d->h, "no /dev/udmabuf", VGM_LOG_INFO), 1);
	show(d->h, 0, &full);
	assert_got_pixels(d, &full);
	show(d->h, 0, &part);
	assert_got_pixels(d, &part);
	assert_int_equal(count_events(d->h, EV_SCANOUT_SET), 3);
	assert_int_equal(count_logs(d->h, "no /dev/udmabuf", 0), 1);
	dma_free(d);
}

/* Each device says it once. */
static void test_dmabuf_absent_logged_once_per_device(void **state)
{
	struct dma *d, *e;

	(void)state;
	SKIP_IF_UDMABUF();
	d = dma_new(true, true);
	e = dma_new(true, true);
	for (int i = 0; i < 3; i++) {
		show(d->h, 0, &part);
		show(e->h, 0, &full);
	}
	assert_int_equal(count_logs(d->h, "no /dev/udmabuf", VGM_LOG_INFO), 1);
	assert_int_equal(count_logs(e->h, "no /dev/udmabuf", VGM_LOG_INFO), 1);
	assert_got_pixels(d, &part);
	assert_got_pixels(e, &full);
	dma_free(d);
	dma_free(e);
}

/* No fd for guest RAM, or a host without scanout_dmabuf: not tried. */
static void test_dmabuf_not_tried_without_fd(void **state)
{
	struct dma *d = dma_new(true, false);

	(void)state;
	show(d->h, 0, &part);
	assert_got_pixels(d, &part);
	assert_int_equal(count_logs(d->h, "udmabuf", 0), 0);
	dma_free(d);
}

static void test_dmabuf_not_tried_without_callback(void **state)
{
	struct dma *d = dma_new(false, true);

	(void)state;
	show(d->h, 0, &part);
	assert_got_pixels(d, &part);
	assert_int_equal(count_logs(d->h, "udmabuf", 0), 0);
	dma_free(d);
}

/* With /dev/udmabuf: the image as a dma-buf from the image's offset down
 * to the rectangle's last row, and no pixels. */
static void test_dmabuf_offered(void **state)
{
	const uint64_t lead = IMG_OFFSET % (uint64_t)sysconf(_SC_PAGESIZE);
	const struct vgm_dmabuf *buf;
	struct dma *d;
	int err;

	(void)state;
	if (!udmabuf_opens()) {
		err = errno;
		print_message("SKIP: /dev/udmabuf cannot be opened here (%s)\n", strerror(err));
		skip();
	}
	d = dma_new(true, true);
	show(d->h, 0, &part);
	assert_int_equal(count_events(d->h, EV_SCANOUT_SET), 0);
	assert_int_equal(count_events(d->h, EV_SCANOUT_DMABUF), 1);
	buf = &last_event(d->h, EV_SCANOUT_DMABUF)->dmabuf;
	assert_true(buf->fd >= 0); /* the harness closed it */
	assert_int_equal(buf->fourcc, FOURCC);
	assert_int_equal(buf->modifier, DRM_FORMAT_MOD_LINEAR);
	assert_int_equal(buf->stride, IMG_STRIDE);
	assert_int_equal(buf->offset, lead);
	assert_int_equal(buf->size, lead + IMG_STRIDE * (part.y + part.height));
	assert_int_equal(buf->width, IMG_W);
	assert_int_equal(buf->height, part.y + part.height); /* the rows the buffer holds */
	assert_rect(&buf->rect, part.x, part.y, part.width, part.height);
	dma_free(d);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_scattered, teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_two_scanouts, teardown)
#define TD(f) cmocka_unit_test_setup_teardown(f, setup_single, teardown)
#define T0(f) cmocka_unit_test(f)
	const struct CMUnitTest tests[] = {
		TS(test_flush_blob_update_rect),
		TS(test_flush_blob_no_overlap),
		TS(test_flush_blob_refreshes_flushed_part),
		TD(test_flush_blob_direct_shows_at_once),
		T2(test_flush_blob_two_scanouts),
		TS(test_detach_blob_shown_staging),
		TD(test_detach_blob_shown_direct),
		T2(test_detach_blob_shown_two_scanouts),
		TS(test_unref_blob_shown_staging),
		TD(test_unref_blob_shown_direct),
		T2(test_unref_blob_shown_two_scanouts),
		TS(test_detach_blob_not_shown),
		TS(test_detach_blob_then_attach_and_show),
		T2(test_reset_blob_shown),
		TS(test_destroy_blob_shown),
		T(test_console_blob_linux),
		T0(test_dmabuf_absent_falls_back_to_pixels),
		T0(test_dmabuf_absent_logged_once_per_device),
		T0(test_dmabuf_not_tried_without_fd),
		T0(test_dmabuf_not_tried_without_callback),
		T0(test_dmabuf_offered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
