/* SPDX-License-Identifier: MIT */
/*
 * api: the exported vgm_ functions (include/virtgpu-mem/virtgpu-mem.h):
 * argument checks (API misuse: logged, -EINVAL; from inside one of the
 * device's callbacks: -EBUSY), then the layers below. struct vgm_device
 * holds the layers' objects, built in place in one allocation.
 *
 * Uses every layer below; nothing uses it but the VMM. What it offers the
 * library's own tests: the layers of a device.
 */
#ifndef VGM_API_H
#define VGM_API_H

#include "cmd/cmd.h"
#include "core/core.h"
#include "render/render.h"
#include "state/state.h"

/* The core of a device, for the tests that read what no public call says
 * (the limits in force). */
struct core *device_core(const struct vgm_device *dev);

#endif /* VGM_API_H */
