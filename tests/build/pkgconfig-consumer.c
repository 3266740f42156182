/* SPDX-License-Identifier: MIT */
/*
 * A VMM built with nothing but `pkg-config --cflags --libs virtgpu-mem`:
 * the header's DRM_FORMAT_* come from <drm_fourcc.h>, whose directory the
 * .pc must give (tests/build/check-pkgconfig.sh). It makes a device, shows
 * nothing, and checks the library it runs with is the one it was built
 * against. Exits 1 with what failed.
 */
#include <drm_fourcc.h>
#include <stdio.h>
#include <string.h>

#include <virtgpu-mem/virtgpu-mem.h>

static int translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	(void)host, (void)gpa, (void)len, (void)map;
	return -1;
}

int main(void)
{
	const struct vgm_host_ops ops = { .size = sizeof(ops), .translate = translate };
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_STANDARD,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.scanouts = { { .enabled = 1 } },
		.ops = &ops,
	};
	struct vgm_device *dev = NULL;
	uint32_t fourcc = DRM_FORMAT_XRGB8888;
	int err = vgm_device_new(&cfg, &dev);

	if (err) {
		fprintf(stderr, "vgm_device_new: %d\n", err);
		return 1;
	}
	vgm_device_destroy(dev);
	if (strcmp(vgm_version(), VGM_VERSION_STRING)) {
		fprintf(stderr, "runs %s, built against %s\n", vgm_version(), VGM_VERSION_STRING);
		return 1;
	}
	printf("virtgpu-mem %s, DRM_FORMAT_XRGB8888 0x%08x\n", vgm_version(), fourcc);
	return 0;
}
