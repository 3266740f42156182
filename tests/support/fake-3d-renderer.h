/* SPDX-License-Identifier: MIT */
/*
 * A fake 3D renderer for fuzz/3d: the library's whole 3D logic runs, no GPU
 * behind it. One capset (id 1, version 1, 64 bytes of a pattern); contexts
 * 1..63; RESOURCE_CREATE_3D makes a 2D B8G8R8A8 image of the width and
 * height (charged to the budget as any) for 2D targets of depth 1, one
 * level and at most 4096x4096, and refuses the others as virglrenderer
 * refuses what it does not take; attachments, transfers and submissions
 * are accepted (the null renderer's: the library has checked them against
 * the resource and the backing before), but a submission whose first word
 * is 0xdeadbeef, refused as virglrenderer refuses a broken command stream;
 * fences are done by the next poll, merged (one report per timeline, its
 * last fence, as virglrenderer reports them), at once when its table of 64
 * is full. One device at a time: the fake's state is global.
 */
#ifndef VGM_TEST_FAKE_3D_RENDERER_H
#define VGM_TEST_FAKE_3D_RENDERER_H

#include <virtgpu-mem/virtgpu-mem.h>

/* vgm_device_new() with the fake as its renderer (config.renderer is not
 * looked at): 0 or its error. */
int fake_3d_device_new(const struct vgm_device_config *cfg, struct vgm_device **out);

#endif /* VGM_TEST_FAKE_3D_RENDERER_H */
