"""The paper store: chunk vectors and a paper manifest in Chroma (embedded or a server),
plus the lexical index, kept in step.

Two Chroma collections per collection name: ``<name>`` holds chunks (vector, passage,
``paper_id``), ``<name>__papers`` one record per paper (abstract, title, metadata and the
content hash). A paper's manifest record is written last, so it is the commit mark of an
ingest: a paper whose record carries the current hash is complete in both indexes.

Nothing is deleted before what replaces it is committed: a changed paper's chunks are
overwritten in place (same ids) and only its surplus old chunks are dropped afterwards.
Collections are created by the first write, so reading an absent collection on a shared
server writes nothing to it.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from . import chroma_client
from .collection import Paper
from .errors import EmbedderMismatch, StoreError
from .exact_search import ChunkMatrix
from .files import storage_failure
from .lexical import LexicalIndex
from .paper_records import paper_from_record, paper_metadata, select_papers
from .redaction import mask_credentials
from .settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from .chunking import Chunk
    from .embedding import Embedder

# Records per get(): a server caps it, and embedded Chroma keeps the memory of its largest
# read (measured: +120 MB RSS after two pages of 5,000 manifest records, +9 MB with 500,
# and 500-record pages are no slower per record).
_GET_PAGE = 500
_lexical_indexes: dict[str, LexicalIndex] = {}
_lexical_lock = threading.Lock()


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    paper_id: str
    text: str
    similarity: float
    """Cosine similarity to the question."""


class PaperStore:
    """Chroma collections + lexical index for one collection name."""

    def __init__(
        self,
        client: ClientAPI,
        settings: Settings,
        embedder: Embedder,
        lexical: LexicalIndex,
        location: str,
        *,
        name: str | None = None,
    ) -> None:
        self._client = client
        self.settings = settings
        self.embedder = embedder
        self.lexical = lexical
        self.location = location
        """Where the store lives, for people: a directory or a server URL."""
        self.name = name or settings.collection
        self._chunks: Collection | None = None
        self._papers: Collection | None = None
        self._open_lock = threading.Lock()
        self._known_papers: dict[str, Paper] = {}  # papers read so far
        self._listed_all = False  # whether _known_papers is the whole manifest
        self._max_batch: int | None = None
        self._matrix: ChunkMatrix | None = None  # every chunk's vector, for exact search
        self._open_collections(create=False)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder) -> PaperStore:
        """The embedded store in ``settings.home``, or the server at ``settings.chroma_url``."""
        client = chroma_client.connect(settings)
        lexical = shared_lexical_index(settings)
        location = mask_credentials(chroma_client.store_location(settings))  # shown to people
        return cls(client, settings, embedder, lexical, location)

    # -- reading --------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        """Whether the collection has been created (by a first ingest)."""
        return self._papers is not None

    def paper_count(self) -> int:
        return self._call(self._papers.count) if self._papers is not None else 0

    def chunk_count(self) -> int:
        return self._call(self._chunks.count) if self._chunks is not None else 0

    def max_batch(self) -> int:
        """The most records Chroma takes in one write (it says so itself)."""
        if self._max_batch is None:
            self._max_batch = int(self._call(self._client.get_max_batch_size))
        return self._max_batch

    def generation(self) -> str | None:
        """Changes with every ingest or removal, by any client: tells a lexical index
        whether it is behind the store."""
        if self._papers is None:
            return None
        fresh = self._call(self._client.get_collection, _papers_name(self.name))
        return (fresh.metadata or {}).get("generation")

    def papers(self) -> list[Paper]:
        """Every paper in the manifest, by title."""
        return sorted(self._all_papers().values(), key=lambda p: p.title.casefold())

    def paper(self, paper_id: str) -> Paper:
        return self.papers_by_id([paper_id])[paper_id]

    def papers_by_id(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The given papers, fetched in one call (a large store is not read whole)."""
        cache = self._known_papers
        missing = [pid for pid in paper_ids if pid not in cache]
        if missing and self._papers is not None:
            got = self._call(self._papers.get, ids=missing, include=["metadatas", "documents"])
            for pid, meta, doc in zip(got["ids"], got["metadatas"], got["documents"]):
                cache[pid] = paper_from_record(pid, doc, meta)
        for pid in paper_ids:
            if pid not in cache:
                raise StoreError(f"no paper with id {pid!r}; `assistant papers` lists the ids")
        return {pid: cache[pid] for pid in paper_ids}

    def manifest(self) -> dict[str, str]:
        """``paper_id -> stored content hash`` (the hash includes the chunking parameters).
        The whole manifest in memory: for checks and small collections; ingest pages it."""
        return {pid: str(meta["hash"]) for page in self.manifest_pages() for pid, meta in page}

    def manifest_pages(self) -> Iterator[list[tuple[str, Mapping[str, Any]]]]:
        """The manifest's ``(paper_id, metadata)`` records, a page at a time."""
        if self._papers is None:
            return
        for page in self._pages(self._papers, ["metadatas"]):
            yield [(pid, meta) for pid, meta in page]

    def chunk_paper_id_pages(self) -> Iterator[list[str]]:
        """The ``paper_id`` of every chunk in the chunk collection, a page at a time (a full
        read: repairs only)."""
        if self._chunks is None:
            return
        for page in self._pages(self._chunks, ["metadatas"]):
            yield [str(meta["paper_id"]) for _, meta in page]

    def dense_search(
        self, query_vector: np.ndarray, limit: int, paper_ids: Sequence[str] | None = None
    ) -> list[DenseHit]:
        """Chunks nearest to ``query_vector`` (cosine), optionally only of ``paper_ids``:
        exact up to ``exact_search_max_chunks`` chunks, else from Chroma's HNSW index."""
        self.check_embedder()
        count = self.chunk_count()
        if count == 0 or paper_ids == [] or self._chunks is None:
            return []
        if count <= self.settings.exact_search_max_chunks:
            matrix = self._chunk_matrix(count)
            return [
                DenseHit(matrix.ids[i], matrix.paper_ids[i], matrix.texts[i], similarity)
                for i, similarity in matrix.nearest(query_vector, limit, paper_ids)
            ]
        where = {"paper_id": {"$in": list(paper_ids)}} if paper_ids is not None else None
        result = self._call(
            self._chunks.query,
            query_embeddings=[query_vector.tolist()],
            n_results=min(limit, count),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            DenseHit(cid, str(meta["paper_id"]), doc or "", 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
            )
        ]

    def _chunk_matrix(self, count: int) -> ChunkMatrix:
        """Every chunk's vector, read once and again only when the collection changed (its
        generation moves with every ingest or removal, by any client)."""
        key = (self.generation(), count)
        matrix = self._matrix
        if matrix is None or matrix.key != key:
            assert self._chunks is not None
            pages = self._pages(self._chunks, ["metadatas", "documents", "embeddings"])
            matrix = ChunkMatrix.build(
                key,
                (
                    (cid, str(meta["paper_id"]), doc or "", vector)
                    for page in pages
                    for cid, meta, doc, vector in page
                ),
            )
            self._matrix = matrix
        return matrix

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not chunk_ids or self._chunks is None:
            return {}
        got = self._call(self._chunks.get, ids=list(chunk_ids), include=["embeddings"])
        return {
            cid: np.asarray(vec, dtype=np.float32)
            for cid, vec in zip(got["ids"], got["embeddings"])
        }

    def chunks_of(self, paper_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """``(chunk_id, paper_id, text)`` of the given papers, in reading order."""
        if not paper_ids or self._chunks is None:
            return []
        rows = []
        for start in range(0, len(paper_ids), 500):  # keeps each `$in` filter small
            got = self._call(
                self._chunks.get,
                where={"paper_id": {"$in": list(paper_ids[start : start + 500])}},
                include=["documents", "metadatas"],
            )
            rows += [
                (cid, str(m["paper_id"]), doc or "", int(m.get("index", 0)))
                for cid, doc, m in zip(got["ids"], got["documents"], got["metadatas"])
            ]
        rows.sort(key=lambda r: (r[1], r[3]))
        return [(cid, pid, text) for cid, pid, text, _ in rows]

    def filter_papers(self, where: Mapping[str, Any]) -> list[str]:
        """Ids of papers matching ``where`` (``year``, ``since``, ``until``, ``author``);
        a ``FilterError`` when no paper of the collection has the field filtered on."""
        return select_papers(self._all_papers().values(), where, self.name)

    # -- writing (used by ingest) ---------------------------------------------------------

    def embedder_matches(self) -> bool:
        """Whether the stored vectors came from the configured embedder (or there are none)."""
        if self._chunks is None:
            return True
        stored = (self._chunks.metadata or {}).get("embedder")
        return not stored or stored == self.embedder.embedder_id or self.paper_count() == 0

    def check_embedder(self) -> None:
        """Refuse to mix vectors of two embedders in one store."""
        if not self.embedder_matches():
            stored = (self._chunks.metadata or {}).get("embedder") if self._chunks else None
            raise EmbedderMismatch(
                f"the store at {self.location} was built with embedder {stored!r} but "
                f"{self.embedder.embedder_id!r} is configured; set the embedder back, or run "
                "`assistant ingest --rebuild` to re-embed the collection"
            )

    def write_papers(
        self,
        papers: Sequence[Paper],
        hashes: Sequence[str],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
    ) -> None:
        """Write these papers' chunks to both indexes, then commit their manifest records;
        only then drop chunks an earlier version of a paper had beyond the new ones."""
        chunks_col, _ = self._writable()
        previous = self._chunk_totals([p.paper_id for p in papers])
        step = self.max_batch()
        for start in range(0, len(chunks), step):
            part = chunks[start : start + step]
            self._call(
                chunks_col.upsert,
                ids=[c.chunk_id for c in part],
                embeddings=vectors[start : start + step].tolist(),
                documents=[c.text for c in part],
                metadatas=[{"paper_id": c.paper_id, "index": c.index} for c in part],
            )
        self.lexical.replace_papers(
            zip([p.paper_id for p in papers], hashes),
            [(c.chunk_id, c.paper_id, c.title, c.text) for c in chunks],
        )
        counts = self._upsert_manifest(papers, hashes, chunks, vectors)
        surplus = [
            f"{pid}:{i}" for pid, old in previous.items() for i in range(counts.get(pid, 0), old)
        ]
        for start in range(0, len(surplus), step):
            self._call(chunks_col.delete, ids=surplus[start : start + step])

    def copy_to_lexical(self, papers: Mapping[str, tuple[str, str]]) -> None:
        """Fill the lexical index from chunks already in Chroma (``paper_id -> (title,
        hash)``), e.g. a server another client ingested into, without embedding anything."""
        ids = list(papers)
        rows = [(cid, pid, papers[pid][0], text) for cid, pid, text in self.chunks_of(ids)]
        self.lexical.replace_papers(((pid, papers[pid][1]) for pid in ids), rows)

    def remove_papers(self, paper_ids: Sequence[str]) -> None:
        """Drop papers from both indexes; the manifest record goes last."""
        if not paper_ids or self._chunks is None or self._papers is None:
            return
        step = self.max_batch()
        for start in range(0, len(paper_ids), step):
            part = list(paper_ids[start : start + step])
            self._call(self._chunks.delete, where={"paper_id": {"$in": part}})
            self.lexical.remove_papers(part)
            self._call(self._papers.delete, ids=part)
        self._forget_papers()

    def bump_generation(self) -> str:
        """Mark the collection changed, for every client's lexical index to notice."""
        _, papers = self._writable()
        generation = uuid.uuid4().hex
        metadata = {**(papers.metadata or {}), "generation": generation}
        self._call(papers.modify, metadata=metadata)
        return generation

    def drop_collections(self) -> None:
        """Delete both Chroma collections of this name (a rebuild's staging copy, or the
        collection a finished rebuild replaces)."""
        for name in (self.name, _papers_name(self.name)):
            if self._collection_or_none(name) is not None:
                self._call(self._client.delete_collection, name)
        self._chunks = self._papers = None
        self._forget_papers()

    def rename_to(self, new_name: str) -> None:
        """Give both collections a new name (a finished rebuild takes the old one's place)."""
        chunks, papers = self._writable()
        self._call(chunks.modify, name=new_name)
        self._call(papers.modify, name=_papers_name(new_name))
        self.name = new_name
        self._open_collections(create=False)

    # -- internals ------------------------------------------------------------------------

    def _writable(self) -> tuple[Collection, Collection]:
        if self._chunks is None or self._papers is None:
            self._open_collections(create=True)
        assert self._chunks is not None and self._papers is not None
        return self._chunks, self._papers

    def reread(self) -> None:
        """Forget what was read of the store: another process may have created, filled or
        swapped the collection since (a writer calls this once it holds the write lock)."""
        self._open_collections(create=False)
        self._forget_papers()

    def _open_collections(self, *, create: bool) -> None:
        with self._open_lock:
            if create:
                self._chunks = self._get_or_create(self.name)
                self._papers = self._get_or_create(_papers_name(self.name))
            else:
                self._chunks = self._collection_or_none(self.name)
                self._papers = self._collection_or_none(_papers_name(self.name))

    def _get_or_create(self, name: str) -> Collection:
        return self._call(
            self._client.get_or_create_collection,
            name,
            metadata={"embedder": self.embedder.embedder_id},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def _collection_or_none(self, name: str) -> Collection | None:
        names = {c if isinstance(c, str) else c.name for c in self._call(self._list_names)}
        if name not in names:
            return None
        return self._call(self._client.get_collection, name, embedding_function=None)

    def _list_names(self) -> list[Any]:
        return list(self._client.list_collections())

    def _chunk_totals(self, paper_ids: Sequence[str]) -> dict[str, int]:
        if self._papers is None:
            return {}
        got = self._call(self._papers.get, ids=list(paper_ids), include=["metadatas"])
        return {pid: int(m.get("n_chunks", 0)) for pid, m in zip(got["ids"], got["metadatas"])}

    def _upsert_manifest(
        self,
        papers: Sequence[Paper],
        hashes: Sequence[str],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
    ) -> dict[str, int]:
        # A paper's record vector is the mean of its chunk vectors (Chroma needs one).
        rows: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            rows.setdefault(chunk.paper_id, []).append(i)
        _, manifest = self._writable()
        step = self.max_batch()
        for start in range(0, len(papers), step):
            part, part_hashes = papers[start : start + step], hashes[start : start + step]
            self._call(
                manifest.upsert,
                ids=[p.paper_id for p in part],
                embeddings=[vectors[rows[p.paper_id]].mean(axis=0).tolist() for p in part],
                documents=[p.abstract for p in part],
                metadatas=[
                    paper_metadata(p, h, len(rows[p.paper_id])) for p, h in zip(part, part_hashes)
                ],
            )
        self._forget_papers()
        return {pid: len(indexes) for pid, indexes in rows.items()}

    def _forget_papers(self) -> None:
        self._known_papers = {}
        self._listed_all = False

    def _all_papers(self) -> dict[str, Paper]:
        if not self._listed_all:
            papers = self._papers
            pages = self._pages(papers, ["metadatas", "documents"]) if papers else []
            self._known_papers = {
                pid: paper_from_record(pid, doc, meta) for page in pages for pid, meta, doc in page
            }
            self._listed_all = True
        return self._known_papers

    def _pages(self, collection: Collection, include: list[str]) -> Iterator[list[tuple[Any, ...]]]:
        offset = 0
        while True:
            got = self._call(collection.get, include=include, limit=_GET_PAGE, offset=offset)
            columns = [got[name] for name in include]
            yield list(zip(got["ids"], *columns))
            if len(got["ids"]) < _GET_PAGE:
                return
            offset += _GET_PAGE

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a Chroma call, turning its failures into one actionable line."""
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            if not self.settings.chroma_url:
                self._raise_if_local_disk_failed(exc)
                if chroma_client.is_damage(exc):
                    raise chroma_client.damaged_error(self.settings, exc) from None
            if _server_gone(exc):
                raise StoreError(
                    f"the Chroma server at {self.location} stopped answering "
                    f"({mask_credentials(_first_line(exc))}); start it "
                    "again and repeat the command (an interrupted ingest keeps what it wrote "
                    "and `assistant ingest` finishes it)"
                ) from None
            text = str(exc).strip().splitlines()
            raise StoreError(
                f"the Chroma store at {self.location} failed: "
                f"{text[0] if text else type(exc).__name__}"
            ) from None

    def _raise_if_local_disk_failed(self, exc: Exception) -> None:
        """A full or read-only disk under the embedded store, told as such (checked before
        damage: SQLite's "disk I/O error" on a full disk is no damage)."""
        from chromadb.errors import InternalError

        # Chroma's core reports a write that failed for want of space without its cause
        # ("Error in compaction: Failed to apply logs to the metadata segment").
        directory = chroma_client.embedded_path(self.settings)
        failure = storage_failure(exc, directory, unexplained=isinstance(exc, InternalError))
        if failure is not None:
            raise failure from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _server_gone(exc: Exception) -> bool:
    """Whether a call to a Chroma server failed because nothing answers any more."""
    import httpx

    return isinstance(exc, httpx.ConnectError | httpx.RemoteProtocolError | ConnectionError)


def shared_lexical_index(settings: Settings, name: str | None = None) -> LexicalIndex:
    """The process's lexical index for this store and collection, opened once."""
    path = lexical_path(settings, name)
    with _lexical_lock:
        index = _lexical_indexes.get(str(path))
        if index is None or not path.exists():
            index = _lexical_indexes[str(path)] = LexicalIndex(path)
        return index


def lexical_path(settings: Settings, name: str | None = None) -> Path:
    """Where the lexical index of collection ``name`` (default: the configured one) lives."""
    return settings.home / "lexical" / f"{store_key(settings, name)}.sqlite3"


def forget_lexical_index(index: LexicalIndex) -> None:
    with _lexical_lock:
        _lexical_indexes.pop(str(index.path), None)
    index.close()


def store_key(settings: Settings, name: str | None = None) -> str:
    """Names files kept beside the store (lexical index, source records) after it: a server
    by its address without the user or password it may carry (file names get shown)."""
    return f"{_location_key(settings.chroma_url)}-{name or settings.collection}"


def _location_key(url: str | None, *, with_credentials: bool = False) -> str:
    if not url:
        return "local"
    if not with_credentials:
        parts = urlsplit(url)
        url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    return "".join(ch if ch.isalnum() else "_" for ch in url)


def rename_files_named_with_credentials(settings: Settings) -> None:
    """Files an earlier version named after a server URL with its password in it take the
    names ``store_key`` gives now (unless a file of that name exists already)."""
    old = _location_key(settings.chroma_url, with_credentials=True)
    new = _location_key(settings.chroma_url)
    if old == new:
        return
    for folder in ("lexical", "library", "locks"):
        directory = settings.home / folder
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            if path.name.startswith((f"{old}-", f".ingest-{old}-")):
                target = path.with_name(path.name.replace(old, new, 1))
                if not target.exists():
                    with contextlib.suppress(OSError):  # then it is rebuilt like a lost file
                        path.rename(target)


def manifest_name(name: str) -> str:
    """The Chroma collection holding the manifest of the paper collection ``name``."""
    return f"{name}__papers"


_papers_name = manifest_name


def collection_names(client: ClientAPI) -> list[str]:
    """Names of the paper collections in a store (each has a chunk and a manifest part)."""
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    return sorted(n for n in names if not n.endswith("__papers") and _papers_name(n) in names)
