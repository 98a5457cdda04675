"""Reading a file's bytes safely: only regular files, never more than a bound.

A FIFO named ``x.yaml`` would block a scan forever, a device would be read without end (or act
on the open): the file's type is checked before it is opened, and again on the open descriptor
(opened without blocking) in case it was replaced in between.
"""

from __future__ import annotations

import errno
import os
import stat

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegularFile(OSError):
    """The path names a FIFO, a socket or a device: not read."""


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _check(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory, expected a file")
    kind = _kind(mode)
    if kind is not None:
        raise NotRegularFile(errno.EINVAL, f"{kind}, not a regular file: not read")


def read_regular_file(path: str, limit: int) -> bytes:
    """The file's bytes, or its first ``limit + 1`` when it holds more. Raises OSError (with a
    one-line ``strerror``) for a file that cannot be read or is not a regular file."""
    _check(os.stat(path).st_mode)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(fd)
        _check(status.st_mode)
        size = status.st_size
        # os.read(n) allocates n bytes up front: ask for what the file holds (and one byte more,
        # to see it grew), not for the bound
        raw = os.read(fd, min(size, limit) + 1)
        if len(raw) == size:
            return raw
        # a file that grew or shrank since fstat: read on to the end or past the bound
        parts, total = [raw], len(raw)
        while raw and total <= limit:
            raw = os.read(fd, min(limit + 1 - total, 1024 * 1024))
            parts.append(raw)
            total += len(raw)
        return b"".join(parts)
    finally:
        os.close(fd)


def not_a_regular_file(path: str) -> str | None:
    """Why ``path`` will not be read as a file (a FIFO, a device, missing), or None: a look at its
    type, without opening it."""
    try:
        _check(os.stat(path).st_mode)
    except OSError as error:
        return error.strerror or str(error)
    return None
