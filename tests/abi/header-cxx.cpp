// SPDX-License-Identifier: MIT
//
// The public header on its own, from C++: it parses as C++11 and its
// functions have C linkage (this links only if extern "C" is right).
#include <virtgpu-mem/virtgpu-mem.h>

int main()
{
	struct vgm_device_config cfg = {};
	struct vgm_host_ops ops = {};
	const char *version = vgm_version();

	cfg.size = sizeof(cfg);
	ops.size = sizeof(ops);
	cfg.ops = &ops;
	vgm_device_destroy(nullptr);
	return version && version[0] && cfg.ops->size == sizeof(ops) ? 0 : 1;
}
