# SPDX-License-Identifier: MIT
"""Constants of <virtgpu-mem/virtgpu-mem.h> and <virtgpu-mem/protocol.h>.

Numbers only: the wire layouts come from the library (wire.py). The
package's tests compare each value here with the headers, compiled.
"""

# enum vgm_dialect
DIALECT_STANDARD = 0
DIALECT_MEMORY_RFC = 1
DIALECTS = {'standard': DIALECT_STANDARD, 'memory-rfc': DIALECT_MEMORY_RFC}

# enum vgm_queue
QUEUE_CONTROL = 0
QUEUE_CURSOR = 1

# enum vgm_log_level
LOG_ERROR = 1
LOG_WARNING = 2
LOG_INFO = 3
LOG_DEBUG = 4
LOG_LEVEL_NAMES = {LOG_ERROR: 'error', LOG_WARNING: 'warning', LOG_INFO: 'info',
                   LOG_DEBUG: 'debug'}

FEATURES_ALL = (1 << 64) - 1
DEVICE_SAVEABLE = 1 << 0  # vgm_device_config.flags: the device can be saved

# enum vgm_save_blocker: why vgm_device_can_save() says no, as bits
SAVE_BLOCKED_NOT_SAVEABLE = 1 << 0
SAVE_BLOCKED_IN_FLIGHT = 1 << 1
SAVE_BLOCKED_3D = 1 << 2

# enum vgm_renderer, and the options of the virgl one
RENDERER_2D = 0
RENDERER_VIRGL = 1
RENDERERS = {'2d': RENDERER_2D, 'virgl': RENDERER_VIRGL}
VIRGL_THREAD_SYNC = 1 << 0  # vgm_device_config.renderer_flags: a poll fd
MAX_SCANOUTS = 16
CURSOR_SIZE = 64
DEFAULT_WIDTH = 1024
DEFAULT_HEIGHT = 768

# Feature bits (VGM_GPU_F_*)
F_VIRGL = 0
F_EDID = 1
F_RESOURCE_UUID = 2  # standard
F_RESOURCE_BLOB = 3  # standard
F_CONTEXT_INIT = 4  # standard
F_MEMORY = 2  # memory-rfc

# ctrl_hdr.flags
FLAG_FENCE = 1 << 0
FLAG_INFO_RING_IDX = 1 << 1

# config.events_read
EVENT_DISPLAY = 1 << 0

# The 2D formats (VGM_GPU_FORMAT_*), named by byte order in memory.
FORMATS = {
    'B8G8R8A8_UNORM': 1,
    'B8G8R8X8_UNORM': 2,
    'A8R8G8B8_UNORM': 3,
    'X8R8G8B8_UNORM': 4,
    'R8G8B8A8_UNORM': 67,
    'X8B8G8R8_UNORM': 68,
    'A8B8G8R8_UNORM': 121,
    'R8G8B8X8_UNORM': 134,
}

# RESOURCE_CREATE_BLOB (standard)
BLOB_MEM_GUEST = 0x0001
BLOB_MEM_HOST3D = 0x0002
BLOB_MEM_HOST3D_GUEST = 0x0003
BLOB_FLAG_USE_MAPPABLE = 0x0001
BLOB_FLAG_USE_SHAREABLE = 0x0002
BLOB_FLAG_USE_CROSS_DEVICE = 0x0004


def fourcc(code):
    """A DRM fourcc from its four characters: fourcc('XR24')."""
    b = code.encode('ascii')
    if len(b) != 4:
        raise ValueError('a fourcc has four characters: %r' % code)
    return b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24


# The DRM fourcc codes the library speaks (<drm_fourcc.h>).
DRM_FORMAT_XRGB8888 = fourcc('XR24')
DRM_FORMAT_ARGB8888 = fourcc('AR24')
DRM_FORMAT_XBGR8888 = fourcc('XB24')
DRM_FORMAT_ABGR8888 = fourcc('AB24')
DRM_FORMAT_RGBX8888 = fourcc('RX24')
DRM_FORMAT_RGBA8888 = fourcc('RA24')
DRM_FORMAT_BGRX8888 = fourcc('BX24')
DRM_FORMAT_BGRA8888 = fourcc('BA24')
DRM_FORMAT_BGR888 = fourcc('BG24')


def format_number(value):
    """A 2D format from a number or a name ('B8G8R8X8', with or without _UNORM)."""
    if isinstance(value, int):
        return value
    name = value.upper()
    if not name.endswith('_UNORM'):
        name += '_UNORM'
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError('unknown format %r (one of %s)' % (value, ', '.join(FORMATS))) from None


def renderer_number(value):
    """A renderer from its number or its name ('2d', 'virgl'). A number
    the package does not know is passed on: the library decides."""
    if isinstance(value, int):
        return value
    try:
        return RENDERERS[value]
    except KeyError:
        raise ValueError('unknown renderer %r (2d or virgl)' % value) from None


def dialect_number(value):
    """A dialect from its number or its name ('standard', 'memory-rfc')."""
    if isinstance(value, int):
        if value not in DIALECTS.values():
            raise ValueError('unknown dialect %d' % value)
        return value
    try:
        return DIALECTS[value]
    except KeyError:
        raise ValueError('unknown dialect %r (standard or memory-rfc)' % value) from None
