/* SPDX-License-Identifier: MIT */
/*
 * Pixels of a scanout in the format QEMU's vhost-user-gpu UPDATE message
 * carries: PIXMAN_x8r8g8b8, that is 32-bit host-endian words 0xXXRRGGBB,
 * rows packed (width * 4 bytes).
 */
#ifndef VUGPU_PIXELS_H
#define VUGPU_PIXELS_H

#include <stdbool.h>
#include <stdint.h>

#include <virtgpu-mem/virtgpu-mem.h>

/* Whether pixels_to_xrgb() knows px->fourcc. */
bool pixels_supported(uint32_t fourcc);
/* Whether fourcc's pixels already are x8r8g8b8 here (XRGB8888 and
 * ARGB8888 on a little-endian host): sent as they are. */
bool pixels_are_xrgb(uint32_t fourcc);

/*
 * Copies rectangle r of px (scanout coordinates) to dst, r->width * 4 bytes
 * per row. @return 0; -EINVAL when r is not inside px; -ENOTSUP for an
 * unknown fourcc.
 */
int pixels_to_xrgb(const struct vgm_pixels *px, const struct vgm_rect *r, uint8_t *dst);

#endif
