/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "api/api.h"
#include "harness.h"

/* ---- guest RAM with guard pages ----------------------------------------------- */

static void ram_init(struct guest_ram *ram, size_t size)
{
	size_t total = size + 2 * PAGE_SIZE_4K;

	/* Writable, then the two guard pages closed: mprotect of a few pages
	 * is cheap where that of gigabytes is slow under valgrind. */
	ram->map = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			-1, 0);
	assert_true(ram->map != MAP_FAILED);
	ram->base = ram->map + PAGE_SIZE_4K;
	assert_int_equal(mprotect(ram->map, PAGE_SIZE_4K, PROT_NONE), 0);
	assert_int_equal(mprotect(ram->base + size, PAGE_SIZE_4K, PROT_NONE), 0);
	ram->size = size;
	ram->used = 0;
}

static void ram_fini(struct guest_ram *ram)
{
	munmap(ram->map, ram->size + 2 * PAGE_SIZE_4K);
	if (ram->retired)
		munmap(ram->retired, ram->size + 2 * PAGE_SIZE_4K);
}

void ram_move(struct harness *h, const struct harness *from)
{
	struct guest_ram old = h->ram;
	const struct guest_ram *src = from ? &from->ram : &old;

	assert_true(src->size == old.size);
	ram_init(&h->ram, old.size);
	memcpy(h->ram.base, src->base, src->used);
	h->ram.used = src->used;
	assert_int_equal(mprotect(old.map, old.size + 2 * PAGE_SIZE_4K, PROT_NONE), 0);
	if (old.retired)
		munmap(old.retired, old.size + 2 * PAGE_SIZE_4K);
	h->ram.retired = old.map;
}

uint64_t ram_alloc(struct harness *h, size_t len)
{
	size_t pages = (len + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	uint64_t gpa = RAM_BASE + h->ram.used;

	assert_true(pages * PAGE_SIZE_4K <= h->ram.size - h->ram.used);
	h->ram.used += pages * PAGE_SIZE_4K;
	return gpa;
}

uint8_t *ram_ptr(struct harness *h, uint64_t gpa)
{
	assert_true(gpa >= RAM_BASE && gpa - RAM_BASE < h->ram.size);
	return h->ram.base + (gpa - RAM_BASE);
}

/* ---- the fake VMM ----------------------------------------------------------------- */

static void hook(struct harness *h, const char *callback)
{
	if (h->on_callback)
		h->on_callback(h, callback);
}

static int cb_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct harness *h = host;
	uint64_t left;

	hook(h, "translate");
	h->translate_calls++;
	if (gpa < RAM_BASE || gpa - RAM_BASE >= h->ram.size)
		return -14; /* -EFAULT */
	if (h->fail_gpa && h->fail_gpa >= gpa && h->fail_gpa - gpa < len)
		return -14;
	left = h->ram.size - (gpa - RAM_BASE);
	if (h->opts.split_pages)
		left = PAGE_SIZE_4K - (gpa % PAGE_SIZE_4K);
	map->ptr = ram_ptr(h, gpa);
	map->len = len < left ? len : left;
	map->cookie = h;
	if (h->opts.fake_fd > 0) {
		map->fd = h->opts.fake_fd;
		map->fd_offset = gpa - RAM_BASE;
	}
	if (h->opts.with_release)
		h->live_maps++;
	return 0;
}

static void cb_release(void *host, const struct vgm_guest_map *map)
{
	struct harness *h = host;

	hook(h, "release");
	assert_ptr_equal(map->cookie, h);
	h->seq++;
	if (h->first_release_seq == 0)
		h->first_release_seq = h->seq;
	h->live_maps--;
	assert_true(h->live_maps >= 0);
}

