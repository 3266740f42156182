/* SPDX-License-Identifier: MIT */
/*
 * The fake VMM of the fuzz harnesses. Guest RAM is a few ranges, each a
 * memfd mapped twice, every view ending at a PROT_NONE page. In release
 * mode every mapping translate() hands out is a heap record that release()
 * checks and frees, so a mapping given back twice is a use after free and
 * one never given back is counted (and leaks). Every display callback
 * reads the pixels it is given, so a pointer into freed or foreign memory
 * is a sanitizer error. The input may make translate() misbehave as a VMM
 * may: short pieces, pieces from the other view (never joined), a failure
 * in the middle of a request's entries.
 */
#include <drm_fourcc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE 4096u
#define MAP_MAGIC 0x6d61707065643a29ull

struct map_rec {
	uint64_t magic;
	void *ptr;
	uint64_t len;
	int fd;
	uint64_t fd_offset;
};

static struct fuzz_host *host_of(void *host)
{
	return host;
}

static const struct fuzz_range *find_range(const struct fuzz_host *h, uint64_t gpa, size_t *idx)
{
	for (size_t i = 0; i < h->nram; i++) {
		if (gpa >= h->ram[i].gpa && gpa - h->ram[i].gpa < h->ram[i].size) {
			if (idx)
				*idx = i;
			return &h->ram[i];
		}
	}
	return NULL;
}

/* One view of a range's memfd: body bytes then a PROT_NONE page. */
static uint8_t *map_view(int fd, size_t body)
{
	uint8_t *map = mmap(NULL, body + PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);

	FUZZ_CHECK(map != MAP_FAILED, "mmap of %zu bytes", body + PAGE);
	FUZZ_CHECK(mmap(map, body, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == map,
		   "mmap of the memfd");
	return map;
}

bool fuzz_ram_add(struct fuzz_host *h, uint64_t gpa, uint64_t size)
{
	struct fuzz_range *r;
	uint64_t end, body;
	int fd;

	if (size == 0 || __builtin_add_overflow(gpa, size, &end) || h->nram == FUZZ_MAX_RANGES ||
	    size > FUZZ_MAX_RAM - h->ram_total)
		return false;
	for (size_t i = 0; i < h->nram; i++) {
		if (gpa < h->ram[i].gpa + h->ram[i].size && h->ram[i].gpa < end)
			return false;
	}
	r = &h->ram[h->nram];
	body = (size + PAGE - 1) / PAGE * PAGE;
	fd = memfd_create("fuzz-guest-ram", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && ftruncate(fd, (off_t)body) == 0, "memfd of %llu bytes",
		   (unsigned long long)body);
	r->map_len = (size_t)(body + PAGE);
	for (int v = 0; v < 2; v++) {
		r->map[v] = map_view(fd, (size_t)body);
		r->host[v] = r->map[v] + (body - size);
	}
	close(fd); /* the views keep the file */
	r->gpa = gpa;
	r->size = size;
	h->nram++;
	h->ram_total += size;
	return true;
}

uint8_t *fuzz_ram_span(const struct fuzz_host *h, uint64_t gpa, uint64_t len)
{
	const struct fuzz_range *r = find_range(h, gpa, NULL);

	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->host[0] + (gpa - r->gpa);
}

/* ---- callbacks ------------------------------------------------------------ */

/* How many of len bytes at gpa, off bytes into r, one answer maps. */
static uint64_t piece_len(const struct fuzz_host *h, const struct fuzz_range *r, uint64_t gpa,
			  uint64_t off, uint64_t len)
{
	uint64_t n = r->size - off < len ? r->size - off : len;

	if (h->mode.page_split && n > PAGE - gpa % PAGE)
		n = PAGE - gpa % PAGE;
	if (h->mode.max_len && n > h->mode.max_len)
		n = h->mode.max_len;
	return n;
}

/*
 * A host that maps a few bytes at a time (max_len) stops mapping after
 * this many answers in an input's life: every later translate() fails
 * (-EFAULT), which a host may do. The library makes at most
 * max_table_pieces translate() calls a request, but the stream fuzzer
 * chooses that limit too: with 1-byte answers and a limit of 2^32 one
 * input made 134 million calls, 28 s under ASan (a campaign's slow unit,
 * fuzz/stream/crashes/slow-byte-pieces.bin). At this bound an input
 * takes about a second; budget and piece limits are reached far below it
 * (table-past-budget.bin: some 65,000 calls).
 */
#define MAX_SMALL_MAPS (1u << 22)

static int on_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct fuzz_host *h = host_of(host);
	size_t idx = 0;
	const struct fuzz_range *r = find_range(h, gpa, &idx);
	uint64_t off;

	FUZZ_CHECK(len > 0, "translate of an empty range at 0x%llx", (unsigned long long)gpa);
	FUZZ_CHECK(map->fd == -1, "the library must set fd to -1 before translate");
	if (!r || ++h->req_translates == h->mode.fail_at ||
	    (h->mode.max_len && h->maps_made >= MAX_SMALL_MAPS))
		return -14; /* -EFAULT */
	off = gpa - r->gpa;
	/* Scatter: every other answer from the other view, so no piece
	 * continues the one before in memory. */
	map->ptr = r->host[h->mode.scatter ? h->maps_made % 2 : 0] + off;
	map->len = piece_len(h, r, gpa, off, len);
	if (h->mode.fds) {
		map->fd = FUZZ_FAKE_FD + (int)idx;
		map->fd_offset = off;
	}
	if (h->mode.release) {
		struct map_rec *rec = fuzz_host_alloc(sizeof(*rec));

		*rec = (struct map_rec){ MAP_MAGIC, map->ptr, map->len, map->fd, map->fd_offset };
		map->cookie = rec;
		h->live_maps++;
	}
	h->maps_made++;
	return 0;
}

