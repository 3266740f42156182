#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A guest shows a picture on a virtio-gpu device, in Python.

    picture.py [OUT.ppm]

This program plays both sides: the guest writes a 256x192 picture into its
RAM and sends the requests a guest driver sends (create a resource, attach
its backing, transfer, set the scanout, flush), and the VMM answers them
with virtgpu_mem.Device over a GuestRam. The scanout's pixels arrive in the
scanout_set callback; at the end they are written to OUT.ppm (default
picture.ppm) and their CRC-32 printed.
"""

import os
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

import virtgpu_mem as vgm  # noqa: E402
from virtgpu_mem import builders  # noqa: E402

W, H = 256, 192
FB = 0x200000  # where the guest keeps its framebuffer
PAGE = 4096


def picture():
    """The guest's picture, B8G8R8X8: blue across, green down, red a diagonal."""
    out = bytearray(W * H * 4)
    for y in range(H):
        for x in range(W):
            out[(y * W + x) * 4:(y * W + x) * 4 + 4] = bytes((x, y, (x + y) // 2 & 0xff, 0))
    return bytes(out)


def main(path):
    ram = vgm.GuestRam()
    ram.add(0x100000, 4 << 20)
    ram.write(FB, picture())
    shown = {}

    def scanout_set(scanout, px):
        shown['px'] = (px.width, px.height, px.fourcc)

    def log(level, msg):
        print('library: %s' % msg, file=sys.stderr)

    with vgm.Device(scanouts=[(W, H)], translate=ram.translate, scanout_set=scanout_set,
                    log=log) as dev:
        dev.accept_features(dev.offered_features)
        # The framebuffer in page-sized entries, as a driver's sg list.
        entries = [(FB + off, PAGE) for off in range(0, W * H * 4, PAGE)]
        for req in (builders.RESOURCE_CREATE_2D(resource_id=1, format='B8G8R8X8', width=W,
                                                height=H),
                    builders.RESOURCE_ATTACH_BACKING(resource_id=1, entries=entries),
                    builders.TRANSFER_TO_HOST_2D(resource_id=1, r=(0, 0, W, H)),
                    builders.SET_SCANOUT(scanout_id=0, resource_id=1, r=(0, 0, W, H)),
                    builders.RESOURCE_FLUSH(resource_id=1, r=(0, 0, W, H))):
            resp = builders.parse_response(dev.submit(req))
            if resp.name != 'OK_NODATA':
                sys.exit('%s: %s' % (builders.parse_request(req).name, resp.name))
        rgb = dev.read_scanout(0, vgm.DRM_FORMAT_BGR888)
    stride = (W * 3 + 3) & ~3
    rows = b''.join(rgb[y * stride:y * stride + W * 3] for y in range(H))
    with open(path, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (W, H) + rows)
    print('scanout 0 %dx%d fourcc=0x%08x crc=%08x %s' % (shown['px'] + (zlib.crc32(rows), path)))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'picture.ppm')
