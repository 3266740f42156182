/* SPDX-License-Identifier: MIT */
/*
 * Writes a read-back frame as text lines on the console, for the host to
 * compare with its screendump:
 *
 *   VGM-GL-DUMP-BEGIN w=W h=H
 *   VGM-GL-DUMP 1280x1a2b3c 3x000000 ...     runs: count x RRGGBB
 *   VGM-GL-DUMP-END pixels=N runs=R crc32=XXXXXXXX
 *
 * Pixels in screen order (top row first, left to right), runs may cross
 * rows; crc32 (zlib's) is over the R G B bytes in that order.
 */
#ifndef VGM_GL_DUMP_H
#define VGM_GL_DUMP_H

#include <stdint.h>
#include <stdio.h>

/* rgba: w x h RGBA bytes, bottom row first (glReadPixels' order). */
void dump_frame(FILE *f, const uint8_t *rgba, int w, int h);

#endif
