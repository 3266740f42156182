/* SPDX-License-Identifier: MIT */
/*
 * Callbacks: the library maps guest memory through the memory table and
 * reports what the scanouts and the cursor show, which goes to QEMU's
 * display; the display reports QEMU's answers.
 */
#include <errno.h>

#include "gpu-private.h"
#include "log.h"

/* --- the library ----------------------------------------------------------- */

static int host_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct gpu *g = host;
	struct mem_span span;

	if (!g->mt || memtable_map_gpa(g->mt, gpa, len, &span) < 0)
		return -EFAULT;
	map->ptr = span.ptr;
	map->len = span.len;
	map->cookie = span.region;
	/* Also tells the library to keep the cookie for release(): without an
	 * fd it gives nothing back, and a replaced table could not be unmapped. */
	map->fd = span.fd;
	map->fd_offset = span.fd_offset;
	return 0;
}

static void host_release(void *host, const struct vgm_guest_map *map)
{
	(void)host;
	mem_region_unref(map->cookie);
}

static void host_scanout_set(void *host, uint32_t scanout, const struct vgm_pixels *px)
{
	struct gpu *g = host;

	log_debug("scanout %u: %ux%u fourcc 0x%08x", scanout, px->width, px->height, px->fourcc);
	display_scanout_set(g->disp, scanout, px);
	g->scanouts_changed = true;
}

static void host_scanout_disable(void *host, uint32_t scanout)
{
	struct gpu *g = host;

	log_debug("scanout %u: disabled", scanout);
	display_scanout_disable(g->disp, scanout);
	g->scanouts_changed = true;
}

static void host_scanout_update(void *host, uint32_t scanout, const struct vgm_rect *r)
{
	struct gpu *g = host;

	display_scanout_update(g->disp, scanout, r);
}

static void host_cursor_set(void *host, uint32_t scanout, const struct vgm_cursor *c)
{
	struct gpu *g = host;

	display_cursor_set(g->disp, scanout, c);
}

static void host_cursor_move(void *host, uint32_t scanout, uint32_t x, uint32_t y)
{
	struct gpu *g = host;

	display_cursor_move(g->disp, scanout, x, y);
}

static void host_cursor_hide(void *host, uint32_t scanout)
{
	struct gpu *g = host;

	display_cursor_hide(g->disp, scanout);
}

static void host_log(void *host, enum vgm_log_level level, const char *msg)
{
	(void)host;
	log_msg(level, "virtgpu-mem: %s", msg);
}

/* config_changed is left out: QEMU keeps events_read itself for
 * vhost-user-gpu and raises the config interrupt on its own. */
const struct vgm_host_ops gpu_host_ops = {
	.size = sizeof(struct vgm_host_ops),
	.translate = host_translate,
	.release = host_release,
	.scanout_set = host_scanout_set,
	.scanout_disable = host_scanout_disable,
	.scanout_update = host_scanout_update,
	.cursor_set = host_cursor_set,
	.cursor_move = host_cursor_move,
	.cursor_hide = host_cursor_hide,
	.log = host_log,
	.request_done = gpu_request_done,
};

/* --- the display ------------------------------------------------------------ */

/* A new display socket knows nothing: show it what the scanouts show. */
static void on_display_attached(void *ctx)
{
	struct gpu *g = ctx;
	struct vgm_pixels px;

	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		if (vgm_device_get_scanout_pixels(g->dev, i, &px) == 0) {
			display_scanout_set(g->disp, i, &px);
			g->scanouts_changed = true;
		}
	}
	gpu_tell_owners(g);
	display_request_info(g->disp);
}

void gpu_tell_owners(struct gpu *g)
{
	if (!g->scanouts_changed)
		return;
	g->scanouts_changed = false;
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		struct vgm_scanout_info si = { .size = sizeof(si) };

		if (vgm_device_get_scanout_info(g->dev, i, &si) < 0)
			break; /* past the device's scanouts */
		display_scanout_owner(g->disp, i, si.resource_id);
	}
}

static void on_display_modes(void *ctx, const struct display_mode modes[DISPLAY_MODES])
{
	struct gpu *g = ctx;

	for (uint32_t i = 0; i < DISPLAY_MODES; i++) {
		struct vgm_scanout_info si = { .size = sizeof(si) };
		const struct display_mode *m = &modes[i];

		if (vgm_device_get_scanout_info(g->dev, i, &si) < 0)
			break;
		if (si.enabled == m->enabled &&
		    (!m->width || !m->height || (si.width == m->width && si.height == m->height)))
			continue;
		log_info("display %u: %s %ux%u", i, m->enabled ? "enabled" : "disabled", m->width,
			 m->height);
		vgm_device_set_display(g->dev, i, m->enabled, m->width, m->height);
	}
}

/* QEMU answers with its whole 1024-byte buffer: the EDID is the base block
 * and the extension blocks it counts (byte 126). */
static size_t edid_length(const uint8_t *edid, size_t len)
{
	size_t blocks;

	if (len < 128)
		return len;
	blocks = 1 + (size_t)edid[126];
	return blocks * 128 <= len ? blocks * 128 : len;
}

static void on_display_edid(void *ctx, uint32_t scanout, const uint8_t *edid, size_t len)
{
	struct gpu *g = ctx;

	len = edid_length(edid, len);
	if (vgm_device_set_edid(g->dev, scanout, edid, len) < 0) {
		log_warn("QEMU's EDID for scanout %u (%zu bytes) refused; the generated one stays",
			 scanout, len);
		return;
	}
	log_debug("EDID of scanout %u from QEMU (%zu bytes)", scanout, len);
	if (g->rec.edid)
		g->rec.edid(g->rec.ctx, scanout, edid, len);
}

static void on_display_idle(void *ctx)
{
	gpu_resume(ctx);
}

const struct display_ops gpu_display_ops = {
	.attached = on_display_attached,
	.modes = on_display_modes,
	.edid = on_display_edid,
	.idle = on_display_idle,
};
