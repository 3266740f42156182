/* SPDX-License-Identifier: MIT */
/*
 * Draws a scene (scene.h) with GLES2 into the current context's surface.
 */
#ifndef VGM_GL_DRAW_H
#define VGM_GL_DRAW_H

#include "scene.h"

#include <GLES2/gl2.h>

struct draw {
	GLuint program, vbo;
	GLint colour;
};

/* Compiles the flat-colour program and makes the vertex buffer in the
 * current context. Returns 0, or -1 after printing why on stderr. */
int draw_init(struct draw *d);

/* Clear, scissored rectangle, triangle: frame s (s->w x s->h viewport). */
void draw_scene(const struct draw *d, const struct scene *s);

#endif
