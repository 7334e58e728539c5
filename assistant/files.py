"""Small file-system steps the store relies on: moving a damaged file aside, atomic writes,
and telling a full or read-only disk from a damaged file when a write fails."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from .errors import DataDirectoryNotWritable, DiskFull, StoreError

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_NOT_WRITABLE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 8, 10, 13, 14
# What Chroma (whose Rust core reports errors as text) and SQLite say when the disk is full.
_FULL_SIGNS = ("database or disk is full", "no space left on device", "disk quota exceeded")
_NOT_WRITABLE_SIGNS = ("read-only file system", "readonly database")
# Some write failures name no cause: Chroma's "Error in compaction: Failed to apply logs",
# SQLite's "disk I/O error" when the shared-memory file cannot grow. With less than this
# left on the disk, running out of space is by far the likeliest cause (a store's writes
# come in pieces of up to a few megabytes), so that is what the user is told.
NEARLY_FULL_BYTES = 4 << 20


def move_aside(path: Path) -> Path:
    """Rename a damaged file or directory to ``<name>.damaged-<time>`` (kept, not deleted:
    it may still hold something a person wants back) and return the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, target)
    return target


def replace_text(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and move it over ``path``, so that a reader sees the old
    file or the new one, never half of one. On failure no temporary file is left and the
    ``OSError`` is raised as it came."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise


def write_json_atomically(path: Path, value: Any) -> None:
    """Write JSON with ``replace_text``. A full or read-only disk raises its one-line
    ``StoreError``."""
    try:
        replace_text(path, json.dumps(value, ensure_ascii=False, indent=1))
    except OSError as exc:
        failure = storage_failure(exc, path)
        if failure is None:
            raise
        raise failure from None


def storage_failure(
    exc: BaseException, written: Path, *, unexplained: bool = False
) -> StoreError | None:
    """The one-line error for a failure to write ``written`` (a file, or a folder of files)
    because its disk is full (``DiskFull``) or it cannot be written
    (``DataDirectoryNotWritable``); ``None`` for any other failure (a damaged file, a bug).
    ``unexplained``: the caller knows ``exc`` may hide a failed write that names no cause,
    so a nearly full disk is taken as the cause."""
    code = _sqlite_code(exc)
    os_errno = exc.errno if isinstance(exc, OSError) else None
    text = str(exc).casefold()
    folder = written if written.is_dir() else written.parent
    if code == _SQLITE_FULL or os_errno in _FULL_ERRNOS or any(s in text for s in _FULL_SIGNS):
        return DiskFull(folder)
    read_only = code == _SQLITE_READONLY or any(s in text for s in _NOT_WRITABLE_SIGNS)
    cannot_open = code == _SQLITE_CANTOPEN and not is_writable(folder)
    if read_only or cannot_open or os_errno in _NOT_WRITABLE_ERRNOS:
        return _not_writable(written, folder)
    vague = unexplained or code == _SQLITE_IOERR or os_errno == errno.EIO
    if (vague or "disk i/o error" in text) and free_bytes(folder) < NEARLY_FULL_BYTES:
        return DiskFull(folder)
    return None


def is_writable(path: Path) -> bool:
    """Whether ``path`` can be written (when it does not exist yet: whether it can be made in
    the nearest folder above it that does)."""
    existing = _nearest_existing(path)
    return existing is not None and os.access(existing, os.W_OK)


def free_bytes(folder: Path) -> int:
    """Bytes an unprivileged user may still write on the disk holding ``folder``."""
    existing = _nearest_existing(folder)
    if existing is None:
        return NEARLY_FULL_BYTES  # nothing to measure: not taken for a full disk
    try:
        return shutil.disk_usage(existing).free
    except OSError:
        return NEARLY_FULL_BYTES


def _not_writable(written: Path, folder: Path) -> DataDirectoryNotWritable:
    """Names the file when it alone is read-only (another user's), else its folder."""
    target = written if written.exists() and is_writable(folder) else folder
    statvfs = getattr(os, "statvfs", None)  # not on Windows
    existing = _nearest_existing(target)
    try:
        read_only = bool(existing and statvfs and statvfs(existing).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    return DataDirectoryNotWritable(
        target, "read-only file system" if read_only else "permission denied"
    )


def _nearest_existing(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            return candidate
    return None


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.Error) else None
    return code & 0xFF if isinstance(code, int) else None  # the primary code of an extended one