static struct event *push(struct harness *h, enum event_kind kind, uint32_t scanout)
{
	static const char *const names[] = {
		[EV_FENCE] = "fence_done",
		[EV_CONFIG_CHANGED] = "config_changed",
		[EV_SCANOUT_SET] = "scanout_set",
		[EV_SCANOUT_DISABLE] = "scanout_disable",
		[EV_SCANOUT_UPDATE] = "scanout_update",
		[EV_CURSOR_SET] = "cursor_set",
		[EV_CURSOR_MOVE] = "cursor_move",
		[EV_CURSOR_HIDE] = "cursor_hide",
		[EV_SCANOUT_DMABUF] = "scanout_dmabuf",
		[EV_REQUEST_DONE] = "request_done",
	};
	struct event *e;

	hook(h, names[kind]);
	h->ncallbacks++;
	if (h->opts.discard_events)
		return &h->scratch; /* not cleared: nobody reads it */
	assert_true(h->nevents < MAX_EVENTS);
	e = &h->events[h->nevents++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->scanout = scanout;
	e->seq = ++h->seq;
	return e;
}

static void cb_fence(void *host, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	struct event *e = push(host, EV_FENCE, 0);

	e->ctx_id = ctx_id;
	e->ring_idx = ring_idx;
	e->fence_id = fence_id;
}

static void cb_config_changed(void *host)
{
	push(host, EV_CONFIG_CHANGED, 0);
}

static void cb_scanout_set(void *host, uint32_t scanout, const struct vgm_pixels *px)
{
	push(host, EV_SCANOUT_SET, scanout)->pixels = *px;
}

static void cb_scanout_disable(void *host, uint32_t scanout)
{
	push(host, EV_SCANOUT_DISABLE, scanout);
}

static void cb_scanout_update(void *host, uint32_t scanout, const struct vgm_rect *rect)
{
	push(host, EV_SCANOUT_UPDATE, scanout)->rect = *rect;
}

static void cb_cursor_set(void *host, uint32_t scanout, const struct vgm_cursor *cursor)
{
	struct event *e = push(host, EV_CURSOR_SET, scanout);

	e->cursor = *cursor;
	memcpy(e->cursor_pixels, cursor->pixels, sizeof(e->cursor_pixels));
}

static void cb_cursor_move(void *host, uint32_t scanout, uint32_t x, uint32_t y)
{
	struct event *e = push(host, EV_CURSOR_MOVE, scanout);

	e->cursor.x = x;
	e->cursor.y = y;
}

static void cb_cursor_hide(void *host, uint32_t scanout)
{
	push(host, EV_CURSOR_HIDE, scanout);
}

static void cb_resource_uuid(void *host, uint32_t resource_id, const uint8_t uuid[16])
{
	struct harness *h = host;

	hook(h, "resource_uuid");
	h->uuid_calls++;
	h->uuid_resource = resource_id;
	memcpy(h->uuid, uuid, sizeof(h->uuid));
}

static void cb_scanout_dmabuf(void *host, uint32_t scanout, const struct vgm_dmabuf *buf)
{
	struct harness *h = host;

	assert_true(buf->fd >= 0);
	close(buf->fd); /* the host owns it */
	push(h, EV_SCANOUT_DMABUF, scanout)->dmabuf = *buf;
}

static void cb_request_done(void *host, uint64_t tag, size_t written)
{
	struct event *e = push(host, EV_REQUEST_DONE, 0);

	e->tag = tag;
	e->written = written;
}

static void cb_log(void *host, enum vgm_log_level level, const char *msg)
{
	struct harness *h = host;

	hook(h, "log");
	if (h->nlogs == MAX_LOGS) { /* keep the newest: forget the oldest */
		memmove(h->logs, h->logs + 1, sizeof(h->logs[0]) * (MAX_LOGS - 1));
		memmove(h->log_levels, h->log_levels + 1, sizeof(h->log_levels[0]) * (MAX_LOGS - 1));
		h->nlogs--;
	}
	snprintf(h->logs[h->nlogs], sizeof(h->logs[0]), "%s", msg);
	h->log_levels[h->nlogs++] = (int)level;
	if (getenv("VGM_TEST_VERBOSE"))
		fprintf(stderr, "log(%d): %s\n", level, msg);
}

struct harness *harness_new(const struct harness_opts *opts)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct vgm_device_config cfg = { .size = sizeof(cfg) };
	uint64_t offered;

