"""A finished rebuild taking the old collection's place, and recovering from a crash there.

``ingest --rebuild`` keeps the collection's source record aside, then fills
``<name>-rebuild`` while ``<name>`` keeps serving. The swap renames ``<name>`` to
``<name>-previous`` and ``<name>-rebuild`` to ``<name>``, forgets the record kept aside and
drops the previous collection: at every step one of them holds every paper. Each rename is
two (a chunk and a manifest collection), so a crash can leave any mix of the three names.

On opening, a leftover is reconciled (the caller holds the collection's write lock, so no
rebuild is running): with ``<name>-previous`` present, the rebuilt collection takes the
name if it is complete per its manifest, otherwise the previous one is restored; a rebuild
that died before its swap is undone (its staging copy dropped, the record put back).
Either way, one line.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import chroma_client
from .errors import StoreError
from .settings import Settings
from .source_record import load_record, record_path, save_record
from .store import PaperStore, lexical_path, manifest_name

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

PREVIOUS = "-previous"
STAGING = "-rebuild"
_PAGE = 500  # records per read (see store._GET_PAGE)
log = logging.getLogger("assistant")


def keep_record_aside(settings: Settings) -> None:
    """Before a rebuild writes anything: the collection's record as it is, to put back if
    the rebuild does not finish."""
    save_record(settings, load_record(settings), settings.collection + PREVIOUS)


def put_record_back(settings: Settings) -> bool:
    """The record kept aside becomes the collection's again; whether there was one."""
    kept = _kept_record(settings)
    if not kept.exists():
        return False
    os.replace(kept, record_path(settings))
    return True


def swap_in(store: PaperStore, staging: PaperStore, settings: Settings) -> None:
    """The complete new collection takes the old one's place; the old one is dropped only
    once the new one carries the name (at every step one of them holds every paper)."""
    name = store.name
    had_old = store.exists
    if had_old:
        store.rename_to(name + PREVIOUS)
    try:
        staging.rename_to(name)
    except BaseException:
        if had_old:
            store.rename_to(name)
        raise
    _kept_record(settings).unlink(missing_ok=True)
    if had_old:
        store.drop_collections()


def _kept_record(settings: Settings) -> Path:
    return record_path(settings, settings.collection + PREVIOUS)


@dataclass(frozen=True)
class _Parts:
    """Where the chunk and manifest collections of one side of a swap are (None: gone)."""

    chunks: str | None
    manifest: str | None

    @property
    def whole(self) -> bool:
        return self.chunks is not None and self.manifest is not None

    def names(self) -> list[str]:
        return [n for n in (self.chunks, self.manifest) if n is not None]


def rebuild_left_behind(client: ClientAPI, settings: Settings) -> bool:
    """Whether a rebuild (finished or not, maybe running in another process) left anything
    behind: one listing of the store's collections, no lock taken."""
    name = settings.collection
    try:
        present = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    except Exception:
        return False  # opening the store reports it
    marks = [name + PREVIOUS, name + STAGING]
    marks += [manifest_name(n) for n in marks]
    return _kept_record(settings).exists() or any(m in present for m in marks)


