/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for /dev/udmabuf, for the programs linked with
 * -Wl,--wrap=open64,--wrap=ioctl,--wrap=calloc (tests/meson.build): the
 * library's open("/dev/udmabuf") gets /dev/null, and its
 * UDMABUF_CREATE_LIST is recorded and answered with a memfd, or an error.
 * The wrappers cannot take a context, so their state is the one global of
 * such a program.
 */
#ifndef VGM_TEST_UDMABUF_FAKE_H
#define VGM_TEST_UDMABUF_FAKE_H

#include <linux/udmabuf.h>
#include <stdbool.h>
#include <stdint.h>

#define UDMABUF_FAKE_MAX_ITEMS 16

struct udmabuf_fake {
	bool present;	   /* open("/dev/udmabuf") works */
	int refuse;	   /* errno the ioctl fails with, 0: it works */
	bool fail_calloc;  /* the next calloc fails */
	int ctl;	   /* the fd open() gave, -1 none */
	unsigned opens;
	unsigned ioctls;
	uint32_t flags, count; /* the last list, and its items */
	struct udmabuf_create_item items[UDMABUF_FAKE_MAX_ITEMS];
};

extern struct udmabuf_fake udmabuf_fake;

/* Forgets everything; present: whether /dev/udmabuf opens. */
void udmabuf_fake_reset(bool present);

#endif /* VGM_TEST_UDMABUF_FAKE_H */
