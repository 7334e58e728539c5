"""One writer per collection across processes: a lock file in the data directory.

Two ``assistant ingest`` runs on one data directory (or an ingest and the chat app indexing
the bundled papers on first use) would interleave their writes. Every write to a
collection (ingest, rebuild, removal, the recovery of an interrupted rebuild) holds this
collection's lock file; readers (ask, search) never take it. Within a process the library
serialises writers itself; this lock is between processes. The operating system releases it
when a process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import StoreError
from .settings import Settings
from .store import store_key

log = logging.getLogger("assistant")
_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()


def lock_path(settings: Settings) -> Path:
    """The lock file of the configured collection (beside the store's other files)."""
    return settings.home / "locks" / f"{store_key(settings)}.lock"


@contextlib.contextmanager
def collection_write_lock(settings: Settings, timeout: float | None = None) -> Iterator[None]:
    """Hold the collection's lock while writing. When another process holds it, say so in
    one line and wait for it (at most ``timeout`` seconds, then a ``StoreError``)."""
    lock = _file_lock(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        name = settings.collection
        if timeout is not None and timeout <= 0:
            raise _busy(settings) from None
        log.warning("waiting for another ingest of collection %r to finish…", name)
        try:
            lock.acquire(timeout=-1 if timeout is None else timeout)
        except Timeout:
            raise _busy(settings, timeout) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def unless_busy(settings: Settings) -> Iterator[bool]:
    """Hold the collection's lock if no other process does; whether it is held."""
    lock = _file_lock(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def _file_lock(settings: Settings) -> FileLock:
    path = lock_path(settings)
    with _locks_guard:
        lock = _locks.get(str(path))
        if lock is None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {path.parent} ({exc.strerror})") from None
            # Not per thread: the library's own lock already lets one thread at a time in,
            # and a thread that holds it may take this lock again (it counts).
            lock = _locks[str(path)] = FileLock(path, thread_local=False)
        return lock


def _busy(settings: Settings, waited: float | None = None) -> StoreError:
    after = f" after waiting {waited:g} s" if waited else ""
    return StoreError(
        f"another ingest of collection {settings.collection!r} is still running{after} "
        f"(it holds {lock_path(settings)}); try again when it has finished"
    )
