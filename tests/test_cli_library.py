"""`ingest` (add, --sync, --format, skipped entries), `remove`, `papers --json` and
`collections --json` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.cli import main

EXPORTS = Path(__file__).parent / "data" / "exports"


def test_a_library_from_exports_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--home", str(tmp_path / "home"), "--collection", "mine"]
    assert main(["ingest", str(EXPORTS / "zotero.bib"), str(EXPORTS / "endnote.ris"), *args]) == 0
    err = capsys.readouterr().err
    assert "skipped 2 entries with no abstract: 'A Book Without an Abstract', " in err
    assert "4 added, 0 updated, 0 removed, 0 unchanged" in err

    assert main(["papers", "--json", *args]) == 0
    papers = {p["title"]: p for p in json.loads(capsys.readouterr().out)}
    bert = papers["Über BERT: Café Models for Naïve Readers"]
    assert bert["authors"] == ["Müller, Hans", "Smith, John", "García, Ana"]
    assert (bert["year"], bert["doi"], bert["venue"]) == (
        2021,
        "10.1000/xyz123",
        "Journal of Menu Studies",
    )
    assert bert["url"] == "https://example.org/bert"

    csl = EXPORTS / "zotero-csl.json"
    assert main(["ingest", str(csl), *args]) == 0
    assert "2 added, 0 updated, 0 removed" in capsys.readouterr().err
    assert main(["collections", "--json", *args]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {
            "name": "mine",
            "papers": 6,
            "sources": [str((EXPORTS / n).resolve()) for n in ("zotero.bib", "endnote.ris")]
            + [str(csl.resolve())],
        }
    ]

    assert main(["remove", bert["paper_id"], *args]) == 0
    assert main(["ingest", "--sync", str(csl), *args]) == 0
    assert "0 added, 0 updated, 3 removed, 2 unchanged" in capsys.readouterr().err
    assert main(["search", "filters by author", "--author", "Turing", "--json", *args]) == 0
    hits = json.loads(capsys.readouterr().out)["results"]
    assert [h["title"] for h in hits] == ["Sparse Attention for Long Documents"]


def test_format_override_and_a_malformed_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--home", str(tmp_path / "home"), "--collection", "mine"]
    sheet = tmp_path / "export.txt"
    sheet.write_text("Title,Abstract\nA Sheet Paper,It is in a sheet.\n", encoding="utf-8")
    assert main(["ingest", str(sheet), "--format", "csv", *args]) == 0
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{x, title={Fine}, abstract={Fine.}}\n@article{y, title={Bro\n")
    assert main(["ingest", str(bad), *args]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(f"{bad}:2: malformed BibTeX entry (unbalanced braces or quotes?)")
    )
    assert main(["papers", *args]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 papers"


def test_progress_shows_rate_and_time_left() -> None:
    import io

    from assistant.cli.common import rate_text, stderr_progress

    assert rate_text(0, 100, None) == ""
    assert rate_text(40, 100, 20.0) == " · 20/s · 3s left"
    assert rate_text(100, 1000, 1.0) == " · 1/s · 15m00s left"
    assert rate_text(100, 100, 50.0) == " · 50/s"
    stream = io.StringIO()
    progress = stderr_progress(stream)
    progress(0, 4, "Embedding papers")
    progress(4, 4, "Embedding papers")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "Embedding papers: 0/4"
    assert lines[-1].startswith("Embedding papers: 4/4 · ") and lines[-1].endswith("/s")


def test_references_name_authors_and_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--home", str(tmp_path / "home"), "--collection", "mine", "--no-color"]
    assert main(["ingest", str(EXPORTS / "zotero.bib"), *args[:4]]) == 0
    capsys.readouterr()
    assert main(["ask", "What are Café Models for Naïve Readers?", "--k", "2", *args]) == 0
    out = capsys.readouterr().out
    assert "] Müller et al. (2021). Über BERT: Café Models for Naïve Readers" in out
    assert main(["ask", "What are Café Models for Naïve Readers?", "--json", *args]) == 0
    source = json.loads(capsys.readouterr().out)["sources"][0]
    assert source["authors"] == ["Müller, Hans", "Smith, John", "García, Ana"]
    assert source["year"] == 2021


def test_sync_without_files_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--sync", "--home", str(tmp_path / "home")]) == 2
    err = capsys.readouterr().err
    assert err == "error: --sync needs the files the collection should hold\n"
    assert not (tmp_path / "home").exists()  # nothing was opened, nothing written


def test_own_papers_added_beside_the_bundled_ones_get_a_note(
    tmp_path: Path, seeded_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    mine = write_jsonl(
        tmp_path / "mine.jsonl",
        [{"title": "My Own Paper", "abstract": "We study sparse retrieval for lab notebooks."}],
    )

    assert main(["ingest", str(mine), "--home", str(home)]) == 0
    err = capsys.readouterr().err
    assert "1 added" in err
    assert "note: collection 'papers' also holds 290 bundled papers" in err
    assert "--sync FILE…" in err

    assert main(["ingest", str(mine), "--home", str(home), "--collection", "mine"]) == 0
    assert "note:" not in capsys.readouterr().err