	assert_non_null(h);
	h->opts = *opts;
	ram_init(&h->ram, opts->ram_size ? opts->ram_size : 16u << 20);
	h->ops = (struct vgm_host_ops){
		.size = sizeof(h->ops),
		.translate = cb_translate,
		.release = opts->with_release ? cb_release : NULL,
		.fence_done = cb_fence,
		.config_changed = cb_config_changed,
		.scanout_set = cb_scanout_set,
		.scanout_disable = cb_scanout_disable,
		.scanout_update = cb_scanout_update,
		.cursor_set = cb_cursor_set,
		.cursor_move = cb_cursor_move,
		.cursor_hide = cb_cursor_hide,
		.log = cb_log,
		.resource_uuid = cb_resource_uuid,
		.scanout_dmabuf = opts->with_dmabuf ? cb_scanout_dmabuf : NULL,
		.request_done = cb_request_done,
	};
	cfg.dialect = opts->dialect;
	cfg.features = VGM_FEATURES_ALL & ~opts->no_offer;
	cfg.num_scanouts = opts->num_scanouts ? opts->num_scanouts : 1;
	for (uint32_t i = 0; i < cfg.num_scanouts; i++)
		cfg.scanouts[i] = (struct vgm_scanout_config){ 1, 1024, 768 };
	cfg.max_host_memory = opts->max_host_memory;
	cfg.max_backing_entries = opts->max_backing_entries;
	cfg.max_resources = opts->max_resources;
	cfg.max_regions = opts->max_regions;
	cfg.stream_threshold = opts->stream_threshold;
	cfg.max_table_pieces = opts->max_table_pieces;
	cfg.renderer = opts->renderer;
	cfg.flags = opts->flags;
	cfg.log_level = VGM_LOG_DEBUG;
	cfg.ops = &h->ops;
	cfg.host = h;
	assert_int_equal(device_new(&cfg, opts->renderer_ops, opts->renderer_ctx, &h->dev), 0);
	assert_int_equal(vgm_device_get_features(h->dev, &offered), 0);
	if (!opts->no_accept)
		assert_int_equal(vgm_device_set_features(h->dev, offered), 0);
	return h;
}

void harness_free(struct harness *h)
{
	if (!h)
		return;
	vgm_device_destroy(h->dev);
	if (h->opts.with_release)
		assert_int_equal(h->live_maps, 0); /* destroy gives every mapping back */
	for (size_t i = 0; i < h->nlogs; i++) {
		if (h->log_levels[i] == VGM_LOG_ERROR)
			fail_msg("unexpected error logged: %s", h->logs[i]);
	}
	ram_fini(&h->ram);
	free(h);
}

int harness_setup(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true };

	*state = harness_new(&o);
	return 0;
}

int harness_setup_rfc(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_MEMORY_RFC, .with_release = true };

	*state = harness_new(&o);
	return 0;
}

int harness_teardown(void **state)
{
	harness_free(*state);
	return 0;
}

int harness_no_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -14; /* -EFAULT */
}

/* ---- scattered backing ---------------------------------------------------------------- */

/* Entry i lives at slot (i * 5 + 3) % n of a run of 2n entry-sized slots,
 * every other slot left as a gap: out of order and never adjacent. */
