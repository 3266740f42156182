/* SPDX-License-Identifier: MIT */
/*
 * The public header next to <linux/virtio_gpu.h>, which a VMM may well
 * include too: our protocol names are prefixed, so no struct, enum or
 * macro is defined twice, and both compile as strict C11 together.
 */
#include <linux/virtio_gpu.h>
#include <virtgpu-mem/virtgpu-mem.h>

int main(void)
{
	struct virtio_gpu_ctrl_hdr theirs = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO };
	struct vgm_gpu_ctrl_hdr ours = { .type = VGM_GPU_CMD_GET_DISPLAY_INFO };

	return sizeof(theirs) == sizeof(ours) && theirs.type == ours.type && vgm_version() ? 0 : 1;
}
