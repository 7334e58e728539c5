"""A finished rebuild taking the old collection's place, and recovering from a crash there.

``ingest --rebuild`` fills ``<name>-rebuild`` while ``<name>`` keeps serving. The swap then
renames ``<name>`` to ``<name>-previous``, ``<name>-rebuild`` to ``<name>`` and drops the
previous one: at every step one of them holds every paper. Each rename is two (a chunk and
a manifest collection), so a crash can leave any mix of the three names. On opening, a
leftover ``<name>-previous`` is reconciled: the rebuilt collection takes the name if it is
complete per its manifest, otherwise the previous one is restored. Either way, one line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import StoreError
from .store import PaperStore, manifest_name

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

PREVIOUS = "-previous"
STAGING = "-rebuild"
_PAGE = 500  # records per read (see store._GET_PAGE)
log = logging.getLogger("assistant")


def swap_in(store: PaperStore, staging: PaperStore) -> None:
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
    if had_old:
        store.drop_collections()


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


def recover_interrupted_rebuild(client: ClientAPI, name: str, expected_papers: int) -> str | None:
    """Reconcile what a rebuild interrupted during its swap left behind (the caller holds
    the collection's write lock); the one line that says what was done, or None when
    nothing was left behind."""
    try:
        present = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        old, new = _sides(present, name)
        if old is None:
            return None
        if new.whole and _complete(client, new, expected_papers):
            _move_into_place(client, new, old, name)
            return (
                f"collection {name!r}: an interrupted rebuild was completed (the rebuilt "
                "collection is complete; the previous one was dropped)"
            )
        if old.whole:
            _move_into_place(client, old, new, name)
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
    except StoreError:
        raise
    except Exception as exc:
        text = str(exc).strip().splitlines()
        raise StoreError(
            f"cannot recover the interrupted rebuild of collection {name!r}: "
            f"{text[0] if text else type(exc).__name__}"
        ) from None


def _sides(present: set[str], name: str) -> tuple[_Parts | None, _Parts]:
    """The previous and the rebuilt collection's parts; no previous: nothing to recover."""
    previous, staging = name + PREVIOUS, name + STAGING
    if previous not in present and manifest_name(previous) not in present:
        return None, _Parts(None, None)
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
