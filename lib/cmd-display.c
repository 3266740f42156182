/* SPDX-License-Identifier: MIT */
/*
 * What the guest learns about the displays: GET_DISPLAY_INFO, GET_EDID, and
 * the capability sets (none in this version).
 */
#include "edid.h"
#include "private.h"

static uint32_t validate_nothing(struct vgm_device *dev, struct cmd *c)
{
	(void)dev;
	(void)c;
	return 0;
}

/* One entry per possible scanout; a disconnected display is all zeros. */
static uint32_t exec_display_info(struct vgm_device *dev, struct cmd *c)
{
	for (uint32_t i = 0; i < VGM_GPU_MAX_SCANOUTS; i++) {
		const struct scanout *so = &dev->scanouts[i];
		bool on = i < dev->num_scanouts && so->enabled;
		struct vgm_gpu_rect r = { 0, 0, on ? so->width : 0, on ? so->height : 0 };

		wire_put_rect(c->body, &r);
		writer_u32(c->body, on);
		writer_u32(c->body, 0); /* flags */
	}
	return 0;
}

static uint32_t validate_edid(struct vgm_device *dev, struct cmd *c)
{
	if (c->id >= dev->num_scanouts)
		return guest_error(dev, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "scanout %u is not below num_scanouts %u", c->id,
				   dev->num_scanouts);
	return 0;
}

static uint32_t exec_edid(struct vgm_device *dev, struct cmd *c)
{
	const struct scanout *so = &dev->scanouts[c->id];
	uint8_t generated[EDID_MAX_SIZE];
	const uint8_t *edid = so->edid;
	size_t len = so->edid_len;

	if (!edid) {
		len = edid_generate(so->width, so->height, c->id, generated);
		edid = generated;
	}
	writer_u32(c->body, (uint32_t)len);
	writer_u32(c->body, 0);
	writer_bytes(c->body, edid, len);
	writer_zero(c->body, EDID_MAX_SIZE - len);
	return 0;
}

/* No capability sets: there is no 3D renderer behind this device. */
static uint32_t validate_capset(struct vgm_device *dev, struct cmd *c)
{
	return guest_error(dev, c, VGM_GPU_RESP_ERR_UNSPEC, "the device has no capsets");
}

const struct cmd_desc cmds_display[] = {
	{
		.type = VGM_GPU_CMD_GET_DISPLAY_INFO,
		.name = "GET_DISPLAY_INFO",
		.size = WIRE_HDR_SIZE,
		.feature = -1,
		.ok = VGM_GPU_RESP_OK_DISPLAY_INFO,
		.decode = wire_get_nothing,
		.validate = validate_nothing,
		.execute = exec_display_info,
	},
	{
		.type = VGM_GPU_CMD_GET_EDID,
		.name = "GET_EDID",
		.size = WIRE_HDR_SIZE + 8,
		.feature = VGM_GPU_F_EDID,
		/* Answered once offered, accepted or not: virtio-win's viogpudo
		 * asks without accepting the feature, and QEMU answers (it looks
		 * at its own configuration, not at the negotiated bits). */
		.open_when_offered = true,
		.ok = VGM_GPU_RESP_OK_EDID,
		.decode = wire_get_id,
		.validate = validate_edid,
		.execute = exec_edid,
	},
	{
		.type = VGM_GPU_CMD_GET_CAPSET_INFO,
		.name = "GET_CAPSET_INFO",
		.size = WIRE_HDR_SIZE + 8,
		.feature = -1,
		.decode = wire_get_nothing,
		.validate = validate_capset,
	},
	{
		.type = VGM_GPU_CMD_GET_CAPSET,
		.name = "GET_CAPSET",
		.size = WIRE_HDR_SIZE + 8,
		.feature = -1,
		.decode = wire_get_nothing,
		.validate = validate_capset,
	},
	{ 0 },
};
