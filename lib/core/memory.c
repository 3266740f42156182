/* SPDX-License-Identifier: MIT */
/*
 * Memory ids (memory-rfc): regions the guest names. A region lives while
 * its name or a resource holds it, so several resources can share one
 * pool; the name goes at once when the guest drops it.
 */
#include <stdlib.h>

#include "core-impl.h"

#define MEMORY_ID_INVALID 0xffffffffu

enum core_verdict memory_id_free(const struct core *c, uint32_t memory_id)
{
	if (memory_id == MEMORY_ID_INVALID)
		return CORE_ID_RESERVED;
	return core_id_free(&c->memory_ids, memory_id);
}

enum core_verdict memory_room(const struct core *c)
{
	return c->memory_ids.count >= c->limits.regions ? CORE_NO_ROOM : CORE_OK;
}

struct region *memory_find(const struct core *c, uint32_t memory_id)
{
	return idtable_get(&c->memory_ids, memory_id);
}

enum core_verdict memory_name(struct core *c, uint32_t memory_id, struct region *rg)
{
	if (!idtable_reserve(&c->memory_ids, 1))
		return CORE_NO_MEMORY;
	rg->memory_id = memory_id;
	idtable_insert(&c->memory_ids, memory_id, rg);
	return CORE_OK;
}

void memory_unref(struct core *c, uint32_t memory_id)
{
	struct region *rg = idtable_remove(&c->memory_ids, memory_id);

	if (!rg)
		abort(); /* the caller found it */
	rg->memory_id = 0;
	region_unref(c, rg);
}

struct region *memory_next(const struct core *c, uint32_t *pos)
{
	return idtable_next(&c->memory_ids, pos);
}
