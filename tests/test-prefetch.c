/* SPDX-License-Identifier: MIT */
/*
 * The dispatch's hints of the next request (dispatch_prefetch(), behind
 * vgm_device_prefetch()): which commands name a resource to fetch and
 * where, in both dialects and with a 3D renderer; bytes short of the id,
 * the wrong queue, split requests. test-hints.c has the public side.
 */
#include <string.h>

#include "null-renderer.h"
#include "stack.h"

#define ID 0x12345678u

/* The commands whose handlers look up the resource their request names. */
static bool looks_up(enum vgm_dialect dialect, bool has_3d, uint32_t type)
{
	switch (type) {
	case VGM_GPU_CMD_RESOURCE_CREATE_2D:
	case VGM_GPU_CMD_RESOURCE_UNREF:
	case VGM_GPU_CMD_SET_SCANOUT:
	case VGM_GPU_CMD_RESOURCE_FLUSH:
	case VGM_GPU_CMD_TRANSFER_TO_HOST_2D:
	case VGM_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VGM_GPU_CMD_RESOURCE_DETACH_BACKING:
	case VGM_GPU_CMD_UPDATE_CURSOR:
		return true;
	case 0x010b: /* ASSIGN_UUID; memory-rfc: MEMORY_CREATE */
	case 0x010c: /* CREATE_BLOB; memory-rfc: MEMORY_UNREF */
		return dialect == VGM_DIALECT_STANDARD;
	case 0x010d: /* SET_SCANOUT_BLOB; memory-rfc: RESOURCE_ATTACH_MEMORY */
		return true;
	case VGM_GPU_CMD_CTX_ATTACH_RESOURCE:
	case VGM_GPU_CMD_CTX_DETACH_RESOURCE:
	case VGM_GPU_CMD_RESOURCE_CREATE_3D:
	case VGM_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VGM_GPU_CMD_TRANSFER_FROM_HOST_3D:
		return has_3d;
	default:
		return false;
	}
}

/* The request of w, bytes 0xa5 but its type and, where it has one, its
 * resource_id (ID); *id_at receives where (0: none). */
static size_t request_of(const struct vgm_wire_command *w, uint8_t *buf, size_t cap,
			 uint32_t *id_at)
{
	const struct vgm_wire_layout *l = w->request;

	assert_true(l->size <= cap);
	memset(buf, 0xa5, l->size);
	memcpy(buf, &w->type, 4); /* the tests run little-endian */
	*id_at = 0;
	for (uint32_t i = 0; i < l->nfields; i++) {
		if (strcmp(l->fields[i].name, "resource_id") == 0) {
			*id_at = l->fields[i].offset;
			memcpy(buf + *id_at, &(uint32_t){ ID }, 4);
		}
	}
	return l->size;
}

static uint32_t hint(struct dispatch *d, enum vgm_queue q, void *buf, size_t len)
{
	struct iovec in = { buf, len };

	return dispatch_prefetch(d, q, &in, 1);
}

/* Every command of the dialect: the id where it looks one up, else 0;
 * on the other queue, or one byte short of the id, never. */
static void check_every_command(enum vgm_dialect dialect, bool has_3d)
{
	struct null_renderer nr;
	struct stack st;
	uint32_t hinted = 0;

	null_renderer_init(&nr);
	stack_init_dialect(&st, dialect, has_3d ? &nr.ops : NULL, &nr);
	for (uint32_t type = 0x0100; type < 0x0400; type++) {
		const struct vgm_wire_command *w = vgm_wire_command(dialect, type);
		uint8_t buf[512];
		uint32_t id_at;
		enum vgm_queue q, other;
		size_t len;

		if (!w)
			continue;
		len = request_of(w, buf, sizeof(buf), &id_at);
		q = (enum vgm_queue)w->queue;
		other = q == VGM_QUEUE_CONTROL ? VGM_QUEUE_CURSOR : VGM_QUEUE_CONTROL;
		if (!looks_up(dialect, has_3d, type)) {
			assert_int_equal(hint(st.d, q, buf, len), 0);
			continue;
		}
		assert_int_not_equal(id_at, 0);
		assert_int_equal(hint(st.d, q, buf, len), ID);
		assert_int_equal(hint(st.d, q, buf, id_at + 4), ID);
		assert_int_equal(hint(st.d, q, buf, id_at + 3), 0);
		assert_int_equal(hint(st.d, other, buf, len), 0);
		hinted++;
	}
	assert_true(hinted >= 9);
	stack_fini(&st);
}

static void test_hint_every_command(void **state)
{
	(void)state;
	check_every_command(VGM_DIALECT_STANDARD, false);
	check_every_command(VGM_DIALECT_MEMORY_RFC, false);
}

static void test_hint_every_command_3d(void **state)
{
	(void)state;
	check_every_command(VGM_DIALECT_STANDARD, true);
}

/* A request split anywhere, even a byte an element, names the same id; a
 * type cut short, an unknown type and id 0 name none. */
static void test_hint_split_and_short(void **state)
{
	struct stack st;
	struct req r;
	struct iovec in[64];

	(void)state;
	stack_init(&st, NULL, NULL);
	req_flush(&r, ID, 0, 0, 1, 1);
	assert_true(r.len <= 64);
	for (size_t i = 0; i < r.len; i++)
		in[i] = (struct iovec){ r.buf + i, 1 };
	assert_int_equal(dispatch_prefetch(st.d, VGM_QUEUE_CONTROL, in, r.len), ID);
	assert_int_equal(hint(st.d, VGM_QUEUE_CONTROL, r.buf, 3), 0);
	assert_int_equal(hint(st.d, VGM_QUEUE_CONTROL, r.buf, 0), 0);
	req_set32(&r, 0, 0x0110);
	assert_int_equal(hint(st.d, VGM_QUEUE_CONTROL, r.buf, r.len), 0);
	req_set32(&r, 0, VGM_GPU_CMD_RESOURCE_FLUSH);
	req_set32(&r, 40, 0);
	assert_int_equal(hint(st.d, VGM_QUEUE_CONTROL, r.buf, r.len), 0);
	req_free(&r);
	stack_fini(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hint_every_command),
		cmocka_unit_test(test_hint_every_command_3d),
		cmocka_unit_test(test_hint_split_and_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
