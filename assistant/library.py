"""Collection bookkeeping: add, sync, rebuild and remove; the checks run when a collection
is opened; and recovery of damaged stores. This is the layer that makes sure a user's
papers are never replaced by other papers and never silently lost.

Policy:
- Only the default collection is ever filled automatically (with the bundled papers), only
  in the embedded store, and only while nothing but the bundled papers was put in it. An
  interrupted first fill resumes on the next command.
- Opening a collection compares counts (manifest, chunks, lexical index); a mismatch is
  reported in one line, and ``ingest`` repairs it.
- The lexical index follows the store: when it is behind (a new client of a shared server,
  papers another client changed, a damaged index file moved aside), it is brought up to
  date from the chunk texts in the store. Nothing is embedded, nothing written to Chroma.
- Writers (ingest, rebuild, remove, the first fill) hold the collection's lock file
  (``ingest_lock``); readers never do. What a rebuild killed mid-swap left behind is
  reconciled when the collection is next opened (``rebuild_swap``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import chroma_client
from .consistency import check_counts, follow_store
from .errors import CollectionError, ConfigError, StoreDamaged, StoreError
from .files import move_aside
from .ingest import IngestReport, ingest_sources, leave_papers_to_their_files
from .ingest_lock import collection_write_lock, unless_busy
from .ingest_plan import IngestPlan
from .rebuild_swap import (
    PREVIOUS,
    STAGING,
    keep_record_aside,
    put_record_back,
    rebuild_left_behind,
    recover_interrupted_rebuild,
    swap_in,
)
from .resources import bundled_seed_files
from .results import Progress
from .shipped_vectors import ShippedVectors, load_shipped
from .source_record import (
    BUNDLED,
    RecordedSource,
    SourceRecord,
    load_record,
    now,
    record_path,
    save_record,
)
from .sources import SourceFile, load_collection, scan_sources
from .store import (
    PaperStore,
    collection_names,
    forget_lexical_index,
    shared_lexical_index,
    store_key,
)

if TYPE_CHECKING:
    from .embedding import Embedder
    from .settings import Settings

DEFAULT_COLLECTION = "papers"
"""The collection of the bundled papers (the ``collection`` setting's default)."""
log = logging.getLogger("assistant")
# Names a collection's own parts and a rebuild of it take: a collection called so would be
# taken for a rebuild's leftover and dropped, or its record overwritten by one kept aside.
_RESERVED_SUFFIXES = (PREVIOUS, STAGING, "__papers")


def check_collection_name(name: str) -> None:
    """Refuse, in one line, a collection name this library keeps for a collection's own
    parts (``NAME-previous``, ``NAME-rebuild``, ``NAME__papers``)."""
    reserved = next((s for s in _RESERVED_SUFFIXES if name.endswith(s)), None)
    if reserved:
        raise ConfigError(
            f"collection name {name!r}: names ending in {reserved!r} are kept for a "
            "collection's own parts while it is rebuilt; choose another name"
        )


@dataclass(frozen=True)
class CollectionInfo:
    """One collection of a store, for ``assistant collections``."""

    name: str
    papers: int
    sources: list[str]


class Library:
    """The collection named by ``settings.collection`` in the configured store."""

    def __init__(
        self,
        settings: Settings,
        embedder: Callable[[], Embedder],
        store: PaperStore | None = None,
    ) -> None:
        check_collection_name(settings.collection)
        self.settings = settings
        self._embedder = embedder
        self._store = store
        # Shared by every Library of this collection in the process: two Assistants (or
        # threads racing to create one) must not fill or rebuild one collection at once.
        self._lock = _collection_lock(settings)
        self._ready = False
        self._rebuilding = False  # this Library's own rebuild is no crash to recover from

    @property
    def store(self) -> PaperStore:
        with self._lock:
            if self._store is None:
                self._recover_interrupted_rebuild()
                self._store = PaperStore.open(self.settings, self._embedder())
            return self._store

    @property
    def is_default(self) -> bool:
        return self.settings.collection == DEFAULT_COLLECTION

    # -- adding, syncing, removing ------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        sync: bool = False,
        rebuild: bool = False,
        format_name: str | None = None,
        progress: Progress | None = None,
        lock_timeout: float | None = None,
    ) -> IngestReport:
        """Add the papers of ``paths`` (new ones added, changed ones updated, none removed).
        ``sync``: the collection becomes exactly those files. ``rebuild``: embed everything
        again from ``paths`` or the recorded files, replacing the collection only once the
        new one is complete (a damaged store is moved aside first). No paths and no
        ``rebuild``: re-read the recorded files and repair what is missing. While another
        process writes to the collection, wait for it (at most ``lock_timeout`` seconds)."""
        with self._lock, collection_write_lock(self.settings, lock_timeout):
            if self._store is not None:  # read before the lock: another writer may have been
                self._store.reread()
            record = load_record(self.settings)
            files = [str(p) for p in paths] if paths else self._recorded_files(record)
            with self._plan() as plan:
                # Read and validate everything before touching the store: bad input writes
                # nothing.
                sources = scan_sources(
                    files,
                    format_name if paths else None,
                    plan,
                    recorded_formats=_formats_of(record),
                )
                if paths:  # naming a file again brings back papers removed from it by hand
                    named = plan.present(record.removed)
                    record.removed = [pid for pid in record.removed if pid not in named]
                plan.leave_out(record.removed)
                if paths and not (sync or rebuild):
                    others = [str(p.resolve()) for s in record.sources for p in _expand(s.path)]
                    plan.read_store(self.store.manifest_pages())
                    leave_papers_to_their_files(sources, plan, others)
                if rebuild:
                    return self._rebuild(sources, plan, record, progress)
                self._replace_damaged_lexical_index(thorough=True)
                return self._ingest(sources, plan, record, sync=sync, progress=progress)

    def remove(self, paper_ids: Sequence[str]) -> int:
        """Remove papers by id; a rebuild leaves them out too. Unknown ids are an error."""
        paper_ids = list(dict.fromkeys(paper_ids))  # an id given twice is removed once
        with self._lock, collection_write_lock(self.settings):
            store = self.store
            store.papers_by_id(paper_ids)  # every id must exist: raises naming the first
            store.remove_papers(paper_ids)
            store.bump_generation()
            record = load_record(self.settings)
            record.removed = sorted(set(record.removed) | set(paper_ids))
            record.expected_papers = store.paper_count()
            save_record(self.settings, record)
            follow_store(self.store, None)
            return len(paper_ids)

    def collections(self) -> list[CollectionInfo]:
        """The store's collections with their paper counts and source files."""
        client = chroma_client.connect(self.settings)
        try:
            out = []
            for name in collection_names(client):
                papers = client.get_collection(f"{name}__papers").count()
                sources = load_record(self.settings, name).source_paths()
                out.append(CollectionInfo(name, papers, sources))
            return out
        except Exception as exc:
            if not self.settings.chroma_url and chroma_client.is_damage(exc):
                raise chroma_client.damaged_error(self.settings, exc) from None
            raise StoreError(f"the Chroma store at {self.store.location} failed: {exc}") from None

    # -- opening: auto-fill, cross-check, lexical follow ----------------------------------

    def ensure_ready(self, progress: Progress | None = None) -> IngestReport | None:
        """Before searching: fill the default collection on first use (resuming an
        interrupted fill), check the collection's counts and bring the lexical index up to
        date. Cheap once done; on a server the lexical index is re-checked every time."""
        with self._lock:
            if self._ready:
                if self.settings.chroma_url:  # other clients may have changed the papers
                    follow_store(self.store, progress)
                return None
            report = self._ready_or_fill(progress)
            self._ready = True
            return report

    def fills_itself(self, record: SourceRecord | None = None) -> bool:
        """Whether first use fills this collection with the bundled papers: only the default
        collection, only in the embedded store, and only while it holds nothing else."""
        record = record or load_record(self.settings)
        return self.is_default and not self.settings.chroma_url and record.only_bundled

    def empty_hint(self) -> str:
        """What an empty collection needs, in one line."""
        if self.fills_itself():
            return "the first question (or `assistant ingest`) indexes the bundled papers"
        return self._empty_message(load_record(self.settings))

    def _ready_or_fill(self, progress: Progress | None) -> IngestReport | None:
        store = self.store
        record = load_record(self.settings)
        papers = store.paper_count()
        if self.fills_itself(record) and (papers == 0 or papers < record.expected_papers):
            return self.ingest(progress=progress)
        if self.fills_itself(record) and not store.embedder_matches():
            # A new version bundles another embedder: the bundled papers (and nothing of the
            # user's) come back from the shipped vectors, instead of an error to act on.
            return self.ingest(rebuild=True, progress=progress)
        if papers == 0:
            raise StoreError(self._empty_message(record))
        self._replace_damaged_lexical_index(thorough=False)
        check_counts(store, record, papers)
        follow_store(self.store, progress)
        return None

    # -- internals ------------------------------------------------------------------------

    def _recorded_files(self, record: SourceRecord) -> list[str]:
        name = self.settings.collection
        if record.sources:
            files = [p for s in record.sources for p in _expand(s.path)]
            gone = next((p for p in files if not p.exists()), None)
            if gone:  # "no such file" alone leaves no way to stop re-reading it
                raise CollectionError(
                    gone,
                    None,
                    f"no such file, but collection {name!r} was built from it; name the "
                    f"files it should hold now: `assistant ingest --sync FILE… --collection "
                    f"{name}`",
                )
            return [str(p) for p in files]
        if self.is_default:
            others = self._papers_not_bundled()
            if not others:
                return [str(p) for p in bundled_seed_files()]
            # Papers but no record here (another client built it on a shared server, or the
            # record was lost): the bundled papers must not be mixed in or replace them.
            raise StoreError(
                f"collection {name!r} holds {others} papers of files this data directory has "
                f"no record of ({record_path(self.settings)}); name the files: `assistant "
                f"ingest FILE… --collection {name}` (with --sync: exactly those files)"
            )
        raise StoreError(
            f"collection {name!r} has no recorded files; name the files: "
            f"`assistant ingest FILE… --collection {name}`"
        )

    def _papers_not_bundled(self) -> int:
        """How many papers of the collection are not bundled ones (0 for a damaged store,
        which a rebuild moves aside)."""
        try:
            if self.store.paper_count() == 0:
                return 0
            stored = set(self.store.manifest())
        except StoreDamaged:
            return 0
        return len(stored - set(_bundled_ids()))

    def bundled_papers_held(self) -> int:
        """How many bundled papers the collection holds (the default one may hold them beside
        a user's own)."""
        if not self.is_default:
            return 0
        return len(self.store.lexical.hashes_of(_bundled_ids()))

    def _plan(self) -> IngestPlan:
        settings = self.settings
        chunking = f"{settings.chunk_tokens}/{settings.chunk_overlap}"
        # Named after the collection: only one ingest of it runs at a time (the lock).
        path = settings.home / "library" / f".ingest-{store_key(settings)}.sqlite3"
        return IngestPlan(path, chunking)

    def _ingest(
        self,
        sources: list[SourceFile],
        plan: IngestPlan,
        record: SourceRecord,
        *,
        sync: bool,
        progress: Progress | None,
        store: PaperStore | None = None,
    ) -> IngestReport:
        store = store or self.store
        plan.read_store(store.manifest_pages())
        recorded = [_recorded(s, plan.papers_of(s.number)) for s in sources]
        if sync:
            record.sources = recorded
        else:
            record.add_sources(recorded)
        counts = plan.counts()
        record.expected_papers = counts["wanted"] + (0 if sync else counts["stored_only"])
        save_record(self.settings, record)  # first: an interruption is noticed later
        shipped = self._shipped(store)
        # Ingest writes the keyword index in step with the store. In the embedded store no
        # other process writes this collection meanwhile (the lock), so an index in step
        # before is in step after: no re-reading the whole manifest, whose pages embedded
        # Chroma reads into memory it keeps (measured: +89 MB at 100,000 papers).
        in_step = not self.settings.chroma_url and store.lexical.generation() == store.generation()
        report = ingest_sources(store, sources, plan, sync=sync, progress=progress, shipped=shipped)
        record.expected_papers = store.paper_count()
        save_record(self.settings, record)
        if store is self._store:
            if in_step:
                store.lexical.set_generation(store.generation())
            follow_store(self.store, progress)  # still checks the counts
        return report

    def _rebuild(
        self,
        sources: list[SourceFile],
        plan: IngestPlan,
        record: SourceRecord,
        progress: Progress | None,
    ) -> IngestReport:
        with contextlib.suppress(StoreDamaged):  # a damaged store is moved aside below
            self._recover_interrupted_rebuild()  # before this rebuild leaves its own marks
        self._rebuilding = True
        try:
            return self._rebuild_into_staging(sources, plan, record, progress)
        finally:
            self._rebuilding = False

    def _rebuild_into_staging(
        self,
        sources: list[SourceFile],
        plan: IngestPlan,
        record: SourceRecord,
        progress: Progress | None,
    ) -> IngestReport:
        keep_record_aside(self.settings)  # put back if the rebuild does not finish
        self._move_damaged_store_aside()
        self._replace_damaged_lexical_index(thorough=True)
        store = self.store
        staging = PaperStore(
            chroma_client.connect(self.settings),
            self.settings,
            store.embedder,
            shared_lexical_index(self.settings, store.name + STAGING),
            store.location,
            name=store.name + STAGING,
        )
        staging.drop_collections()  # a leftover of an interrupted rebuild
        try:
            report = self._ingest(
                sources, plan, record, sync=True, progress=progress, store=staging
            )
        except BaseException:
            staging.drop_collections()
            put_record_back(self.settings)
            raise
        finally:
            forget_lexical_index(staging.lexical)
            staging.lexical.path.unlink(missing_ok=True)
        # What the rebuilt collection no longer holds (papers of files not named again) is
        # removed by the swap: the report says how many, not "0 removed".
        report = replace(report, removed=_left_out(store, plan))
        swap_in(store, staging, self.settings)
        self._store = None
        store.lexical.clear()
        follow_store(self.store, progress)
        return report

    def _recover_interrupted_rebuild(self) -> None:
        """A rebuild that crashed while swapping left ``<name>-previous`` behind: finish or
        undo the swap, unless another process is writing (it may be swapping right now)."""
        if self._rebuilding:
            return
        client = chroma_client.connect(self.settings)
        if not rebuild_left_behind(client, self.settings):  # readers stop here, lock-free
            return
        with unless_busy(self.settings) as ours:
            if not ours:
                return
            done = recover_interrupted_rebuild(client, self.settings)
            if done:
                log.warning("warning: %s", done)

    def _move_damaged_store_aside(self) -> None:
        """A damaged embedded store cannot be read or repaired: keep its files aside."""
        try:
            self.store.paper_count()
            return
        except StoreDamaged:
            if self.settings.chroma_url:
                raise
        self._store = None
        chroma_client.forget(self.settings)
        moved = move_aside(chroma_client.embedded_path(self.settings))
        log.warning("warning: the damaged store was moved to %s", moved)

    def _replace_damaged_lexical_index(self, *, thorough: bool) -> None:
        """The lexical index is derived data: a damaged file is moved aside and refilled
        from the store's chunk texts by ``follow_store``."""
        store = self.store
        if store.lexical.is_sound(thorough=thorough):
            return
        forget_lexical_index(store.lexical)
        moved = move_aside(store.lexical.path)
        for suffix in ("-wal", "-shm"):
            Path(f"{store.lexical.path}{suffix}").unlink(missing_ok=True)
        store.lexical = shared_lexical_index(self.settings)
        log.warning("warning: the damaged keyword index was moved to %s; rebuilding it", moved)

    def _shipped(self, store: PaperStore) -> ShippedVectors | None:
        settings = store.settings
        chunking = f"{settings.chunk_tokens}/{settings.chunk_overlap}"
        return load_shipped(store.embedder.embedder_id, chunking)

    def _empty_message(self, record: SourceRecord) -> str:
        name = self.settings.collection
        where = self.settings.chroma_url or str(chroma_client.embedded_path(self.settings))
        if record.removed and record.expected_papers == 0:  # a rebuild would leave them out
            return (
                f"collection {name!r} at {where} is empty: its papers were removed with "
                f"`assistant remove`; name their files again to bring them back: `assistant "
                f"ingest FILE… --collection {name}`"
            )
        if record.sources and not record.only_bundled:
            return (
                f"collection {name!r} at {where} is empty but was built from "
                f"{len(record.sources)} file(s); run `assistant ingest --rebuild --collection "
                f"{name}` to rebuild it from them"
            )
        if self.is_default:
            return (
                f"collection {name!r} on the Chroma server {where} is empty; run `assistant "
                "ingest` to add the bundled papers, or `assistant ingest FILE…` for your own"
            )
        return (
            f"collection {name!r} at {where} holds no papers; add some with "
            f"`assistant ingest FILE… --collection {name}`"
        )


_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def _collection_lock(settings: Settings) -> threading.RLock:
    key = f"{chroma_client.store_location(settings)}|{settings.collection}"
    with _locks_guard:
        return _locks.setdefault(key, threading.RLock())


def _bundled_ids() -> list[str]:
    return [paper.paper_id for paper in load_collection(bundled_seed_files())]


def _left_out(store: PaperStore, plan: IngestPlan) -> int:
    """How many papers of ``store`` the plan's files do not hold."""
    return sum(
        len(page) - len(plan.present([paper_id for paper_id, _ in page]))
        for page in store.manifest_pages()
    )


def _formats_of(record: SourceRecord) -> dict[str, str]:
    """The format each recorded file was read as, by path."""
    return {s.path: s.format for s in record.sources if s.path != BUNDLED}


def _expand(path: str) -> list[Path]:
    return list(bundled_seed_files()) if path == BUNDLED else [Path(path)]


def _recorded(source: SourceFile, papers: int) -> RecordedSource:
    bundled = {p.resolve() for p in bundled_seed_files()}
    path = BUNDLED if source.path in bundled else str(source.path)
    return RecordedSource(path, source.sha256, source.format, papers, now())
