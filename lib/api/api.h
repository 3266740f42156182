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
/* Its renderer, for the tests of what a device chose (the store strategy). */
struct render *device_render(const struct vgm_device *dev);
/* vgm_device_new() with the renderer's ops given (NULL: as the config
 * says; given, the config's renderer is not started), for the tests of
 * requests that complete later (a renderer that behaves as virglrenderer
 * does) and the benchmark of the 3D path (a renderer that does nothing). */
int device_new(const struct vgm_device_config *config, const struct renderer_ops *rops,
	       void *rctx, struct vgm_device **out);

#endif /* VGM_API_H */
