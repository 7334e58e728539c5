"""Each export format from a realistic file: title, abstract, authors and year round-trip,
entries without an abstract are skipped and counted, malformed files name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.collection import family_name, short_citation
from assistant.errors import CollectionError
from assistant.formats import detect_format
from assistant.sources import load_collection, scan_sources

EXPORTS = Path(__file__).parent / "data" / "exports"


def only(path: Path, title: str):  # type: ignore[no-untyped-def]
    return next(p for p in load_collection([path]) if p.title == title)


def skipped_titles(path: Path) -> list[str]:
    return [s.title for s in scan_sources([path])[0].skipped]


def test_bibtex_decodes_latex_accents_and_braces() -> None:
    path = EXPORTS / "zotero.bib"
    papers = load_collection([path])
    assert [p.title for p in papers] == [
        "Über BERT: Café Models for Naïve Readers",
        "Analytical Engines for Protein Folding",
    ]
    first = papers[0]
    assert (
        first.abstract
        == "We study how BERT reads café menus. The results generalise to naïve readers."
    )
    assert first.authors == ("Müller, Hans", "Smith, John", "García, Ana")
    assert (first.year, first.doi, first.venue) == (
        2021,
        "10.1000/xyz123",
        "Journal of Menu Studies",
    )
    assert first.url == "https://example.org/bert"
    assert papers[1].venue == "Proceedings of ICML" and papers[1].authors == ("Lovelace, Ada",)
    assert skipped_titles(path) == ["A Book Without an Abstract"]


def test_ris_multi_line_abstract_and_fields() -> None:
    path = EXPORTS / "endnote.ris"
    cats = only(path, "Deep Learning for Cat Detection")
    assert cats.abstract == (
        "We detect cats in images with a deep network. The network is trained on a million "
        "cat photos and evaluated on a held-out set."
    )
    assert cats.authors == ("Smith, John", "Doe, Jane", "Roe, Richard") and cats.year == 2019
    assert (cats.doi, cats.url) == ("10.1234/cats.2019", "https://example.org/cats")
    assert cats.venue == "Journal of Feline Vision"
    assert only(path, "Robust Dog Detection").year == 2022
    assert skipped_titles(path) == ["Untitled Chapter Without Abstract"]


def test_csl_json_from_zotero() -> None:
    path = EXPORTS / "zotero-csl.json"
    assert detect_format(path) == "csl-json"
    sparse = only(path, "Sparse Attention for Long Documents")
    assert sparse.authors == ("Alan Turing", "Grace Hopper") and sparse.year == 2023
    assert sparse.abstract == "Sparse attention reads long documents in linear time."
    assert (sparse.doi, sparse.venue) == ("10.5555/sparse", "Transactions of Long Things")
    assert only(path, "Retrieval Augmented Poetry").authors == ("The Poetry Consortium",)
    assert skipped_titles(path) == ["A Zotero Item Without Abstract"]


def test_csv_and_tsv_with_any_case_header() -> None:
    kernels = only(EXPORTS / "sheet.csv", "Graph Kernels, Revisited")
    assert kernels.abstract == 'We revisit graph kernels. Across two lines, with "quotes".'
    assert kernels.authors == ("Lovelace, Ada", "Turing, Alan") and kernels.year == 2018
    assert kernels.url == "https://example.org/gk"
    assert skipped_titles(EXPORTS / "sheet.csv") == ["Empty Abstract"]
    qubits = only(EXPORTS / "sheet.tsv", "Quantum Sorting")
    assert qubits.authors == ("Ada Lovelace", "Alan Turing") and qubits.year == 2021
    assert qubits.abstract == "Sorting with qubits is fast." and qubits.doi == "10.1/q"
    assert skipped_titles(EXPORTS / "sheet.tsv") == ["No Abstract Row"]


def test_arxiv_snapshot_lines() -> None:
    path = EXPORTS / "arxiv-snapshot.json"
    assert detect_format(path) == "jsonl"  # JSON lines, recognised per record
    first, second = load_collection([path])
    assert first.title.startswith("Calculation of prompt diphoton production cross sections at")
    assert first.abstract.startswith("A fully differential calculation")
    assert first.authors[-1] == "C.-P. Yuan" and len(first.authors) == 4
    assert first.year == 2007  # from the first version, not update_date
    assert first.url == "https://arxiv.org/abs/0704.0001" and first.doi
    assert second.authors == ("Ileana Streinu", "Louis Theran")
    assert second.year == 2008  # no versions: update_date
    assert load_collection([path], "arxiv") == [first, second]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.bib",
            "@article{a, title={One}, abstract={x}}\n\n@article{b, title={Two\n",
            r"bad\.bib:3: malformed BibTeX",
        ),
        ("bad.csv", "name,summary\nA,B\n", r"bad\.csv:1: the header has no 'title' or 'abstract'"),
        ("bad.json", '[{"title": "A", "abstract": "x"},\n {"title": ]', r"bad\.json:2: bad JSON"),
        (
            "bad.ris",
            "TY  - JOUR\nTI  - No abstract\nER  - \n",
            r"bad\.ris: none of its 1 entries has an abstract",
        ),
        (
            "arxiv.jsonl",
            '{"id": "1", "title": "A", "abstract": "x", "versions": []}\n{"id": ',
            r"arxiv\.jsonl:2: bad JSON",
        ),
    ],
)
def test_malformed_exports_name_file_and_line(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CollectionError, match=message):
        load_collection([path])


def test_format_override_and_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("title,abstract\nA Paper,Its abstract.\n", encoding="utf-8")
    assert [p.title for p in load_collection([path], "csv")] == ["A Paper"]
    with pytest.raises(CollectionError, match="unknown format 'word'"):
        load_collection([path], "word")


def test_duplicates_in_an_export_are_skipped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text("title,abstract\nSame,One.\nsame!,Two.\n", encoding="utf-8")
    assert [p.abstract for p in load_collection([path])] == ["One."]
    assert [(s.title, s.reason) for s in scan_sources([path])[0].skipped] == [
        ("same!", "duplicate title")
    ]


@pytest.mark.parametrize(
    ("authors", "year", "expected"),
    [
        (["Ada Lovelace"], 2020, "Lovelace (2020)"),
        (["Lovelace, Ada", "Grace Hopper"], 2021, "Lovelace and Hopper (2021)"),
        (["Müller, Hans", "Smith, John", "García, Ana"], 2021, "Müller et al. (2021)"),
        ([], 2019, "(2019)"),
        (["Ada Lovelace"], None, "Lovelace"),
        ([], None, None),
    ],
)
def test_short_citation(authors: list[str], year: int | None, expected: str | None) -> None:
    assert short_citation(authors, year) == expected


def test_family_name() -> None:
    assert family_name("Lovelace, Ada") == family_name("Ada Lovelace") == "Lovelace"
