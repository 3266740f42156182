# SPDX-License-Identifier: MIT
"""Guest memory for tests and examples: ranges of bytearrays at guest
physical addresses, and the translate() a device needs over them.

Each range is its own host buffer, so two adjacent ranges are not host
contiguous (translate() stops at a range's end, as a VMM's memory map
does between slots). The buffers are pinned while the RAM lives: their
addresses stay valid for the device's mappings.
"""

import ctypes
import errno


class GuestRam:
    def __init__(self):
        self._ranges = []  # (gpa, bytearray, ctypes array over it), sorted by gpa

    def add(self, gpa, size):
        """A zeroed range [gpa, gpa + size); returns a memoryview of it."""
        if size <= 0 or gpa < 0 or gpa + size > 1 << 64:
            raise ValueError('a range is 1 byte or more, below 2^64')
        for start, buf, _ in self._ranges:
            if gpa < start + len(buf) and start < gpa + size:
                raise ValueError('0x%x +0x%x overlaps a range' % (gpa, size))
        buf = bytearray(size)
        self._ranges.append((gpa, buf, (ctypes.c_char * size).from_buffer(buf)))
        self._ranges.sort(key=lambda r: r[0])
        return memoryview(buf)

    def _find(self, gpa, length):
        for start, buf, arr in self._ranges:
            if start <= gpa < start + len(buf):
                if length > start + len(buf) - gpa:
                    raise ValueError('0x%x +0x%x crosses the end of a range' % (gpa, length))
                return gpa - start, buf, arr
        raise ValueError('0x%x is not in guest RAM' % gpa)

    def write(self, gpa, data):
        off, buf, _ = self._find(gpa, len(data))
        buf[off:off + len(data)] = data

    def fill(self, gpa, length, byte):
        off, buf, _ = self._find(gpa, length)
        buf[off:off + length] = bytes([byte]) * length

    def read(self, gpa, length):
        off, buf, _ = self._find(gpa, length)
        return bytes(buf[off:off + length])

    def translate(self, gpa, length):
        """The device's translate(): (host address, contiguous bytes), or
        -EFAULT when gpa is not guest RAM."""
        for start, buf, arr in self._ranges:
            if start <= gpa < start + len(buf):
                off = gpa - start
                return ctypes.addressof(arr) + off, min(length, len(buf) - off)
        return -errno.EFAULT
