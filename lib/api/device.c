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

/* The sizes older callers give: the 0.1 struct, then where each later
 * member ends (a member added here adds its end). */
static const size_t host_ops_ends[] = {
	offsetof(struct vgm_host_ops, resource_uuid), /* 0.1 */
	MEMBER_END(struct vgm_host_ops, resource_uuid),
	MEMBER_END(struct vgm_host_ops, scanout_dmabuf),
	MEMBER_END(struct vgm_host_ops, request_done),
};
static const size_t config_ends[] = {
	offsetof(struct vgm_device_config, max_table_pieces), /* 0.1 and 0.2 */
	MEMBER_END(struct vgm_device_config, max_table_pieces),
	MEMBER_END(struct vgm_device_config, reserved),
	MEMBER_END(struct vgm_device_config, stream_threshold),
	MEMBER_END(struct vgm_device_config, renderer),
	MEMBER_END(struct vgm_device_config, renderer_flags),
	MEMBER_END(struct vgm_device_config, flags),
	MEMBER_END(struct vgm_device_config, reserved2),
};
static const struct sized_ends host_ops_sizes = { host_ops_ends, ARRAY_SIZE(host_ops_ends) };
static const struct sized_ends config_sizes = { config_ends, ARRAY_SIZE(config_ends) };

/* What a device can offer. With virgl: 3D, contexts of a capset
 * (CONTEXT_INIT), and no guest-memory blobs or memory regions in this
 * version (their resources are not the renderer's). */
static uint64_t offerable(const struct vgm_device_config *cfg, bool has_3d)
{
	if (has_3d)
		return 1ull << VGM_GPU_F_VIRGL | 1ull << VGM_GPU_F_EDID |
		       (cfg->dialect == VGM_DIALECT_STANDARD
				? 1ull << VGM_GPU_F_RESOURCE_UUID | 1ull << VGM_GPU_F_CONTEXT_INIT
				: 0);
	if (cfg->dialect == VGM_DIALECT_MEMORY_RFC)
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
	if (cfg->reserved || cfg->reserved2)
		return api_misuse(dev, "vgm_device_new: config's reserved field is not 0");
	if (cfg->flags & ~VGM_DEVICE_SAVEABLE)
		return api_misuse(dev, "vgm_device_new: unknown flags");
	if ((cfg->flags & VGM_DEVICE_SAVEABLE) && cfg->renderer == VGM_RENDERER_VIRGL)
		return api_misuse(dev, "vgm_device_new: a virgl device cannot be saveable");
	if (cfg->num_scanouts < 1 || cfg->num_scanouts > VGM_MAX_SCANOUTS)
		return api_misuse(dev, "vgm_device_new: num_scanouts must be 1..16");
	for (uint32_t i = 0; i < cfg->num_scanouts; i++) {
		if (cfg->scanouts[i].width > MAX_DISPLAY_SIZE ||
		    cfg->scanouts[i].height > MAX_DISPLAY_SIZE)
			return api_misuse(dev, "vgm_device_new: scanout size above 16384");
	}
	if (cfg->renderer > VGM_RENDERER_VIRGL)
		return api_misuse(dev, "vgm_device_new: unknown renderer");
	if (cfg->renderer_flags &
	    ~(cfg->renderer == VGM_RENDERER_VIRGL ? VGM_VIRGL_THREAD_SYNC : 0u))
		return api_misuse(dev, "vgm_device_new: unknown renderer_flags");
	return 0;
}

