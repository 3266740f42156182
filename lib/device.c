/* SPDX-License-Identifier: MIT */
/*
 * The device object: creation from the VMM's config, features, the config
 * space, display changes, reset, and the counters VMMs and tests read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edid.h"
#include "private.h"

#define MAX_DISPLAY_SIZE 16384u
/* What a 0.1 caller's struct vgm_host_ops holds. */
#define HOST_OPS_SIZE_0_1 offsetof(struct vgm_host_ops, resource_uuid)
/* What a 0.1 or 0.2 caller's struct vgm_device_config holds. */
#define CONFIG_SIZE_0_1 offsetof(struct vgm_device_config, stream_threshold)

/* Copies a struct that carries its size (libxkbcommon's rule): a smaller
 * one is an older caller, a larger one must have a zero tail. min_size is
 * the size at version 0.1, which every caller knows. */
static bool copy_sized(void *dst, size_t dst_size, const void *src, uint32_t src_size,
		       size_t min_size)
{
	const uint8_t *tail = (const uint8_t *)src + dst_size;

	if (src_size < min_size)
		return false;
	for (size_t i = 0; src_size > dst_size && i < src_size - dst_size; i++) {
		if (tail[i])
			return false;
	}
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
	return true;
}

static uint64_t dialect_features(enum vgm_dialect dialect)
{
	if (dialect == VGM_DIALECT_MEMORY_RFC)
		return 1ull << VGM_GPU_F_EDID | 1ull << VGM_GPU_F_MEMORY;
	return 1ull << VGM_GPU_F_EDID | 1ull << VGM_GPU_F_RESOURCE_UUID |
	       1ull << VGM_GPU_F_RESOURCE_BLOB;
}

