#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the traces of a Windows guest's display driver: virtio-win's
viogpudo (a WDDM display-only driver), as its source has it (the facts are
listed in the traces' headers; the traces are ours).

  standard/viogpudo.trace           probe, boot mode, the update loop, two
                                    mode changes, the pointer
  standard/viogpudo-teardown.trace  the screen blacked out, then the
                                    framebuffer torn down (power off)

Everything the device must answer is computed here, from what the trace
writes into guest RAM, not by the library: every response (as "# expect:
ctrl ..." lines, the GET_EDID and GET_DISPLAY_INFO bytes included), the
fences, the cursor image and the scanout's pixels at the end. run-trace.py
checks them whatever --update does to the .out files.

Usage: gen-viogpudo.py [DIR]   (default: standard/ beside this script)
"""
import os
import re
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = 4096
# The driver accepts VERSION_1 (bit 32) and ACCESS_PLATFORM (bit 33) only:
# transport bits, so no device feature at all, EDID included.
FEATURES = (1 << 32) | (1 << 33)
FB_AREA = (0x1000000, 4096)    # framebuffer pages, scattered in these 16 MiB
CURSOR_AREA = (0x2800000, 16)  # the pointer's pages, in these 64 KiB
POINTER = 64                   # POINTER_SIZE: the cursor resource is 64x64

OK_NODATA, OK_DISPLAY_INFO, OK_EDID = 0x1100, 0x1101, 0x1104


def hexs(b):
    return b.hex()


def resp_hdr(rtype, fence=None):
    flags, fid = (1, fence) if fence is not None else (0, 0)
    return struct.pack("<IIQIB3x", rtype, flags, fid, 0, 0)


def qemu_edid():
    """QEMU 10's EDID of a 640x480 display (256 bytes), from the recording
    of a Linux guest (recorded-fbcon.trace's device line)."""
    with open(os.path.join(HERE, "standard", "recorded-fbcon.trace")) as f:
        return bytes.fromhex(re.search(r" edid=0:([0-9a-f]+)", f.read()).group(1))


def with_serial(edid, serial):
    """The same EDID with another serial number (bytes 12..15), its first
    block's checksum fixed."""
    b = bytearray(edid)
    b[12:16] = struct.pack("<I", serial)
    b[127] = (-sum(b[:127])) & 0xff
    return bytes(b)


class Guest:
    """The requests, what guest RAM holds, and what the device must hold."""

    def __init__(self):
        self.lines = []
        self.fence = 0
        self.mem = {}        # gpa of a page -> bytearray(PAGE), what the trace wrote
        self.res = {}        # resource id -> [width, height, host image (BGRX/BGRA), pages]
        self.shown = None    # the resource on scanout 0
        self.used = {}       # area -> page slots handed out so far

    def out(self, line=""):
        self.lines.append(line)

    def ctrl(self, req, resp, resp_len=24):
        self.out("ctrl resp=%d %s" % (resp_len, req))
        self.out("# expect: ctrl " + hexs(resp))

    def ok(self, req, fence=None):
        if fence is not None:
            req += " fence=%d" % fence
            self.out("# expect: fence ctx=0 ring=0 id=%d" % fence)
        self.ctrl(req, resp_hdr(OK_NODATA, fence))

    def next_fence(self):
        self.fence += 1
        return self.fence

    # -- guest memory -------------------------------------------------------
    def alloc_pages(self, n, area=FB_AREA):
        """n zeroed pages never handed out before, as Windows gives them:
        scattered (slot k of the area is page k * 617 modulo its size)."""
        base, slots = area
        first = self.used.get(area, 0)
        assert first + n <= slots
        self.used[area] = first + n
        return [base + ((first + i) * 617 % slots) * PAGE for i in range(n)]

    def write(self, pages, offset, data):
        """Writes data at offset of a buffer made of pages, one line per
        page it touches: fill where the bytes are all one, else write."""
        while data:
            page, at = pages[offset // PAGE], offset % PAGE
            n = min(len(data), PAGE - at)
            if data[:n] == data[:1] * n:
                self.out("fill %#x %d %#04x" % (page + at, n, data[0]))
            else:
                self.out("write %#x %s" % (page + at, hexs(data[:n])))
            self.mem.setdefault(page, bytearray(PAGE))[at:at + n] = data[:n]
            data, offset = data[n:], offset + n

    def read(self, pages, offset, n):
        out = b""
        while n:
            page, at = pages[offset // PAGE], offset % PAGE
            k = min(n, PAGE - at)
            out += bytes(self.mem.get(page, bytes(PAGE))[at:at + k])
            offset, n = offset + k, n - k
        return out

    # -- the driver's commands ----------------------------------------------
    def create(self, rid, fmt, w, h, pages):
        self.ok("RESOURCE_CREATE_2D id=%d format=%s width=%d height=%d" % (rid, fmt, w, h))
        self.res[rid] = [w, h, bytearray(w * h * 4), pages]

    def attach(self, rid):
        """One 4 KiB entry per page; the entry array follows the 32-byte
        command in descriptors of a page each (QueueBuffer's sg list)."""
        pages = self.res[rid][3]
        size = 16 * len(pages)
        cuts = ",".join(str(32 + k) for k in range(0, size, PAGE))
        entries = ",".join("%#x:%d" % (p, PAGE) for p in pages)
        self.ok("RESOURCE_ATTACH_BACKING id=%d split=%s entries=%s" % (rid, cuts, entries))

    def transfer(self, rid, x, y, w, h, fence=None):
        width, _h, img, pages = self.res[rid]
        offset = (y * width + x) * 4
        self.ok("TRANSFER_TO_HOST_2D id=%d rect=%d,%d,%d,%d offset=%d" % (rid, x, y, w, h, offset),
                fence)
        for row in range(y, y + h):
            at = (row * width + x) * 4
            img[at:at + w * 4] = self.read(pages, at, w * 4)

    def flush(self, rid, x, y, w, h):
        self.ok("RESOURCE_FLUSH id=%d rect=%d,%d,%d,%d" % (rid, x, y, w, h))
        if self.shown == rid:
            self.out("# expect: update 0 %d,%d %dx%d" % (x, y, w, h))

    def set_scanout(self, rid, w, h):
        self.ok("SET_SCANOUT scanout_id=0 resource_id=%d rect=0,0,%d,%d" % (rid, w, h))
        if rid:
            self.out("# expect: scanout 0 set %dx%d fourcc=XR24 stride=%d" % (w, h, w * 4))
        self.shown = rid or None

    def detach(self, rid):
        self.ok("RESOURCE_DETACH_BACKING id=%d" % rid)

    def unref(self, rid):
        if self.shown == rid:  # the device stops showing what goes away
            self.out("# expect: scanout 0 off")
            self.shown = None
        self.ok("RESOURCE_UNREF id=%d" % rid)
        del self.res[rid]

    def expect_dump(self, name):
        if self.shown is None:
            self.out("# expect: dump 0 off")
        else:
            w, h, img, _p = self.res[self.shown]
            rgb = bytes(c for i in range(0, len(img), 4) for c in (img[i + 2], img[i + 1], img[i]))
            self.out("# expect: dump 0 %dx%d crc=%08x %s" % (w, h, zlib.crc32(rgb), name))
        self.out("dump 0 %s" % name)


def pixel(x, y, frame, grey=None):
    """What Windows draws, B G R X: a grey (window backgrounds, bars), or
    a pattern (everything else)."""
    if grey is not None:
        return bytes((grey,) * 4)
    return bytes(((x * 3 + frame * 40) & 0xff, (y * 5 + frame) & 0xff, ((x ^ y) + frame * 7) & 0xff, 0))


def header(g, what):
    g.out("# A Windows guest's display driver, virtio-win's viogpudo (WDDM display-only):")
    for line in what:
        g.out("# " + line)
    g.out("# Generated by tests/traces/gen-viogpudo.py: edit that, not this file.")
    g.out("# Each response, fence, cursor image and the final pixels are computed there,")
    g.out("# from what the trace writes into guest RAM (# expect: lines).")


def device(g, scanouts):
    edid0 = qemu_edid()
    edid1 = with_serial(edid0, 2)
    g.out("# It accepts VERSION_1 and ACCESS_PLATFORM (bits 32, 33), no device feature.")
    line = "device features=%#x scanouts=%d display=0:1024x768 edid=0:%s" % (FEATURES, scanouts, hexs(edid0))
    if scanouts > 1:
        line += " display=1:800x600 edid=1:%s" % hexs(edid1)
    g.out(line)
    g.out("ram 0x0 0xa0000")
    g.out("ram 0x100000 0x7f00000")
    g.out()
    return [edid0, edid1][:scanouts]


def probe(g, edids):
    g.out("# Probe (BuildModeList): GET_EDID for every scanout, because the device")
    g.out("# offers EDID (the driver looks at the offer, not at what it accepted).")
    g.out("# It reads 256 bytes at offset 128 * scanout of the response's EDID field:")
    g.out("# scanout 0's EDID, and the second block of scanout 1's. Then")
    g.out("# GET_DISPLAY_INFO, until a scanout has a size (scanout 0 has).")
    for s, edid in enumerate(edids):
        body = struct.pack("<II", len(edid), 0) + edid + bytes(1024 - len(edid))
        g.ctrl("GET_EDID scanout=%d" % s, resp_hdr(OK_EDID) + body, 1056)
        g.out("# The driver's 256 bytes: %s" % hexs(body[8 + 128 * s:8 + 128 * s + 16]) + "...")
    modes = [(1024, 768), (800, 600)][:len(edids)]
    body = b"".join(struct.pack("<IIIIII", 0, 0, w, h, 1, 0) for w, h in modes)
    body += bytes(24 * (16 - len(modes)))
    g.ctrl("GET_DISPLAY_INFO", resp_hdr(OK_DISPLAY_INFO) + body, 408)
    g.out()


def framebuffer(g, rid, w, h):
    """CreateFrameBufferObj: a new resource of zeroed pages, attached page
    by page, shown, transferred and flushed whole."""
    pages = g.alloc_pages(w * h * 4 // PAGE)
    g.out("# CreateFrameBufferObj: resource %d, %dx%d B8G8R8X8 (X8R8G8B8), zeroed" % (rid, w, h))
    g.out("# pages, %d entries of 4 KiB over %d page descriptors; shown, transferred" %
          (len(pages), -(-len(pages) * 16 // PAGE)))
    g.out("# and flushed whole.")
    g.create(rid, "B8G8R8X8", w, h, pages)
    g.attach(rid)
    g.set_scanout(rid, w, h)
    g.transfer(rid, 0, 0, w, h)
    g.flush(rid, 0, 0, w, h)
    g.out()


def present(g, rid, rects, frame, fenced=False):
    """PresentDisplayOnly: Windows writes dirty rectangles, the driver sends
    a TRANSFER_TO_HOST_2D (offset: top * pitch + left * 4) and a
    RESOURCE_FLUSH for their bounding box."""
    w, _h, _img, pages = g.res[rid]
    for x, y, rw, rh, *grey in rects:
        for row in range(y, y + rh):
            g.write(pages, (row * w + x) * 4,
                    b"".join(pixel(c, row, frame, *grey) for c in range(x, x + rw)))
        g.transfer(rid, x, y, rw, rh, g.next_fence() if fenced else None)
        g.flush(rid, x, y, rw, rh)


def pointer(g, rid, size, hot, moves):
    """CreateCursor and UpdateCursor: a 64x64 B8G8R8A8 resource on 4
    scattered pages; the pointer's image (size x size) is copied into its
    top left corner and only that is transferred, from offset 0. Then
    UPDATE_CURSOR at 0,0 with the hot spot, and MOVE_CURSOR; a hidden
    pointer is moved to 0,0 (the driver has no other way)."""
    g.out("# The pointer: resource %d, 64x64 B8G8R8A8, 4 pages; a %dx%d image is" % (rid, size, size))
    g.out("# copied to its top left corner and only that is transferred.")
    pages = g.alloc_pages(4, CURSOR_AREA)
    g.create(rid, "B8G8R8A8", POINTER, POINTER, pages)
    g.attach(rid)
    for row in range(size):
        g.write(pages, row * POINTER * 4,
                b"".join(bytes((c * 5 & 0xff, row * 5 & 0xff, 0xc0, 0xff if c < size - row else 0x40))
                         for c in range(size)))
    g.transfer(rid, 0, 0, size, size)
    image = g.res[rid][2]
    g.out("# expect: cursor 0 set hot=%d,%d pos=0,0 crc=%08x" % (hot + (zlib.crc32(image),)))
    g.out("cursor UPDATE_CURSOR scanout_id=0 x=0 y=0 resource_id=%d hot_x=%d hot_y=%d" % ((rid,) + hot))
    for x, y in moves:
        g.out("# expect: cursor 0 move %d,%d" % (x, y))
        g.out("cursor MOVE_CURSOR scanout_id=0 x=%d y=%d resource_id=%d" % (x, y, rid))
    g.out()


def boot(what, scanouts):
    """The trace's header, the device, the probe and the boot mode's
    framebuffer, resource 1 at 1024x768."""
    g = Guest()
    header(g, what)
    probe(g, device(g, scanouts))
    framebuffer(g, 1, 1024, 768)
    return g


def viogpudo_trace():
    g = boot([
        "probe, the boot mode, the update loop, two mode changes, the pointer.",
        "From its source (viogpu/viogpudo/viogpudo.cpp, common/viogpu_queue.cpp):",
        "ids come from a free list starting at 1, so a freed id is the next one",
        "handed out; a mode change detaches and unrefs the old framebuffer while",
        "it is still shown, then creates the new one (same id) and shows it;",
        "every framebuffer and pointer page is one 4 KiB entry, the entry array",
        "split over page-sized descriptors (up to 256 in a request); only",
        "scanout 0 is used (more heads are more devices). Its TRANSFER_TO_HOST_2D",
        "carry no fence (TransferToHost2D took a fence id once, always passed",
        "NULL, and lost it in 2024); the second update loop here fences them, as",
        "a driver may: each fence is echoed and completed in order.",
    ], 2)
    g.out("# The update loop: dirty rectangles, each a transfer and a flush.")
    present(g, 1, [(0, 0, 1024, 32, 0x30), (100, 200, 64, 48), (1000, 740, 24, 28)], 1)
    g.out()
    g.out("# The same loop with fenced transfers.")
    present(g, 1, [(300, 300, 128, 16), (0, 767, 1024, 1, 0x80), (512, 384, 1, 1)], 2, fenced=True)
    g.out()
    pointer(g, 2, 32, (4, 6), [(512, 384), (1000, 700), (0, 0)])
    g.out("# A mode change to 1280x800 (SetCurrentMode): the old framebuffer is")
    g.out("# detached and unref'd while scanout 0 shows it (the scanout goes off),")
    g.out("# then id 1 is handed out again for the new one.")
    g.detach(1)
    g.unref(1)
    framebuffer(g, 1, 1280, 800)
    present(g, 1, [(0, 0, 1280, 800, 0x50), (640, 400, 40, 40), (1270, 790, 10, 10)], 3)
    g.out()
    g.out("# And back to 1024x768: id 1 again, new pages.")
    g.detach(1)
    g.unref(1)
    framebuffer(g, 1, 1024, 768)
    present(g, 1, [(10, 10, 200, 100, 0x90), (20, 20, 32, 32), (900, 0, 124, 768, 0x20)], 4)
    g.out()
    g.out("# The pointer moves over the new mode; the scanout shows resource 1.")
    g.out("# expect: cursor 0 move 20,30")
    g.out("cursor MOVE_CURSOR scanout_id=0 x=20 y=30 resource_id=2")
    g.expect_dump("viogpudo.ppm")
    return g


def teardown_trace():
    g = boot([
        "the screen blacked out, then the framebuffer torn down, as when the",
        "adapter powers off (SetPowerState to D3) or resets to VGA: BlackOutScreen",
        "zeroes the framebuffer and transfers and flushes it whole;",
        "DestroyFrameBufferObj(bReset) detaches and unrefs it, and only then sends",
        "SET_SCANOUT of resource 0; DestroyCursor detaches and unrefs the pointer.",
    ], 1)
    present(g, 1, [(0, 0, 1024, 768, 0x40), (256, 256, 64, 64)], 5)
    g.out()
    pointer(g, 2, 48, (0, 0), [(100, 100)])
    g.out("# What the screen shows before it goes dark.")
    g.expect_dump("before.ppm")
    g.out()
    g.out("# BlackOutScreen.")
    w, h, _img, pages = g.res[1]
    for p in pages:
        g.out("fill %#x %d 0" % (p, PAGE))
        g.mem[p] = bytearray(PAGE)
    g.transfer(1, 0, 0, w, h)
    g.flush(1, 0, 0, w, h)
    g.expect_dump("black.ppm")
    g.out()
    g.out("# DestroyFrameBufferObj(bReset): detach, unref (the scanout goes off), and")
    g.out("# then SET_SCANOUT to resource 0, which finds the scanout off already.")
    g.detach(1)
    g.unref(1)
    g.set_scanout(0, 0, 0)
    g.out("# DestroyCursor.")
    g.detach(2)
    g.unref(2)
    g.expect_dump("off.ppm")
    return g


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "standard")
    for name, g in (("viogpudo.trace", viogpudo_trace()), ("viogpudo-teardown.trace", teardown_trace())):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("\n".join(g.lines) + "\n")


if __name__ == "__main__":
    main()
