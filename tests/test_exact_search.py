"""Dense search is exact (and so the same in every run) on collections held in memory, and
follows the collection when any client changes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_ingest import PAPERS, ingest_collection, open_store, write_collection

from assistant.embedding import MiniLMEmbedder
from assistant.exact_search import ChunkMatrix
from assistant.settings import Settings
from assistant.store import PaperStore

QUESTIONS = [
    "Which papers make neural text retrieval cheaper at query time?",
    "self-supervised speech representations",
]


def _brute_force(store: PaperStore, query: np.ndarray, limit: int) -> list[str]:
    ids = [cid for cid, _, _ in store.chunks_of([p.paper_id for p in store.papers()])]
    vectors = store.chunk_vectors(ids)
    similarity = {cid: float(v @ query) / float(np.linalg.norm(v)) for cid, v in vectors.items()}
    return sorted(similarity, key=lambda cid: -similarity[cid])[:limit]


@pytest.mark.parametrize("question", QUESTIONS)
def test_dense_search_returns_the_true_nearest_chunks(
    seeded_store: PaperStore, question: str
) -> None:
    query = seeded_store.embedder.embed([question])[0]
    hits = seeded_store.dense_search(query, 120)
    assert [h.chunk_id for h in hits] == _brute_force(seeded_store, query, 120)
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
    assert all(h.text and h.paper_id == h.chunk_id.split(":")[0] for h in hits)


def test_a_paper_filter_keeps_only_those_papers_in_the_same_order(
    seeded_store: PaperStore,
) -> None:
    query = seeded_store.embedder.embed([QUESTIONS[0]])[0]
    everything = seeded_store.dense_search(query, 600)
    wanted = sorted({h.paper_id for h in everything[5:40:7]})
    filtered = seeded_store.dense_search(query, 600, wanted)
    expected = [h.chunk_id for h in everything if h.paper_id in wanted]
    assert [h.chunk_id for h in filtered] == expected and len(expected) >= 3


def test_a_large_collection_is_left_to_the_hnsw_index(
    seeded_home: Path, seeded_store: PaperStore, embedder: MiniLMEmbedder
) -> None:
    approximate = PaperStore.open(Settings(home=seeded_home, exact_search_max_chunks=0), embedder)
    query = embedder.embed([QUESTIONS[1]])[0]
    hits = approximate.dense_search(query, 10)
    assert approximate._matrix is None  # nothing held in memory
    exact = {h.chunk_id: h.similarity for h in seeded_store.dense_search(query, 600)}
    assert len(hits) == 10
    assert all(h.similarity == pytest.approx(exact[h.chunk_id], abs=1e-4) for h in hits)


def test_another_clients_ingest_is_seen_by_the_next_search(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    writer = open_store(store_settings, embedder)
    ingest_collection(writer, [write_collection(tmp_path / "a.jsonl", PAPERS[:2])])
    reader = open_store(store_settings, embedder)
    query = embedder.embed(["protein structure from residue pairs"])[0]
    before = reader.dense_search(query, 10)
    assert len(before) == 2  # one chunk for each short paper

    ingest_collection(writer, [write_collection(tmp_path / "b.jsonl", PAPERS[3:4])])
    after = reader.dense_search(query, 10)
    assert len(after) == 3
    assert reader._matrix is not None and reader.paper(after[0].paper_id).title == (
        "Protein Folding with Attention"
    )


def test_equal_scores_keep_the_stores_order_and_zero_vectors_are_harmless() -> None:
    matrix = ChunkMatrix.build(
        "key",
        [
            ("a:0", "a", "first", [1.0, 0.0]),
            ("b:0", "b", "second", [2.0, 0.0]),
            ("c:0", "c", "empty", [0.0, 0.0]),
            ("d:0", "d", "other", [0.0, 1.0]),
        ],
    )
    assert matrix.nearest(np.array([3.0, 0.0]), 4) == [
        (0, pytest.approx(1.0)),
        (1, pytest.approx(1.0)),
        (2, 0.0),
        (3, 0.0),
    ]
    assert matrix.nearest(np.array([0.0, 1.0]), 2, ["a", "d"]) == [(3, 1.0), (0, 0.0)]
    assert matrix.nearest(np.array([0.0, 1.0]), 2, ["nobody"]) == []
    assert matrix.nearest(np.array([0.0, 1.0]), 0) == []
    assert ChunkMatrix.build("key", []).nearest(np.array([1.0, 0.0]), 5) == []
