/* SPDX-License-Identifier: MIT */
/*
 * The virgl renderer in a library built without virglrenderer (meson
 * option `virgl` off or virglrenderer absent): there is none.
 */
#include <errno.h>

#include "render.h"

int render_virgl_probe(void)
{
	return -ENOTSUP;
}

int render_virgl_open(uint32_t flags, struct render_virgl **out)
{
	(void)flags;
	(void)out;
	return -ENOTSUP;
}

void render_virgl_close(struct render_virgl *v)
{
	(void)v;
}

const struct renderer_ops *render_virgl_ops(void)
{
	return NULL;
}

uint32_t render_virgl_capsets(const struct render_virgl *v)
{
	(void)v;
	return 0;
}
