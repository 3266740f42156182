#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes standard/console.trace: a Linux guest bringing up its console.
With --blob, standard/console-blob.trace: the same guest offered
VIRTIO_GPU_F_RESOURCE_BLOB, whose buffers are guest-memory blobs.

The requests follow what drivers/gpu/drm/virtio sends for fbcon: GET_EDID
and GET_DISPLAY_INFO at probe; a 1024x768 XRGB8888 dumb buffer
(RESOURCE_CREATE_2D, fenced, then RESOURCE_ATTACH_BACKING with one entry
per scattered 4 KiB page); the CRTC disabled (SET_SCANOUT to resource 0);
the first plane update (TRANSFER_TO_HOST_2D, SET_SCANOUT to the buffer,
a fenced RESOURCE_FLUSH); then damage rectangles, each a TRANSFER_TO_HOST_2D
and a fenced RESOURCE_FLUSH; a cursor (64x64 ARGB8888, transferred with a
fence, UPDATE_CURSOR and MOVE_CURSOR on the cursor queue).

With blobs (drivers/gpu/drm/virtio with has_resource_blob): every buffer is
a RESOURCE_CREATE_BLOB of guest memory with its entries, shown with
SET_SCANOUT_BLOB; the driver still sends TRANSFER_TO_HOST_2D (nothing to copy
for a blob), and the fenced RESOURCE_FLUSH is what refreshes the host's
copy of scattered pages.

The framebuffer is filled with a known pattern, and this script computes
what the scanout must show from that pattern alone (not from the library):
the "# expect:" lines it writes are checked by run-trace.py, whatever
--update does to console.out.

Usage: gen-console.py [--blob] [OUTPUT]
       (default: standard/console.trace or standard/console-blob.trace beside it)
