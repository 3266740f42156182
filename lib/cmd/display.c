/* SPDX-License-Identifier: MIT */
/*
 * What the guest learns about the displays: GET_DISPLAY_INFO, GET_EDID, and
 * the capability sets (none in this version).
 */
#include <string.h>

#include "cmd-impl.h"

static uint32_t validate_nothing(struct dispatch *d, struct cmd *c)
{
	(void)d;
	(void)c;
	return 0;
}

/* One entry per possible scanout; a disconnected display is all zeros. */
static uint32_t exec_display_info(struct dispatch *d, struct cmd *c)
{
	for (uint32_t i = 0; i < VGM_GPU_MAX_SCANOUTS; i++) {
		struct scanout_desc so = { 0 };
		bool on;

		if (i < core_num_scanouts(d->core))
			scanout_describe(d->core, i, &so);
		on = so.enabled;
		c->resp->display_info.pmodes[i] = (struct vgm_gpu_display_one){
			.r = { 0, 0, on ? so.width : 0, on ? so.height : 0 },
			.enabled = on,
		};
	}
	return 0;
}

static uint32_t validate_edid(struct dispatch *d, struct cmd *c)
{
	uint32_t scanout = c->u.get_edid.scanout;

	if (scanout >= core_num_scanouts(d->core))
		return guest_error(d, c, VGM_GPU_RESP_ERR_INVALID_PARAMETER,
				   "scanout %u is not below num_scanouts %u", scanout,
				   core_num_scanouts(d->core));
	return 0;
}

static uint32_t exec_edid(struct dispatch *d, struct cmd *c)
{
	struct vgm_gpu_resp_edid *r = &c->resp->edid;
	uint32_t scanout = c->u.get_edid.scanout;
	struct scanout_desc so;
	size_t len;

	scanout_describe(d->core, scanout, &so);
	len = so.edid_len;
	if (so.edid)
		memcpy(r->edid, so.edid, len);
	else
		len = edid_generate(so.width, so.height, scanout, r->edid);
	memset(r->edid + len, 0, sizeof(r->edid) - len);
	r->size = (uint32_t)len;
	return 0;
}

const struct cmd_desc cmds_display[] = {
	{ VGM_GPU_CMD_GET_DISPLAY_INFO, .validate = validate_nothing,
	  .execute = exec_display_info },
	/* Answered once offered, accepted or not: virtio-win's viogpudo asks
	 * without accepting the feature, and QEMU answers (it looks at its own
	 * configuration, not at the negotiated bits). */
	{ VGM_GPU_CMD_GET_EDID, .open_when_offered = true, .validate = validate_edid,
	  .execute = exec_edid },
	{ 0 },
};
