/* SPDX-License-Identifier: MIT */
/*
 * The EDID of a virtual display: what GET_EDID answers when the VMM did not
 * supply its own, and the plausibility check applied when it did.
 */
#ifndef VGM_EDID_H
#define VGM_EDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDID_BLOCK_SIZE 128
#define EDID_MAX_SIZE 1024 /* what a virtio-gpu GET_EDID response can carry */

/* Builds the EDID of a virtual display whose preferred mode is width x height at 60 Hz
 * (or the highest refresh <= 60 Hz whose pixel clock fits the descriptor).
 * scanout (0..15) makes the serial number distinct per display.
 * Writes the blocks into out and returns their length in bytes (a multiple of 128).
 *
 * The refresh rates tried are the conventional ones, 60, 50, 48, 30, 25, 24, 20, 15,
 * 12, 10, 6, 5, 4, 3, 2, 1 Hz, highest first. "Fits" means: the pixel clock fits a
 * detailed timing descriptor (655.35 MHz) when the mode is carried in one, and the
 * mode stays inside what the range limits descriptor can state (2550 MHz, 510 kHz).
 * So 3840x2160 and 8192x4320 keep 60 Hz, 4095x4095 gets 30 Hz (DTD clock) and
 * 16384x16384 6 Hz (range limits).
 *
 * width and height outside 1..16384 are clamped into it, scanout above 15 is
 * treated as 15. At most 3 blocks (384 bytes) are written; out's previous
 * contents do not matter.
 * Output depends only on the arguments. Pure function: safe from any thread.
 */
size_t edid_generate(uint32_t width, uint32_t height, uint32_t scanout, uint8_t out[EDID_MAX_SIZE]);

/* True when buf/len is a plausible EDID: len a multiple of 128, 128..1024, the 8-byte header,
 * every block's checksum 0, extension count consistent with len. Used to validate EDIDs the VMM supplies.
 *
 * NULL buf gives false. Reads only buf[0..len). Does not judge the contents of the
 * blocks beyond that. Pure function: safe from any thread.
 */
bool edid_valid(const uint8_t *buf, size_t len);

#endif /* VGM_EDID_H */
