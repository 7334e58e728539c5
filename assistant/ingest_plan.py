"""What one ingest will do, worked out on disk so memory stays flat for any library size.

An ingest compares the papers of its files with the papers the store holds. Kept in
dictionaries, both sides grow with the library (hundreds of bytes per paper); kept here, in
a scratch SQLite file beside the store, memory is bounded by one page of the manifest. The
file is the validating pass's ``PaperRegistry`` and is deleted when the ingest ends.
"""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from .errors import StoreError
from .files import storage_failure

_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE wanted (paper_id TEXT PRIMARY KEY, file INTEGER, entry INTEGER, hash TEXT);
CREATE INDEX wanted_place ON wanted (file, entry);
CREATE TABLE stored (paper_id TEXT PRIMARY KEY, hash TEXT, n_chunks INTEGER,
                     broken INTEGER DEFAULT 0, source TEXT, title TEXT);
CREATE TABLE chunk_counts (paper_id TEXT PRIMARY KEY, n INTEGER);
"""
_PAGE = 500  # ids per statement: well below SQLite's limit on bound parameters
# A paper to embed: new, changed (the stored hash covers the chunking too) or with chunks
# missing from the chunk collection. ``?`` is the chunking suffix of the stored hash.
_TO_EMBED = "(s.hash IS NULL OR s.hash != w.hash || ? OR s.broken)"


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _mapped_failures(method: _Method) -> _Method:
    """SQLite and OS failures of a plan method become the plan's one-line ``StoreError``;
    generators are covered while they are iterated."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def iterate(self: IngestPlan, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except (sqlite3.Error, OSError) as exc:
                raise self._failure(exc) from None

        return cast(_Method, iterate)

    @functools.wraps(method)
    def call(self: IngestPlan, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise self._failure(exc) from None

    return cast(_Method, call)


class IngestPlan:
    """The papers of an ingest's files (``wanted``) beside those in the store (``stored``)."""

    def __init__(self, path: Path, chunking: str) -> None:
        """A new plan in ``path`` (one per collection: whatever a killed ingest left there
        is replaced). ``chunking`` is the suffix the store's hashes carry."""
        self.path = path
        self.chunking = f":{chunking}"
        self._store_read = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            raise self._failure(exc) from None
        try:
            self._db.executescript(_SCHEMA)
            self._db.execute("BEGIN")  # committed in pages: one transaction per scan is slow
        except sqlite3.Error as exc:
            self._db.close()
            path.unlink(missing_ok=True)  # a disk too full for the schema keeps no scrap of it
            raise self._failure(exc) from None

    # -- the validating pass (a PaperRegistry) --------------------------------------------

    @_mapped_failures
    def take(self, paper_id: str, content_hash: str, file: int, entry: int) -> tuple[int, int]:
        """Record a paper unless its id is taken; where the paper with this id is."""
        try:
            self._db.execute(
                "INSERT INTO wanted VALUES (?, ?, ?, ?)", (paper_id, file, entry, content_hash)
            )
            return file, entry
        except sqlite3.IntegrityError:
            row = self._db.execute(
                "SELECT file, entry FROM wanted WHERE paper_id = ?", (paper_id,)
            ).fetchone()
            return int(row[0]), int(row[1])

    @_mapped_failures
    def is_taken(self, paper_id: str, file: int, entry: int) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM wanted WHERE paper_id = ? AND file = ? AND entry = ?",
            (paper_id, file, entry),
        ).fetchone()
        return row is not None

    # -- adjusting what is wanted ---------------------------------------------------------

    @_mapped_failures
    def present(self, paper_ids: Sequence[str]) -> set[str]:
        """Which of ``paper_ids`` the files hold."""
        found: set[str] = set()
        for part in _pages(paper_ids):
            found.update(pid for (pid,) in self._select_in("wanted", "paper_id", part))
        return found

    @_mapped_failures
    def leave_out(self, paper_ids: Sequence[str]) -> None:
        """Papers not to ingest although a file holds them (removed by hand)."""
        for part in _pages(paper_ids):
            marks = ",".join("?" * len(part))
            self._db.execute(f"DELETE FROM wanted WHERE paper_id IN ({marks})", part)

    @_mapped_failures
    def papers_of(self, file: int) -> int:
        return int(self._one("SELECT count(*) FROM wanted WHERE file = ?", file))

    # -- the store's side -----------------------------------------------------------------

    @_mapped_failures
    def read_store(self, manifest_pages: Iterable[list[tuple[str, Mapping[str, Any]]]]) -> None:
        """Record the store's manifest (``(paper_id, metadata)`` pages), once."""
        if self._store_read:
            return
        for page in manifest_pages:
            self._db.executemany(
                "INSERT OR REPLACE INTO stored (paper_id, hash, n_chunks, source, title) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (
                        pid,
                        str(meta["hash"]),
                        int(meta.get("n_chunks", 0)),
                        meta.get("source"),
                        meta.get("title"),
                    )
                    for pid, meta in page
                ),
            )
        self._store_read = True

    @_mapped_failures
    def held_elsewhere(self, files: Sequence[str]) -> Iterator[list[tuple[str, int, str, str]]]:
        """Pages of ``(paper_id, file, title, source)``: papers of this ingest's files that
        the store holds as read from one of ``files`` (by its path)."""
        after = ""
        marks = ",".join("?" * len(files))
        while files:
            page = self._db.execute(
                "SELECT w.paper_id, w.file, s.title, s.source FROM wanted w JOIN stored s "
                f"USING (paper_id) WHERE w.paper_id > ? AND s.source IN ({marks}) "
                "ORDER BY w.paper_id LIMIT ?",
                (after, *files, _PAGE),
            ).fetchall()
            if not page:
                return
            yield [(str(pid), int(file), str(title), str(src)) for pid, file, title, src in page]
            after = page[-1][0]

    @_mapped_failures
    def stored_only_from(self, files: Sequence[str]) -> int:
        """How many papers the store holds as read from one of ``files`` that no file of
        this ingest holds (their entry was deleted, or its title changed)."""
        if not files:
            return 0
        marks = ",".join("?" * len(files))
        return int(
            self._one(
                f"SELECT count(*) FROM stored s WHERE s.source IN ({marks}) "
                "AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.paper_id = s.paper_id)",
                *files,
            )
        )

    @_mapped_failures
    def stored_chunks(self) -> int:
        """How many chunks the manifest says the chunk collection holds."""
        return int(self._one("SELECT coalesce(sum(n_chunks), 0) FROM stored"))

    @_mapped_failures
    def mark_broken(self, chunk_paper_ids: Iterable[list[str]]) -> None:
        """Count the chunk collection's chunks per paper (pages of their ``paper_id``) and
        mark the papers whose count differs from the manifest's."""
        for page in chunk_paper_ids:
            self._db.executemany(
                "INSERT INTO chunk_counts VALUES (?, 1) "
                "ON CONFLICT (paper_id) DO UPDATE SET n = n + 1",
                ((pid,) for pid in page),
            )
        self._db.execute(
            "UPDATE stored SET broken = 1 WHERE n_chunks != coalesce("
            "(SELECT n FROM chunk_counts c WHERE c.paper_id = stored.paper_id), 0)"
        )

    # -- what to do -----------------------------------------------------------------------

    @_mapped_failures
    def counts(self) -> dict[str, int]:
        """``wanted``, ``stored``, ``added``, ``updated``, ``unchanged``, ``repaired``
        (papers of the files re-embedded for missing chunks), ``to_repair`` (papers in no
        file with missing chunks) and ``stored_only`` (in the store, in no file)."""
        row = self._db.execute(
            "SELECT count(*), "
            "coalesce(sum(s.hash IS NULL), 0), "
            "coalesce(sum(s.hash IS NOT NULL AND s.hash != w.hash || ?), 0), "
            f"coalesce(sum(NOT {_TO_EMBED}), 0) "
            "FROM wanted w LEFT JOIN stored s USING (paper_id)",
            (self.chunking, self.chunking),
        ).fetchone()
        wanted, added, updated, unchanged = (int(v) for v in row)
        stored_only, to_repair = self._stored_only_counts()
        return {
            "wanted": wanted,
            "stored": int(self._one("SELECT count(*) FROM stored")),
            "added": added,
            "updated": updated,
            "unchanged": unchanged,
            "repaired": wanted - added - updated - unchanged,
            "to_repair": to_repair,
            "stored_only": stored_only,
        }

    @_mapped_failures
    def to_embed(self, file: int, entries: Sequence[tuple[int, str]]) -> dict[int, str]:
        """Of these ``(entry, paper_id)`` of one file, the entries to embed, with the hash
        to store for each."""
        wanted: dict[int, str] = {}
        for part in _pages(entries):
            ids = [pid for _, pid in part]
            marks = ",".join("?" * len(ids))
            rows = self._db.execute(
                f"SELECT w.entry, w.hash || ? FROM wanted w LEFT JOIN stored s USING (paper_id) "
                f"WHERE w.paper_id IN ({marks}) AND w.file = ? AND {_TO_EMBED}",
                [self.chunking, *ids, file, self.chunking],
            )
            wanted.update((int(entry), str(h)) for entry, h in rows)
        return wanted

    @_mapped_failures
    def to_repair(self) -> Iterator[list[tuple[str, str]]]:
        """Pages of ``(paper_id, stored hash)``: papers in no file whose chunks are missing."""
        yield from self._stored_only_pages("AND s.broken")

    @_mapped_failures
    def stored_only(self) -> Iterator[list[str]]:
        """Pages of the ids of papers the store holds but no file does."""
        for page in self._stored_only_pages(""):
            yield [pid for pid, _ in page]

    @_mapped_failures
    def close(self) -> None:
        """Drop the scratch file."""
        self._db.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> IngestPlan:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    def _failure(self, exc: sqlite3.Error | OSError) -> StoreError:
        """A full or read-only disk said as such; anything else names this scratch file,
        which the next ingest makes anew."""
        failure = storage_failure(exc, self.path)
        if failure is not None:
            return failure
        reason = exc.strerror if isinstance(exc, OSError) else exc
        return StoreError(
            f"the ingest's working file {self.path} failed ({reason}); run the command again"
        )

    def _stored_only_counts(self) -> tuple[int, int]:
        row = self._db.execute(
            "SELECT count(*), coalesce(sum(s.broken), 0) FROM stored s "
            "WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.paper_id = s.paper_id)"
        ).fetchone()
        return int(row[0]), int(row[1])

    def _stored_only_pages(self, condition: str) -> Iterator[list[tuple[str, str]]]:
        # Keyset paging: the pages are read while the caller changes the store, not this file.
        after = ""
        while True:
            page = self._db.execute(
                "SELECT paper_id, hash FROM stored s WHERE paper_id > ? "
                "AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.paper_id = s.paper_id) "
                f"{condition} ORDER BY paper_id LIMIT ?",
                (after, _PAGE),
            ).fetchall()
            if not page:
                return
            yield [(str(pid), str(h)) for pid, h in page]
            after = page[-1][0]

    def _select_in(self, table: str, column: str, values: Sequence[str]) -> list[Any]:
        marks = ",".join("?" * len(values))
        sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"
        return self._db.execute(sql, list(values)).fetchall()

    def _one(self, sql: str, *params: object) -> Any:
        return self._db.execute(sql, params).fetchone()[0]


def _pages(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _PAGE):
        yield values[start : start + _PAGE]