static void on_release(void *host, const struct vgm_guest_map *map)
{
	struct fuzz_host *h = host_of(host);
	struct map_rec *rec = map->cookie;

	FUZZ_CHECK(h->mode.release && rec, "release() of a mapping without a cookie");
	FUZZ_CHECK(rec->magic == MAP_MAGIC, "release() of a mapping that is not one");
	FUZZ_CHECK(rec->ptr == map->ptr && rec->len == map->len,
		   "release() of %p+%llu, translate() gave %p+%llu", map->ptr,
		   (unsigned long long)map->len, rec->ptr, (unsigned long long)rec->len);
	FUZZ_CHECK(map->fd < 0 || (map->fd == rec->fd && map->fd_offset == rec->fd_offset),
		   "release() with another file position");
	rec->magic = 0;
	fuzz_host_free(rec);
	h->live_maps--;
	FUZZ_CHECK(h->live_maps >= 0, "more releases than mappings");
}

static void on_fence(void *host, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	struct fuzz_host *h = host_of(host);

	h->fences++;
	h->fence_ctx = ctx_id;
	h->fence_ring = ring_idx;
	h->fence_id = fence_id;
}

static void on_config_changed(void *host)
{
	(void)host;
}

/* Reads width x height pixels of 4 bytes, rows stride apart. */
static void read_pixels(struct fuzz_host *h, const uint8_t *data, uint32_t stride, uint32_t x,
			uint32_t y, uint32_t width, uint32_t height)
{
	uint32_t sum = 0;

	for (uint32_t row = 0; row < height; row++) {
		const uint8_t *p = data + (size_t)(y + row) * stride + (size_t)x * 4;

		for (size_t i = 0; i < (size_t)width * 4; i += 4)
			sum += p[i] + p[i + 3];
		if (width)
			sum += p[(size_t)width * 4 - 1];
	}
	h->pixel_sum += sum;
}

static void on_scanout_set(void *host, uint32_t scanout, const struct vgm_pixels *px)
{
	struct fuzz_host *h = host_of(host);
	struct host_scanout *so;

	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "scanout_set(%u)", scanout);
	FUZZ_CHECK(px && px->data && px->width && px->height, "scanout_set without pixels");
	FUZZ_CHECK((uint64_t)px->width * 4 <= px->stride, "stride %u below width %u", px->stride,
		   px->width);
	FUZZ_CHECK(px->fourcc != 0 && px->fourcc != DRM_FORMAT_INVALID, "fourcc 0x%x", px->fourcc);
	so = &h->scanouts[scanout];
	*so = (struct host_scanout){ .shown = true, .px = *px, .width = px->width,
				     .height = px->height };
	read_pixels(h, px->data, px->stride, 0, 0, px->width, px->height);
}

static void on_scanout_dmabuf(void *host, uint32_t scanout, const struct vgm_dmabuf *buf)
{
	struct fuzz_host *h = host_of(host);

	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "scanout_dmabuf(%u)", scanout);
	FUZZ_CHECK((uint64_t)buf->rect.x + buf->rect.width <= buf->width &&
			   (uint64_t)buf->rect.y + buf->rect.height <= buf->height,
		   "dma-buf rect outside its image");
	FUZZ_CHECK(buf->offset + (uint64_t)buf->stride * (buf->rect.y + buf->rect.height) <=
			   buf->size,
		   "dma-buf smaller than the rows it shows");
	if (buf->fd >= 0)
		close(buf->fd);
	h->scanouts[scanout] = (struct host_scanout){ .shown = true, .dmabuf = true,
						      .width = buf->rect.width,
						      .height = buf->rect.height };
}

