/* SPDX-License-Identifier: MIT */
/*
 * Every exported function, as tests/gen-api-calls.py writes them at build
 * time from lib/virtgpu-mem.map and the public header, for
 * test-reentry-all.
 */
#ifndef VGM_TEST_API_CALLS_H
#define VGM_TEST_API_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <virtgpu-mem/virtgpu-mem.h>

/* What the calls pass, by parameter type: the caller fills it in so that
 * each call would be valid outside a callback where it can be (the sized
 * structs with their size, iov pointing at buf). */
struct api_args {
	int i;
	uint32_t u32;
	uint64_t u64;
	size_t size;
	uint8_t buf[1024];
	uint8_t uuid[16];
	struct iovec iov[1];
	struct vgm_resource_info resource_info;
	struct vgm_scanout_info scanout_info;
	struct vgm_pixels pixels;
	struct vgm_stats stats;
};

/* One exported function that takes a device, called on dev. */
struct api_call {
	const char *name;
	bool returns_void; /* its result is 0, not the function's */
	int (*call)(struct vgm_device *dev, struct api_args *a);
};

/* Ended by an entry whose name is NULL. */
extern const struct api_call api_calls[];
/* The exported functions that take no device; ended by NULL. */
extern const char *const api_exempt[];
/* The callbacks of struct vgm_host_ops by name; ended by NULL. */
extern const char *const api_callbacks[];

#endif /* VGM_TEST_API_CALLS_H */
