#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz/vhost-user (the input format is in
vhost-user.c): QEMU's set-up (features, protocol features, memory table,
display socket, both rings), then kicked requests: display info, a 2D
frame through a backing and an indirect table, the cursor; the same
recorded, in memory-rfc, with guest RAM truncated under a backing, and a
front-end that sends broken messages. About 2 KB each at most.

usage: make-seeds.py DIR
"""

import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vhost-user-gpu"))
from vhost_user_numbers import (  # noqa: E402
    CMD_ATTACH as ATTACH, CMD_CREATE_2D as CREATE_2D, CMD_FLUSH as FLUSH,
    CMD_GET_DISPLAY_INFO as GET_DISPLAY_INFO, CMD_SET_SCANOUT as SET_SCANOUT, CMD_TRANSFER as TRANSFER,
    CMD_UPDATE_CURSOR as UPDATE_CURSOR, F_INDIRECT as INDIRECT, F_NEXT as NEXT, F_WRITE as WRITE,
    GET_CONFIG, GET_FEATURES, GET_PROTOCOL_FEATURES, GET_VRING_BASE, GPU_SET_SOCKET, NEED_REPLY,
    SET_FEATURES, SET_MEM_TABLE, SET_OWNER, SET_PROTOCOL_FEATURES, SET_VRING_ADDR, SET_VRING_BASE,
    SET_VRING_CALL, SET_VRING_ENABLE, SET_VRING_KICK, SET_VRING_NUM)

# descriptor kinds (vhost-user.c)
FD_RAM, FD_KICK0, FD_KICK1, FD_CALL, FD_DISPLAY, FD_PIPE, FD_SMALL, FD_RAM_RO = range(8)
FEATURES = (1 << 0) | (1 << 1) | (1 << 28) | (1 << 29) | (1 << 30) | (1 << 32)
PROTOCOL = (1 << 0) | (1 << 3) | (1 << 9) | (1 << 13)
RAM = 1 << 20
UVA = 0x7F0000000000
QSIZE = 64
RINGS = (0x1000, 0x4000)  # descriptor table; available ring +0x1000, used ring +0x2000


def msg(req, payload=b"", fds=(), flags=0x1):
    b = struct.pack("<BIIHB", 0, req, flags, len(payload), len(fds))
    return b + bytes(fds) + payload


def write(off, data):
    return struct.pack("<BIH", 2, off, len(data)) + data


def kick(q):
    return struct.pack("<BB", 3, q)


def truncate(size):
    return struct.pack("<BI", 4, size)


def raw(data):
    return struct.pack("<BH", 1, len(data)) + data


def setup(fds_ram=FD_RAM):
    b = msg(GET_FEATURES) + msg(GET_PROTOCOL_FEATURES)
    b += msg(SET_PROTOCOL_FEATURES, struct.pack("<Q", PROTOCOL)) + msg(SET_OWNER)
    b += msg(GET_CONFIG, struct.pack("<III", 0, 16, 0) + bytes(16))
    b += msg(SET_FEATURES, struct.pack("<Q", FEATURES), flags=0x1 | NEED_REPLY)
    b += msg(SET_MEM_TABLE, struct.pack("<II", 1, 0) + struct.pack("<QQQQ", 0, RAM, UVA, 0), [fds_ram],
             flags=0x1 | NEED_REPLY)
    b += msg(GPU_SET_SOCKET, fds=[FD_DISPLAY])
    for q, base in enumerate(RINGS):
        b += msg(SET_VRING_NUM, struct.pack("<II", q, QSIZE))
        b += msg(SET_VRING_BASE, struct.pack("<II", q, 0))
        b += msg(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0, UVA + base, UVA + base + 0x2000,
                                             UVA + base + 0x1000, 0))
        b += msg(SET_VRING_CALL, struct.pack("<Q", q), [FD_CALL])
        b += msg(SET_VRING_KICK, struct.pack("<Q", q), [FD_KICK0 + q])
        b += msg(SET_VRING_ENABLE, struct.pack("<II", q, 1), flags=0x1 | NEED_REPLY)
    return b


class Driver:
    """The guest's side of the rings: requests written into guest RAM."""

    def __init__(self):
        self.avail = [0, 0]
        self.next_buf = 0x10000

    def buf(self, size):
        at = self.next_buf
        self.next_buf += (size + 0xFFF) & ~0xFFF
        return at

    def request(self, q, cmd, resp=24, extra=(), indirect=False):
        """One chain: cmd, extra readable (gpa, len), then resp bytes."""
        req_at = self.buf(len(cmd))
        bufs = [(req_at, len(cmd), 0)] + [(a, n, 0) for a, n in extra]
        if resp:
            bufs.append((self.buf(resp), resp, WRITE))
        b = write(req_at, cmd)
        table = RINGS[q]
        slot = self.avail[q] % QSIZE * 4  # four descriptors per request
        descs = b""
        for k, (a, n, fl) in enumerate(bufs):
            more = NEXT if k + 1 < len(bufs) else 0
            descs += struct.pack("<QIHH", a, n, fl | more, (0 if indirect else slot) + k + 1)
        if indirect:
            it = self.buf(len(descs))
            b += write(it, descs)
            b += write(table + slot * 16, struct.pack("<QIHH", it, len(descs), INDIRECT, 0))
        else:
            b += write(table + slot * 16, descs)
        avail = table + 0x1000
        b += write(avail + 4 + 2 * (self.avail[q] % QSIZE), struct.pack("<H", slot))
        self.avail[q] += 1
        b += write(avail + 2, struct.pack("<H", self.avail[q]))
        return b + kick(q)


