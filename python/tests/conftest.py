# SPDX-License-Identifier: MIT
"""The package under test is the one next to this folder; the library is
found as the package says (VIRTGPU_MEM_LIBRARY, meson sets it)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
TRACES = os.path.join(SOURCE_ROOT, 'tests', 'traces')
