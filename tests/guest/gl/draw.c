/* SPDX-License-Identifier: MIT */
#include "draw.h"

#include <stdio.h>

static const char vertex_src[] =
	"attribute vec2 pos;\n"
	"void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";

/* highp where the driver has it: colour / 255 must come back as colour */
static const char fragment_src[] =
	"#ifdef GL_FRAGMENT_PRECISION_HIGH\n"
	"precision highp float;\n"
	"#else\n"
	"precision mediump float;\n"
	"#endif\n"
	"uniform vec4 colour;\n"
	"void main() { gl_FragColor = colour; }\n";

static GLuint compile(GLenum type, const char *src)
{
	GLuint sh = glCreateShader(type);
	GLint ok = 0;
	char log[512];

	glShaderSource(sh, 1, &src, NULL);
	glCompileShader(sh);
	glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
	if (ok)
		return sh;
	glGetShaderInfoLog(sh, sizeof(log), NULL, log);
	fprintf(stderr, "gl-guest: shader does not compile: %s\n", log);
	glDeleteShader(sh);
	return 0;
}

int draw_init(struct draw *d)
{
	GLuint vs = compile(GL_VERTEX_SHADER, vertex_src);
	GLuint fs = compile(GL_FRAGMENT_SHADER, fragment_src);
	GLint ok = 0;

	if (!vs || !fs)
		return -1;
	d->program = glCreateProgram();
	glAttachShader(d->program, vs);
	glAttachShader(d->program, fs);
	glBindAttribLocation(d->program, 0, "pos");
	glLinkProgram(d->program);
	glDeleteShader(vs);
	glDeleteShader(fs);
	glGetProgramiv(d->program, GL_LINK_STATUS, &ok);
	if (!ok) {
		fprintf(stderr, "gl-guest: program does not link\n");
		return -1;
	}
	d->colour = glGetUniformLocation(d->program, "colour");
	glGenBuffers(1, &d->vbo);
	glDisable(GL_DITHER);
	glDisable(GL_BLEND);
	glDisable(GL_DEPTH_TEST);
	glDisable(GL_CULL_FACE);
	return glGetError() == GL_NO_ERROR ? 0 : -1;
}

static void clear_to(struct rgb c)
{
	glClearColor(c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
}

void draw_scene(const struct draw *d, const struct scene *s)
{
	GLfloat ndc[6];

	glViewport(0, 0, s->w, s->h);
	glDisable(GL_SCISSOR_TEST);
	clear_to(s->clear);
	glEnable(GL_SCISSOR_TEST);
	glScissor(s->rect_x, s->rect_y, s->rect_w, s->rect_h);
	clear_to(s->rect_colour);
	glDisable(GL_SCISSOR_TEST);

	for (int i = 0; i < 3; i++) {
		ndc[2 * i] = 2.0f * s->tri[i][0] / (float)s->w - 1.0f;
		ndc[2 * i + 1] = 2.0f * s->tri[i][1] / (float)s->h - 1.0f;
	}
	glUseProgram(d->program);
	glUniform4f(d->colour, s->tri_colour.r / 255.0f, s->tri_colour.g / 255.0f,
		    s->tri_colour.b / 255.0f, 1.0f);
	glBindBuffer(GL_ARRAY_BUFFER, d->vbo);
	glBufferData(GL_ARRAY_BUFFER, sizeof(ndc), ndc, GL_STREAM_DRAW);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLES, 0, 3);
}