static void on_scanout_disable(void *host, uint32_t scanout)
{
	struct fuzz_host *h = host_of(host);

	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "scanout_disable(%u)", scanout);
	FUZZ_CHECK(h->scanouts[scanout].shown, "scanout_disable(%u) of a scanout not shown",
		   scanout);
	h->scanouts[scanout] = (struct host_scanout){ 0 };
}

static void on_scanout_update(void *host, uint32_t scanout, const struct vgm_rect *r)
{
	struct fuzz_host *h = host_of(host);
	const struct host_scanout *so;

	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "scanout_update(%u)", scanout);
	so = &h->scanouts[scanout];
	FUZZ_CHECK(so->shown, "scanout_update(%u) of a scanout not shown", scanout);
	FUZZ_CHECK(r->width && r->height && (uint64_t)r->x + r->width <= so->width &&
			   (uint64_t)r->y + r->height <= so->height,
		   "update %u,%u %ux%u outside the scanout's %ux%u", r->x, r->y, r->width,
		   r->height, so->width, so->height);
	if (!so->dmabuf)
		read_pixels(h, so->px.data, so->px.stride, r->x, r->y, r->width, r->height);
}

static void on_cursor_set(void *host, uint32_t scanout, const struct vgm_cursor *cursor)
{
	struct fuzz_host *h = host_of(host);
	uint32_t sum = 0;

	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "cursor_set(%u)", scanout);
	for (size_t i = 0; i < VGM_CURSOR_SIZE * VGM_CURSOR_SIZE; i++)
		sum += cursor->pixels[i];
	h->pixel_sum += sum;
}

static void on_cursor_move(void *host, uint32_t scanout, uint32_t x, uint32_t y)
{
	(void)host;
	(void)x;
	(void)y;
	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "cursor_move(%u)", scanout);
}

static void on_cursor_hide(void *host, uint32_t scanout)
{
	(void)host;
	FUZZ_CHECK(scanout < VGM_MAX_SCANOUTS, "cursor_hide(%u)", scanout);
}

static void on_log(void *host, enum vgm_log_level level, const char *msg)
{
	struct fuzz_host *h = host_of(host);

	FUZZ_CHECK(level >= VGM_LOG_ERROR && level <= VGM_LOG_DEBUG, "log level %d", (int)level);
	FUZZ_CHECK(msg && strlen(msg) < 256 && !strchr(msg, '\n'), "log line");
	h->log_lines++;
}

static void on_uuid(void *host, uint32_t resource_id, const uint8_t uuid[16])
{
	struct fuzz_host *h = host_of(host);

	FUZZ_CHECK(resource_id != 0, "uuid of resource 0");
	FUZZ_CHECK((uuid[6] >> 4) == 4 && (uuid[8] & 0xc0) == 0x80, "not a version 4 UUID");
	h->uuid_calls++;
}

void fuzz_host_init(struct fuzz_host *h, const struct host_mode *mode)
{
	*h = (struct fuzz_host){ .mode = *mode };
	fuzz_host_set_mode(h, mode);
}

void fuzz_host_set_mode(struct fuzz_host *h, const struct host_mode *mode)
{
	FUZZ_CHECK(h->live_maps == 0, "host mode changed with mappings held");
	h->mode = *mode;
	h->ops = (struct vgm_host_ops){
		.size = sizeof(h->ops),
		.translate = on_translate,
		.release = mode->release ? on_release : NULL,
		.fence_done = on_fence,
		.config_changed = on_config_changed,
		.scanout_set = on_scanout_set,
		.scanout_disable = on_scanout_disable,
		.scanout_update = on_scanout_update,
		.cursor_set = on_cursor_set,
		.cursor_move = on_cursor_move,
		.cursor_hide = on_cursor_hide,
		.log = on_log,
		.resource_uuid = on_uuid,
		.scanout_dmabuf = mode->fds ? on_scanout_dmabuf : NULL,
	};
}

void fuzz_host_new_request(struct fuzz_host *h)
{
	h->req_translates = 0;
}

void fuzz_host_fini(struct fuzz_host *h)
{
	for (size_t i = 0; i < h->nram; i++) {
		for (int v = 0; v < 2; v++)
			munmap(h->ram[i].map[v], h->ram[i].map_len);
	}
	h->nram = 0;
	h->ram_total = 0;
}

void fuzz_host_forget_scanouts(struct fuzz_host *h)
{
	memset(h->scanouts, 0, sizeof(h->scanouts));
}

void fuzz_host_read_scanouts(struct fuzz_host *h)
{
	for (size_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		const struct host_scanout *so = &h->scanouts[i];

		if (so->shown && !so->dmabuf)
			read_pixels(h, so->px.data, so->px.stride, 0, 0, so->width, so->height);
	}
}
