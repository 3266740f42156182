/* SPDX-License-Identifier: MIT */
/*
 * fuzz/3d: fuzz/virgl's harness (the same encoding and checks) on a fake
 * 3D renderer (tests/support/fake-3d-renderer.h), so the library's own 3D
 * logic runs thousands of times faster than with virglrenderer behind it:
 * validation of every 3D command, contexts, fences that complete only when
 * polled, SUBMIT_3D's buffer, capsets, reset.
 */
#include "fake-3d-renderer.h"

static int fake_available(void)
{
	return 0;
}

#define FUZZ_DEVICE_NEW(cfg, out) fake_3d_device_new(cfg, out)
#define FUZZ_RENDERER_AVAILABLE() fake_available()
#define FUZZ_NAME "fuzz-3d"
#include "../virgl/virgl.c"
