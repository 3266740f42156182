/* SPDX-License-Identifier: MIT */
/*
 * The virtgpu-mem demo: one program plays both the guest and the VMM.
 *
 * The VMM side owns a fake guest RAM and creates a device in the memory-rfc
 * dialect. The guest side builds requests as a driver would: it creates one
 * memory region as a pool made of scattered guest pages, places two
 * resources in it, draws into guest memory, transfers, shows the resources
 * on two scanouts and flushes them. Then it writes what each scanout shows
 * to a PNG file, and drops the region and the resources.
 *
 * Usage: vgm-demo [OUTDIR]   (default: the current directory)
 */
#include <errno.h>
#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <drm_fourcc.h>
#include <virtgpu-mem/virtgpu-mem.h>

#define PAGE 4096u
#define RAM_BASE 0x40000000ull /* guest physical address of our fake RAM */
#define RAM_PAGES 512u
#define POOL_ID 1u

/* ---- the VMM side ------------------------------------------------------- */

struct vmm {
	uint8_t *ram;
	struct vgm_device *dev;
};

/* Guest RAM is one contiguous host allocation here, as in most VMMs. */
static int translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct vmm *vmm = host;
	uint64_t end = RAM_BASE + (uint64_t)RAM_PAGES * PAGE;

	if (gpa < RAM_BASE || gpa >= end)
		return -EFAULT;
	map->ptr = vmm->ram + (gpa - RAM_BASE);
	map->len = len < end - gpa ? len : end - gpa;
	return 0;
}

static void on_scanout_set(void *host, uint32_t scanout, const struct vgm_pixels *px)
{
	(void)host;
	printf("   host: scanout %u shows %ux%u, fourcc %.4s, stride %u\n", scanout, px->width,
	       px->height, (const char *)&px->fourcc, px->stride);
}

static void on_update(void *host, uint32_t scanout, const struct vgm_rect *r)
{
	(void)host;
	printf("   host: scanout %u updated at %u,%u %ux%u\n", scanout, r->x, r->y, r->width,
	       r->height);
}

static void on_log(void *host, enum vgm_log_level level, const char *msg)
{
	(void)host;
	printf("   log(%d): %s\n", level, msg);
}

/* ---- the guest side: requests as a driver builds them ------------------- */

struct req {
	uint8_t buf[4096];
	size_t len;
};

static void put32(struct req *r, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		r->buf[r->len++] = (uint8_t)(v >> (8 * i));
}

static void put64(struct req *r, uint64_t v)
{
	put32(r, (uint32_t)v);
	put32(r, (uint32_t)(v >> 32));
}

/* Starts a request: the 24-byte header, no fence. */
static void begin(struct req *r, uint32_t type)
{
	r->len = 0;
	put32(r, type);
	put32(r, 0);  /* flags */
	put64(r, 0);  /* fence_id */
	put32(r, 0);  /* ctx_id */
	put32(r, 0);  /* ring_idx and padding */
}

/* Sends a request, prints it and its response; returns the response type. */
static uint32_t send(struct vmm *vmm, struct req *r, const char *args, uint8_t *resp, size_t cap)
{
	struct iovec in = { r->buf, r->len }, out = { resp, cap };
	uint32_t type = (uint32_t)r->buf[0] | (uint32_t)r->buf[1] << 8;
	uint32_t rtype;
	size_t written = 0;

	printf("-> %s %s\n", vgm_command_name(VGM_DIALECT_MEMORY_RFC, type), args);
	if (vgm_device_submit(vmm->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) < 0 ||
	    written < 24) {
		fprintf(stderr, "demo: submit failed\n");
		exit(1);
	}
	rtype = (uint32_t)resp[0] | (uint32_t)resp[1] << 8;
	printf("<- %s (%zu bytes)\n", vgm_response_name(VGM_DIALECT_MEMORY_RFC, rtype), written);
	return rtype;
}

