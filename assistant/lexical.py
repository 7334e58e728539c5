"""The lexical (BM25) side of hybrid retrieval: an SQLite FTS5 index beside the store.

Local Chroma has no sparse index, so this one is ours. It keeps its own manifest of
``paper_id -> content hash`` and writes each batch in one transaction, so an interrupted
ingest leaves it consistent and the next ingest completes it.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from .errors import StoreError
from .files import move_aside, storage_failure
from .text import query_terms

# In a large index, a term in more than this share of chunks adds little to BM25 (its IDF
# is near zero) but costs the most time: its posting list is long. Such terms are left out
# of the query. Small collections keep every term: there the time is negligible and a
# frequent word ("code" among code papers) can still tell papers apart.
MAX_DOC_FRACTION = 0.1
LARGE_INDEX_CHUNKS = 20_000
_TITLE_WEIGHT = 2.0  # a term in the title says more about the paper than one in passing
_TEXT_WEIGHT = 1.0
_IDS_PER_STATEMENT = 500  # well below SQLite's limit on bound parameters
_SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS papers (paper_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
    chunk_id UNINDEXED, paper_id UNINDEXED, title, text,
    tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5vocab(chunks, 'row');
"""
_TEMP_SCHEMA = """
-- A scratch table that stems query words the way the index stemmed the chunks.
CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmer USING fts5(
    words, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmer_terms USING fts5vocab(temp, stemmer, 'instance');
"""


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _storage_failures_told(method: _Method) -> _Method:
    """A full or read-only disk under the index raises its one-line error; other SQLite
    errors pass unchanged (opening tells a damaged file by them, and moves it aside)."""

    @functools.wraps(method)
    def call(self: LexicalIndex, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            failure = storage_failure(exc, self.path)
            if failure is None:
                raise
            raise failure from None

    return cast(_Method, call)


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    paper_id: str
    text: str
    score: float
    """BM25 score, higher is better."""


class LexicalIndex:
    """BM25 over chunk texts and titles, persisted in one SQLite file.

    Each thread gets its own SQLite connection (a connection is not safe to share across
    threads mid-transaction); the schema is created by the first one. The index is derived
    data: a damaged file is moved aside and rebuilt from the store's chunk texts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._chunks_total: int | None = None
        self.moved_aside: Path | None = None
        """Where a damaged index file was moved on opening, if it was."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._open_checked()
        except OSError as exc:
            failure = storage_failure(exc, path)
            if failure is not None:
                raise failure from None
            raise StoreError(f"lexical index {path} cannot be created ({exc.strerror})") from None

    def _open_checked(self) -> None:
        """Open the file and read its counts; a damaged file is moved aside for a new one."""
        try:
            self.counts()
        except sqlite3.DatabaseError:
            self.close()
            self.moved_aside = move_aside(self.path)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.counts()

    @property
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        # The schema (and WAL mode, which takes an exclusive lock) is set up by the first
        # connection only; later ones add just their own scratch tables.
        with self._connections_lock:
            try:
                db.executescript(_TEMP_SCHEMA if self._connections else _SCHEMA + _TEMP_SCHEMA)
            except sqlite3.DatabaseError:
                db.close()
                raise
            self._connections.append(db)
        return db

    @_storage_failures_told
    def counts(self) -> tuple[int, int]:
        """``(papers, chunks)`` in the index: the cheap half of the consistency check."""
        (papers,) = self._db.execute("SELECT count(*) FROM papers").fetchall()[0]
        return int(papers), self._chunk_count()

    def is_sound(self, *, thorough: bool) -> bool:
        """Whether the file reads as a sound database: its counts (cheap), and with
        ``thorough`` SQLite's own check of every page (ingest pays for that)."""
        try:
            self._chunks_total = None
            self.counts()
            if thorough:
                return bool(self._db.execute("PRAGMA quick_check").fetchall()[0][0] == "ok")
            return True
        except sqlite3.DatabaseError as exc:
            failure = storage_failure(exc, self.path)
            if failure is not None:  # a full disk is no reason to throw the index away
                raise failure from None
            return False

    @_storage_failures_told
    def generation(self) -> str | None:
        """The store generation this index was last brought up to date with."""
        rows = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchall()
        return str(rows[0][0]) if rows else None

    @_storage_failures_told
    def set_generation(self, generation: str | None) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (generation or "",)
            )

    @_storage_failures_told
    def manifest(self) -> dict[str, str]:
        """``paper_id -> content hash`` of every paper fully indexed."""
        return dict(self._db.execute("SELECT paper_id, content_hash FROM papers"))

    @_storage_failures_told
    def hashes_of(self, paper_ids: Sequence[str]) -> dict[str, str]:
        """``paper_id -> content hash`` of those of ``paper_ids`` that are indexed."""
        found: dict[str, str] = {}
        for start in range(0, len(paper_ids), _IDS_PER_STATEMENT):
            batch = list(paper_ids[start : start + _IDS_PER_STATEMENT])
            marks = ",".join("?" * len(batch))
            sql = f"SELECT paper_id, content_hash FROM papers WHERE paper_id IN ({marks})"
            found.update(self._db.execute(sql, batch))
        return found

    @_storage_failures_told
    def keep_only(self, id_pages: Iterable[Sequence[str]]) -> int:
        """Remove every paper whose id is in none of ``id_pages``; how many were removed.
        The ids to keep go to a scratch table, not to memory."""
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (paper_id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM temp.keep")
        for page in id_pages:
            db.executemany("INSERT OR IGNORE INTO temp.keep VALUES (?)", ((pid,) for pid in page))
        sql = (
            "SELECT paper_id FROM papers WHERE paper_id NOT IN (SELECT paper_id FROM temp.keep) "
            f"LIMIT {_IDS_PER_STATEMENT}"
        )
        removed = 0
        while gone := [pid for (pid,) in db.execute(sql).fetchall()]:
            self.remove_papers(gone)
            removed += len(gone)
        db.execute("DELETE FROM temp.keep")
        return removed

    @_storage_failures_told
    def replace_papers(
        self, papers: Iterable[tuple[str, str]], chunks: Sequence[tuple[str, str, str, str]]
    ) -> None:
        """Write ``(paper_id, hash)`` papers with their ``(chunk_id, paper_id, title, text)``
        chunks, replacing whatever was there for those papers, in one transaction."""
        papers = list(papers)
        with self._transaction():
            self._delete_chunks_of([pid for pid, _ in papers])
            self._db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?)", chunks)
            self._db.executemany("INSERT OR REPLACE INTO papers VALUES (?, ?)", papers)

    @_storage_failures_told
    def remove_papers(self, paper_ids: Iterable[str]) -> None:
        ids = [(pid,) for pid in paper_ids]
        with self._transaction():
            self._delete_chunks_of([pid for (pid,) in ids])
            self._db.executemany("DELETE FROM papers WHERE paper_id = ?", ids)

    def _delete_chunks_of(self, paper_ids: Sequence[str]) -> None:
        """Delete the chunks of these papers (inside a transaction).

        FTS5 cannot index the UNINDEXED ``paper_id`` column, so every ``WHERE paper_id``
        reads the whole table: one scan per batch, not per paper, and none for papers that
        were never indexed (their chunks and ``papers`` row are written in one transaction)."""
        for start in range(0, len(paper_ids), _IDS_PER_STATEMENT):
            batch = paper_ids[start : start + _IDS_PER_STATEMENT]
            marks = ",".join("?" * len(batch))
            known = [
                pid
                for (pid,) in self._db.execute(
                    f"SELECT paper_id FROM papers WHERE paper_id IN ({marks})", batch
                )
            ]
            if known:
                marks = ",".join("?" * len(known))
                self._db.execute(f"DELETE FROM chunks WHERE paper_id IN ({marks})", known)

    @_storage_failures_told
    def clear(self) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM papers")

    def search(
        self, question: str, limit: int, paper_ids: Sequence[str] | None = None
    ) -> list[LexicalHit]:
        """The best ``limit`` chunks by BM25, optionally only of ``paper_ids``."""
        try:
            terms = self._selective_terms(query_terms(question))
            if not terms:
                return []
            return self._bm25(terms, limit, paper_ids)
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from None

    def damaged(self, exc: Exception) -> StoreError:
        """The one-line error for a file that broke after it was opened (or for the full or
        read-only disk under it, which no rebuild would cure)."""
        failure = storage_failure(exc, self.path)
        if failure is not None:
            return failure
        return StoreError(
            f"the keyword index {self.path} is damaged ({exc}); run `assistant ingest` to "
            "rebuild it from the store (nothing is embedded again)"
        )

    def _bm25(
        self, terms: list[str], limit: int, paper_ids: Sequence[str] | None
    ) -> list[LexicalHit]:
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = (
            "SELECT chunk_id, paper_id, text, bm25(chunks, 0, 0, ?, ?) AS rank "
            "FROM chunks WHERE chunks MATCH ?"
        )
        params: list[object] = [_TITLE_WEIGHT, _TEXT_WEIGHT, match]
        if paper_ids is not None:
            sql += f" AND paper_id IN ({','.join('?' * len(paper_ids))})"
            params.extend(paper_ids)
        sql += " ORDER BY rank LIMIT ?"
        params.append(limit)
        rows = self._db.execute(sql, params).fetchall()
        # FTS5's bm25() is negative (smaller is better); flip it so higher is better.
        return [LexicalHit(cid, pid, text, -rank) for cid, pid, text, rank in rows]

    @_storage_failures_told
    def document_counts(self, words: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many chunks contain each word (as the index stems it), and how many chunks
        there are: the statistics of inverse document frequency."""
        stems = self._stems(words)
        counts = self._stem_counts(set(stems.values()))
        return {w: counts.get(s, 0) for w, s in stems.items()}, self._chunk_count()

    def _selective_terms(self, terms: list[str]) -> list[str]:
        """``terms`` without those in more than MAX_DOC_FRACTION of a large index's chunks
        (keeping at least the rarest one)."""
        if len(terms) < 2 or self._chunk_count() < LARGE_INDEX_CHUNKS:
            return terms
        stems = self._stems(terms)
        counts = self._stem_counts(set(stems.values()))
        frequency = {t: counts.get(stems[t], 0) if t in stems else 0 for t in terms}
        limit = MAX_DOC_FRACTION * self._chunk_count()
        return [t for t in terms if frequency[t] <= limit] or [
            min(terms, key=frequency.__getitem__)
        ]

    def _stems(self, words: Sequence[str]) -> dict[str, str]:
        """Each word's stem, as the index's tokenizer makes it (words it drops are left out)."""
        self._db.execute("DELETE FROM temp.stemmer")
        self._db.executemany(
            "INSERT INTO temp.stemmer(rowid, words) VALUES (?, ?)", enumerate(words, start=1)
        )
        stems: dict[str, str] = {}
        for stem, row in self._db.execute(
            "SELECT term, doc FROM temp.stemmer_terms ORDER BY offset"
        ):
            stems.setdefault(words[row - 1], stem)  # a word split in two counts by its first part
        return stems

    def _stem_counts(self, stems: set[str]) -> dict[str, int]:
        if not stems:
            return {}
        marks = ",".join("?" * len(stems))
        return dict(
            self._db.execute(
                f"SELECT term, doc FROM chunk_terms WHERE term IN ({marks})", list(stems)
            )
        )

    def _chunk_count(self) -> int:
        if self._chunks_total is None:
            self._chunks_total = int(
                self._db.execute("SELECT count(*) FROM chunks").fetchall()[0][0]
            )
        return self._chunks_total

    def close(self) -> None:
        """Close every thread's connection (the index reopens on next use)."""
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    def _transaction(self) -> _Transaction:
        self._chunks_total = None  # every write may change it
        return _Transaction(self._db, self._write_lock)


class _Transaction:
    """One write transaction; writers of one process take turns (SQLite's busy timeout
    covers other processes)."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self.db, self.lock = db, lock

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type:
                self.db.execute("ROLLBACK")
            else:
                self._commit()
        finally:
            self.lock.release()

    def _commit(self) -> None:
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error:
            # A COMMIT that fails (a full disk) leaves the transaction open: roll it back, so
            # nothing half-written stays and the next write can begin.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
