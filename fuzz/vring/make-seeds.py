#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz/vring (the input format is in vring.c):
rings that carry a chain, a chain across two regions, an indirect table,
EVENT_IDX, and hostile rings; each a few hundred bytes.

usage: make-seeds.py DIR
"""

import os
import struct
import sys

NEXT, WRITE, INDIRECT = 1, 2, 4
RAM0 = 0x100000  # region 0: 4 pages; region 1 follows it: 2 pages


def ring(features=3, num=8, base=0):
    """The header: two regions contiguous in guest memory, the ring in
    region 0 (table at 0, available ring at 0x1000, used ring at 0x2000)."""
    b = struct.pack("<BHHB", features, num, base, 1)
    b += struct.pack("<IB", RAM0 >> 12, 3) + struct.pack("<IB", (RAM0 + 0x4000) >> 12, 1)
    for off in (0, 0x1000, 0x2000):
        b += struct.pack("<BI", 0, off)
    return b


def write(region, off, data):
    return struct.pack("<BBIH", 0, region, off, len(data)) + data


def desc(i, addr, length, flags, nxt=0, indirect=False):
    return struct.pack("<BHQIHH", 1, i | (0x8000 if indirect else 0), addr, length, flags, nxt)


def avail(head):
    return struct.pack("<BH", 2, head)


def pop(length=24):
    return struct.pack("<BI", 3, length)


def base(b):
    return struct.pack("<BH", 4, b)


ARM, REMAP = bytes([5]), bytes([6])

SEEDS = {
    # a request and a response, the response crossing into region 1
    "chain": ring() + desc(0, RAM0 + 0x3000, 24, NEXT, 1) + desc(1, RAM0 + 0x3800, 0x1000, WRITE)
    + write(0, 0x3000, bytes(range(24))) + avail(0) + pop(),
    # an indirect table at the start of region 1
    "indirect": ring() + desc(0, RAM0 + 0x4000, 48, INDIRECT)
    + desc(0, RAM0 + 0x3000, 24, NEXT, 1, True) + desc(1, RAM0 + 0x3100, 16, NEXT, 2, True)
    + desc(2, RAM0 + 0x3200, 64, WRITE, 0, True) + avail(0) + pop(88),
    # EVENT_IDX: arm on an empty ring, then two chains
    "event-idx": ring() + ARM + desc(0, RAM0 + 0x3000, 24, 0) + desc(1, RAM0 + 0x3100, 24, WRITE)
    + avail(0) + avail(1) + ARM + pop() + ARM,
    # hostile: a loop, an index out of range, a head out of range, then an
    # available index far ahead (broken), and set up again
    "hostile": ring(features=0) + desc(0, RAM0 + 0x3000, 24, NEXT, 1) + desc(1, RAM0 + 0x3000, 24, NEXT, 0)
    + desc(2, RAM0 + 0x3000, 24, NEXT, 40) + desc(3, RAM0 + 0x4000, 32, INDIRECT)
    + avail(0) + avail(2) + avail(9) + avail(3) + pop()
    + write(0, 0x1002, struct.pack("<H", 200)) + pop() + REMAP + base(200) + pop(),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
