"""The ingest plan: what an ingest will do, worked out in a scratch file instead of memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from test_library import MORE, PAPERS, HashEmbedder, fresh, write_jsonl

from assistant.collection import paper_id_for
from assistant.ingest_plan import IngestPlan
from assistant.settings import Settings
from assistant.sources import scan_sources
from assistant.store import PaperStore


def manifest(*rows: tuple[str, str, int]) -> list[list[tuple[str, dict[str, object]]]]:
    """One page of ``(paper_id, metadata)`` as the store's manifest gives them."""
    return [[(pid, {"hash": h, "n_chunks": n, "title": pid}) for pid, h, n in rows]]


def test_new_changed_unchanged_and_stored_only_papers_are_told_apart(tmp_path: Path) -> None:
    with IngestPlan(tmp_path / "plan.sqlite3", "160/40") as plan:
        for entry, (pid, content) in enumerate([("a", "h1"), ("b", "h2"), ("c", "h3")]):
            assert plan.take(pid, content, 0, entry) == (0, entry)
        plan.read_store(manifest(("b", "h2:160/40", 1), ("c", "old:160/40", 2), ("z", "h9", 1)))
        counts = plan.counts()
        assert (counts["added"], counts["updated"], counts["unchanged"]) == (1, 1, 1)
        assert (counts["stored_only"], counts["to_repair"], counts["repaired"]) == (1, 0, 0)
        assert plan.to_embed(0, [(0, "a"), (1, "b"), (2, "c")]) == {0: "h1:160/40", 2: "h3:160/40"}
        assert list(plan.stored_only()) == [["z"]]
        assert plan.path.exists()
    assert not plan.path.exists()  # the scratch file goes with the ingest


def test_papers_with_missing_chunks_are_re_embedded_or_repaired(tmp_path: Path) -> None:
    with IngestPlan(tmp_path / "plan.sqlite3", "160/40") as plan:
        plan.take("a", "h1", 0, 0)
        plan.read_store(manifest(("a", "h1:160/40", 2), ("z", "h9:160/40", 1), ("y", "h8", 1)))
        assert plan.stored_chunks() == 4
        plan.mark_broken([["a", "y"]])  # "a" lost a chunk, "z" lost its only one
        counts = plan.counts()
        assert (counts["repaired"], counts["unchanged"], counts["to_repair"]) == (1, 0, 1)
        assert plan.to_embed(0, [(0, "a")]) == {0: "h1:160/40"}
        assert list(plan.to_repair()) == [[("z", "h9:160/40")]]


def test_a_title_seen_before_is_found_in_the_plan_not_taken_twice(tmp_path: Path) -> None:
    first = tmp_path / "a.jsonl"
    first.write_text('{"title": "Same Paper", "abstract": "One."}\n', encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("title,abstract\nsame paper!,Two.\nOther,Three.\n", encoding="utf-8")
    with IngestPlan(tmp_path / "plans" / "plan.sqlite3", "160/40") as plan:
        sources = scan_sources([first, second], None, plan)
        assert [s.papers for s in sources] == [1, 1]
        assert [(s.title, s.reason) for s in sources[1].skipped] == [
            ("same paper!", "duplicate title")
        ]
        assert plan.counts()["wanted"] == 2
        assert plan.is_taken(paper_id_for("Same Paper"), 0, 0)  # the first copy is kept


def test_removed_papers_are_left_out_and_counted_per_file(tmp_path: Path) -> None:
    with IngestPlan(tmp_path / "plan.sqlite3", "160/40") as plan:
        for entry, pid in enumerate(["a", "b", "c"]):
            plan.take(pid, "h", 0, entry)
        plan.take("d", "h", 1, 0)
        assert plan.present(["b", "q"]) == {"b"}
        plan.leave_out(["b"])
        assert (plan.papers_of(0), plan.papers_of(1)) == (2, 1)
        assert plan.is_taken("a", 0, 0) and not plan.is_taken("a", 0, 1)


def test_an_ingest_reads_the_manifest_once_and_leaves_the_keyword_index_in_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path / "home", collection="mine")
    fresh(settings, HashEmbedder()).ingest([write_jsonl(tmp_path / "a.jsonl", PAPERS)])
    reads = []
    pages = PaperStore.manifest_pages

    def counted(store: PaperStore) -> Iterator[list[tuple[str, Mapping[str, Any]]]]:
        reads.append(store.name)
        yield from pages(store)

    monkeypatch.setattr(PaperStore, "manifest_pages", counted)
    assistant = fresh(settings, HashEmbedder())
    assert assistant.ingest([write_jsonl(tmp_path / "b.jsonl", MORE)]).added == 1
    assert reads == ["mine"]  # the plan's read; the keyword index needed none
    store = assistant.store
    assert store.lexical.generation() == store.generation()
    assert store.lexical.manifest() == store.manifest()