"""
import os
import sys
import zlib

WIDTH, HEIGHT, BPP = 1024, 768, 4
STRIDE = WIDTH * BPP  # one row is one 4 KiB page
FB_ID, CURSOR_ID = 2, 3
FB_AREA = 0x1000000   # the framebuffer's pages are scattered in 4 MiB here
CURSOR_AREA = 0x2000000


def fb_page(row):
    """Guest address of framebuffer row `row`: 768 of 1024 pages, shuffled."""
    return FB_AREA + ((row * 389 + 17) % 1024) * 0x1000


def cursor_page(i):
    return CURSOR_AREA + (3 - i) * 0x3000  # four pages, backwards, with holes


def text_pixel(x, y):
    """The colour (r, g, b) of the 'text' the console draws."""
    return ((x * 7) & 0xff, (y * 13) & 0xff, ((x + y) * 5) & 0xff)


class Console:
    def __init__(self, blob):
        self.blob = blob
        self.lines = []
        self.fence = 0
        # guest[y][x] = (r, g, b); host is what the device should hold.
        self.guest = [[(0, 0, 0)] * WIDTH for _ in range(HEIGHT)]
        self.host = [[(0, 0, 0)] * WIDTH for _ in range(HEIGHT)]

    def out(self, line=""):
        self.lines.append(line)

    def next_fence(self):
        self.fence += 1
        return self.fence

    def fill_row(self, y, v):
        self.out(f"fill {fb_page(y):#x} {STRIDE} {v:#04x}")
        self.guest[y] = [(v, v, v)] * WIDTH

    def write_pixels(self, x, y, pixels):
        hexb = "".join(f"{b:02x}{g:02x}{r:02x}00" for (r, g, b) in pixels)
        self.out(f"write {fb_page(y) + x * BPP:#x} {hexb}")
        self.guest[y][x:x + len(pixels)] = pixels

    def transfer(self, x, y, w, h, fence=False):
        offset = y * STRIDE + x * BPP
        f = f" fence={self.next_fence()}" if fence else ""
        self.out(f"ctrl TRANSFER_TO_HOST_2D id={FB_ID} rect={x},{y},{w},{h} "
                 f"offset={offset}{f}")
        if not self.blob:
            self.copy(x, y, w, h)

    def copy(self, x, y, w, h):
        for row in range(y, y + h):
            self.host[row][x:x + w] = self.guest[row][x:x + w]

    def flush(self, x, y, w, h):
        self.out(f"ctrl RESOURCE_FLUSH id={FB_ID} rect={x},{y},{w},{h} "
                 f"fence={self.next_fence()}")
        if self.blob:  # the staging copy of the scattered pages is refreshed
            self.copy(x, y, w, h)

    def set_scanout(self):
        if not self.blob:
            self.out(f"ctrl SET_SCANOUT scanout_id=0 resource_id={FB_ID} "
                     f"rect=0,0,{WIDTH},{HEIGHT}")
            return
        self.out(f"ctrl SET_SCANOUT_BLOB scanout_id=0 resource_id={FB_ID} "
                 f"rect=0,0,{WIDTH},{HEIGHT} width={WIDTH} height={HEIGHT} "
                 f"format=B8G8R8X8 strides={STRIDE}")
        self.copy(0, 0, WIDTH, HEIGHT)

    def create(self, res_id, width, height, fmt, entries):
        fence = self.next_fence()
        if self.blob:
            # VIRTGPU_BLOB_MEM_GUEST, VIRTGPU_BLOB_FLAG_USE_SHAREABLE
            self.out(f"ctrl RESOURCE_CREATE_BLOB id={res_id} blob_mem=1 blob_flags=2 "
                     f"fence={fence} entries={entries}")
            return
        self.out(f"ctrl RESOURCE_CREATE_2D id={res_id} format={fmt} width={width} "
                 f"height={height} fence={fence}")
        self.out(f"ctrl RESOURCE_ATTACH_BACKING id={res_id} entries={entries}")

    def expected_dump(self, path):
        pixels = bytes(c for row in self.host for px in row for c in px)
        return f"# expect: dump 0 {WIDTH}x{HEIGHT} crc={zlib.crc32(pixels):08x} {path}"


def probe(c):
    c.out("# Probe: the EDID of each scanout, then the display info.")
    c.out("ctrl GET_EDID scanout=0")
    c.out("ctrl GET_DISPLAY_INFO")
    c.out()


def framebuffer(c):
    c.out(f"# The fbdev dumb buffer: {WIDTH}x{HEIGHT} B8G8R8X8 (DRM XRGB8888), "
          f"resource {FB_ID},")
    c.out(f"# {HEIGHT} entries, one per page; row y is page (y * 389 + 17) % 1024.")
    entries = ",".join(f"{fb_page(y):#x}:4096" for y in range(HEIGHT))
    c.create(FB_ID, WIDTH, HEIGHT, "B8G8R8X8", entries)
    c.out()
    c.out("# fbcon's first picture: a grey ramp, row y grey y / 3.")
    for y in range(HEIGHT):
        c.fill_row(y, y // 3)
    c.out()
    c.out("# Modeset: the CRTC is disabled first, then the first plane update")
    c.out("# transfers the whole buffer, shows it and flushes it.")
    c.out("ctrl SET_SCANOUT scanout_id=0 resource_id=0")
    c.transfer(0, 0, WIDTH, HEIGHT)
    c.set_scanout()
    c.flush(0, 0, WIDTH, HEIGHT)
    c.out()


def text(c):
    c.out("# Three lines of 'text' (8 glyphs of 8x16), each a damage rectangle:")
    c.out("# a transfer and a fenced flush.")
    for line in range(3):
        x0, y0 = 8, 16 * line
        for y in range(y0, y0 + 16):
            c.write_pixels(x0, y, [text_pixel(x, y) for x in range(x0, x0 + 64)])
        c.transfer(x0, y0, 64, 16)
        c.flush(x0, y0, 64, 16)
    c.out()
    c.out("# The guest draws 16 rows near the bottom but damages only the first")
    c.out("# 8: the last 8 keep the ramp on the host.")
    for y in range(700, 716):
        c.write_pixels(512, y, [text_pixel(x, y) for x in range(512, 544)])
    c.transfer(512, 700, 32, 8)
    c.flush(512, 700, 32, 8)
    c.out()


def cursor(c):
    c.out(f"# The cursor: 64x64 B8G8R8A8 (ARGB8888), resource {CURSOR_ID}, four")
    c.out("# scattered pages of 16 rows; page i is filled with byte 0x3f + 0x40 * i,")
    c.out("# so the image is four bands of grey words.")
    entries = ",".join(f"{cursor_page(i):#x}:4096" for i in range(4))
    c.create(CURSOR_ID, 64, 64, "B8G8R8A8", entries)
    image = b""
    for i in range(4):
        v = 0x3f + 0x40 * i
        c.out(f"fill {cursor_page(i):#x} 4096 {v:#04x}")
        image += bytes([v]) * 4096
    c.out(f"ctrl TRANSFER_TO_HOST_2D id={CURSOR_ID} rect=0,0,64,64 fence={c.next_fence()}")
    c.out(f"# expect: cursor 0 set hot=2,3 pos=500,400 crc={zlib.crc32(image):08x}")
    c.out(f"cursor UPDATE_CURSOR scanout_id=0 x=500 y=400 resource_id={CURSOR_ID} "
          f"hot_x=2 hot_y=3")
    for x, y in ((510, 405), (530, 420), (1023, 767)):
        c.out(f"cursor MOVE_CURSOR scanout_id=0 x={x} y={y}")
    c.out()


def main():
    args = sys.argv[1:]
    blob = "--blob" in args
    args = [a for a in args if a != "--blob"]
    name = "console-blob.trace" if blob else "console.trace"
    path = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "standard", name)
    c = Console(blob)
    c.out("# A Linux guest bringing up its console on a 1024x768 display"
          + (", with blob resources." if blob else "."))
    c.out("# Generated by tests/traces/gen-console.py" + (" --blob" if blob else "")
          + ": edit that, not this file.")
    c.out("# Guest RAM as on a PC: 640 KiB low, then 127 MiB from 1 MiB.")
    c.out("ram 0x0 0xa0000")
    c.out("ram 0x100000 0x7f00000")
    c.out()
    probe(c)
    framebuffer(c)
    text(c)
    cursor(c)
    c.out("# What the scanout shows, pixel for pixel.")
    c.out(c.expected_dump("console.ppm"))
    c.out("dump 0 console.ppm")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(c.lines) + "\n")


if __name__ == "__main__":
    main()
