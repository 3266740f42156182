/* SPDX-License-Identifier: MIT */
/*
 * The device: made from the VMM's config (the layers' objects built in
 * place in one allocation), destroyed, reset; its features and its
 * configuration space.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api-impl.h"

/* What a 0.1 caller's struct vgm_host_ops holds. */
#define HOST_OPS_SIZE_0_1 offsetof(struct vgm_host_ops, resource_uuid)
/* What a 0.1 or 0.2 caller's struct vgm_device_config holds. */
#define CONFIG_SIZE_0_1 offsetof(struct vgm_device_config, max_table_pieces)

static uint64_t dialect_features(enum vgm_dialect dialect)
{
	if (dialect == VGM_DIALECT_MEMORY_RFC)
		return 1ull << VGM_GPU_F_EDID | 1ull << VGM_GPU_F_MEMORY;
	return 1ull << VGM_GPU_F_EDID | 1ull << VGM_GPU_F_RESOURCE_UUID |
	       1ull << VGM_GPU_F_RESOURCE_BLOB;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

static int check_config(struct vgm_device *dev, const struct vgm_device_config *cfg)
{
	if (cfg->dialect > VGM_DIALECT_MEMORY_RFC)
		return api_misuse(dev, "vgm_device_new: unknown dialect");
	if (cfg->flags & ~VGM_DEVICE_SAVEABLE)
		return api_misuse(dev, "vgm_device_new: unknown flags");
	if (cfg->num_scanouts < 1 || cfg->num_scanouts > VGM_MAX_SCANOUTS)
		return api_misuse(dev, "vgm_device_new: num_scanouts must be 1..16");
	for (uint32_t i = 0; i < cfg->num_scanouts; i++) {
		if (cfg->scanouts[i].width > MAX_DISPLAY_SIZE ||
		    cfg->scanouts[i].height > MAX_DISPLAY_SIZE)
			return api_misuse(dev, "vgm_device_new: scanout size above 16384");
	}
	return 0;
}

/* What the core is made of: the config with its defaults applied. */
static void core_config(const struct vgm_device_config *cfg, struct core_config *cc)
{
	*cc = (struct core_config){
		.dialect = (enum vgm_dialect)cfg->dialect,
		.offered = cfg->features & dialect_features((enum vgm_dialect)cfg->dialect),
		.num_scanouts = cfg->num_scanouts,
		.limits = {
			.host_memory = cfg->max_host_memory ? cfg->max_host_memory
							    : VGM_DEFAULT_MAX_HOST_MEMORY,
			.backing_entries = or_default(cfg->max_backing_entries,
						      VGM_DEFAULT_MAX_BACKING_ENTRIES),
			.resources = or_default(cfg->max_resources, VGM_DEFAULT_MAX_RESOURCES),
			.regions = or_default(cfg->max_regions, VGM_DEFAULT_MAX_REGIONS),
			.table_pieces = or_default(cfg->max_table_pieces,
						   VGM_DEFAULT_MAX_TABLE_PIECES),
		},
	};
	for (uint32_t i = 0; i < cfg->num_scanouts; i++) {
		const struct vgm_scanout_config *sc = &cfg->scanouts[i];
		bool unsized = sc->width == 0 || sc->height == 0;

		cc->displays[i] = (struct core_display){
			.enabled = sc->enabled != 0,
			.width = unsized ? VGM_DEFAULT_WIDTH : sc->width,
			.height = unsized ? VGM_DEFAULT_HEIGHT : sc->height,
		};
	}
}

/* The device and what the layers build in place after it, in one
 * allocation: as many as when the device was one struct. */
static struct vgm_device *device_alloc(const struct vgm_host_ops *ops, void *data,
				       uint32_t log_level, uint32_t num_scanouts)
{
	size_t head = place_round(sizeof(struct vgm_device));
	size_t at_core = head + host_size() + logger_size();
	size_t at_render = at_core + core_size(num_scanouts);
	size_t at_dispatch = at_render + render_size(num_scanouts);
	struct vgm_device *dev = calloc(1, at_dispatch + dispatch_size());

	if (!dev)
		return NULL;
	dev->host = place_at(dev, head);
	dev->log = place_at(dev, head + host_size());
	dev->core = place_at(dev, at_core);
	dev->render = place_at(dev, at_render);
	dev->dispatch = place_at(dev, at_dispatch);
	host_init(dev->host, ops, data);
	logger_init(dev->log, dev->host, log_level);
	return dev;
}

VGM_EXPORT int vgm_device_new(const struct vgm_device_config *config, struct vgm_device **out)
{
	struct vgm_device_config cfg;
	struct vgm_host_ops ops;
	struct core_config cc;
	struct vgm_device *dev;

	if (!config || !out || !copy_sized(&cfg, sizeof(cfg), config, config->size,
					      CONFIG_SIZE_0_1))
		return -EINVAL;
	if (!cfg.ops || !copy_sized(&ops, sizeof(ops), cfg.ops, cfg.ops->size, HOST_OPS_SIZE_0_1))
		return -EINVAL;
	/* Sized for a valid count; an invalid one is refused below, logged. */
	dev = device_alloc(&ops, cfg.host, cfg.log_level,
			   cfg.num_scanouts - 1 < VGM_MAX_SCANOUTS ? cfg.num_scanouts : 1);
	if (!dev)
		return -ENOMEM;
	if (!ops.translate || check_config(dev, &cfg) < 0) {
		if (!ops.translate)
			api_misuse(dev, "vgm_device_new: ops->translate is required");
		free(dev);
		return -EINVAL;
	}
	core_config(&cfg, &cc);
	if (core_init(dev->core, &cc, dev->host, dev->log) < 0) {
		free(dev);
		return -ENOMEM;
	}
	render_init(dev->render, dev->core, dev->host, dev->log, &render_2d_ops, NULL);
	dispatch_init(dev->dispatch, dev->core, dev->render, dev->host, dev->log);
	dev->saveable = cfg.flags & VGM_DEVICE_SAVEABLE;
	*out = dev;
	return 0;
}

VGM_EXPORT void vgm_device_destroy(struct vgm_device *dev)
{
	/* Refused (logged) inside a callback: the device stays valid. */
	if (api_enter(dev, __func__) < 0)
		return;
	dispatch_fini(dev->dispatch);
	core_fini(dev->core);
	render_fini(dev->render);
	free(dev);
}

VGM_EXPORT int vgm_device_reset(struct vgm_device *dev)
{
	struct dispatch_done done[16];
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	/* Nothing is in flight with the 2D renderer; a renderer that completes
	 * later has its requests answered ERR_UNSPEC here. */
	while (dispatch_cancel(dev->dispatch, done, ARRAY_SIZE(done)))
		continue;
	core_reset(dev->core);
	dev->loaded = false; /* nothing loaded is left to resume */
	return 0;
}

VGM_EXPORT int vgm_device_get_features(const struct vgm_device *dev, uint64_t *offered)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (!offered)
		return -EINVAL;
	*offered = core_offered(dev->core);
	return 0;
}