def hdr(t):
    return struct.pack("<IIQII", t, 0, 0, 0, 0)


def frame(d, indirect=True):
    """A 16x16 resource from a backing, shown and flushed; a cursor."""
    px = bytes((i * 7) & 255 for i in range(16 * 16 * 4))
    at = d.buf(len(px))
    entries = d.buf(16)
    b = write(at, px) + write(entries, struct.pack("<QII", at, len(px), 0))
    b += d.request(0, hdr(CREATE_2D) + struct.pack("<IIII", 1, 2, 16, 16))
    b += d.request(0, hdr(ATTACH) + struct.pack("<II", 1, 1), extra=[(entries, 16)])
    b += d.request(0, hdr(TRANSFER) + struct.pack("<IIIIQII", 0, 0, 16, 16, 0, 1, 0), indirect=indirect)
    b += d.request(0, hdr(SET_SCANOUT) + struct.pack("<IIIIII", 0, 0, 16, 16, 0, 1))
    b += d.request(0, hdr(FLUSH) + struct.pack("<IIIIII", 0, 0, 16, 16, 1, 0))
    b += d.request(1, hdr(UPDATE_CURSOR) + struct.pack("<IIIIIIII", 0, 1, 2, 0, 1, 0, 0, 0), resp=0)
    return b, at


def seeds():
    d = Driver()
    display_info = setup() + d.request(0, hdr(GET_DISPLAY_INFO), resp=408)
    d = Driver()
    info = d.request(0, hdr(GET_DISPLAY_INFO), resp=408)
    f, _ = frame(d)
    full = setup() + info + f
    d = Driver()
    f, at = frame(d)
    lost = setup() + f + truncate(at & ~0xFFF) + d.request(0, hdr(TRANSFER) + struct.pack(
        "<IIIIQII", 0, 0, 16, 16, 0, 1, 0)) + d.request(0, hdr(GET_DISPLAY_INFO), resp=408)
    broken = (msg(GET_FEATURES) + msg(SET_MEM_TABLE, struct.pack("<II", 1, 0) +
                                      struct.pack("<QQQQ", 0, 0x2000, UVA, 0), [FD_SMALL])
              + msg(SET_MEM_TABLE, struct.pack("<II", 1, 0) + struct.pack("<QQQQ", 0, 0x1000, UVA, 0),
                    [FD_RAM_RO])
              + msg(SET_VRING_CALL, struct.pack("<Q", 0), [FD_PIPE]) + msg(GET_VRING_BASE, bytes(8))
              + raw(struct.pack("<III", GET_FEATURES, 1, 0)[:5]) + raw(bytes(7)))
    return {
        "display-info": bytes([0]) + display_info,
        "frame": bytes([0]) + full,
        "frame-recorded": bytes([1]) + full,
        "frame-memory-rfc": bytes([2]) + full,
        "frame-no-reply-reading": bytes([4 | 8]) + full,
        "ram-truncated": bytes([0]) + lost,
        "broken-messages": bytes([0]) + broken,
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