static int misuse(struct vgm_device *dev, const char *what)
{
	dev_log(dev, VGM_LOG_ERROR, "API misuse: %s", what);
	return -EINVAL;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

static int check_config(struct vgm_device *dev, const struct vgm_device_config *cfg)
{
	if (cfg->dialect > VGM_DIALECT_MEMORY_RFC)
		return misuse(dev, "vgm_device_new: unknown dialect");
	if (cfg->num_scanouts < 1 || cfg->num_scanouts > VGM_MAX_SCANOUTS)
		return misuse(dev, "vgm_device_new: num_scanouts must be 1..16");
	for (uint32_t i = 0; i < cfg->num_scanouts; i++) {
		if (cfg->scanouts[i].width > MAX_DISPLAY_SIZE ||
		    cfg->scanouts[i].height > MAX_DISPLAY_SIZE)
			return misuse(dev, "vgm_device_new: scanout size above 16384");
	}
	return 0;
}

static void apply_config(struct vgm_device *dev, const struct vgm_device_config *cfg)
{
	dev->host = cfg->host;
	dev->dialect = (enum vgm_dialect)cfg->dialect;
	dev->offered = cfg->features & dialect_features(dev->dialect);
	dev->num_scanouts = cfg->num_scanouts;
	for (uint32_t i = 0; i < cfg->num_scanouts; i++) {
		const struct vgm_scanout_config *sc = &cfg->scanouts[i];
		bool unsized = sc->width == 0 || sc->height == 0;

		dev->scanouts[i].enabled = sc->enabled != 0;
		dev->scanouts[i].width = unsized ? VGM_DEFAULT_WIDTH : sc->width;
		dev->scanouts[i].height = unsized ? VGM_DEFAULT_HEIGHT : sc->height;
	}
	dev->limits.host_memory = cfg->max_host_memory ? cfg->max_host_memory
						       : VGM_DEFAULT_MAX_HOST_MEMORY;
	dev->limits.backing_entries =
		or_default(cfg->max_backing_entries, VGM_DEFAULT_MAX_BACKING_ENTRIES);
	dev->limits.resources = or_default(cfg->max_resources, VGM_DEFAULT_MAX_RESOURCES);
	dev->limits.regions = or_default(cfg->max_regions, VGM_DEFAULT_MAX_REGIONS);
	dev->stream_min = cfg->stream_threshold; /* 0: chosen later, lazily */
}

/* The sizes callers of each version pass; one that ends inside a field is
 * a caller's mistake, not a version. */
static bool config_size_known(uint32_t size)
{
	return size == CONFIG_SIZE_0_1 || size >= sizeof(struct vgm_device_config);
}

VGM_EXPORT int vgm_device_new(const struct vgm_device_config *config, struct vgm_device **out)
{
	struct vgm_device_config cfg;
	struct vgm_device *dev;

	if (!config || !out || !config_size_known(config->size) ||
	    !copy_sized(&cfg, sizeof(cfg), config, config->size, CONFIG_SIZE_0_1))
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if (!cfg.ops || !copy_sized(&dev->ops, sizeof(dev->ops), cfg.ops, cfg.ops->size,
				    HOST_OPS_SIZE_0_1)) {
		free(dev);
		return -EINVAL;
	}
	dev->host = cfg.host;
	log_init(&dev->log, cfg.log_level);
	if (!dev->ops.translate || check_config(dev, &cfg) < 0) {
		if (!dev->ops.translate)
			misuse(dev, "vgm_device_new: ops->translate is required");
		free(dev);
		return -EINVAL;
	}
	apply_config(dev, &cfg);
	dispatch_init(dev);
	dev->udmabuf_fd = -1;
	if (idtable_init(&dev->resources) < 0 || idtable_init(&dev->memory_ids) < 0 ||
	    idtable_init(&dev->uuids) < 0) {
		vgm_device_destroy(dev);
		return -ENOMEM;
	}
	*out = dev;
	return 0;
}

/* Frees every resource and region. With callbacks, the scanouts that
 * showed a resource are disabled through the host (reset); without, they
 * are just forgotten (destroy: the host is tearing down anyway). */
void device_free_objects(struct vgm_device *dev, bool callbacks)
{
	uint32_t pos = 0;
	void *obj;

	if (!callbacks)
		scanout_forget_all(dev);
	while ((obj = idtable_next(&dev->resources, &pos)))
		resource_destroy(dev, obj);
	idtable_clear(&dev->resources);
	idtable_clear(&dev->uuids);
	pos = 0;
	while ((obj = idtable_next(&dev->memory_ids, &pos)))
		region_unref(dev, obj);
	idtable_clear(&dev->memory_ids);
}

VGM_EXPORT void vgm_device_destroy(struct vgm_device *dev)
{
	if (!dev)
		return;
	if (dev->resources.slots && dev->memory_ids.slots && dev->uuids.slots)
		device_free_objects(dev, false);
	idtable_fini(&dev->resources);
	idtable_fini(&dev->memory_ids);
	idtable_fini(&dev->uuids);
	if (dev->udmabuf_fd >= 0)
		close(dev->udmabuf_fd);
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++)
		free(dev->scanouts[i].edid);
	free(dev->entries);
	free(dev);
}

VGM_EXPORT int vgm_device_reset(struct vgm_device *dev)
{
	if (!dev)
		return -EINVAL;
	device_free_objects(dev, true);
	dev->accepted = 0;
	dev->events = 0;
	return 0;
}

VGM_EXPORT int vgm_device_get_features(const struct vgm_device *dev, uint64_t *offered)
{
	if (!dev || !offered)
		return -EINVAL;
	*offered = dev->offered;
	return 0;
}

VGM_EXPORT int vgm_device_set_features(struct vgm_device *dev, uint64_t accepted)
{
	uint64_t device_bits = accepted & ((1ull << 24) - 1);

	if (!dev)
		return -EINVAL;
	if (device_bits & ~dev->offered)
		return misuse(dev, "vgm_device_set_features: a feature that was not offered");
	dev->accepted = device_bits;
	return 0;
}

bool feature_accepted(const struct vgm_device *dev, uint32_t bit)
{
	return dev->accepted & (1ull << bit);
}

static void config_bytes(const struct vgm_device *dev, uint8_t out[16])
{
	struct writer w;

	writer_init(&w, out, 16);
	writer_u32(&w, dev->events);
	writer_u32(&w, 0); /* events_clear reads as zero */
	writer_u32(&w, dev->num_scanouts);
	writer_u32(&w, 0); /* num_capsets: no capsets in this version */
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

	if (!dev || (!buf && len) || !config_range(offset, len))
		return -EINVAL;
	config_bytes(dev, bytes);
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

	if (!dev)
		return -EINVAL;
	if ((!buf && len) || !config_range(offset, len))
		return misuse(dev, "vgm_device_config_write: range outside the config space");
	if (len)
		memcpy(bytes + offset, buf, len);
	reader_init(&r, bytes + 4, 4);
	reader_u32(&r, &clear);
	dev->events &= ~clear;
	return 0;
}

