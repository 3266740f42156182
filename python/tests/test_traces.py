# SPDX-License-Identifier: MIT
"""Every golden trace of tests/traces/ driven through the Python package:
its symbolic requests built by the builders from the library's wire table,
its hex ones sent as they are. Every response and every dump must be those
of the golden output (vgm-replay's, NAME.out), and every "# expect:" ctrl
or dump line of the trace (computed apart from the library: the pixels'
CRC-32) must be among them."""

import glob
import os

import pytest

from conftest import TRACES
from trace_player import Player, golden_lines

ALL = sorted(glob.glob(os.path.join(TRACES, 'standard', '*.trace')) +
             glob.glob(os.path.join(TRACES, 'memory-rfc', '*.trace')))


def uuid_free(line):
    return '<uuid' not in line


@pytest.mark.parametrize('path', ALL, ids=lambda p: os.path.relpath(p, TRACES))
def test_golden_trace(path):
    player = Player().play(path)
    player.close()
    golden = golden_lines(path[:-len('.trace')] + '.out')
    assert len(player.out) == len(golden)
    for i, (got, want) in enumerate(zip(player.out, golden)):
        if uuid_free(want):
            assert got == want, 'output line %d' % (i + 1)
    for want in player.expect:
        if want.startswith(('ctrl', 'dump')):
            assert want in player.out


def test_console_pixels_are_the_computed_picture():
    """console.trace's last dump: the CRC that gen-console.py computed from
    the pattern it wrote into guest RAM, not from the library."""
    player = Player().play(os.path.join(TRACES, 'standard', 'console.trace'))
    player.close()
    dumps = [line for line in player.out if line.startswith('dump 0 1024x768')]
    assert dumps[-1] == 'dump 0 1024x768 crc=dafb904f console.ppm'


def test_traces_were_found():
    assert len(ALL) >= 30
