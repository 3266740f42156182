/* SPDX-License-Identifier: MIT */
/*
 * Responses that come later, for both recorders (the library's and the
 * vhost-user backend's): a request a 3D device keeps in flight is written
 * when it is submitted, and its response where the answer comes. Until
 * then the recorder keeps, by the request's tag, what that line needs and
 * a copy of its writable elements (whose buffers are the VMM's until the
 * answer).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int text_later_add(struct text_later_list *list, const struct text_later *l,
		   const struct iovec *out, size_t out_cnt)
{
	struct text_later *v = list->v;
	struct iovec *copy;

	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 16;

		v = realloc(list->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		list->v = v;
		list->cap = cap;
	}
	copy = malloc((out_cnt ? out_cnt : 1) * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	if (out_cnt)
		memcpy(copy, out, out_cnt * sizeof(*copy));
	v[list->n] = *l;
	v[list->n].out = copy;
	v[list->n].out_cnt = out_cnt;
	list->n++;
	return 0;
}

/* The written bytes of l's writable elements, as "# expect:" (or
 * "# recorded:") line under a comment naming the command. */
static int put_later(FILE *f, const struct text_later *l, size_t written)
{
	fprintf(f, "# the response of the %s in flight (answered here):\n",
		l->name ? l->name : "request");
	return text_expect_ctrl_iov(f, l->replays, l->hostdep, l->out, l->out_cnt, written);
}

int text_later_done(FILE *f, struct text_later_list *list, uint64_t tag, size_t written)
{
	struct text_later l;
	size_t i;
	int err;

	for (i = 0; i < list->n && list->v[i].tag != tag; i++)
		;
	if (i == list->n)
		return 0;
	l = list->v[i];
	memmove(&list->v[i], &list->v[i + 1], (list->n - i - 1) * sizeof(*list->v));
	list->n--;
	err = f ? put_later(f, &l, written) : 0;
	free(l.out);
	return err;
}

void text_later_free(struct text_later_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i].out);
	free(list->v);
	*list = (struct text_later_list){ 0 };
}
