/* SPDX-License-Identifier: MIT */
/*
 * What the library's files share. Nothing here is exported.
 */
#ifndef VGM_PRIVATE_H
#define VGM_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "cmd/cmd.h"
#include "core/core.h"
#include "render/render.h"
#include "util/util.h"
#include "wire/wire.h"

/* ---- the api's guard against calls from inside callbacks --------------- */

/* 0; -EINVAL for a NULL device; -EBUSY, logged as API misuse naming fn,
 * while one of the device's callbacks runs. Every exported function that
 * takes a device calls it first, before anything else. */
int api_enter(const struct vgm_device *dev, const char *fn);

/* ---- the device --------------------------------------------------------- */

struct vgm_device {
	struct host *host; /* the VMM's callbacks (util) */
	struct logger *log;
	struct core *core;
	struct render *render;
	struct dispatch *dispatch;
};

#endif /* VGM_PRIVATE_H */
