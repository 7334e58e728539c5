"""Collections as a user names and keeps them: a name a rebuild keeps for itself is refused
before anything is written, and a collection whose file record is missing is never filled
with (or rebuilt into) the bundled papers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant import chroma_client
from assistant.cli import main
from assistant.embedding import MiniLMEmbedder
from assistant.errors import StoreError
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.source_record import record_path

PAPERS = [
    {"title": "Alpha Cats", "abstract": "Cats purr when they are content."},
    {"title": "Beta Dogs", "abstract": "Dogs bark at the postman every morning."},
]
OTHER = [{"title": "Gamma Fish", "abstract": "Fish swim in schools to avoid predators."}]


def collections(home: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    assert main(["collections", "--json", "--home", str(home)]) == 0
    return {c["name"]: c["papers"] for c in json.loads(capsys.readouterr().out)}


@pytest.mark.parametrize("suffix", ["-previous", "-rebuild", "__papers"])
def test_a_name_a_rebuild_uses_is_refused_so_it_cannot_be_dropped_as_a_leftover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    home = tmp_path / "home"
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    other = write_jsonl(tmp_path / "other.jsonl", OTHER)
    assert main(["ingest", str(mine), "--collection", "lib", "--home", str(home)]) == 0
    capsys.readouterr()

    code = main(["ingest", str(other), "--collection", f"lib{suffix}", "--home", str(home)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: collection name 'lib{suffix}': names ending in '{suffix}' are kept for a "
        "collection's own parts while it is rebuilt; choose another name"
    ]
    assert main(["papers", "--collection", "lib", "--home", str(home)]) == 0
    assert "warning" not in capsys.readouterr().err  # nothing taken for a rebuild's leftover
    assert collections(home, capsys) == {"lib": 2}


def _default_collection(settings: Settings) -> Settings:
    return settings.replace(collection="papers")


@pytest.fixture
def default_collection(store_settings: Settings) -> Iterator[Settings]:
    """The default collection of a fresh store; on the shared test server it is dropped
    afterwards, for other tests to find it as new."""
    settings = _default_collection(store_settings)
    yield settings
    if settings.chroma_url:
        client = chroma_client.connect(settings)
        for name in ("papers", "papers__papers"):
            with contextlib.suppress(Exception):
                client.delete_collection(name)


def test_without_its_record_the_default_collection_never_gets_the_bundled_papers(
    default_collection: Settings, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    Assistant(default_collection, embedder=embedder).ingest([mine])
    # Another machine on the same server has no record of the files; here the record is lost.
    elsewhere = default_collection.replace(home=tmp_path / "elsewhere")
    if not default_collection.chroma_url:
        elsewhere = default_collection
        record_path(default_collection).unlink()

    for rebuild in (False, True):
        with pytest.raises(StoreError, match=r"holds 2 papers of files .* no record of"):
            Assistant(elsewhere, embedder=embedder).ingest(rebuild=rebuild)
    assistant = Assistant(elsewhere, embedder=embedder)
    assert sorted(p.title for p in assistant.store.papers()) == ["Alpha Cats", "Beta Dogs"]
    assert assistant.search("Why do cats purr?", k=1)[0].title == "Alpha Cats"


def test_without_a_record_a_default_collection_of_bundled_papers_is_still_rebuilt(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    settings = Settings(home=tmp_path / "home")
    assert Assistant(settings, embedder=embedder).ensure_ingested() is not None
    record_path(settings).unlink()
    report = Assistant(settings, embedder=embedder).ingest(rebuild=True)
    assert report.added == 290