void backing_make(struct harness *h, struct backing *b, uint64_t size, uint32_t entry_len)
{
	uint64_t base;
	uint32_t slot_len = (entry_len + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K * PAGE_SIZE_4K;

	b->n = (uint32_t)((size + entry_len - 1) / entry_len);
	b->size = size;
	b->gpa = calloc(b->n ? b->n : 1, sizeof(*b->gpa));
	b->len = calloc(b->n ? b->n : 1, sizeof(*b->len));
	assert_non_null(b->gpa);
	assert_non_null(b->len);
	base = ram_alloc(h, (size_t)b->n * 2 * slot_len);
	for (uint32_t i = 0; i < b->n; i++) {
		uint64_t slot = ((uint64_t)i * 5 + 3) % b->n;

		if (b->n % 5 == 0) /* keep the permutation one-to-one */
			slot = i;
		b->gpa[i] = base + slot * 2 * slot_len;
		b->len[i] = i + 1 < b->n ? entry_len : (uint32_t)(size - (uint64_t)i * entry_len);
	}
}

void backing_free(struct backing *b)
{
	free(b->gpa);
	free(b->len);
	memset(b, 0, sizeof(*b));
}

static uint8_t *backing_byte(struct harness *h, const struct backing *b, uint64_t off,
			     size_t *contiguous)
{
	uint64_t pos = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		if (off < pos + b->len[i]) {
			*contiguous = (size_t)(pos + b->len[i] - off);
			return ram_ptr(h, b->gpa[i] + (off - pos));
		}
		pos += b->len[i];
	}
	harness_fail("offset %llu is beyond the backing", (unsigned long long)off);
}

void backing_write(struct harness *h, const struct backing *b, uint64_t off, const void *src,
		   size_t len)
{
	const uint8_t *in = src;

	while (len > 0) {
		size_t n;
		uint8_t *p = backing_byte(h, b, off, &n);

		if (n > len)
			n = len;
		memcpy(p, in, n);
		in += n;
		off += n;
		len -= n;
	}
}

void backing_fill(struct harness *h, const struct backing *b, uint64_t off, uint8_t byte,
		  size_t len)
{
	while (len > 0) {
		size_t n;
		uint8_t *p = backing_byte(h, b, off, &n);

		if (n > len)
			n = len;
		memset(p, byte, n);
		off += n;
		len -= n;
	}
}

/* ---- snapshots and assertions --------------------------------------------------------- */

void snapshot_take(struct harness *h, struct snapshot *s)
{
	uint32_t n = h->opts.num_scanouts ? h->opts.num_scanouts : 1;

	memset(s, 0, sizeof(*s));
	s->stats.size = sizeof(s->stats);
	assert_int_equal(vgm_device_get_stats(h->dev, &s->stats), 0);
	for (uint32_t i = 0; i < n; i++) {
		s->scanouts[i].size = sizeof(s->scanouts[i]);
		assert_int_equal(vgm_device_get_scanout_info(h->dev, i, &s->scanouts[i]), 0);
	}
	s->nevents = h->nevents;
	s->live_maps = h->live_maps;
	s->uuid_calls = h->uuid_calls;
}

void expect_rejected(struct harness *h, struct req *r, uint32_t code, const char *needle)
{
	struct snapshot s;

	snapshot_take(h, &s);
	assert_int_equal(submit(h, r), code);
	assert_int_equal(h->resp_len, 24);
	assert_unchanged(h, &s);
	assert_logged(h, needle);
}

void expect_nodata(struct harness *h, struct req *r)
{
	assert_int_equal(submit(h, r), VGM_GPU_RESP_OK_NODATA);
	assert_int_equal(h->resp_len, 24);
}

struct vgm_resource_info resource_info(struct harness *h, uint32_t id)
{
	struct vgm_resource_info ri = { .size = sizeof(ri) };

	assert_int_equal(vgm_device_get_resource_info(h->dev, id, &ri), 0);
	return ri;
}

void assert_unchanged(struct harness *h, const struct snapshot *s)
{
	struct snapshot now;

	snapshot_take(h, &now);
	assert_memory_equal(&now.stats, &s->stats, sizeof(now.stats));
	assert_memory_equal(now.scanouts, s->scanouts, sizeof(now.scanouts));
	assert_int_equal(now.nevents, s->nevents);
	assert_int_equal(now.live_maps, s->live_maps);
	assert_int_equal(now.uuid_calls, s->uuid_calls);
}

void assert_logged(struct harness *h, const char *needle)
{
	size_t found = 0;

	for (size_t i = 0; i < h->nlogs; i++) {
		if (strstr(h->logs[i], needle))
			found++;
	}
	if (found != 1) {
		for (size_t i = 0; i < h->nlogs; i++)
			print_message("log: %s\n", h->logs[i]);
		fail_msg("expected one log line containing \"%s\", found %zu", needle, found);
	}
	h->nlogs = 0;
}

