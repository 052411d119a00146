"""Writing files the way every dslint command that changes them must: atomically (a temporary file
in the same folder, then a rename), keeping the file's mode, and never through a symlink."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Union


class WriteRefused(OSError):
    """dslint will not write this file (a symlink, or not a regular file)."""


def write_atomic(path: Union[str, "os.PathLike[str]"], data: bytes) -> None:
    """Replace the file at `path` with `data`; readers see the old file or the new one, never a
    half-written one. A file that does not exist yet is created (mode 0o666 less the umask)."""
    target = Path(path)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise WriteRefused(f"not a regular file{' (a symlink)' if stat.S_ISLNK(info.st_mode) else ''}")
    if info is not None:
        mode = stat.S_IMODE(info.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    folder = target.parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".dslint-tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
