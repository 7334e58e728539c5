"""Files as spreadsheets and Windows tools save them: UTF-16 with a byte-order mark, tab-
separated text under a .txt name, and a file that is not UTF-8 named at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import CollectionError
from assistant.sources import load_collection, scan_sources

ROWS = (
    'Title;Abstract;Authors;Year\r\n"Café study";"Résumé of the “work” – 5 €";"Müller, J";2020\r\n'
)


@pytest.mark.parametrize("name", ["unicode.csv", "unicode.txt", "unicode.tsv"])
def test_excel_unicode_text_is_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(ROWS.replace(";", "\t").encode("utf-16"))  # with its byte-order mark
    (paper,) = load_collection([path])
    assert (paper.title, paper.abstract, paper.authors, paper.year) == (
        "Café study",
        "Résumé of the “work” – 5 €",
        ("Müller, J",),
        2020,
    )


def test_tab_separated_txt_is_a_table_not_a_title_abstract_page(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    path.write_text("title\tabstract\nA paper\tIts abstract.\n", encoding="utf-8")
    assert scan_sources([path])[0].format == "tsv"
    assert [p.title for p in load_collection([path])] == ["A paper"]


def test_windows_1252_csv_names_the_line_and_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    header_and_ascii_rows = "title,abstract\r\n" + "plain,ascii\r\n" * 300
    path.write_bytes(header_and_ascii_rows.encode() + ROWS.splitlines()[1].encode("cp1252"))
    with pytest.raises(CollectionError, match=r"excel\.csv:302: not UTF-8 text; .*CSV UTF-8"):
        load_collection([path])


@pytest.mark.parametrize("format_name", ["arxiv", "jsonl"])
def test_json_lines_that_are_not_utf8_are_one_line(tmp_path: Path, format_name: str) -> None:
    path = tmp_path / "papers.json"
    path.write_bytes(b'{"title": "caf\xe9", "abstract": "x", "versions": []}\n')
    with pytest.raises(CollectionError, match=r"papers\.json:1: not UTF-8 text"):
        load_collection([path], format_name)


def test_database_exports_are_read_by_their_own_headers(tmp_path: Path) -> None:
    """Scopus CSV, IEEE Xplore CSV and Web of Science tab-delimited text (field tags)."""
    scopus = tmp_path / "scopus.csv"
    scopus.write_text(
        "\ufeffAuthors,Title,Year,Source title,Link,Abstract,Source\n"
        '"Lee A.; Kim B.",Scopus Paper,2021,Nature,https://s.org/1,An abstract.,Scopus\n',
        encoding="utf-8",
    )
    ieee = tmp_path / "ieee.csv"
    ieee.write_text(
        '"Document Title","Authors","Publication Title","Publication Year","Abstract","DOI"\n'
        '"IEEE Paper","A. Lee; B. Kim","ICRA","2020","Robots grasp.","10.1109/x"\n',
        encoding="utf-8",
    )
    wos = tmp_path / "savedrecs.txt"
    header = "PT\tAU\tTI\tSO\tAB\tPY\tDI\n"
    row = "J\tLee, A; Kim, B\tWoS Paper\tCELL\tCells divide.\t2019\t10.1/w\n"
    wos.write_bytes((header + row).encode("utf-16"))  # "Tab-delimited (Win)", as saved
    papers = {p.title: p for p in load_collection([scopus, ieee, wos])}
    assert [(p.authors, p.year, p.venue, p.doi, p.url) for p in papers.values()] == [
        (("Lee A.", "Kim B."), 2021, "Nature", None, "https://s.org/1"),
        (("A. Lee", "B. Kim"), 2020, "ICRA", "10.1109/x", None),
        (("Lee, A", "Kim, B"), 2019, "CELL", "10.1/w", None),
    ]
    assert papers["WoS Paper"].abstract == "Cells divide."


@pytest.mark.parametrize("name", ["mac.txt", "mac.csv"])
def test_old_mac_line_endings_are_lines(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    separator = "\t" if name.endswith(".txt") else ","
    path.write_bytes(f"title{separator}abstract\rOne{separator}First.\rTwo{separator}2.\r".encode())
    assert [p.title for p in load_collection([path])] == ["One", "Two"]
