"""The paper store: chunk vectors and a paper manifest in Chroma (embedded or a server),
plus the lexical index, kept in step.

Two Chroma collections per collection name: ``<name>`` holds chunks (vector, passage,
``paper_id``), ``<name>__papers`` one record per paper (abstract, title, metadata and the
content hash). A paper's manifest record is written last, so it is the commit mark of an
ingest: a paper whose record carries the current hash is complete in both indexes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from .collection import Paper
from .errors import EmbedderMismatch, StoreError
from .lexical import LexicalIndex
from .settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from .chunking import Chunk
    from .embedding import Embedder

_GET_PAGE = 5000  # Chroma caps how many records one get() returns on a server


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
    ) -> None:
        self._client = client
        self.settings = settings
        self.embedder = embedder
        self.lexical = lexical
        self.location = location
        """Where the store lives, for people: a directory or a server URL."""
        self._chunks, self._papers = self._open_collections()
        self._known_papers: dict[str, Paper] = {}  # papers read so far
        self._listed_all = False  # whether _known_papers is the whole manifest

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder) -> PaperStore:
        """The embedded store in ``settings.home``, or the server at ``settings.chroma_url``."""
        client, location = _connect(settings)
        lexical = LexicalIndex(settings.home / "lexical" / f"{_store_key(settings)}.sqlite3")
        return cls(client, settings, embedder, lexical, location)

    # -- reading --------------------------------------------------------------------------

    def paper_count(self) -> int:
        return self._call(self._papers.count)

    def papers(self) -> list[Paper]:
        """Every paper in the manifest, by title."""
        return sorted(self._all_papers().values(), key=lambda p: p.title.casefold())

    def paper(self, paper_id: str) -> Paper:
        return self.papers_by_id([paper_id])[paper_id]

    def papers_by_id(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The given papers, fetched in one call (a large store is not read whole)."""
        cache = self._known_papers
        missing = [pid for pid in paper_ids if pid not in cache]
        if missing:
            got = self._call(self._papers.get, ids=missing, include=["metadatas", "documents"])
            for pid, meta, doc in zip(got["ids"], got["metadatas"], got["documents"]):
                cache[pid] = _paper_from_record(pid, doc, meta)
        for pid in paper_ids:
            if pid not in cache:
                raise StoreError(f"no paper with id {pid!r}; `assistant papers` lists the ids")
        return {pid: cache[pid] for pid in paper_ids}

    def manifest(self) -> dict[str, str]:
        """``paper_id -> stored content hash`` (the hash includes the chunking parameters)."""
        return {
            pid: str(meta["hash"]) for pid, meta in self._paged_get(self._papers, ["metadatas"])
        }

    def dense_search(
        self, query_vector: np.ndarray, limit: int, paper_ids: Sequence[str] | None = None
    ) -> list[DenseHit]:
        """Chunks nearest to ``query_vector`` (cosine), optionally only of ``paper_ids``."""
        self.check_embedder()
        count = self._call(self._chunks.count)
        if count == 0 or paper_ids == []:
            return []
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

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not chunk_ids:
            return {}
        got = self._call(self._chunks.get, ids=list(chunk_ids), include=["embeddings"])
        return {
            cid: np.asarray(vec, dtype=np.float32)
            for cid, vec in zip(got["ids"], got["embeddings"])
        }

    def chunks_of(self, paper_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """``(chunk_id, paper_id, text)`` of the given papers, in reading order."""
        if not paper_ids:
            return []
        got = self._call(
            self._chunks.get,
            where={"paper_id": {"$in": list(paper_ids)}},
            include=["documents", "metadatas"],
        )
        rows = [
            (cid, str(m["paper_id"]), doc or "", int(m.get("index", 0)))
            for cid, doc, m in zip(got["ids"], got["documents"], got["metadatas"])
        ]
        rows.sort(key=lambda r: (r[1], r[3]))
        return [(cid, pid, text) for cid, pid, text, _ in rows]

    def filter_papers(self, where: Mapping[str, Any]) -> list[str]:
        """Ids of papers matching ``where`` (``year``, ``since``, ``until``, ``author``)."""
        unknown = set(where) - {"year", "since", "until", "author"}
        if unknown:
            raise StoreError(
                f"unknown filter {sorted(unknown)[0]!r}; use year, since, until or author"
            )
        keep = []
        for paper in self._all_papers().values():
            if "year" in where and paper.year != int(where["year"]):
                continue
            if "since" in where and (paper.year is None or paper.year < int(where["since"])):
                continue
            if "until" in where and (paper.year is None or paper.year > int(where["until"])):
                continue
            if "author" in where and not any(
                str(where["author"]).casefold() in a.casefold() for a in paper.authors
            ):
                continue
            keep.append(paper.paper_id)
        return keep

    # -- writing (used by ingest) ---------------------------------------------------------

    def check_embedder(self) -> None:
        """Refuse to mix vectors of two embedders in one store."""
        stored = (self._chunks.metadata or {}).get("embedder")
        if stored and stored != self.embedder.embedder_id and self.paper_count() > 0:
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
        """Replace these papers' chunks in both indexes, then commit their manifest records."""
        ids = [p.paper_id for p in papers]
        self._call(self._chunks.delete, where={"paper_id": {"$in": ids}})
        if chunks:
            self._call(
                self._chunks.add,
                ids=[c.chunk_id for c in chunks],
                embeddings=vectors.tolist(),
                documents=[c.text for c in chunks],
                metadatas=[{"paper_id": c.paper_id, "index": c.index} for c in chunks],
            )
        self.lexical.replace_papers(
            zip(ids, hashes), [(c.chunk_id, c.paper_id, c.title, c.text) for c in chunks]
        )
        self._upsert_manifest(papers, hashes, chunks, vectors)

    def copy_to_lexical(self, papers: Sequence[Paper], hashes: Sequence[str]) -> None:
        """Fill the lexical index from chunks already in Chroma (e.g. a server another
        machine ingested into), without embedding anything again."""
        titles = {p.paper_id: p.title for p in papers}
        rows = [(cid, pid, titles[pid], text) for cid, pid, text in self.chunks_of(list(titles))]
        self.lexical.replace_papers(zip(titles, hashes), rows)

    def remove_papers(self, paper_ids: Sequence[str]) -> None:
        """Drop papers from both indexes; the manifest record goes last."""
        if not paper_ids:
            return
        self._call(self._chunks.delete, where={"paper_id": {"$in": list(paper_ids)}})
        self.lexical.remove_papers(paper_ids)
        self._call(self._papers.delete, ids=list(paper_ids))
        self._forget_papers()

    def reset(self) -> None:
        """Delete everything and start over (``ingest --rebuild``)."""
        for name in (self.settings.collection, _papers_name(self.settings)):
            with contextlib.suppress(Exception):  # absent already is fine
                self._client.delete_collection(name)
        self.lexical.clear()
        self._chunks, self._papers = self._open_collections()
        self._forget_papers()

    # -- internals ------------------------------------------------------------------------

    def _open_collections(self) -> tuple[Collection, Collection]:
        metadata = {"embedder": self.embedder.embedder_id}
        config: Any = {"hnsw": {"space": "cosine"}}
        chunks = self._call(
            self._client.get_or_create_collection,
            self.settings.collection,
            metadata=metadata,
            configuration=config,
            embedding_function=None,
        )
        papers = self._call(
            self._client.get_or_create_collection,
            _papers_name(self.settings),
            metadata=metadata,
            configuration=config,
            embedding_function=None,
        )
        return chunks, papers

    def _upsert_manifest(
        self,
        papers: Sequence[Paper],
        hashes: Sequence[str],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
    ) -> None:
        # A paper's record vector is the mean of its chunk vectors (Chroma needs one).
        rows: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            rows.setdefault(chunk.paper_id, []).append(i)
        centroids = [vectors[rows[p.paper_id]].mean(axis=0).tolist() for p in papers]
        self._call(
            self._papers.upsert,
            ids=[p.paper_id for p in papers],
            embeddings=centroids,
            documents=[p.abstract for p in papers],
            metadatas=[
                _paper_metadata(p, h, len(rows[p.paper_id])) for p, h in zip(papers, hashes)
            ],
        )
        self._forget_papers()

    def _forget_papers(self) -> None:
        self._known_papers = {}
        self._listed_all = False

    def _all_papers(self) -> dict[str, Paper]:
        if not self._listed_all:
            self._known_papers = {
                pid: _paper_from_record(pid, doc, meta)
                for pid, meta, doc in self._paged_get(self._papers, ["metadatas", "documents"])
            }
            self._listed_all = True
        return self._known_papers

    def _paged_get(self, collection: Collection, include: list[str]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        offset = 0
        while True:
            got = self._call(collection.get, include=include, limit=_GET_PAGE, offset=offset)
            columns = [got[name] for name in include]
            rows.extend(zip(got["ids"], *columns))
            if len(got["ids"]) < _GET_PAGE:
                return rows
            offset += _GET_PAGE

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a Chroma call, turning its failures into one actionable line."""
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"the Chroma store at {self.location} failed: {_first_line(exc)}"
            ) from None


def _connect(settings: Settings) -> tuple[ClientAPI, str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreError(
                f"ASSISTANT_CHROMA_URL {settings.chroma_url!r} is not a URL like http://127.0.0.1:8000"
            )
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
            client.heartbeat()
        except Exception:
            raise StoreError(
                f"no Chroma server answered at {settings.chroma_url} — start one with "
                "`chroma run --path DIR --host 127.0.0.1 --port 8000`, or unset "
                "ASSISTANT_CHROMA_URL to use the embedded store"
            ) from None
        return client, settings.chroma_url
    path = settings.home / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings), str(path)
    except Exception as exc:
        raise StoreError(f"cannot open the store at {path}: {_first_line(exc)}") from None


def _papers_name(settings: Settings) -> str:
    return f"{settings.collection}__papers"


def _store_key(settings: Settings) -> str:
    """Names the lexical index after the store it belongs to."""
    where = "local" if not settings.chroma_url else re.sub(r"\W+", "_", settings.chroma_url)
    return f"{where}-{settings.collection}"


def _paper_metadata(paper: Paper, content_hash: str, n_chunks: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": paper.title, "hash": content_hash, "n_chunks": n_chunks}
    if paper.authors:
        meta["authors"] = "; ".join(paper.authors)
    if paper.year is not None:
        meta["year"] = paper.year
    if paper.url:
        meta["url"] = paper.url
    return meta


def _paper_from_record(paper_id: str, abstract: str | None, meta: Mapping[str, Any]) -> Paper:
    authors = tuple(a for a in str(meta.get("authors", "")).split("; ") if a)
    year = meta.get("year")
    return Paper(
        paper_id,
        str(meta["title"]),
        abstract or "",
        authors,
        int(year) if year is not None else None,
        meta.get("url"),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