size_t count_logs(const struct harness *h, const char *needle, int level)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nlogs; i++)
		n += strstr(h->logs[i], needle) && (level == 0 || h->log_levels[i] == level);
	return n;
}

size_t count_events(const struct harness *h, enum event_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nevents; i++)
		n += h->events[i].kind == kind;
	return n;
}

const struct event *last_event(const struct harness *h, enum event_kind kind)
{
	for (size_t i = h->nevents; i-- > 0;) {
		if (h->events[i].kind == kind)
			return &h->events[i];
	}
	fail_msg("no event of kind %d", kind);
	return NULL;
}

/* ---- pixels ----------------------------------------------------------------------------- */

static uint32_t max_len(const uint32_t *lens, size_t nlens)
{
	uint32_t m = 0;

	for (size_t i = 0; i < nlens; i++)
		m = lens[i] > m ? lens[i] : m;
	return m;
}

/* Entry i goes to slot (i * 5 + 3) % n (or i, as in backing_make), at byte
 * 1 + i % 7 of the slot; slots are twice the room an entry needs. */
void backing_make_lens(struct harness *h, struct backing *b, uint64_t size, const uint32_t *lens,
		       size_t nlens)
{
	uint64_t room = ((uint64_t)max_len(lens, nlens) + 8 + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	uint64_t base, done = 0;

	assert_true(nlens > 0 && size > 0);
	room *= PAGE_SIZE_4K;
	for (b->n = 0; done < size; b->n++) {
		assert_true(lens[b->n % nlens] > 0);
		done += lens[b->n % nlens];
	}
	b->size = size;
	b->gpa = calloc(b->n, sizeof(*b->gpa));
	b->len = calloc(b->n, sizeof(*b->len));
	assert_non_null(b->gpa);
	assert_non_null(b->len);
	base = ram_alloc(h, (size_t)(b->n * 2 * room));
	done = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		uint64_t slot = b->n % 5 == 0 ? i : ((uint64_t)i * 5 + 3) % b->n;
		uint32_t len = lens[i % nlens];

		b->gpa[i] = base + slot * 2 * room + 1 + i % 7;
		b->len[i] = size - done < len ? (uint32_t)(size - done) : len;
		done += b->len[i];
	}
}

void pattern_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}

void model_transfer(uint8_t *img, uint32_t stride, const uint8_t *src, uint64_t src_size,
		    const struct vgm_rect *r, uint64_t offset)
{
	uint64_t row = (uint64_t)r->width * 4;

	for (uint32_t j = 0; j < r->height; j++) {
		uint8_t *dst = img + (size_t)(r->y + j) * stride + (size_t)r->x * 4;
		uint64_t s;

		if (__builtin_add_overflow(offset, (uint64_t)j * stride, &s))
			return;
		for (uint64_t i = 0; i < row; i++) {
			if (s + i < s || s + i >= src_size)
				return;
			dst[i] = src[s + i];
		}
	}
}

void show_resource(struct harness *h, uint32_t scanout, uint32_t id, uint32_t w, uint32_t hgt)
{
	struct req r;

	req_set_scanout(&r, scanout, id, 0, 0, w, hgt);
	assert_int_equal(submit(h, &r), VGM_GPU_RESP_OK_NODATA);
}

void read_shown(struct harness *h, uint32_t scanout, uint8_t *dst)
{
	struct vgm_pixels px;

	assert_int_equal(vgm_device_get_scanout_pixels(h->dev, scanout, &px), 0);
	for (uint32_t y = 0; y < px.height; y++)
		memcpy(dst + (size_t)y * px.width * 4,
		       (const uint8_t *)px.data + (size_t)y * px.stride, (size_t)px.width * 4);
}

void transfer_ok(struct harness *h, uint32_t id, const struct vgm_rect *r, uint64_t offset)
{
	struct req q;

	req_transfer(&q, id, r->x, r->y, r->width, r->height, offset);
	assert_int_equal(submit(h, &q), VGM_GPU_RESP_OK_NODATA);
}
