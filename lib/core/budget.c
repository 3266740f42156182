/* SPDX-License-Identifier: MIT */
/*
 * The host-memory budget: what a guest can make the library allocate
 * (pixels, staging copies, backing tables) stays within max_host_memory.
 * Every charge is checked here; a table is also held to what is left while
 * it is built (region.c).
 */
#include <stdlib.h>

#include "core-impl.h"

static uint64_t used(const struct core *c)
{
	return c->image_bytes + c->table_bytes;
}

bool budget_fits(const struct core *c, uint64_t bytes)
{
	return bytes <= c->limits.host_memory && used(c) <= c->limits.host_memory - bytes;
}

uint64_t budget_room(const struct core *c)
{
	return used(c) < c->limits.host_memory ? c->limits.host_memory - used(c) : 0;
}

static uint64_t *counter(struct core *c, enum budget_kind kind)
{
	return kind == BUDGET_IMAGE ? &c->image_bytes : &c->table_bytes;
}

enum core_verdict budget_charge(struct core *c, enum budget_kind kind, uint64_t bytes)
{
	if (!budget_fits(c, bytes))
		return CORE_OVER_BUDGET;
	*counter(c, kind) += bytes;
	spare_trim(c, budget_room(c)); /* spares never pass the budget */
	return CORE_OK;
}

void budget_release(struct core *c, enum budget_kind kind, uint64_t bytes)
{
	uint64_t *n = counter(c, kind);

	if (*n < bytes)
		abort(); /* released more than was charged */
	*n -= bytes;
}
