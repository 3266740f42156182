/* SPDX-License-Identifier: MIT */
/*
 * What the files of the api layer share: the device. Only lib/api/ and the
 * api layer's own tests include this header.
 */
#ifndef VGM_API_IMPL_H
#define VGM_API_IMPL_H

#include <stdbool.h>

#include "api.h"

/* A device: the layers' objects, each built in place after it in the one
 * allocation vgm_device_new() makes (struct definitions stay in their
 * layers). */
struct vgm_device {
	struct host *host; /* the VMM's callbacks (util) */
	struct logger *log;
	struct core *core;
	struct render *render;
	struct dispatch *dispatch;
	bool saveable; /* VGM_DEVICE_SAVEABLE, fixed at creation */
	bool used;     /* a request submitted or features set: no load any more */
	bool loaded;   /* loaded and not yet resumed: no request until it is */
};

/* 0; -EINVAL for a NULL device; -EBUSY, logged as API misuse naming fn,
 * while one of the device's callbacks runs. Every exported function that
 * takes a device calls it first, before anything else. */
int api_enter(const struct vgm_device *dev, const char *fn);
/* Logs the misuse; returns -EINVAL. */
int api_misuse(struct vgm_device *dev, const char *what);

/* The largest display a VMM may configure, in either direction. */
#define MAX_DISPLAY_SIZE CORE_MAX_DISPLAY

#endif /* VGM_API_IMPL_H */
