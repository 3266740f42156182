/* SPDX-License-Identifier: MIT */
/*
 * A dump: what a scanout shows, read as vgm-replay's dump line sees it
 * (rows of R G B bytes, and their CRC-32), and that line. The executor
 * prints it for a dump operation and saves the pixels as PPM; the writer
 * puts it in a "# expect:" comment for the replay to match.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace-private.h"

/* Reads the rows of a scanout that shows a resource (si). */
static int read_rows(const struct vgm_device *dev, uint32_t scanout,
		     const struct vgm_scanout_info *si, struct dump *d,
		     struct trace_error *err)
{
	uint64_t stride = ((uint64_t)si->rect.width * 3 + 3) & ~3ull;
	uint64_t bytes = stride * si->rect.height;
	int ret;

	d->width = si->rect.width;
	d->height = si->rect.height;
	d->stride = (size_t)stride;
	d->rgb = bytes <= SIZE_MAX && stride <= INT32_MAX ? malloc(bytes ? (size_t)bytes : 1) : NULL;
	if (!d->rgb) {
		trace_fail(err, "dump: no memory for %llu bytes", (unsigned long long)bytes);
		return -ENOMEM;
	}
	ret = vgm_device_read_scanout(dev, scanout, DRM_FORMAT_BGR888, d->rgb, (uint32_t)stride);
	if (ret < 0) {
		trace_fail(err, "dump: vgm_device_read_scanout: %s", strerror(-ret));
		dump_fini(d);
		return ret;
	}
	for (uint32_t y = 0; y < d->height; y++)
		d->crc = crc32_update(d->crc, d->rgb + y * d->stride, (size_t)d->width * 3);
	return 0;
}

int dump_read(const struct vgm_device *dev, uint32_t scanout, struct dump *d,
		    struct trace_error *err)
{
	struct vgm_scanout_info si = { .size = sizeof(si) };
	int ret = vgm_device_get_scanout_info(dev, scanout, &si);

	*d = (struct dump){ .off = true };
	if (ret < 0) {
		trace_fail(err, "dump: scanout %" PRIu32 " does not exist", scanout);
		return ret;
	}
	if (!si.resource_id)
		return 0;
	d->off = false;
	return read_rows(dev, scanout, &si, d, err);
}

void dump_fini(struct dump *d)
{
	free(d->rgb);
	d->rgb = NULL;
}

void dump_line(FILE *f, uint32_t scanout, const struct dump *d, const char *path)
{
	if (d->off)
		fprintf(f, "dump %" PRIu32 " off\n", scanout);
	else
		fprintf(f, "dump %" PRIu32 " %" PRIu32 "x%" PRIu32 " crc=%08" PRIx32 " %s\n",
			scanout, d->width, d->height, d->crc, path);
}
