/* SPDX-License-Identifier: MIT */
/*
 * A device started from a saved state (--load-state): loaded at start-up,
 * resumed once a ring can run. Then the front-end's memory table is there
 * (the library translates every backing through it again) and the driver
 * is running (QEMU sets the display socket, the memory table and the rings
 * up when the driver is ready, as on an incoming migration's start): the
 * callbacks that resume replays go to QEMU's display.
 */
#include "gpu-private.h"
#include "log.h"

int gpu_load_state(struct gpu *g, const void *buf, size_t len)
{
	int err = vgm_device_load(g->dev, buf, len);

	if (err == 0)
		g->resume_pending = true;
	return err;
}

void gpu_resume_state(struct gpu *g)
{
	int lost;

	g->resume_pending = false;
	lost = vgm_device_resume(g->dev);
	if (lost > 0)
		log_warn("saved state: %d backings are not in the guest memory the front-end gave; "
			 "their resources keep the pixels they had", lost);
	else
		log_info("saved state resumed: the display shows what the guest showed");
	gpu_tell_owners(g);
}
