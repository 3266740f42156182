/* SPDX-License-Identifier: MIT */
/*
 * vgm-gl-guest: the GL test program run inside the test guest (see README.md
 * beside this file). It draws N frames of a known GLES2 scene (scene.h) with
 * EGL on GBM on a virtio-gpu card, waits on a fence after each, reads each
 * back with glReadPixels and checks it pixel by pixel, shows each through
 * KMS (drmModeSetCrtc, then page flips), and writes the last one read back
 * to stdout for the host to compare with its screendump. Then it keeps the
 * card open in a child process, so that the last frame stays on screen, and
 * exits: 0 every frame correct, 1 a frame wrong, 2 could not run.
 *
 * usage: vgm-gl-guest [--frames N] [--fence egl|finish] [--card PATH]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <GLES2/gl2.h>

#include "check.h"
#include "draw.h"
#include "dump.h"
#include "egl-gbm.h"
#include "kms.h"

struct options {
	unsigned frames;
	enum fence_kind fence;
	const char *card;
};

struct gl_guest {
	struct options opt;
	struct kms kms;
	struct egl_gbm egl;
	struct draw draw;
	struct gbm_bo *shown;
	uint8_t *pixels;
	int w, h;
};

/* Times of one frame's steps, in ms. */
struct frame_times {
	double draw, fence, read, check, show;
};

static double now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ms since *t; sets *t to now */
static double lap(double *t)
{
	double now = now_ms(CLOCK_MONOTONIC), d = now - *t;

	*t = now;
	return d;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"frames", required_argument, NULL, 'n'},
		{"fence", required_argument, NULL, 'f'},
		{"card", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct options){.frames = 3, .fence = FENCE_EGL, .card = "/dev/dri/card0"};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'n') {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || n < 1 || n > 100000)
				return -1;
			o->frames = (unsigned)n;
		} else if (c == 'f' && !strcmp(optarg, "egl")) {
			o->fence = FENCE_EGL;
		} else if (c == 'f' && !strcmp(optarg, "finish")) {
			o->fence = FENCE_FINISH;
		} else if (c == 'c') {
			o->card = optarg;
		} else {
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static const char *gl_string(GLenum name)
{
	const GLubyte *s = glGetString(name);

	return s ? (const char *)s : "?";
}

static int setup(struct gl_guest *g)
{
	if (kms_open(&g->kms, g->opt.card))
		return -1;
	g->w = g->kms.mode.hdisplay;
	g->h = g->kms.mode.vdisplay;
	if (g->w < 16 || g->h < 16) {
		fprintf(stderr, "gl-guest: mode %dx%d is too small\n", g->w, g->h);
		return -1;
	}
	if (egl_gbm_init(&g->egl, g->kms.fd, g->w, g->h) || draw_init(&g->draw))
		return -1;
	g->pixels = malloc((size_t)g->w * (size_t)g->h * 4);
	if (!g->pixels)
		return -1;
	printf("VGM-GL-INFO card=%s mode=%dx%d fence=%s renderer=\"%s\" version=\"%s\"\n",
	       g->opt.card, g->w, g->h, g->opt.fence == FENCE_EGL ? "egl" : "finish",
	       gl_string(GL_RENDERER), gl_string(GL_VERSION));
	return 0;
}

/* Swaps, then puts the new front buffer on screen and releases the one that
 * was there. */
static int show(struct gl_guest *g)
{
	struct gbm_bo *bo;

	if (!eglSwapBuffers(g->egl.dpy, g->egl.win)) {
		fprintf(stderr, "gl-guest: eglSwapBuffers: 0x%x\n", (unsigned)eglGetError());
		return -1;
	}
	bo = gbm_surface_lock_front_buffer(g->egl.surface);
	if (!bo || kms_show(&g->kms, bo))
		return -1;
	if (g->shown)
		gbm_surface_release_buffer(g->egl.surface, g->shown);
	g->shown = bo;
	return 0;
}

static void print_frame(unsigned n, const struct check_result *r, const struct frame_times *t)
{
	printf("VGM-GL-FRAME n=%u ok=%d checked=%lu skipped=%lu bad=%lu draw_ms=%.2f fence_ms=%.2f "
	       "read_ms=%.2f check_ms=%.2f show_ms=%.2f uptime_s=%.3f",
	       n, r->bad == 0, r->checked, r->skipped, r->bad, t->draw, t->fence, t->read, t->check,
	       t->show, now_ms(CLOCK_BOOTTIME) / 1e3);
	if (r->bad)
		printf(" first_bad=%d,%d got=%02x%02x%02x want=%02x%02x%02x", r->bad_x, r->bad_y,
		       r->got.r, r->got.g, r->got.b, r->want.r, r->want.g, r->want.b);
	printf("\n");
}

/* Draws, fences, reads back, checks and shows frame n. Returns 0 correct,
 * 1 wrong, -1 could not. */
static int frame(struct gl_guest *g, unsigned n)
{
	struct scene s;
	struct check_result r;
	struct frame_times t;
	double t0 = now_ms(CLOCK_MONOTONIC);

	scene_for_frame(&s, g->w, g->h, n);
	draw_scene(&g->draw, &s);
	t.draw = lap(&t0);
	if (egl_gbm_fence_wait(&g->egl, g->opt.fence))
		return -1;
	t.fence = lap(&t0);
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	glReadPixels(0, 0, g->w, g->h, GL_RGBA, GL_UNSIGNED_BYTE, g->pixels);
	if (glGetError() != GL_NO_ERROR) {
		fprintf(stderr, "gl-guest: glReadPixels failed\n");
		return -1;
	}
	t.read = lap(&t0);
	check_frame(&s, g->pixels, &r);
	t.check = lap(&t0);
	if (show(g))
		return -1;
	t.show = lap(&t0);
	print_frame(n, &r, &t);
	return r.bad != 0;
}

/* The last frame stays on screen only while the card is open: a child keeps
 * it open (and the buffers alive) until the guest is switched off. */
static void hold_display(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		fprintf(stderr, "gl-guest: fork: %s (the screen is not held)\n", strerror(errno));
}

int main(int argc, char **argv)
{
	struct gl_guest g = {0};
	unsigned bad = 0;
	double start;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_options(argc, argv, &g.opt)) {
		fprintf(stderr, "usage: %s [--frames N] [--fence egl|finish] [--card PATH]\n", argv[0]);
		return 2;
	}
	if (setup(&g))
		return 2;
	start = now_ms(CLOCK_MONOTONIC);
	for (unsigned n = 0; n < g.opt.frames; n++) {
		int ret = frame(&g, n);

		if (ret < 0)
			return 2;
		bad += (unsigned)ret;
	}
	printf("VGM-GL-DONE frames=%u bad_frames=%u flips=%u total_ms=%.1f\n", g.opt.frames, bad,
	       g.kms.flips, now_ms(CLOCK_MONOTONIC) - start);
	dump_frame(stdout, g.pixels, g.w, g.h);
	hold_display();
	/* no clean-up: destroying the buffers would take the frame off screen */
	_exit(bad ? 1 : 0);
}