static void __attribute__((format(printf, 3, 4)))
expect_ok(struct vmm *vmm, struct req *r, const char *fmt, ...)
{
	uint8_t resp[1056];
	char args[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (send(vmm, r, args, resp, sizeof(resp)) >= VGM_GPU_RESP_ERR_UNSPEC) {
		fprintf(stderr, "demo: the device refused a request\n");
		exit(1);
	}
}

/* The pool's pages, scattered through guest RAM as a guest's allocator
 * leaves them: page i of the pool is guest page (i * 7) % RAM_PAGES. */
static uint64_t pool_page(uint32_t i)
{
	return RAM_BASE + (uint64_t)((i * 7u) % RAM_PAGES) * PAGE;
}

/* The guest writes through its own view of the pool. */
static void pool_write32(struct vmm *vmm, uint64_t off, uint32_t v)
{
	uint8_t *p = vmm->ram + (pool_page((uint32_t)(off / PAGE)) - RAM_BASE) + off % PAGE;

	memcpy(p, &v, sizeof(v));
}

struct image {
	uint32_t id;
	uint32_t format;
	uint32_t width, height;
	uint64_t offset; /* in the pool */
	uint32_t scanout;
};

static void memory_create(struct vmm *vmm, uint32_t pages)
{
	struct req r;

	begin(&r, VGM_GPU_CMD_MEMORY_CREATE);
	put64(&r, (uint64_t)pages * PAGE);
	put32(&r, POOL_ID);
	put32(&r, pages);
	put32(&r, 0); /* flags */
	put32(&r, 0); /* padding */
	for (uint32_t i = 0; i < pages; i++) {
		put64(&r, pool_page(i));
		put32(&r, PAGE);
		put32(&r, 0);
	}
	expect_ok(vmm, &r, "memory_id=%u size=%u nr_entries=%u (scattered pages)", POOL_ID,
		  pages * PAGE, pages);
}

static void create_and_place(struct vmm *vmm, const struct image *im)
{
	struct req r;

	begin(&r, VGM_GPU_CMD_RESOURCE_CREATE_2D);
	put32(&r, im->id);
	put32(&r, im->format);
	put32(&r, im->width);
	put32(&r, im->height);
	expect_ok(vmm, &r, "resource_id=%u format=%u %ux%u", im->id, im->format, im->width,
		  im->height);
	begin(&r, VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY);
	put32(&r, im->id);
	put32(&r, POOL_ID);
	put64(&r, im->offset);
	put64(&r, 0);
	put64(&r, 0);
	put64(&r, 0);
	expect_ok(vmm, &r, "resource_id=%u memory_id=%u offset=%llu", im->id, POOL_ID,
		  (unsigned long long)im->offset);
}

/* Image 1: a colour gradient (bytes B, G, R, X). Image 2: a checkerboard
 * with a diagonal (bytes R, G, B, A). */
static uint32_t pixel(const struct image *im, uint32_t x, uint32_t y)
{
	if (im->format == VGM_GPU_FORMAT_B8G8R8X8_UNORM) {
		uint32_t r = x * 255 / im->width, g = y * 255 / im->height;

		return 0xff000000u | r << 16 | g << 8 | 0x80;
	}
	if (x == y)
		return 0xff0000ffu; /* R=ff: red diagonal */
	return ((x / 32 + y / 32) % 2) ? 0xffffffffu : 0xff804000u; /* white / blue-ish */
}

static void draw(struct vmm *vmm, const struct image *im)
{
	for (uint32_t y = 0; y < im->height; y++) {
		for (uint32_t x = 0; x < im->width; x++)
			pool_write32(vmm, im->offset + ((uint64_t)y * im->width + x) * 4,
				     pixel(im, x, y));
	}
}

static void show(struct vmm *vmm, const struct image *im)
{
	struct req r;

	begin(&r, VGM_GPU_CMD_TRANSFER_TO_HOST_2D);
	put32(&r, 0);
	put32(&r, 0);
	put32(&r, im->width);
	put32(&r, im->height);
	put64(&r, 0);
	put32(&r, im->id);
	put32(&r, 0);
	expect_ok(vmm, &r, "resource_id=%u %ux%u", im->id, im->width, im->height);
	begin(&r, VGM_GPU_CMD_SET_SCANOUT);
	put32(&r, 0);
	put32(&r, 0);
	put32(&r, im->width);
	put32(&r, im->height);
	put32(&r, im->scanout);
	put32(&r, im->id);
	expect_ok(vmm, &r, "scanout_id=%u resource_id=%u", im->scanout, im->id);
	begin(&r, VGM_GPU_CMD_RESOURCE_FLUSH);
	put32(&r, 0);
	put32(&r, 0);
	put32(&r, im->width);
	put32(&r, im->height);
	put32(&r, im->id);
	put32(&r, 0);
	expect_ok(vmm, &r, "resource_id=%u %ux%u", im->id, im->width, im->height);
}

static void drop(struct vmm *vmm, uint32_t type, uint32_t id, const char *what)
{
	struct req r;

	begin(&r, type);
	put32(&r, id);
	put32(&r, 0);
	expect_ok(vmm, &r, "%s=%u", what, id);
}

/* ---- the VMM again: what the scanouts show, as PNG ---------------------- */

static int write_png(struct vmm *vmm, uint32_t scanout, const char *dir)
{
	struct vgm_scanout_info info = { .size = sizeof(info) };
	png_image png = { .version = PNG_IMAGE_VERSION };
	uint8_t *rgb;
	uint32_t stride;
	char path[4096];
	int ok;

	if (vgm_device_get_scanout_info(vmm->dev, scanout, &info) < 0)
		return -1;
	stride = (info.rect.width * 3 + 3) & ~3u;
	rgb = malloc((size_t)stride * info.rect.height);
	if (!rgb || vgm_device_read_scanout(vmm->dev, scanout, DRM_FORMAT_BGR888, rgb, stride)) {
		free(rgb);
		return -1;
	}
	png.width = info.rect.width;
	png.height = info.rect.height;
	png.format = PNG_FORMAT_RGB;
	snprintf(path, sizeof(path), "%s/scanout-%u.png", dir, scanout);
	ok = png_image_write_to_file(&png, path, 0, rgb, (png_int_32)stride, NULL);
	free(rgb);
	printf("   host: wrote %s (%ux%u)\n", path, info.rect.width, info.rect.height);
	return ok ? 0 : -1;
}

static struct vgm_device *make_device(struct vmm *vmm)
{
	static const struct vgm_host_ops ops = {
		.size = sizeof(ops),
		.translate = translate,
		.scanout_set = on_scanout_set,
		.scanout_update = on_update,
		.log = on_log,
	};
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_MEMORY_RFC,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 2,
		.scanouts = { { 1, 320, 240 }, { 1, 256, 256 } },
		.ops = &ops,
		.host = vmm,
	};
	struct vgm_device *dev = NULL;
	uint64_t features;

	if (vgm_device_new(&cfg, &dev) < 0 || vgm_device_get_features(dev, &features) < 0 ||
	    vgm_device_set_features(dev, features) < 0)
		return NULL;
	return dev;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	struct vmm vmm = { .ram = calloc(RAM_PAGES, PAGE) };
	struct image a = { 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 320, 240, 0, 0 };
	struct image b = { 2, VGM_GPU_FORMAT_R8G8B8A8_UNORM, 256, 256, 320 * 240 * 4, 1 };
	uint32_t pages = (uint32_t)((b.offset + (uint64_t)b.width * b.height * 4 + PAGE - 1) / PAGE);
	struct req r;
	int err = 0;

	mkdir(dir, 0755);
	vmm.dev = vmm.ram ? make_device(&vmm) : NULL;
	if (!vmm.dev) {
		fprintf(stderr, "demo: cannot create the device\n");
		return 1;
	}
	begin(&r, VGM_GPU_CMD_GET_DISPLAY_INFO);
	expect_ok(&vmm, &r, "%s", "");
	memory_create(&vmm, pages);
	create_and_place(&vmm, &a);
	create_and_place(&vmm, &b);
	draw(&vmm, &a);
	draw(&vmm, &b);
	show(&vmm, &a);
	show(&vmm, &b);
	err |= write_png(&vmm, 0, dir);
	err |= write_png(&vmm, 1, dir);
	/* The region outlives its name while the resources use it. */
	drop(&vmm, VGM_GPU_CMD_MEMORY_UNREF, POOL_ID, "memory_id");
	drop(&vmm, VGM_GPU_CMD_RESOURCE_UNREF, a.id, "resource_id");
	drop(&vmm, VGM_GPU_CMD_RESOURCE_UNREF, b.id, "resource_id");
	vgm_device_destroy(vmm.dev);
	free(vmm.ram);
	return err ? 1 : 0;
}
