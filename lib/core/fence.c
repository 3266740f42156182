/* SPDX-License-Identifier: MIT */
/*
 * The last fence completed on the global timeline, which a saved state
 * keeps. A ring's timeline belongs to a 3D context: a device with one
 * cannot be saved, and a 2D device answers a fence of a ring (which a
 * guest sets only with VIRTIO_GPU_F_CONTEXT_INIT, never offered) at once
 * and keeps nothing of it.
 */
#include "core-impl.h"

void core_fence_done(struct core *c, bool ring, uint64_t fence_id)
{
	if (ring)
		return;
	c->fenced = true;
	c->last_fence = fence_id;
}

bool core_last_fence(const struct core *c, uint64_t *id)
{
	if (c->fenced)
		*id = c->last_fence;
	return c->fenced;
}

void core_set_last_fence(struct core *c, uint64_t id)
{
	c->fenced = true;
	c->last_fence = id;
}
