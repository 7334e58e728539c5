"""Incremental ingest against a real Chroma store, embedded and on a server."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import ingest as ingest_module
from assistant.collection import paper_id_for
from assistant.embedding import MiniLMEmbedder
from assistant.errors import CollectionError, EmbedderMismatch
from assistant.ingest import IngestReport
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import PaperStore

PAPERS = [
    {
        "title": "Graph Neural Networks for Molecules",
        "abstract": "We predict molecular properties "
        "with message passing neural networks. Our model sets a new state of the art on QM9.",
        "year": 2020,
        "authors": ["Ada Lovelace"],
    },
    {
        "title": "Speech Recognition with Transformers",
        "abstract": "An encoder-decoder transformer "
        "transcribes speech. It reduces word error rate on LibriSpeech by ten percent.",
        "year": 2021,
        "authors": ["Alan Turing"],
    },
    {
        "title": "Robotic Grasping from Depth Images",
        "abstract": "A convolutional network predicts "
        "grasp poses from depth images. Real robot trials show a high success rate.",
        "year": 2022,
        "authors": ["Grace Hopper", "Ada Lovelace"],
    },
    {
        "title": "Protein Folding with Attention",
        "abstract": "Attention over residue pairs predicts "
        "protein structure. Accuracy approaches experimental methods on CASP targets.",
        "year": 2022,
    },
    {
        "title": "Image Captioning with Vision Transformers",
        "abstract": "A vision transformer encodes "
        "images and a language model writes captions. We evaluate on COCO captions.",
        "year": 2023,
    },
]


def write_collection(path: Path, papers: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def open_store(settings: Settings, embedder: object) -> PaperStore:
    return PaperStore.open(settings, embedder)  # type: ignore[arg-type]


def ingest_collection(
    store: PaperStore, paths: list[Path], *, sync: bool = False, rebuild: bool = False
) -> IngestReport:
    """Ingest through the public service, into exactly this store."""
    assistant = Assistant(store.settings, embedder=store.embedder, store=store)
    return assistant.ingest(paths, sync=sync, rebuild=rebuild)


class FailingEmbedder:
    """The real embedder, failing on its n-th call: a crash in the middle of an ingest."""

    def __init__(self, inner: MiniLMEmbedder, fail_on_call: int) -> None:
        self.inner, self.fail_on_call, self.calls = inner, fail_on_call, 0
        self.embedder_id = inner.embedder_id

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise KeyboardInterrupt
        return self.inner.embed(texts)


class RenamedEmbedder(FailingEmbedder):
    def __init__(self, inner: MiniLMEmbedder, name: str) -> None:
        super().__init__(inner, fail_on_call=-1)
        self.embedder_id = name


def test_add_skip_change_remove(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    store = open_store(store_settings, embedder)
    path = write_collection(tmp_path / "papers.jsonl", PAPERS)

    first = ingest_collection(store, [path])
    assert (first.added, first.updated, first.removed, first.unchanged) == (5, 0, 0, 0)
    assert first.chunks >= 5 and store.paper_count() == 5

    again = ingest_collection(store, [path])
    assert (again.added, again.updated, again.removed, again.unchanged, again.chunks) == (
        0,
        0,
        0,
        5,
        0,
    )

    changed = [dict(p) for p in PAPERS[1:]]
    changed[0]["abstract"] = "Completely rewritten: a state space model transcribes audio streams."
    report = ingest_collection(store, [write_collection(path, changed)])
    # Adding never removes: the paper no longer in the file stays until --sync.
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 3)
    assert store.paper_count() == 5
    report = ingest_collection(store, [path], sync=True)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 4)
    assert {p.title for p in store.papers()} == {p["title"] for p in changed}
    speech = paper_id_for(str(changed[0]["title"]))
    assert store.paper(speech).abstract == changed[0]["abstract"]
    # Both indexes followed: the removed paper's words find nothing, the new text is found.
    assert store.lexical.search("molecular QM9 message passing", 5) == []
    assert store.lexical.search("state space model audio", 5)[0].paper_id == speech
    assert [text for _, _, text in store.chunks_of([speech])] == [changed[0]["abstract"]]


def test_interrupted_ingest_is_completed_by_the_next(
    store_settings: Settings,
    embedder: MiniLMEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH_PAPERS", 2)
    path = write_collection(tmp_path / "papers.jsonl", PAPERS)
    crashing = open_store(store_settings, FailingEmbedder(embedder, fail_on_call=2))
    with pytest.raises(KeyboardInterrupt):
        ingest_collection(crashing, [path])
    assert crashing.paper_count() == 2  # the first batch was committed

    store = open_store(store_settings, embedder)
    report = ingest_collection(store, [path])
    assert (report.added, report.unchanged) == (3, 2)
    assert store.paper_count() == 5
    # Every paper has exactly its chunks once, in both indexes.
    chunk_rows = store.chunks_of([p.paper_id for p in store.papers()])
    assert sorted(pid for _, pid, _ in chunk_rows) == sorted(p.paper_id for p in store.papers())
    assert store.lexical.manifest() == store.manifest()


def test_bad_input_writes_nothing(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    store = open_store(store_settings, embedder)
    good = write_collection(tmp_path / "good.jsonl", PAPERS[:2])
    ingest_collection(store, [good])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(PAPERS[2]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(CollectionError, match=r"bad\.jsonl:2: bad JSON"):
        ingest_collection(store, [bad])
    assert store.paper_count() == 2  # nothing removed, nothing half-written


def test_embedder_mismatch_is_refused_with_the_fix(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    path = write_collection(tmp_path / "papers.jsonl", PAPERS[:2])
    ingest_collection(open_store(store_settings, embedder), [path])

    other = open_store(store_settings, RenamedEmbedder(embedder, "some-other-model"))
    assistant = Assistant(store_settings, embedder=other.embedder, store=other)  # type: ignore[arg-type]
    with pytest.raises(
        EmbedderMismatch, match=rf"built with embedder '{embedder.embedder_id}'.*--rebuild"
    ):
        assistant.search("speech recognition")
    with pytest.raises(EmbedderMismatch):
        ingest_collection(other, [path])
    rebuilt = assistant.ingest(rebuild=True)  # from the recorded file
    assert rebuilt.added == 2 and assistant.store.paper_count() == 2
    assert assistant.store.check_embedder() is None


def test_the_bundled_collection_follows_a_new_bundled_embedder(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    # As a previous release left the default collection: the bundled papers, other vectors.
    settings = Settings(home=tmp_path / "home")
    previous = RenamedEmbedder(embedder, "minilm-previous-release")
    Assistant(settings, embedder=previous).ensure_ingested()  # type: ignore[arg-type]

    assistant = Assistant(settings, embedder=embedder)
    hits = assistant.search("What does DAE-Talker use instead of facial landmarks?", 3)
    assert "DAE-Talker" in hits[0].title  # rebuilt by itself, no error to act on
    assert assistant.store.embedder_matches() and assistant.store.paper_count() == 290


def test_search_finds_papers_once_each_and_filters_by_metadata(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    assistant = Assistant(store_settings, embedder=embedder)
    assistant.ingest([write_collection(tmp_path / "papers.jsonl", PAPERS)])
    hits = assistant.search("How are grasp poses predicted from depth images?", k=5)
    assert hits[0].title == "Robotic Grasping from Depth Images"
    assert len({h.paper_id for h in hits}) == len(hits) == 5
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].metadata["year"] == 2022 and hits[0].passages

    assert {h.title for h in assistant.search("neural network", k=5, where={"year": 2022})} == {
        "Robotic Grasping from Depth Images",
        "Protein Folding with Attention",
    }
    assert {h.title for h in assistant.search("model", k=5, where={"author": "lovelace"})} == {
        "Graph Neural Networks for Molecules",
        "Robotic Grasping from Depth Images",
    }
    assert [h.title for h in assistant.search("model", k=5, where={"since": 2023})] == [
        "Image Captioning with Vision Transformers"
    ]


def test_first_search_on_an_empty_store_ingests_the_bundled_papers(
    seeded_home: Path, embedder: MiniLMEmbedder
) -> None:
    # The session fixture built seeded_home through exactly this path; check what it holds.
    assistant = Assistant(Settings(home=seeded_home), embedder=embedder)
    assert assistant.store.paper_count() == 290
    assert assistant.ensure_ingested() is None  # nothing more to do
