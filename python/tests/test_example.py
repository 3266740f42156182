# SPDX-License-Identifier: MIT
"""examples/picture.py runs, and its PPM is the picture it drew, computed
here from the same formula (B8G8R8X8 in memory: bytes B, G, R, X)."""

import os
import subprocess
import sys
import zlib

from conftest import HERE

EXAMPLE = os.path.join(os.path.dirname(HERE), 'examples', 'picture.py')


def test_picture_example(tmp_path):
    out = tmp_path / 'picture.ppm'
    res = subprocess.run([sys.executable, EXAMPLE, str(out)], capture_output=True, text=True,
                         check=True)
    w, h = 256, 192
    want = bytearray()
    for y in range(h):
        for x in range(w):
            want += bytes(((x + y) // 2 & 0xff, y, x))  # R, G, B
    data = out.read_bytes()
    assert data == b'P6\n256 192\n255\n' + bytes(want)
    assert 'crc=%08x' % zlib.crc32(bytes(want)) in res.stdout
    assert 'scanout 0 256x192 fourcc=0x34325258' in res.stdout