/* What the core is made of: the config with its defaults applied. */
static void core_config(const struct vgm_device_config *cfg, bool has_3d,
			struct core_config *cc)
{
	*cc = (struct core_config){
		.dialect = (enum vgm_dialect)cfg->dialect,
		.offered = cfg->features & offerable(cfg, has_3d),
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

/* Starts the renderer the config asks for (the 2D one needs nothing): a
 * virgl device belongs to this thread from now on. */
static int open_renderer(struct vgm_device *dev, const struct vgm_device_config *cfg)
{
	int err;

	if (cfg->renderer != VGM_RENDERER_VIRGL)
		return 0;
	err = render_virgl_open(cfg->renderer_flags & VGM_VIRGL_THREAD_SYNC
					? RENDER_VIRGL_THREAD_SYNC
					: 0,
				&dev->virgl);
	if (err < 0) {
		logger_msg(dev->log, VGM_LOG_ERROR, "vgm_device_new: no virgl renderer: %s",
			   err == -ENOTSUP ? "not built in"
			   : err == -EBUSY ? "another virgl device is live in this process"
					   : "virglrenderer could not start");
		return err;
	}
	dev->pinned = true;
	dev->owner = pthread_self();
	return 0;
}

/* The layers, built in place after a checked config: 0, -ENOMEM or the
 * renderer's error, with nothing to free but dev. rops NULL: the
 * renderer the config asks for. */
static int build_layers(struct vgm_device *dev, const struct vgm_device_config *cfg,
			const struct renderer_ops *rops, void *rctx)
{
	struct core_config cc;
	int err = rops ? 0 : open_renderer(dev, cfg);

	if (err < 0)
		return err;
	if (!rops && dev->virgl) {
		rops = render_virgl_ops();
		rctx = dev->virgl;
	}
	core_config(cfg, rops && rops->d3, &cc);
	cc.num_capsets = render_virgl_capsets(dev->virgl);
	if (core_init(dev->core, &cc, dev->host, dev->log) < 0) {
		render_virgl_close(dev->virgl);
		return -ENOMEM;
	}
	render_init(dev->render, dev->core, dev->host, dev->log, rops ? rops : &render_2d_ops,
		    rctx);
	render_set_stream_threshold(dev->render, cfg->stream_threshold); /* 0: chosen later */
	dispatch_init(dev->dispatch, dev->core, dev->render, dev->host, dev->log);
	return 0;
}

int device_new(const struct vgm_device_config *config, const struct renderer_ops *rops,
	       void *rctx, struct vgm_device **out)
{
	struct vgm_device_config cfg;
	struct vgm_host_ops ops;
	struct vgm_device *dev;
	int err;

	if (!config || !out || !copy_sized(&cfg, sizeof(cfg), config, config->size, &config_sizes))
		return -EINVAL;
	if (!cfg.ops || !copy_sized(&ops, sizeof(ops), cfg.ops, cfg.ops->size, &host_ops_sizes))
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
	err = build_layers(dev, &cfg, rops, rctx);
	if (err < 0) {
		free(dev);
		return err;
	}
	dev->saveable = cfg.flags & VGM_DEVICE_SAVEABLE;
	*out = dev;
	return 0;
}

VGM_EXPORT int vgm_device_new(const struct vgm_device_config *config, struct vgm_device **out)
{
	return device_new(config, NULL, NULL, out);
}

VGM_EXPORT void vgm_device_destroy(struct vgm_device *dev)
{
	/* Refused (logged) inside a callback: the device stays valid. */
	if (api_enter(dev, __func__) < 0)
		return;
	record_close(dev);
	dispatch_fini(dev->dispatch);
	core_fini(dev->core);
	render_fini(dev->render);
	/* Last: the core dropped the resources it held in the renderer. */
	render_virgl_close(dev->virgl);
	free(dev);
}

VGM_EXPORT int vgm_renderer_available(uint32_t renderer)
{
	if (renderer == VGM_RENDERER_2D)
		return 0;
	if (renderer == VGM_RENDERER_VIRGL)
		return render_virgl_probe();
	return -EINVAL;
}

VGM_EXPORT int vgm_device_reset(struct vgm_device *dev)
{
	int err = api_enter(dev, __func__);

	if (err)
		return err;
	/* Nothing is in flight with the 2D renderer; a renderer that completes
	 * later has its requests answered ERR_UNSPEC here, before the objects
	 * they named go. */
	/* The recording ends first: the replay of a request in flight is not
	 * cancelled by a reset. */
	record_reset(dev);
	device_cancel(dev);
	/* SUBMIT_3D's buffer is the guest's doing too: nothing outlives a reset. */
	dispatch_reset(dev->dispatch);
	core_reset(dev->core);
	/* The resources are gone; now its contexts and fences. */
	if (render_3d(dev->render))
		render_3d(dev->render)->reset(dev->render);
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

struct render *device_render(const struct vgm_device *dev)
{
	return dev->render;
}

VGM_EXPORT const char *vgm_version(void)
{
	return VGM_VERSION_STRING;
}
