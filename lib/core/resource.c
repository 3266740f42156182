/* SPDX-License-Identifier: MIT */
/*
 * Resources: the table of live ones and their life. A resource is an id,
 * a kind, a size, a backing (a region and an offset in it), the scanouts
 * that show it and a UUID; what its kind keeps of its pixels (a host
 * image, nothing for a blob) is a payload in the same allocation, that
 * the kind's ops free.
 */
#include <stdlib.h>
#include <string.h>

#include "core-impl.h"

enum core_verdict resource_id_free(const struct core *c, uint32_t id)
{
	/* Asked before a create: the lines its insert writes are fetched
	 * now, while the create checks the format and size and allocates the
	 * resource and its image, so that they have arrived by the insert. */
	idtable_prefetch_insert(&c->resources, id);
	return core_id_free(&c->resources, id);
}

enum core_verdict resource_room(const struct core *c)
{
	return c->resources.count >= c->limits.resources ? CORE_NO_ROOM : CORE_OK;
}

void resource_prefetch(const struct core *c, uint32_t id, bool object)
{
	idtable_prefetch(&c->resources, id, object);
}

struct resource *resource_find(const struct core *c, uint32_t id)
{
	return idtable_get(&c->resources, id);
}

/* A 2D resource's size in its slot of the id table, when each side fits
 * 16 bits (0: look at the resource), so that a flush of a resource shown
 * nowhere reads one cache line, not two (issue 14: 482 against 70 ns with
 * a million resources). */
static uint32_t size_tag(const struct resource *res)
{
	if (res->kind != RESOURCE_2D || res->width > 0xffff || res->height > 0xffff)
		return 0;
	return res->width | res->height << 16;
}

bool resource_size_of(const struct core *c, uint32_t id, uint32_t *width, uint32_t *height)
{
	const struct resource *res;
	uint32_t tag;

	if (!idtable_tag(&c->resources, id, &tag))
		return false;
	if (tag) {
		*width = tag & 0xffff;
		*height = tag >> 16;
		return true;
	}
	res = idtable_get(&c->resources, id);
	*width = resource_pixels_in_backing(res) ? 0 : res->width;
	*height = resource_pixels_in_backing(res) ? 0 : res->height;
	return true;
}

enum core_verdict resource_new(struct core *c, const struct resource_desc *desc,
			       const struct resource_ops *ops, size_t payload_size,
			       struct resource **out)
{
	size_t bytes = sizeof(struct resource) + payload_size;
	struct resource *res = calloc(1, bytes);

	(void)c;
	if (!res)
		return CORE_NO_MEMORY;
	res->id = desc->id;
	res->kind = desc->kind;
	res->format = desc->format;
	res->width = desc->width;
	res->height = desc->height;
	res->stride = desc->stride;
	res->blob_size = desc->blob_size;
	res->blob_flags = desc->blob_flags;
	res->ops = ops;
	res->bytes = bytes;
	*out = res;
	return CORE_OK;
}

void *resource_payload(struct resource *res)
{
	return res->payload;
}

enum core_verdict resource_insert(struct core *c, struct resource *res)
{
	if (!idtable_reserve(&c->resources, 1))
		return CORE_NO_MEMORY;
	idtable_insert_tagged(&c->resources, res->id, size_tag(res), res);
	c->resource_bytes += res->bytes;
	return CORE_OK;
}

void resource_hide(struct core *c, struct resource *res)
{
	for (uint32_t i = 0; i < c->num_scanouts; i++) {
		if (res->scanout_mask & (1u << i))
			scanout_hide(c, i);
	}
}

/* Hides it from every scanout (callbacks), takes its UUID out of the
 * table, detaches, frees. */
static void destroy(struct core *c, struct resource *res)
{
	resource_hide(c, res);
	uuid_forget(c, res);
	resource_detach(c, res);
	if (res->ops && res->ops->destroy)
		res->ops->destroy(c, res, res->payload);
	free(res);
}

void resource_drop(struct core *c, struct resource *res)
{
	destroy(c, res);
}

void resource_remove(struct core *c, struct resource *res)
{
	idtable_remove(&c->resources, res->id);
	c->resource_bytes -= res->bytes;
	destroy(c, res);
}

void resource_describe(const struct resource *res, struct resource_desc *d)
{
	*d = (struct resource_desc){
		.id = res->id,
		.kind = res->kind,
		.format = res->format,
		.width = res->width,
		.height = res->height,
		.stride = res->stride,
		.blob_size = res->blob_size,
		.blob_flags = res->blob_flags,
		.backed = res->backing != NULL,
		.memory_id = res->backing ? res->backing->memory_id : 0,
		.backing_offset = res->backing_off,
		.backing_size = res->backing ? res->backing->size : 0,
		.scanout_mask = res->scanout_mask,
		.has_uuid = res->has_uuid,
	};
	memcpy(d->uuid, res->uuid, sizeof(d->uuid));
}

bool resource_pixels_in_backing(const struct resource *res)
{
	return res->kind == RESOURCE_BLOB;
}

uint32_t resource_id(const struct resource *res)
{
	return res->id;
}

struct region *resource_backing(const struct resource *res)
{
	return res->backing;
}

uint64_t resource_backing_offset(const struct resource *res)
{
	return res->backing_off;
}

enum core_verdict resource_placement(const struct region *rg, uint64_t off, uint64_t bytes)
{
	uint64_t end;

	if (__builtin_add_overflow(off, bytes, &end) || end > rg->size)
		return CORE_OUTSIDE;
	return CORE_OK;
}

void resource_attach(struct resource *res, struct region *rg, uint64_t off)
{
	res->backing = rg;
	res->backing_off = off;
}

void resource_detach(struct core *c, struct resource *res)
{
	if (res->backing && res->ops && res->ops->detach)
		res->ops->detach(c, res, res->payload);
	if (res->backing)
		region_unref(c, res->backing);
	res->backing = NULL;
	res->backing_off = 0;
}

struct resource *resource_next(const struct core *c, uint32_t *pos)
{
	return idtable_next(&c->resources, pos);
}

bool core_holds_3d(const struct core *c)
{
	uint32_t pos = 0;
	const struct resource *res;

	while ((res = idtable_next(&c->resources, &pos))) {
		if (res->kind != RESOURCE_2D && res->kind != RESOURCE_BLOB)
			return true;
	}
	return false;
}
