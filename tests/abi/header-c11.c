/* SPDX-License-Identifier: MIT */
/*
 * The public header on its own, as strict C11: it includes what it needs,
 * and its declarations link against the library.
 */
#include <virtgpu-mem/virtgpu-mem.h>

int main(void)
{
	struct vgm_device_config cfg = { .size = sizeof(cfg) };
	const char *version = vgm_version();

	vgm_device_destroy(NULL);
	return version && version[0] && cfg.size == sizeof(cfg) ? 0 : 1;
}
