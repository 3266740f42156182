# SPDX-License-Identifier: MIT
"""The numbers of vhost-user, vhost-user-gpu and virtio-gpu that the Python
front-ends speak: test-vhost-user.py and fuzz/vhost-user/make-seeds.py."""

# vhost-user requests (front-end to back-end) and message flags
GET_FEATURES, SET_FEATURES, SET_OWNER, SET_MEM_TABLE = 1, 2, 3, 5
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE = 8, 9, 10, 11
SET_VRING_KICK, SET_VRING_CALL = 12, 13
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, SET_VRING_ENABLE = 15, 16, 18
GET_CONFIG, GPU_SET_SOCKET = 24, 33
NEED_REPLY = 0x8
# vhost-user-gpu (display) requests, back-end to QEMU
D_GET_PROTOCOL_FEATURES, D_SET_PROTOCOL_FEATURES, D_GET_DISPLAY_INFO = 1, 2, 3
D_CURSOR_POS, D_CURSOR_POS_HIDE, D_CURSOR_UPDATE, D_SCANOUT, D_UPDATE, D_GET_EDID = 4, 5, 6, 7, 8, 11
# virtio-gpu commands, responses, formats
CMD_GET_DISPLAY_INFO, CMD_CREATE_2D, CMD_SET_SCANOUT, CMD_FLUSH = 0x100, 0x101, 0x103, 0x104
CMD_TRANSFER, CMD_ATTACH, CMD_GET_EDID = 0x105, 0x106, 0x10A
CMD_UPDATE_CURSOR, CMD_MOVE_CURSOR = 0x300, 0x301
RESP_OK_NODATA, RESP_OK_DISPLAY_INFO, RESP_OK_EDID = 0x1100, 0x1101, 0x1104
RESP_ERR_UNSPEC = 0x1200
B8G8R8X8, B8G8R8A8 = 2, 1
# split-ring descriptor flags
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