VGM_EXPORT int vgm_device_set_features(struct vgm_device *dev, uint64_t accepted)
{
	uint64_t device_bits = accepted & ((1ull << 24) - 1);
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if (device_bits & ~core_offered(dev->core))
		return api_misuse(dev, "vgm_device_set_features: a feature that was not offered");
	core_accept(dev->core, device_bits);
	dev->used = true;
	return 0;
}

static bool config_range(uint32_t offset, uint32_t len)
{
	return offset <= sizeof(struct vgm_gpu_config) &&
	       len <= sizeof(struct vgm_gpu_config) - offset;
}

VGM_EXPORT int vgm_device_config_read(const struct vgm_device *dev, uint32_t offset, void *buf,
				      uint32_t len)
{
	uint8_t bytes[16];
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if ((!buf && len) || !config_range(offset, len))
		return -EINVAL;
	core_config_bytes(dev->core, bytes);
	if (len)
		memcpy(buf, bytes + offset, len);
	return 0;
}

VGM_EXPORT int vgm_device_config_write(struct vgm_device *dev, uint32_t offset, const void *buf,
				       uint32_t len)
{
	uint8_t bytes[16] = { 0 };
	struct reader r;
	uint32_t clear;
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	if ((!buf && len) || !config_range(offset, len))
		return api_misuse(dev, "vgm_device_config_write: range outside the config space");
	if (len)
		memcpy(bytes + offset, buf, len);
	reader_init(&r, bytes + 4, 4);
	reader_u32(&r, &clear);
	core_clear_events(dev->core, clear);
	return 0;
}

struct core *device_core(const struct vgm_device *dev)
{
	return dev->core;
}

VGM_EXPORT const char *vgm_version(void)
{
	return VGM_VERSION_STRING;
}
