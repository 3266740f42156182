# SPDX-License-Identifier: MIT
"""Errors: a library call that fails raises VgmError with its errno.

A guest's error is not an exception: it is the response the device wrote,
as the guest would read it.
"""

import errno as _errno
import os


class VgmError(OSError):
    """A library function returned a negative errno (-EINVAL for API
    misuse, -EBUSY from inside one of the device's callbacks, ...)."""

    def __init__(self, err, function):
        super().__init__(err, '%s: %s' % (function, os.strerror(err)))
        self.function = function


def check(ret, function):
    """ret, or VgmError for a negative errno."""
    if ret < 0:
        raise VgmError(-ret, function)
    return ret


EINVAL, EBUSY, ENOENT, ENODATA, EFAULT, EINPROGRESS = (
    _errno.EINVAL, _errno.EBUSY, _errno.ENOENT, _errno.ENODATA, _errno.EFAULT,
    _errno.EINPROGRESS)
