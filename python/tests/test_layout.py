# SPDX-License-Identifier: MIT
"""The package's mirrors of the public header against the header compiled:
every struct's size and member offsets (_native.py) and every constant
(constants.py, wire.py). meson builds layout-dump.c and gives its path in
VGM_LAYOUT_DUMP."""

import ctypes
import json
import os
import subprocess

import pytest

import virtgpu_mem.constants as k
from virtgpu_mem import _native, wire


@pytest.fixture(scope='module')
def header():
    exe = os.environ.get('VGM_LAYOUT_DUMP')
    if not exe:
        pytest.skip('VGM_LAYOUT_DUMP not set (meson test sets it)')
    return json.loads(subprocess.run([exe], check=True, capture_output=True).stdout)


def test_every_struct_matches(header):
    assert set(header['structs']) == set(_native.STRUCTS)
    for name, c in header['structs'].items():
        cls = _native.STRUCTS[name]
        assert ctypes.sizeof(cls) == c['size'], name
        assert [n for n, _ in cls._fields_] == list(c['offsets']), name
        for member, offset in c['offsets'].items():
            assert getattr(cls, member).offset == offset, '%s.%s' % (name, member)


def python_value(name):
    """The package's value for a header constant's name."""
    if name.startswith('VGM_GPU_FORMAT_'):
        return k.FORMATS[name[len('VGM_GPU_FORMAT_'):]]
    if name.startswith('VGM_WIRE_TRAILER_'):
        return getattr(wire, 'TRAILER_' + name[len('VGM_WIRE_TRAILER_'):])
    if name.startswith('VGM_WIRE_'):
        short = name[len('VGM_WIRE_'):]
        return getattr(wire, short) if hasattr(wire, short) else getattr(wire, 'FLAG_' + short)
    if name.startswith('DRM_FORMAT_'):
        return getattr(k, name)
    for prefix in ('VGM_GPU_', 'VGM_'):
        if name.startswith(prefix):
            return getattr(k, name[len(prefix):])
    raise KeyError(name)


def test_every_constant_matches(header):
    assert len(header['constants']) > 50
    for name, value in header['constants'].items():
        assert python_value(name) == value, name
