/* SPDX-License-Identifier: MIT */
/*
 * The 2D formats: virtio's names (bytes in memory order), the pixman format
 * that reads the same bytes, and the DRM fourcc that names them (fourcc
 * names are little-endian 32-bit words, hence the reversed letters).
 */
#include <drm_fourcc.h>

#include "render-impl.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* pixman formats name host-endian words: a big-endian host needs the
 * reversed column. Nobody has run the library on one yet. */
#error "virtgpu-mem's format table assumes a little-endian host"
#endif

static const struct format_info formats[] = {
	{ VGM_GPU_FORMAT_B8G8R8A8_UNORM, DRM_FORMAT_ARGB8888, PIXMAN_a8r8g8b8, 4, "B8G8R8A8" },
	{ VGM_GPU_FORMAT_B8G8R8X8_UNORM, DRM_FORMAT_XRGB8888, PIXMAN_x8r8g8b8, 4, "B8G8R8X8" },
	{ VGM_GPU_FORMAT_A8R8G8B8_UNORM, DRM_FORMAT_BGRA8888, PIXMAN_b8g8r8a8, 4, "A8R8G8B8" },
	{ VGM_GPU_FORMAT_X8R8G8B8_UNORM, DRM_FORMAT_BGRX8888, PIXMAN_b8g8r8x8, 4, "X8R8G8B8" },
	{ VGM_GPU_FORMAT_R8G8B8A8_UNORM, DRM_FORMAT_ABGR8888, PIXMAN_a8b8g8r8, 4, "R8G8B8A8" },
	{ VGM_GPU_FORMAT_X8B8G8R8_UNORM, DRM_FORMAT_RGBX8888, PIXMAN_r8g8b8x8, 4, "X8B8G8R8" },
	{ VGM_GPU_FORMAT_A8B8G8R8_UNORM, DRM_FORMAT_RGBA8888, PIXMAN_r8g8b8a8, 4, "A8B8G8R8" },
	{ VGM_GPU_FORMAT_R8G8B8X8_UNORM, DRM_FORMAT_XBGR8888, PIXMAN_x8b8g8r8, 4, "R8G8B8X8" },
};

/* Formats the host may ask pixels in, beyond those of resources. */
static const struct format_info host_formats[] = {
	{ 0, DRM_FORMAT_BGR888, PIXMAN_b8g8r8, 3, "BGR888" },
};

const struct format_info *format_from_fourcc(uint32_t fourcc)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(host_formats); i++) {
		if (host_formats[i].fourcc == fourcc)
			return &host_formats[i];
	}
	return NULL;
}

const struct format_info *format_from_virtio(uint32_t virtio_format)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (formats[i].virtio == virtio_format)
			return &formats[i];
	}
	return NULL;
}
