/* SPDX-License-Identifier: MIT */
/*
 * The layers of a device built as the device builds them, for the render
 * and cmd layers' tests: the harness's fake VMM (callbacks recorded, guest
 * RAM), a core, a render object with the renderer the test gives, and a
 * dispatch.
 */
#ifndef VGM_TEST_STACK_H
#define VGM_TEST_STACK_H

#include "cmd/cmd.h"
#include "core-fixture.h"
#include "harness.h"

struct stack {
	struct harness *h;
	struct core_fixture cf;
	struct render *render;
	struct dispatch *d;
};

/* ops NULL: the 2D renderer. */
void stack_init(struct stack *s, const struct renderer_ops *ops, void *ops_ctx);
/* The same of a dialect. */
void stack_init_dialect(struct stack *s, enum vgm_dialect dialect,
			const struct renderer_ops *ops, void *ops_ctx);
void stack_fini(struct stack *s);

#endif /* VGM_TEST_STACK_H */
