/* SPDX-License-Identifier: MIT */
#include <drm_fourcc.h>
#include <errno.h>
#include <string.h>

#include "pixels.h"

/* Where each 32-bit format keeps its colours: byte offsets in memory. DRM
 * fourccs name little-endian words, so XRGB8888 is B, G, R, X in memory. */
static const struct layout {
	uint32_t fourcc;
	uint8_t r, g, b;
} layouts[] = {
	{ DRM_FORMAT_XRGB8888, 2, 1, 0 }, { DRM_FORMAT_ARGB8888, 2, 1, 0 },
	{ DRM_FORMAT_XBGR8888, 0, 1, 2 }, { DRM_FORMAT_ABGR8888, 0, 1, 2 },
	{ DRM_FORMAT_RGBX8888, 3, 2, 1 }, { DRM_FORMAT_RGBA8888, 3, 2, 1 },
	{ DRM_FORMAT_BGRX8888, 1, 2, 3 }, { DRM_FORMAT_BGRA8888, 1, 2, 3 },
};

static const struct layout *find_layout(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (layouts[i].fourcc == fourcc)
			return &layouts[i];
	}
	return NULL;
}

bool pixels_supported(uint32_t fourcc)
{
	return find_layout(fourcc) != NULL;
}

static void convert_row(const struct layout *l, const uint8_t *src, uint8_t *dst, uint32_t n)
{
	for (uint32_t x = 0; x < n; x++, src += 4, dst += 4) {
		uint32_t v = (uint32_t)src[l->r] << 16 | (uint32_t)src[l->g] << 8 | src[l->b];

		memcpy(dst, &v, 4);
	}
}

bool pixels_are_xrgb(uint32_t fourcc)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return fourcc == DRM_FORMAT_XRGB8888 || fourcc == DRM_FORMAT_ARGB8888;
#else
	(void)fourcc;
	return false;
#endif
}

int pixels_to_xrgb(const struct vgm_pixels *px, const struct vgm_rect *r, uint8_t *dst)
{
	const struct layout *l = find_layout(px->fourcc);
	size_t row = (size_t)r->width * 4;

	if (!l)
		return -ENOTSUP;
	if (r->x > px->width || r->width > px->width - r->x || r->y > px->height ||
	    r->height > px->height - r->y)
		return -EINVAL;
	for (uint32_t y = 0; y < r->height; y++) {
		const uint8_t *src = (const uint8_t *)px->data + (size_t)(r->y + y) * px->stride +
				     (size_t)r->x * 4;

		if (pixels_are_xrgb(px->fourcc))
			memcpy(dst, src, row);
		else
			convert_row(l, src, dst, r->width);
		dst += row;
	}
	return 0;
}