def recover_interrupted_rebuild(client: ClientAPI, settings: Settings) -> str | None:
    """Reconcile what an interrupted rebuild left behind (the caller holds the collection's
    write lock); the one line that says what was done, or None when nothing was left."""
    name = settings.collection
    try:
        present = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        old, new = _sides(present, name)
        if old is None:
            return _undo_unswapped(client, settings, new)
        expected = load_record(settings).expected_papers
        if new.whole and _complete(client, new, expected):
            _move_into_place(client, new, old, name)
            _kept_record(settings).unlink(missing_ok=True)
            return (
                f"collection {name!r}: an interrupted rebuild was completed (the rebuilt "
                "collection is complete; the previous one was dropped)"
            )
        if old.whole:
            _move_into_place(client, old, new, name)
            put_record_back(settings)
            return (
                f"collection {name!r}: an interrupted rebuild was rolled back (the previous "
                f"collection was restored); run `assistant ingest --rebuild --collection {name}` "
                "to rebuild it again"
            )
        _move_into_place(client, new, old, name)
        return (
            f"collection {name!r}: an interrupted rebuild left neither copy whole; kept the "
            f"rebuilt one, run `assistant ingest --collection {name}` to repair it"
        )
    except (StoreError, OSError):
        raise
    except Exception as exc:
        if not settings.chroma_url and chroma_client.is_damage(exc):
            raise chroma_client.damaged_error(settings, exc) from None
        text = str(exc).strip().splitlines()
        raise StoreError(
            f"cannot recover the interrupted rebuild of collection {name!r}: "
            f"{text[0] if text else type(exc).__name__}"
        ) from None


def _undo_unswapped(client: ClientAPI, settings: Settings, staging: _Parts) -> str | None:
    """A rebuild that died before its swap: the collection was never touched; its staging
    copy is dropped and the record kept aside put back."""
    name = settings.collection
    leftovers = [n for n in staging.names() if n.startswith(name + STAGING)]
    for part in leftovers:
        client.delete_collection(part)
    for suffix in ("", "-wal", "-shm"):  # the staging copy's keyword index
        Path(f"{lexical_path(settings, name + STAGING)}{suffix}").unlink(missing_ok=True)
    if not put_record_back(settings) and not leftovers:
        return None
    return (
        f"collection {name!r}: an interrupted rebuild was rolled back (the collection was "
        f"never replaced); run `assistant ingest --rebuild --collection {name}` to rebuild it"
    )


def _sides(present: set[str], name: str) -> tuple[_Parts | None, _Parts]:
    """The previous and the rebuilt collection's parts; no previous: nothing to recover."""
    previous, staging = name + PREVIOUS, name + STAGING
    if previous not in present and manifest_name(previous) not in present:
        return None, _Parts(_first(present, staging), _first(present, manifest_name(staging)))
    # Renamed chunk part first, then the manifest: while the old manifest still has the
    # name, the rebuilt one is still the staging copy.
    old_manifest = _first(present, manifest_name(previous))
    if old_manifest is None and manifest_name(staging) in present:
        old_manifest = _first(present, manifest_name(name))
    old = _Parts(_first(present, previous), old_manifest)
    new_manifest = _first(present, manifest_name(staging))
    if new_manifest is None and manifest_name(name) != old.manifest:
        new_manifest = _first(present, manifest_name(name))
    return old, _Parts(_first(present, staging, name), new_manifest)


def _first(present: set[str], *candidates: str) -> str | None:
    return next((c for c in candidates if c in present), None)


def _complete(client: ClientAPI, parts: _Parts, expected_papers: int) -> bool:
    """Whether the manifest holds every paper the rebuild set out to write and the chunk
    collection every chunk the manifest lists."""
    assert parts.chunks is not None and parts.manifest is not None
    manifest = client.get_collection(parts.manifest)
    papers = manifest.count()
    if papers == 0 or (expected_papers and papers != expected_papers):
        return False
    listed = 0
    for offset in range(0, papers, _PAGE):
        got = manifest.get(include=["metadatas"], limit=_PAGE, offset=offset)
        for meta in got["metadatas"] or []:
            listed += int(str((meta or {}).get("n_chunks", 0)))
    return bool(client.get_collection(parts.chunks).count() == listed)


def _move_into_place(client: ClientAPI, keep: _Parts, drop: _Parts, name: str) -> None:
    """Drop one side, then give the other the collection's names."""
    for part in drop.names():
        if part not in keep.names():
            client.delete_collection(part)
    places = [(keep.chunks, name), (keep.manifest, manifest_name(name))]
    for source, target in places:
        if source is not None and source != target:
            client.get_collection(source).modify(name=target)
