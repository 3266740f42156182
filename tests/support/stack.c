/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "stack.h"

void stack_init_dialect(struct stack *s, enum vgm_dialect dialect,
			const struct renderer_ops *ops, void *ops_ctx)
{
	struct harness_opts o = { .dialect = dialect };

	s->h = harness_new(&o);
	core_fixture_init_dialect(&s->cf, &s->h->ops, s->h, dialect);
	s->render = calloc(1, render_size(1));
	s->d = calloc(1, dispatch_size());
	assert_non_null(s->render);
	assert_non_null(s->d);
	render_init(s->render, s->cf.core, s->cf.host, s->cf.log, ops ? ops : &render_2d_ops,
		    ops_ctx);
	dispatch_init(s->d, s->cf.core, s->render, s->cf.host, s->cf.log);
}

void stack_init(struct stack *s, const struct renderer_ops *ops, void *ops_ctx)
{
	stack_init_dialect(s, VGM_DIALECT_STANDARD, ops, ops_ctx);
}

void stack_fini(struct stack *s)
{
	dispatch_fini(s->d);
	core_fixture_fini(&s->cf);
	render_fini(s->render);
	free(s->d);
	free(s->render);
	harness_free(s->h);
}