VGM_EXPORT int vgm_device_set_display(struct vgm_device *dev, uint32_t scanout, bool enabled,
				      uint32_t width, uint32_t height)
{
	struct scanout *so;

	if (!dev)
		return -EINVAL;
	if (scanout >= dev->num_scanouts || width > MAX_DISPLAY_SIZE || height > MAX_DISPLAY_SIZE)
		return misuse(dev, "vgm_device_set_display: bad scanout or size");
	so = &dev->scanouts[scanout];
	so->enabled = enabled;
	if (width && height) {
		so->width = width;
		so->height = height;
	}
	dev->events |= VGM_GPU_EVENT_DISPLAY;
	if (dev->ops.config_changed)
		dev->ops.config_changed(dev->host);
	return 0;
}

VGM_EXPORT int vgm_device_set_edid(struct vgm_device *dev, uint32_t scanout, const void *edid,
				   size_t len)
{
	uint8_t *copy = NULL;

	if (!dev)
		return -EINVAL;
	if (scanout >= dev->num_scanouts || (edid && !edid_valid(edid, len)) || (!edid && len))
		return misuse(dev, "vgm_device_set_edid: bad scanout or invalid EDID");
	if (edid) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, edid, len);
	}
	free(dev->scanouts[scanout].edid);
	dev->scanouts[scanout].edid = copy;
	dev->scanouts[scanout].edid_len = copy ? len : 0;
	return 0;
}

int copy_out(void *dst, const void *src, size_t size)
{
	uint32_t want;

	memcpy(&want, dst, sizeof(want));
	if (want < sizeof(uint32_t) * 2)
		return -EINVAL;
	memcpy((uint8_t *)dst + sizeof(want), (const uint8_t *)src + sizeof(want),
	       (want < size ? want : size) - sizeof(want));
	return 0;
}

VGM_EXPORT int vgm_device_get_resource_info(const struct vgm_device *dev, uint32_t resource_id,
					    struct vgm_resource_info *info)
{
	const struct resource *res;
	struct vgm_resource_info ri = { .size = sizeof(ri) };

	if (!dev || !info)
		return -EINVAL;
	res = resource_lookup(dev, resource_id);
	if (!res)
		return -ENOENT;
	ri.format = res->fmt ? res->fmt->virtio : 0;
	ri.fourcc = res->fmt ? res->fmt->fourcc : 0;
	ri.width = res->width;
	ri.height = res->height;
	ri.stride = res->stride;
	ri.backed = res->backing != NULL;
	ri.memory_id = res->backing ? res->backing->memory_id : 0;
	ri.backing_offset = res->backing_off;
	ri.backing_size = res->backing ? res->backing->size : 0;
	ri.scanout_mask = res->scanout_mask;
	ri.blob = res->blob;
	ri.blob_size = res->blob_size;
	ri.has_uuid = res->has_uuid;
	memcpy(ri.uuid, res->uuid, sizeof(ri.uuid));
	return copy_out(info, &ri, sizeof(ri));
}

VGM_EXPORT int vgm_device_get_stats(const struct vgm_device *dev, struct vgm_stats *stats)
{
	struct vgm_stats st = { .size = sizeof(st) };

	if (!dev || !stats)
		return -EINVAL;
	st.resources = dev->resources.count;
	st.regions = dev->nregions;
	st.memory_ids = dev->memory_ids.count;
	st.image_bytes = dev->image_bytes;
	st.table_bytes = dev->table_bytes;
	st.host_bytes = dev->image_bytes + dev->table_bytes;
	st.object_bytes = (uint64_t)dev->resources.count * sizeof(struct resource) +
			  (uint64_t)dev->nregions * sizeof(struct region) +
			  idtable_bytes(&dev->resources) + idtable_bytes(&dev->memory_ids);
	st.backing_entries = dev->backing_entries;
	return copy_out(stats, &st, sizeof(st));
}

VGM_EXPORT const char *vgm_version(void)
{
	return VGM_VERSION_STRING;
}
