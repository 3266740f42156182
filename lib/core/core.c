/* SPDX-License-Identifier: MIT */
/*
 * The core of a device: what it offers and what the driver accepted, the
 * config space's events, the limits, and the life of every object (free
 * on reset and destroy). Built in place inside the device's allocation,
 * with its scanouts and their cursor images after it.
 */
#include <errno.h>
#include <stdlib.h>

#include "core-impl.h"

#define CURSOR_PIXELS (VGM_CURSOR_SIZE * VGM_CURSOR_SIZE)

size_t core_size(uint32_t num_scanouts)
{
	return place_round(sizeof(struct core) + num_scanouts * sizeof(struct scanout) +
			   (size_t)num_scanouts * CURSOR_PIXELS * sizeof(uint32_t));
}

static void init_scanouts(struct core *c, const struct core_config *cfg)
{
	uint32_t *images = (uint32_t *)(void *)&c->scanouts[cfg->num_scanouts];

	c->num_scanouts = cfg->num_scanouts;
	c->num_capsets = cfg->num_capsets;
	for (uint32_t i = 0; i < cfg->num_scanouts; i++) {
		c->scanouts[i] = (struct scanout){
			.enabled = cfg->displays[i].enabled,
			.width = cfg->displays[i].width,
			.height = cfg->displays[i].height,
			.cursor.image = images + (size_t)i * CURSOR_PIXELS,
		};
	}
}

int core_init(struct core *c, const struct core_config *cfg, struct host *host,
	      struct logger *log)
{
	c->host = host;
	c->log = log;
	c->dialect = cfg->dialect;
	c->offered = cfg->offered;
	c->limits = cfg->limits;
	init_scanouts(c, cfg);
	if (idtable_init(&c->resources) < 0 || idtable_init(&c->memory_ids) < 0 ||
	    idtable_init(&c->uuids) < 0) {
		idtable_fini(&c->resources);
		idtable_fini(&c->memory_ids);
		idtable_fini(&c->uuids);
		return -ENOMEM;
	}
	return 0;
}

/* Frees every resource and region. The scanouts that showed a resource
 * are disabled through the host on reset; on destroy they are just
 * forgotten (the host is tearing down anyway). */
static void free_objects(struct core *c, bool callbacks)
{
	uint32_t pos = 0;
	void *obj;

	region_release_old(c); /* none outside a remap's call */
	for (uint32_t i = 0; !callbacks && i < c->num_scanouts; i++)
		scanout_forget(c, i);
	while ((obj = idtable_next(&c->resources, &pos)))
		resource_drop(c, obj);
	idtable_clear(&c->resources);
	idtable_clear(&c->uuids);
	c->resource_bytes = 0;
	pos = 0;
	while ((obj = idtable_next(&c->memory_ids, &pos)))
		region_unref(c, obj);
	idtable_clear(&c->memory_ids);
}

void core_fini(struct core *c)
{
	if (c->resources.slots && c->memory_ids.slots && c->uuids.slots)
		free_objects(c, false);
	idtable_fini(&c->resources);
	idtable_fini(&c->memory_ids);
	idtable_fini(&c->uuids);
	spare_trim(c, 0);
	for (uint32_t i = 0; i < c->num_scanouts; i++)
		free(c->scanouts[i].edid);
}

void core_reset(struct core *c)
{
	free_objects(c, true);
	/* As created: a load that follows assumes it (a state without cursors
	 * means none), and a save must not carry the guest's old image. The
	 * host is not told: it keeps what it was given. */
	for (uint32_t i = 0; i < c->num_scanouts; i++)
		cursor_clear(c, i);
	c->accepted = 0;
	c->events = 0;
	c->fenced = false;
}

enum vgm_dialect core_dialect(const struct core *c)
{
	return c->dialect;
}

const struct core_limits *core_limits(const struct core *c)
{
	return &c->limits;
}

uint32_t core_num_scanouts(const struct core *c)
{
	return c->num_scanouts;
}

uint64_t core_offered(const struct core *c)
{
	return c->offered;
}

bool core_accepted(const struct core *c, uint32_t bit)
{
	return c->accepted & (1ull << bit);
}

void core_accept(struct core *c, uint64_t bits)
{
	c->accepted = bits;
}

void core_raise_display_event(struct core *c)
{
	c->events |= VGM_GPU_EVENT_DISPLAY;
}

void core_clear_events(struct core *c, uint32_t bits)
{
	c->events &= ~bits;
}

void core_config_bytes(const struct core *c, uint8_t out[16])
{
	struct writer w;

	writer_init(&w, out, 16);
	writer_u32(&w, c->events);
	writer_u32(&w, 0); /* events_clear reads as zero */
	writer_u32(&w, c->num_scanouts);
	writer_u32(&w, c->num_capsets);
}

void core_stats(const struct core *c, struct core_stats *st)
{
	*st = (struct core_stats){
		.resources = c->resources.count,
		.regions = c->nregions,
		.memory_ids = c->memory_ids.count,
		.image_bytes = c->image_bytes,
		.table_bytes = c->table_bytes,
		.object_bytes = c->resource_bytes + (uint64_t)c->nregions * sizeof(struct region) +
				idtable_bytes(&c->resources) + idtable_bytes(&c->memory_ids),
		.backing_entries = c->backing_entries,
	};
}

void core_set_hooks(struct core *c, const struct core_hooks *hooks, void *ctx)
{
	c->hooks = hooks;
	c->hooks_ctx = ctx;
}

uint64_t core_accepted_bits(const struct core *c)
{
	return c->accepted;
}

uint32_t core_events(const struct core *c)
{
	return c->events;
}

void core_set_events(struct core *c, uint32_t bits)
{
	c->events = bits;
}

void core_drop_objects(struct core *c)
{
	free_objects(c, false);
}
