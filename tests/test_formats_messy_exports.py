"""Export files as they come out of real libraries: merged BibTeX with repeated keys and
fields, RIS with an entry whose end line is missing, CSV from a spreadsheet that separates
with semicolons."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import CollectionError
from assistant.sources import load_collection, scan_sources

MERGED_BIB = r"""@string{acl = "Association for Computational Linguistics"}
@article{smith2020,
  title = {Graph Networks for Molecules},
  abstract = {Message passing predicts molecular properties.},
}
@inproceedings{smith2020,
  title = {Speech Recognition with Transformers},
  booktitle = acl,
  abstract = {An encoder-decoder transcribes speech.},
}
@article{smith2020,
  title = {Robotic Grasping from Depth},
  title = {A second title the exporter repeated},
  author = {M{\"u}ller, J{\"o}rg},
  abstract = {A network predicts grasp poses.},
}
@string{acl = "Another definition"}
"""


def test_bibtex_merged_from_several_exports_keeps_every_paper(tmp_path: Path) -> None:
    path = tmp_path / "merged.bib"
    path.write_text(MERGED_BIB, encoding="utf-8")
    papers = load_collection([path])
    assert [(p.title, p.origin) for p in papers] == [
        ("Graph Networks for Molecules", f"{path}:2"),
        ("Speech Recognition with Transformers", f"{path}:6"),
        ("Robotic Grasping from Depth", f"{path}:11"),  # the first of a repeated field
    ]
    assert papers[1].venue == "Association for Computational Linguistics"
    assert papers[2].authors == ("Müller, Jörg",)


def test_bibtex_still_names_an_entry_that_is_really_broken(tmp_path: Path) -> None:
    path = tmp_path / "broken.bib"
    path.write_text(MERGED_BIB + "@article{x,\n  title = {Unbalanced {brace,\n}\n")
    with pytest.raises(CollectionError, match=r"broken\.bib:\d+: malformed BibTeX entry"):
        load_collection([path])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "TY  - JOUR\nTI  - First\nAB  - One.\nTY  - JOUR\nTI  - Second\nAB  - Two.\nER  - \n",
            r"cut\.ris:1: entry has no `ER  - ` line before the next entry starts \(line 4\)",
        ),
        (
            "TY  - JOUR\r\nTI  - First\r\nAB  - One.\r\nER  - \r\n\r\nTY  - JOUR\r\nTI  - Sec",
            r"cut\.ris:6: entry has no `ER  - ` end line \(is the file cut short\?\)",
        ),
    ],
    ids=["next-entry-folded-in", "cut-short"],
)
def test_ris_entry_without_its_end_line_is_named_not_lost(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "cut.ris"
    path.write_bytes(content.encode())
    with pytest.raises(CollectionError, match=message):
        load_collection([path])


def test_ris_entries_keep_their_lines_around_notes_between_them(tmp_path: Path) -> None:
    path = tmp_path / "notes.ris"
    path.write_text(
        "Exported by a reference manager\n\nTY  - JOUR\nTI  - First\nAB  - One.\nER  - \n"
        "\nTY  - BOOK\nTI  - Second\nAB  - Two.\nER  -\n",
        encoding="utf-8",
    )
    assert [(p.title, p.origin) for p in load_collection([path])] == [
        ("First", f"{path}:3"),
        ("Second", f"{path}:8"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        "Title;Abstract;Authors;Year\r\n"
        "Semicolons;From a spreadsheet, in German;Ada Lovelace;2021\r\n",
        "title\tabstract\tauthors\tyear\n"
        "Semicolons\tFrom a spreadsheet, in German\tAda Lovelace\t2021\n",
    ],
    ids=["semicolons", "tabs"],
)
def test_csv_saved_with_another_separator_is_read(tmp_path: Path, content: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(content, encoding="utf-8-sig")
    [paper] = load_collection([path])
    assert (paper.title, paper.abstract) == ("Semicolons", "From a spreadsheet, in German")
    assert (paper.authors, paper.year, paper.origin) == (("Ada Lovelace",), 2021, f"{path}:2")


def test_csv_without_the_columns_in_any_separator_still_says_which_is_missing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("name;summary\nA;B\n", encoding="utf-8")
    with pytest.raises(CollectionError, match=r"export\.csv:1: the header has no 'title'"):
        load_collection([path])


def test_csl_json_object_where_text_belongs_is_no_text(tmp_path: Path) -> None:
    path = tmp_path / "zotero.json"
    path.write_text(
        '[{"title": "Kept", "abstract": "Real text."},'
        ' {"title": {"lang": "en"}, "abstract": "Orphan."},'
        ' {"title": "Odd", "abstract": {"type": "jats", "value": "x"}}]',
        encoding="utf-8",
    )
    [source] = scan_sources([path])
    assert [(s.title, s.reason) for s in source.skipped] == [
        ("(untitled)", "no title"),
        ("Odd", "no abstract"),
    ]
    assert [p.abstract for p in load_collection([path])] == ["Real text."]


def test_a_sub_collection_exported_beside_the_library_is_no_error(tmp_path: Path) -> None:
    """Every entry of the second export is in the first: skipped as duplicates, not called
    "none of its entries has an abstract"."""
    library = tmp_path / "library.bib"
    library.write_text(MERGED_BIB, encoding="utf-8")
    subset = tmp_path / "subset.bib"
    subset.write_text(MERGED_BIB.split("@inproceedings")[0], encoding="utf-8")
    whole, part = scan_sources([library, subset])
    assert (whole.papers, part.papers) == (3, 0)
    assert [(s.title, s.reason) for s in part.skipped] == [
        ("Graph Networks for Molecules", "duplicate title")
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "open.csv",
            'title,abstract\nOne,"An abstract whose quote never closes\nTwo,Second.\nThree,3.\n',
            r"open\.csv:2: malformed CSV \(unexpected end of data\); is a quote in this row",
        ),
        (
            "open.tsv",
            'title\tabstract\n"One\tFirst.\nTwo\tSecond.\n',
            r"open\.tsv:2: a quote opens a cell that runs over the following rows",
        ),
    ],
    ids=["csv", "tsv"],
)
def test_a_quote_left_open_does_not_swallow_the_rows_after_it(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CollectionError, match=message):
        load_collection([path])


def test_a_multi_line_cell_names_the_line_its_row_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    path.write_text('title,abstract\nOne,"Line one\nline two"\nTwo,Second.\n', encoding="utf-8")
    assert [p.origin for p in load_collection([path])] == [f"{path}:2", f"{path}:4"]
