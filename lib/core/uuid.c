/* SPDX-License-Identifier: MIT */
/*
 * UUIDs (RESOURCE_ASSIGN_UUID) name a resource for other virtio devices.
 * They are found by their first four bytes, which are unique per device.
 */
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core-impl.h"

static uint32_t uuid_key(const uint8_t uuid[16])
{
	return le32(uuid);
}

/* A random (version 4) UUID. Without the kernel's randomness, the clock and
 * the object's address still make it distinct. */
static void uuid_random(uint8_t uuid[16], const void *salt)
{
	if (getrandom(uuid, 16, GRND_NONBLOCK) != 16) {
		struct timespec ts;
		uint64_t a, b;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		a = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)salt;
		b = (uint64_t)ts.tv_sec * 0xc2b2ae3d27d4eb4full ^ a >> 29;
		memcpy(uuid, &a, 8);
		memcpy(uuid + 8, &b, 8);
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

enum core_verdict uuid_assign(struct core *c, struct resource *res, bool *fresh)
{
	*fresh = false;
	if (res->has_uuid)
		return CORE_OK;
	if (!idtable_reserve(&c->uuids, 1))
		return CORE_NO_MEMORY;
	/* Draw again on the rare clash of the lookup key (or key 0). */
	do
		uuid_random(res->uuid, res);
	while (uuid_key(res->uuid) == 0 || idtable_get(&c->uuids, uuid_key(res->uuid)));
	idtable_insert(&c->uuids, uuid_key(res->uuid), res);
	res->has_uuid = true;
	*fresh = true;
	return CORE_OK;
}

struct resource *uuid_find(const struct core *c, const uint8_t uuid[16])
{
	struct resource *res = idtable_get(&c->uuids, uuid_key(uuid));

	return res && memcmp(res->uuid, uuid, sizeof(res->uuid)) == 0 ? res : NULL;
}

void uuid_forget(struct core *c, struct resource *res)
{
	if (res->has_uuid)
		idtable_remove(&c->uuids, uuid_key(res->uuid));
}

enum core_verdict uuid_restore(struct core *c, struct resource *res, const uint8_t uuid[16])
{
	uint32_t key = uuid_key(uuid);

	if (key == 0)
		return CORE_ID_RESERVED;
	if (idtable_get(&c->uuids, key))
		return CORE_ID_IN_USE;
	if (!idtable_reserve(&c->uuids, 1))
		return CORE_NO_MEMORY;
	memcpy(res->uuid, uuid, sizeof(res->uuid));
	idtable_insert(&c->uuids, key, res);
	res->has_uuid = true;
	return CORE_OK;
}
