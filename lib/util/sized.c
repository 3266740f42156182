/* SPDX-License-Identifier: MIT */
/*
 * Structs that cross the API carry their size: copied in from an older or
 * newer caller, filled out up to what the caller knows.
 */
#include <errno.h>
#include <string.h>

#include "util.h"

/* An older caller's size: one that ends where a member ends. */
static bool known_size(uint32_t size, const struct sized_ends *ends)
{
	for (size_t i = 0; i < ends->count; i++) {
		if (ends->ends[i] == size)
			return true;
	}
	return false;
}

bool copy_sized(void *dst, size_t dst_size, const void *src, uint32_t src_size,
		const struct sized_ends *ends)
{
	const uint8_t *tail = (const uint8_t *)src + dst_size;

	if (src_size < dst_size && !known_size(src_size, ends))
		return false;
	for (size_t i = 0; src_size > dst_size && i < src_size - dst_size; i++) {
		if (tail[i])
			return false;
	}
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
	return true;
}

int copy_out(void *dst, const void *src, size_t size, const struct sized_ends *ends)
{
	uint32_t want;

	memcpy(&want, dst, sizeof(want));
	/* A size inside a member is no version's: half a counter written
	 * would be read as a whole one. */
	if (want < size && !known_size(want, ends))
		return -EINVAL;
	memcpy((uint8_t *)dst + sizeof(want), (const uint8_t *)src + sizeof(want),
	       (want < size ? want : size) - sizeof(want));
	return 0;
}
