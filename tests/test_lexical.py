"""The BM25 index: stemming, titles, restriction to papers, and query pruning on large indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import lexical
from assistant.lexical import LexicalIndex


@pytest.fixture
def index(tmp_path: Path) -> LexicalIndex:
    idx = LexicalIndex(tmp_path / "lexical.sqlite3")
    chunks = [
        (f"p{i}:0", f"p{i}", f"Paper {i}", f"a model of things number {i}") for i in range(20)
    ]
    chunks.append(
        ("zebra:0", "zebra", "Striped horses", "a model that counts zebras in the savanna")
    )
    idx.replace_papers([(pid, "h") for _, pid, _, _ in chunks], chunks)
    return idx


def test_stemmed_match_and_title_weight(index: LexicalIndex) -> None:
    hits = index.search("counting zebra", 5)
    assert [h.paper_id for h in hits] == ["zebra"]  # "counting"~"counts", "zebra"~"zebras"
    assert index.search("striped", 5)[0].paper_id == "zebra"  # titles are searched too


def test_search_restricted_to_papers(index: LexicalIndex) -> None:
    assert {h.paper_id for h in index.search("model", 50, paper_ids=["p1", "p2"])} == {"p1", "p2"}
    assert index.search("model", 50, paper_ids=[]) == []


def test_frequent_terms_are_dropped_only_in_large_indexes(
    index: LexicalIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small index: every term counts, so "model" matches all 21 chunks.
    assert len(index.search("model zebra", 50)) == 21
    # Treated as large: "model" is in every chunk and is left out; the rare term decides.
    monkeypatch.setattr(lexical, "LARGE_INDEX_CHUNKS", 10)
    assert [h.paper_id for h in index.search("model zebra", 50)] == ["zebra"]
    # A query of frequent terms only still keeps its rarest term.
    assert len(index.search("model things", 50)) == 20


def test_replace_and_remove_keep_the_manifest_in_step(index: LexicalIndex) -> None:
    index.replace_papers(
        [("zebra", "h2")], [("zebra:0", "zebra", "Striped horses", "now about lions")]
    )
    assert index.search("lions", 5)[0].text == "now about lions"
    assert [h.paper_id for h in index.search("striped", 5)] == ["zebra"]  # one chunk, not two
    assert index.manifest()["zebra"] == "h2"
    index.remove_papers(["zebra", "p0"])
    assert "zebra" not in index.manifest() and "p0" not in index.manifest()
    assert index.search("lions", 5) == []
