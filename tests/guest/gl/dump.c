/* SPDX-License-Identifier: MIT */
#include "dump.h"

#include <stddef.h>

#define RUNS_PER_LINE 12

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc;
}

struct runs {
	FILE *f;
	unsigned long count, total, on_line;
	uint32_t colour;
};

static void flush_run(struct runs *r)
{
	if (!r->count)
		return;
	if (r->on_line == 0)
		fputs("VGM-GL-DUMP", r->f);
	fprintf(r->f, " %lux%06x", r->count, (unsigned)r->colour);
	if (++r->on_line == RUNS_PER_LINE) {
		fputc('\n', r->f);
		r->on_line = 0;
	}
	r->total++;
	r->count = 0;
}

void dump_frame(FILE *f, const uint8_t *rgba, int w, int h)
{
	struct runs r = {.f = f};
	uint32_t crc = 0xffffffffu;

	fprintf(f, "VGM-GL-DUMP-BEGIN w=%d h=%d\n", w, h);
	for (int y = h - 1; y >= 0; y--) {
		const uint8_t *row = rgba + (size_t)y * (size_t)w * 4;

		for (int x = 0; x < w; x++) {
			const uint8_t *px = row + (size_t)x * 4;
			uint32_t c = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];

			crc = crc32_update(crc, px, 3);
			if (r.count && c != r.colour)
				flush_run(&r);
			r.colour = c;
			r.count++;
		}
	}
	flush_run(&r);
	if (r.on_line)
		fputc('\n', f);
	fprintf(f, "VGM-GL-DUMP-END pixels=%lu runs=%lu crc32=%08x\n", (unsigned long)w * (unsigned long)h,
		r.total, (unsigned)~crc);
	fflush(f);
}
