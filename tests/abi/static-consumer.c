/* SPDX-License-Identifier: MIT */
/*
 * A VMM linked with the static library that has functions of its own
 * named as the library's internal ones: log_init(), region_create(),
 * resource_new(). The archive must define nothing but the vgm_ API as a
 * global (lib/meson.build makes its internals local), or this program
 * does not link ("multiple definition of log_init").
 *
 * Then the library must still work with its own internals, not ours: a
 * device is made, GET_DISPLAY_INFO answers with the display, an unknown
 * command is logged through the host's log callback, and none of our
 * functions was called by the library.
 *
 * A plain program: it prints every failed check and exits 1 if there is any.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include <virtgpu-mem/virtgpu-mem.h>

/* The VMM's own functions, with the names of the library's internal ones
 * (and other signatures: the linker does not care, a clash is a clash). */
int log_init(const char *vmm_name);
void *region_create(size_t size);
int resource_new(int kind);

static int vmm_calls;

int log_init(const char *vmm_name)
{
	vmm_calls++;
	return vmm_name ? 1001 : -1;
}

void *region_create(size_t size)
{
	static char region[64];

	vmm_calls++;
	return size <= sizeof(region) ? region : NULL;
}

int resource_new(int kind)
{
	vmm_calls++;
	return 3000 + kind;
}

struct host {
	int logs;
	char last_log[256];
};

static int translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host;
	(void)gpa;
	(void)len;
	(void)map;
	return -EFAULT; /* no guest RAM: the requests below name none */
}

static void on_log(void *opaque, enum vgm_log_level level, const char *msg)
{
	struct host *h = opaque;

	(void)level;
	h->logs++;
	snprintf(h->last_log, sizeof(h->last_log), "%s", msg);
}

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAIL: %s\n", what);
		failures++;
	}
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Submits a bare 24-byte header of this type; returns the bytes written. */
static size_t submit_hdr(struct vgm_device *dev, uint32_t type, uint8_t *resp, size_t resp_len)
{
	uint8_t req[24] = { (uint8_t)type, (uint8_t)(type >> 8) };
	struct iovec in = { req, sizeof(req) }, out = { resp, resp_len };
	size_t written = 0;

	check(vgm_device_submit(dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) == 0,
	      "vgm_device_submit returns 0");
	return written;
}

int main(void)
{
	static const struct vgm_host_ops ops = {
		.size = sizeof(ops),
		.translate = translate,
		.log = on_log,
	};
	struct host h = { 0 };
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_STANDARD,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.scanouts = { { .enabled = 1, .width = 800, .height = 600 } },
		.ops = &ops,
		.host = &h,
	};
	struct vgm_device *dev = NULL;
	uint8_t resp[512];
	size_t n;

	check(vgm_device_new(&cfg, &dev) == 0 && dev, "vgm_device_new makes a device");
	if (!dev)
		return 1;
	n = submit_hdr(dev, VGM_GPU_CMD_GET_DISPLAY_INFO, resp, sizeof(resp));
	/* 24-byte header, then pmodes[0]: rect (x, y, width, height), enabled. */
	check(n == 24 + 16 * 24, "GET_DISPLAY_INFO writes the whole response");
	check(n >= 48 && le32(resp) == VGM_GPU_RESP_OK_DISPLAY_INFO,
	      "GET_DISPLAY_INFO answers OK_DISPLAY_INFO");
	check(n >= 48 && le32(resp + 32) == 800 && le32(resp + 36) == 600 && le32(resp + 40) == 1,
	      "scanout 0 is the 800x600 display");
	n = submit_hdr(dev, 0x0fffu, resp, sizeof(resp));
	check(n == 24 && le32(resp) == VGM_GPU_RESP_ERR_UNSPEC, "an unknown command is refused");
	check(h.logs == 1, "the library logs it once, through the host's log callback");
	vgm_device_destroy(dev);

	check(vmm_calls == 0, "the library called none of the VMM's functions");
	check(log_init("vmm") == 1001 && region_create(8) && resource_new(7) == 3007,
	      "the VMM's own log_init, region_create and resource_new are its own");
	if (failures) {
		printf("%d check(s) failed (last log: %s)\n", failures, h.last_log);
		return 1;
	}
	printf("a static consumer with its own log_init, region_create, resource_new: OK\n");
	return 0;
}
