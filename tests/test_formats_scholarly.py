"""Papers saved from scholarly APIs as users save them: OpenAlex works and Semantic Scholar
papers, one per JSON line, in a list, or inside the API's response (compact or pretty)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import CollectionError
from assistant.sources import load_collection, scan_sources

OPENALEX = {
    "id": "https://openalex.org/W1",
    "doi": "https://doi.org/10.3/y",
    "display_name": "Graphs <i>at</i> Scale",
    "publication_year": 2019,
    "abstract_inverted_index": {"We": [0], "study": [1], "graphs": [2, 4], "and": [3]},
    "authorships": [{"author": {"display_name": "Bo Li"}}, {"raw_author_name": "Ann Lee"}],
    "primary_location": {"source": {"display_name": "ICML"}},
}
SEMANTIC_SCHOLAR = [
    {
        "paperId": "abc",
        "title": "Speech at Scale",
        "abstract": "Transformers transcribe speech.",
        "year": 2020,
        "authors": [{"authorId": "1", "name": "Cy Ode"}],
        "venue": "ACL",
        "externalIds": {"DOI": "10.2/x"},
        "url": "https://www.semanticscholar.org/paper/abc",
    },
    {"paperId": "abd", "title": "Without Abstract", "abstract": None, "authors": []},
]


def _check(path: Path) -> None:
    papers = {p.title: p for p in load_collection([path])}
    assert set(papers) == {"Graphs at Scale", "Speech at Scale"}
    graphs, speech = papers["Graphs at Scale"], papers["Speech at Scale"]
    assert graphs.abstract == "We study graphs and graphs"
    assert (graphs.authors, graphs.year, graphs.doi, graphs.venue) == (
        ("Bo Li", "Ann Lee"),
        2019,
        "10.3/y",
        "ICML",
    )
    assert (speech.authors, speech.year, speech.doi, speech.venue) == (
        ("Cy Ode",),
        2020,
        "10.2/x",
        "ACL",
    )
    skipped = [s.title for s in scan_sources([path])[0].skipped]
    assert skipped == ["Without Abstract"]


def test_json_lines_of_api_records(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl"
    lines = [OPENALEX, *SEMANTIC_SCHOLAR]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    _check(path)


@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "pretty"])
def test_api_responses_saved_whole(tmp_path: Path, indent: int | None) -> None:
    openalex = tmp_path / "openalex.json"
    openalex.write_text(json.dumps({"meta": {}, "results": [OPENALEX]}, indent=indent))
    s2 = tmp_path / "s2.json"
    s2.write_text(json.dumps({"total": 2, "data": SEMANTIC_SCHOLAR}, indent=indent))
    merged = tmp_path / "merged.json"
    merged.write_text(json.dumps([OPENALEX, *SEMANTIC_SCHOLAR], indent=indent))
    _check(merged)
    assert [p.title for p in load_collection([openalex, s2])] == [
        "Graphs at Scale",
        "Speech at Scale",
    ]


def test_a_json_object_without_papers_says_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"meta": {"count": 0}}, indent=2))
    with pytest.raises(CollectionError, match=r"meta\.json:1: not a list of papers.*'results'"):
        load_collection([path])


def test_csl_name_particles_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "zotero.json"
    author = {"given": "Ludwig", "non-dropping-particle": "van", "family": "Beethoven"}
    path.write_text(json.dumps([{"title": "T", "abstract": "A.", "author": [author]}]))
    assert load_collection([path])[0].authors == ("Ludwig van Beethoven",)
