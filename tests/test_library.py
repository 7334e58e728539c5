"""Nothing lost, ever: every way a user's collection used to be lost or hidden, tried as a
user would, against real Chroma stores (embedded and on a server)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import chromadb
import numpy as np
import pytest
from paper_files import write_jsonl

from assistant import chroma_client
from assistant.cli import main
from assistant.embedding import MiniLMEmbedder
from assistant.errors import CollectionError, StoreError
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import forget_lexical_index

PAPERS = [
    {
        "title": "Graph Neural Networks for Molecules",
        "abstract": "Message passing networks predict molecular properties on QM9.",
        "year": 2020,
        "authors": ["Ada Lovelace"],
    },
    {
        "title": "Speech Recognition with Transformers",
        "abstract": "An encoder-decoder transformer transcribes speech on LibriSpeech.",
        "year": 2021,
    },
    {
        "title": "Robotic Grasping from Depth Images",
        "abstract": "A convolutional network "
        "predicts grasp poses from depth images of cluttered bins.",
        "year": 2022,
    },
]
MORE = [
    {
        "title": "Zebrafish Tracking with Optical Flow",
        "abstract": "Optical flow follows zebrafish larvae swimming in a petri dish.",
        "year": 2023,
    },
]


class HashEmbedder:
    """A fast deterministic embedder for tests whose subject is volume, not meaning."""

    embedder_id = "test-hash-embedder"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 32), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split():
                out[row, hash(word) % 32] += 1.0
        return out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)


def fresh(settings: Settings, embedder: object) -> Assistant:
    """A new Assistant, as the next command (a new process) would make."""
    return Assistant(settings, embedder=embedder)  # type: ignore[arg-type]


# -- ingest adds; sync and remove are explicit ---------------------------------------------


def test_ingesting_my_papers_keeps_the_bundled_ones(
    tmp_path: Path, embedder: MiniLMEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(home=tmp_path / "home")
    first = fresh(settings, embedder).ensure_ingested()
    assert first is not None and first.added == 290
    assert first.shipped == first.chunks  # a fresh install embeds nothing
    mine = write_jsonl(tmp_path / "my_papers.jsonl", PAPERS)
    report = fresh(settings, embedder).ingest([mine])
    assert (report.added, report.removed) == (3, 0)
    assert fresh(settings, embedder).store.paper_count() == 293


def test_sync_remove_and_rebuild_from_recorded_files(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", PAPERS[:2])
    b = write_jsonl(tmp_path / "b.jsonl", PAPERS[2:] + MORE)
    assistant = fresh(store_settings, embedder)
    assistant.ingest([a])
    assistant.ingest([b])
    assert assistant.store.paper_count() == 4
    assert {i.name: i.sources for i in assistant.collections()}[store_settings.collection] == [
        str(a.resolve()),
        str(b.resolve()),
    ]
    zebra = next(p.paper_id for p in assistant.store.papers() if p.title.startswith("Zebra"))
    assert assistant.remove([zebra]) == 1
    with pytest.raises(StoreError, match="no paper with id 'nope'"):
        assistant.remove(["nope"])

    rebuilt = fresh(store_settings, embedder).ingest(rebuild=True)
    assert rebuilt.added == 3  # both recorded files, without the removed paper
    assert zebra not in fresh(store_settings, embedder).store.manifest()
    fresh(store_settings, embedder).ingest([b])  # naming the file again brings it back
    synced = fresh(store_settings, embedder).ingest([a], sync=True)
    assert (synced.removed, synced.unchanged) == (2, 2)
    assert fresh(store_settings, embedder).store.paper_count() == 2


def test_a_failed_ingest_leaves_the_collection_as_it_was(
    store_settings: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", PAPERS)
    fresh(store_settings, embedder).ingest([path])
    before = fresh(store_settings, embedder).store.manifest()

    class Failing(HashEmbedder):
        embedder_id = embedder.embedder_id

        def embed(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("embedder crashed")

    changed = [dict(p, abstract=f"Rewritten. {p['abstract']}") for p in PAPERS]
    with pytest.raises(RuntimeError):
        fresh(store_settings, Failing()).ingest([write_jsonl(path, changed)], rebuild=True)
    with pytest.raises(RuntimeError):
        fresh(store_settings, Failing()).ingest([path], sync=True)
    after = fresh(store_settings, embedder)
    assert after.store.manifest() == before
    assert after.search("grasp poses from depth images", k=1)[0].title.startswith("Robotic")


# -- interrupted first use ---------------------------------------------------------------


def test_interrupted_first_use_resumes_on_the_next_command(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    settings = Settings(home=tmp_path / "home")

    def kill_after_first_batch(done: int, total: int, label: str) -> None:
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fresh(settings, embedder).ensure_ingested(progress=kill_after_first_batch)
    assert 0 < fresh(settings, embedder).store.paper_count() < 290
    hits = fresh(settings, embedder).search("unifying language learning paradigms", k=1)
    assert hits[0].title == "UL2: Unifying Language Learning Paradigms"
    assert fresh(settings, embedder).store.paper_count() == 290


def test_only_the_default_collection_is_filled_automatically(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    settings = Settings(home=tmp_path / "home", collection="mine")
    with pytest.raises(StoreError, match=r"collection 'mine' .*holds no papers.*ingest FILE"):
        fresh(settings, embedder).search("anything")
    assert fresh(settings, embedder).store.paper_count() == 0


def test_an_emptied_user_collection_is_not_refilled_with_other_papers(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    settings = Settings(home=tmp_path / "home")  # the default collection, holding MY papers
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    assistant = fresh(settings, embedder)
    assistant.ingest([mine])
    assistant.remove([p.paper_id for p in assistant.store.papers()])
    # Not "--rebuild": a rebuild leaves papers removed by hand out.
    with pytest.raises(StoreError, match=r"is empty: its papers were removed with `assistant"):
        fresh(settings, embedder).search("molecules")
    assert fresh(settings, embedder).store.paper_count() == 0


# -- damaged files -------------------------------------------------------------------------


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 3]
    elif how == "zeroed pages":
        data[4096 : 4096 * 6] = bytes(4096 * 5)
    else:
        data = bytearray(os.urandom(len(data)))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "zeroed pages", "random bytes"])
def test_damaged_chroma_store_names_path_and_rebuild_recovers(
    tmp_path: Path, embedder: MiniLMEmbedder, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home, collection="mine")
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    fresh(settings, embedder).ingest([mine])
    chroma_client.forget(settings)  # as a new process would find it
    damage(home / "chroma" / "chroma.sqlite3", how)

    args = ["--home", str(home), "--collection", "mine"]
    assert main(["search", "molecules", *args]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert f"the store at {home / 'chroma'} is damaged" in error
    assert "`assistant ingest --rebuild --collection mine`" in error

    assert main(["ingest", "--rebuild", *args]) == 0
    assert "3 added" in capsys.readouterr().err
    assert list(home.glob("chroma.damaged-*"))  # kept, not deleted
    hits = fresh(settings, embedder).search("grasp poses from depth images", k=1)
    assert hits[0].title == "Robotic Grasping from Depth Images"


@pytest.mark.parametrize("how", ["truncated", "zeroed pages", "random bytes"])
def test_damaged_keyword_index_is_rebuilt_from_the_store(
    tmp_path: Path, embedder: MiniLMEmbedder, how: str
) -> None:
    settings = Settings(home=tmp_path / "home", collection="mine")
    assistant = fresh(settings, embedder)
    assistant.ingest([write_jsonl(tmp_path / "mine.jsonl", PAPERS)])
    index = assistant.store.lexical
    forget_lexical_index(index)
    damage(index.path, how)

    later = fresh(settings, embedder)
    try:
        hits = later.search("depth images grasp", k=1)
    except StoreError as exc:  # damage only a full read finds: ingest repairs it
        assert "run `assistant ingest`" in str(exc)
        later.ingest()
        hits = later.search("depth images grasp", k=1)
    assert hits[0].title == "Robotic Grasping from Depth Images"
    assert later.store.lexical.counts()[0] == 3
    assert later.store.lexical.search("grasp", 3)[0].paper_id == hits[0].paper_id


# -- the store's batch limit ----------------------------------------------------------------


def test_a_five_megabyte_abstract_is_written_in_batches(
    store_settings: Settings, tmp_path: Path
) -> None:
    words = [f"w{i % 997}" for i in range(1_050_000)]
    sentences = [" ".join(words[i : i + 12]) + "." for i in range(0, len(words), 12)]
    huge = " ".join(sentences)
    assert len(huge) > 5_000_000
    path = write_jsonl(tmp_path / "full.jsonl", [*PAPERS, {"title": "Huge", "abstract": huge}])
    assistant = fresh(store_settings, HashEmbedder())
    report = assistant.ingest([path])
    assert report.added == 4
    assert assistant.store.chunk_count() == report.chunks > assistant.store.max_batch()
    assert fresh(store_settings, HashEmbedder()).search("w5 w6 w7", k=1)[0].title == "Huge"


# -- a shared Chroma server ---------------------------------------------------------------


def server_settings(url: str, home: Path, collection: str) -> Settings:
    return Settings(home=home, chroma_url=url, collection=collection)


@pytest.mark.chroma_server
def test_read_only_commands_never_write_to_an_empty_server(
    chroma_server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"t{uuid.uuid4().hex[:12]}"
    args = ["--chroma-url", chroma_server_url, "--collection", name, "--home", str(tmp_path)]
    for command in (["search", "x"], ["papers"], ["ask", "what is x?"]):
        assert main([*command, *args]) == 1
        assert "holds no papers" in capsys.readouterr().err
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server_url.rsplit(":", 1)[1]))
    assert not any(name in c.name for c in client.list_collections())


@pytest.mark.chroma_server
def test_deleted_chunk_collection_is_reported_and_repaired(
    chroma_server_url: str, tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    settings = server_settings(chroma_server_url, tmp_path / "a", f"t{uuid.uuid4().hex[:12]}")
    fresh(settings, embedder).ingest([write_jsonl(tmp_path / "p.jsonl", PAPERS)])
    chroma_client.connect(settings).delete_collection(settings.collection)
    with pytest.raises(StoreError, match=r"lists 3 papers but holds 0 chunks.*assistant ingest"):
        fresh(settings, embedder).search("molecules")
    report = fresh(settings, embedder).ingest()
    assert report.repaired == 3 and report.summary().count("3 repaired") == 1
    hits = fresh(settings, embedder).search("grasp poses depth", k=1)
    assert hits[0].title == "Robotic Grasping from Depth Images"


@pytest.mark.chroma_server
def test_a_second_client_searches_with_full_hybrid_quality(
    chroma_server_url: str, tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    name = f"t{uuid.uuid4().hex[:12]}"
    writer = fresh(server_settings(chroma_server_url, tmp_path / "a", name), embedder)
    reader = fresh(server_settings(chroma_server_url, tmp_path / "b", name), embedder)
    writer.ingest([write_jsonl(tmp_path / "p.jsonl", PAPERS)])

    assert reader.search("QM9", k=1)[0].title == "Graph Neural Networks for Molecules"
    assert reader.store.lexical.counts()[0] == 3  # its own BM25 index followed the server
    writer.ingest([write_jsonl(tmp_path / "more.jsonl", MORE)])
    assert reader.store.lexical.search("zebrafish larvae", 1) == []  # not yet followed
    hits = reader.search("zebrafish larvae", k=1)  # the same long-lived client
    assert hits[0].title == "Zebrafish Tracking with Optical Flow"
    assert reader.store.lexical.search("zebrafish larvae", 1)[0].paper_id == hits[0].paper_id
    assert reader.store.lexical.manifest() == writer.store.manifest()


def test_filters_on_missing_metadata_say_so(seeded_assistant: Assistant) -> None:
    from assistant.errors import FilterError

    with pytest.raises(FilterError, match=r"no paper in collection 'papers' has a year"):
        seeded_assistant.search("language models", where={"since": 2023})
    with pytest.raises(FilterError, match=r"has authors|has authors"):
        seeded_assistant.search("language models", where={"author": "Smith"})


def test_an_interrupted_ingest_of_my_files_is_reported_then_finished(
    tmp_path: Path, embedder: MiniLMEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(home=tmp_path / "home", collection="mine")
    path = write_jsonl(tmp_path / "mine.jsonl", PAPERS + MORE)

    def stop_after_first_batch(done: int, total: int, label: str) -> None:
        if done > 0:
            raise KeyboardInterrupt

    from assistant import ingest as ingest_module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest_module, "BATCH_PAPERS", 2)
        with pytest.raises(KeyboardInterrupt):
            fresh(settings, embedder).ingest([path], progress=stop_after_first_batch)
    with caplog.at_level("WARNING", logger="assistant"):
        fresh(settings, embedder).search("molecules")
    assert "holds 2 of the 4 papers of its files" in caplog.text
    assert "`assistant ingest --collection mine`" in caplog.text
    assert fresh(settings, embedder).ingest().added == 2
    assert fresh(settings, embedder).store.paper_count() == 4


def test_a_writer_rereads_the_store_once_it_holds_the_lock(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    """What a first command read before waiting for another writer is stale once it writes:
    the papers the other one wrote are unchanged, not added again."""
    settings = Settings.load({"home": tmp_path / "home", "collection": "mine"})
    papers = write_jsonl(
        tmp_path / "mine.jsonl",
        [
            {"title": "Graph Networks for Molecules", "abstract": "Message passing on QM9."},
            {"title": "Speech Recognition at Scale", "abstract": "Transformers on speech."},
        ],
    )
    early = Assistant(settings, embedder=embedder)
    assert early.store.paper_count() == 0  # read before the other writer ran

    assert Assistant(settings, embedder=embedder).ingest([papers]).added == 2
    report = early.ingest([papers])

    assert (report.added, report.unchanged) == (0, 2)


def test_a_file_rewritten_during_its_ingest_is_named_not_half_read(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    """A reference manager that keeps an export up to date may rewrite it mid-ingest; the
    papers are found by their place in the file as checked, so the ingest stops and says so
    rather than leaving papers out without a word."""
    settings = Settings(home=tmp_path / "home", collection="mine")
    path = write_jsonl(tmp_path / "export.jsonl", PAPERS)

    def rewrite_once(done: int, total: int, label: str) -> None:
        if done == 0:
            write_jsonl(path, [*MORE, *PAPERS[1:]])

    with pytest.raises(CollectionError, match=r"export\.jsonl: changed while it was being"):
        fresh(settings, embedder).ingest([path], progress=rewrite_once)
    report = fresh(settings, embedder).ingest([path])
    assert fresh(settings, embedder).store.paper_count() == report.added + report.unchanged
    titles = {p.title for p in fresh(settings, embedder).store.papers()}
    assert {MORE[0]["title"], PAPERS[1]["title"], PAPERS[2]["title"]} <= titles
