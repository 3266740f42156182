# SPDX-License-Identifier: MIT
"""virtgpu-mem from Python: ctypes over libvirtgpu-mem.so.0, no compiler.

- Device, DeviceConfig, Scanout: a device, its callbacks Python callables
  (device.py);
- builders (the standard dialect), wire.dialect('memory-rfc'): requests
  built and responses parsed from the library's own wire table (wire.py);
- GuestRam: guest memory for tests and examples (ram.py);
- VgmError: a library call's negative errno (errors.py);
- constants: dialects, queues, formats, flags, DRM fourccs.

Where the library is found: see _native.py (VIRTGPU_MEM_LIBRARY, then the
source tree's build directory, then the system).
"""

from . import constants, wire
from ._native import LibraryNotFound
from .constants import *  # noqa: F401,F403
from .device import Cursor, Device, DeviceConfig, DmaBuf, Mapping, Pixels, Rect, Scanout
from .errors import VgmError
from .ram import GuestRam
from .wire import builders

__all__ = ['Device', 'DeviceConfig', 'Scanout', 'GuestRam', 'VgmError', 'LibraryNotFound',
           'builders', 'wire', 'constants', 'Pixels', 'Rect', 'Cursor', 'Mapping', 'DmaBuf']
