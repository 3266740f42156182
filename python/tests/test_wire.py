# SPDX-License-Identifier: MIT
"""Builders and parsers made from the library's wire table."""

import struct

import pytest

import virtgpu_mem as vgm
from virtgpu_mem import builders, wire


def test_every_command_of_both_dialects_builds_its_size():
    for name in ('standard', 'memory-rfc'):
        d = wire.dialect(name)
        cmds = list(d)
        assert len(cmds) > 20
        for cmd in cmds:
            req = cmd()
            assert len(req) == cmd.request.size, cmd.name
            assert struct.unpack_from('<I', req)[0] == cmd.type
            assert cmd.parse_request(req).type == cmd.type


def test_the_dialects_differ_where_the_seed_reuses_numbers():
    std, rfc = wire.dialect('standard'), wire.dialect('memory-rfc')
    assert std[0x010c].name == 'RESOURCE_CREATE_BLOB'
    assert std[0x010b].name == 'RESOURCE_ASSIGN_UUID'
    assert rfc[0x010b].name == 'MEMORY_CREATE' and rfc[0x010c].name == 'MEMORY_UNREF'
    assert 'MEMORY_CREATE' not in std and 'RESOURCE_CREATE_BLOB' not in rfc


def test_create_2d_is_the_documented_bytes():
    # docs/trace-format.md's example request, in hex.
    want = bytes.fromhex('01010000 00000000 0000000000000000 00000000 00000000'
                         ' 02000000 02000000 40000000 40000000')
    assert builders.RESOURCE_CREATE_2D(resource_id=2, format='B8G8R8X8', width=64,
                                       height=64) == want


def test_entries_and_their_count_and_total():
    req = wire.dialect('memory-rfc').MEMORY_CREATE(memory_id=7,
                                                   entries=[(0x1000, 4096), (0x3000, 8192)])
    m = wire.dialect('memory-rfc').parse_request(req)
    assert m.memory_id == 7 and m.nr_entries == 2 and m.size == 12288
    assert m.entries == [{'addr': 0x1000, 'length': 4096, 'padding': b'\0' * 4},
                         {'addr': 0x3000, 'length': 8192, 'padding': b'\0' * 4}]
    # Given, the count is the caller's (a guest lying about it).
    req = builders.RESOURCE_ATTACH_BACKING(resource_id=1, nr_entries=5, entries=[(0, 1)])
    assert builders.parse_request(req).nr_entries == 5


def test_dotted_names_and_their_short_forms():
    a = builders.MOVE_CURSOR(pos_scanout_id=1, x=10, y=20)
    b = builders.MOVE_CURSOR(scanout_id=1, pos_x=10, pos_y=20)
    assert a == b
    m = builders.parse_request(a)
    assert (m['pos.scanout_id'], m['pos.x'], m['pos.y']) == (1, 10, 20)


def test_fence_and_ring_set_their_flags():
    m = builders.parse_request(builders.RESOURCE_FLUSH(resource_id=1, fence=9, ring=2))
    assert m.fence_id == 9 and m.ring_idx == 2
    assert m['hdr.flags'] == vgm.FLAG_FENCE | vgm.FLAG_INFO_RING_IDX


def test_bad_fields_are_refused():
    with pytest.raises(TypeError):
        builders.RESOURCE_UNREF(no_such_field=1)
    with pytest.raises(ValueError):
        builders.RESOURCE_UNREF(resource_id=1 << 32)
    with pytest.raises(ValueError):
        builders.RESOURCE_CREATE_2D(format='NO_SUCH_FORMAT')
    with pytest.raises(TypeError):
        builders.RESOURCE_UNREF(entries=[(0, 1)])
    with pytest.raises(AttributeError):
        builders.MEMORY_CREATE  # memory-rfc only


def test_text_and_trailing_bytes_set_their_lengths():
    m = builders.parse_request(builders.CTX_CREATE(debug_name='hello'))
    assert m.nlen == 5 and m.debug_name == b'hello'
    m = builders.parse_request(builders.SUBMIT_3D(data=b'\1\2\3\4'))
    assert m.size == 4 and m.data == b'\1\2\3\4'


def test_responses_parse_by_the_command_or_by_their_type():
    hdr = builders.header(0x1101)
    pmode = struct.pack('<6I', 0, 0, 640, 480, 1, 0)
    resp = hdr + pmode + bytes(24 * 15)
    m = builders.GET_DISPLAY_INFO.parse_response(resp)
    assert m.name == 'OK_DISPLAY_INFO' and m.pmodes[0]['r'] == (0, 0, 640, 480)
    assert builders.parse_response(resp).pmodes[0]['enabled'] == 1
    err = builders.header(0x1203)
    m = builders.GET_DISPLAY_INFO.parse_response(err)
    assert m.name == 'ERR_INVALID_RESOURCE_ID' and 'pmodes' not in m
