/* SPDX-License-Identifier: MIT */
/*
 * A small library for check-abi.py's self-test: exported functions whose
 * parameters reach every public struct of <virtgpu-mem/virtgpu-mem.h>, the
 * way the library's own functions do. The self-test builds it against
 * copies of the header changed one way each, and -DPROBE_ADDED (a
 * function more) or -DPROBE_WITHOUT_STATS (a function fewer).
 */
#include <virtgpu-mem/virtgpu-mem.h>

/* The config reaches vgm_host_ops, and through its callbacks vgm_guest_map,
 * vgm_pixels, vgm_rect, vgm_cursor and vgm_dmabuf; its scanouts are
 * vgm_scanout_config. */
VGM_EXPORT int probe_device_new(const struct vgm_device_config *config);
VGM_EXPORT int probe_resource_info(struct vgm_resource_info *info);
VGM_EXPORT int probe_scanout_info(struct vgm_scanout_info *info);
VGM_EXPORT int probe_stats(struct vgm_stats *stats);
VGM_EXPORT const struct vgm_wire_command *probe_wire_command(enum vgm_dialect dialect);
VGM_EXPORT void probe_log(enum vgm_log_level level, enum vgm_queue queue);

int probe_device_new(const struct vgm_device_config *config)
{
	return config->ops->translate(config->host, 0, 1, NULL);
}

int probe_resource_info(struct vgm_resource_info *info)
{
	return (int)info->size;
}

int probe_scanout_info(struct vgm_scanout_info *info)
{
	return (int)info->size;
}

#ifndef PROBE_WITHOUT_STATS
int probe_stats(struct vgm_stats *stats)
{
	return (int)stats->size;
}
#endif

const struct vgm_wire_command *probe_wire_command(enum vgm_dialect dialect)
{
	(void)dialect;
	return NULL;
}

void probe_log(enum vgm_log_level level, enum vgm_queue queue)
{
	(void)level;
	(void)queue;
}

#ifdef PROBE_ADDED
VGM_EXPORT int probe_added(const struct vgm_rect *rect);

int probe_added(const struct vgm_rect *rect)
{
	return (int)rect->x;
}
#endif
