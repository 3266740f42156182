/* SPDX-License-Identifier: MIT */
/*
 * The virgl renderer: a device's 3D resources, contexts and fences in
 * virglrenderer, through the adapter (virgl.h), which checks what
 * virglrenderer would not.
 */
#include <errno.h>
#include <stdlib.h>

#include "render-impl.h"
#include "virgl.h"

_Static_assert(RENDER_VIRGL_THREAD_SYNC == VGL_THREAD_SYNC, "one flag, two names");

struct render_virgl {
	struct vgl *vgl;
};

int render_virgl_probe(void)
{
	return vgl_probe();
}

int render_virgl_open(uint32_t flags, struct render_virgl **out)
{
	struct render_virgl *v;
	int ret;

	if (flags & ~RENDER_VIRGL_THREAD_SYNC)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = vgl_open(flags, &v->vgl);
	if (ret < 0) {
		free(v);
		return ret;
	}
	*out = v;
	return 0;
}

void render_virgl_close(struct render_virgl *v)
{
	if (!v)
		return;
	vgl_close(v->vgl);
	free(v);
}
