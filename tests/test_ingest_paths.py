"""`assistant ingest` and `remove` given what a shell hands them: a file named twice (a glob
and its name, a path and a link to it), an id given twice, a loop of links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.cli import main

PAPERS = [
    {"title": "Alpha Cats", "abstract": "Cats purr when they are content."},
    {"title": "Beta Dogs", "abstract": "Dogs bark at the postman every morning."},
]


def cli(home: Path, *args: str) -> int:
    return main([*args, "--home", str(home), "--collection", "mine"])


def paper_ids(home: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert cli(home, "papers", "--json") == 0
    return [p["paper_id"] for p in json.loads(capsys.readouterr().out)]


def test_a_file_named_twice_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    link = tmp_path / "link.jsonl"
    link.symlink_to(mine)
    assert cli(home, "ingest", str(mine), str(tmp_path / "." / "mine.jsonl"), str(link)) == 0
    assert "2 added, 0 updated, 0 removed, 0 unchanged" in capsys.readouterr().err
    assert len(paper_ids(home, capsys)) == 2
    assert cli(home, "collections", "--json") == 0
    assert json.loads(capsys.readouterr().out)[0]["sources"] == [str(mine)]


def test_an_id_given_twice_is_removed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert cli(home, "ingest", str(write_jsonl(tmp_path / "mine.jsonl", PAPERS))) == 0
    first, second = paper_ids(home, capsys)
    assert cli(home, "remove", first, first) == 0
    assert capsys.readouterr().err.strip() == "1 removed"
    assert paper_ids(home, capsys) == [second]


def test_a_loop_of_links_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "one.bib", tmp_path / "two.bib"
    one.symlink_to(two)
    two.symlink_to(one)
    assert cli(tmp_path / "home", "ingest", str(one)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {one}: ")


def test_a_recorded_file_that_is_gone_says_how_to_stop_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    kept = write_jsonl(tmp_path / "kept.jsonl", PAPERS[:1])
    gone = write_jsonl(tmp_path / "gone.jsonl", PAPERS[1:])
    assert cli(home, "ingest", str(kept), str(gone)) == 0
    gone.unlink()
    capsys.readouterr()
    for args in (["ingest"], ["ingest", "--rebuild"]):
        assert cli(home, *args) == 1
        assert capsys.readouterr().err.strip().splitlines() == [
            f"error: {gone}: no such file, but collection 'mine' was built from it; name the "
            "files it should hold now: `assistant ingest --sync FILE… --collection mine`"
        ]
    assert cli(home, "ingest", "--sync", str(kept)) == 0
    assert "1 removed" in capsys.readouterr().err
    assert cli(home, "ingest") == 0  # the record no longer names it


def test_a_file_read_with_format_is_read_so_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--format` is remembered with the file: re-reading, rebuilding or naming the file again
    must not read a comma-separated refs.txt as a title/abstract page."""
    home = tmp_path / "home"
    refs = tmp_path / "refs.txt"
    refs.write_text("title,abstract\nAlpha Cats,Cats purr when content.\n", encoding="utf-8")
    assert cli(home, "ingest", str(refs), "--format", "csv") == 0
    for again in (["ingest"], ["ingest", str(refs)], ["ingest", "--rebuild"]):
        assert cli(home, *again) == 0
        capsys.readouterr()
        assert cli(home, "papers", "--json") == 0
        assert [p["title"] for p in json.loads(capsys.readouterr().out)] == ["Alpha Cats"]


def test_a_title_another_file_brought_stays_that_files_paper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same title in a second export is a duplicate, not an update a repair would undo;
    ingesting the first file again keeps it first, so the recorded files still re-read."""
    home = tmp_path / "home"
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    export = tmp_path / "export.csv"
    export.write_text(
        "title,abstract\nAlpha Cats,Another abstract of the cat paper.\nGamma Owls,Owls hoot.\n",
        encoding="utf-8",
    )

    def abstracts() -> dict[str, str]:
        capsys.readouterr()
        assert cli(home, "search", "cats purr owls hoot", "--json") == 0
        return {r["title"]: r["passage"] for r in json.loads(capsys.readouterr().out)["results"]}

    assert cli(home, "ingest", str(mine)) == 0
    assert cli(home, "ingest", str(export)) == 0
    err = capsys.readouterr().err
    assert "skipped 1 entries with duplicate title: 'Alpha Cats'" in err
    assert "1 added, 0 updated" in err
    assert abstracts()["Alpha Cats"] == "Cats purr when they are content."
    for again in (["ingest", str(mine)], ["ingest"], ["ingest", "--rebuild"]):
        assert cli(home, *again) == 0
        assert " 0 updated" in capsys.readouterr().err
        assert abstracts()["Alpha Cats"] == "Cats purr when they are content."

    other = tmp_path / "other"
    assert main(["ingest", str(export), "--home", str(other), "--collection", "mine"]) == 0
    assert main(["ingest", str(mine), "--home", str(other), "--collection", "mine"]) == 1
    assert f"mine.jsonl: duplicate title 'Alpha Cats' (first in {export})" in (
        capsys.readouterr().err
    )


def test_a_pipe_or_standard_input_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ingest <(zcat refs.jsonl.gz)` or `ingest -`: a file is read twice and kept on record,
    a pipe cannot be; the error says so instead of "no such file" for a /proc name."""
    import os

    home = tmp_path / "home"
    fifo = tmp_path / "refs.jsonl"
    os.mkfifo(fifo)
    assert cli(home, "ingest", str(fifo)) == 1
    assert cli(home, "ingest", "-", "--format", "jsonl") == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: {fifo}: is a pipe, not a file: it is read twice (checked, then indexed) "
        "and kept on record; save it to a file first",
        "error: -: standard input is read twice (checked, then indexed) and kept on record; "
        "save it to a file first",
    ]


def test_a_rebuild_from_fewer_files_counts_what_it_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    first = write_jsonl(tmp_path / "first.jsonl", PAPERS[:1])
    second = write_jsonl(tmp_path / "second.jsonl", PAPERS[1:])
    assert cli(home, "ingest", str(first), str(second)) == 0
    capsys.readouterr()
    assert cli(home, "ingest", "--rebuild", str(first)) == 0
    assert "1 added, 0 updated, 1 removed" in capsys.readouterr().err
    assert cli(home, "ingest", "--rebuild") == 0
    assert "1 added, 0 updated, 0 removed" in capsys.readouterr().err


def test_a_collection_emptied_by_remove_says_how_to_bring_papers_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "run ingest --rebuild": a rebuild leaves removed papers out, so that advice would
    do nothing and be given again."""
    home = tmp_path / "home"
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    assert cli(home, "ingest", str(mine)) == 0
    assert cli(home, "remove", *paper_ids(home, capsys)) == 0
    capsys.readouterr()
    assert cli(home, "search", "cats") == 1
    err = capsys.readouterr().err
    assert "papers were removed with `assistant remove`; name their files again" in err
    assert "--rebuild" not in err
    assert cli(home, "ingest", str(mine)) == 0
    assert len(paper_ids(home, capsys)) == 2


def test_a_paper_whose_title_changed_in_its_file_is_kept_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ingest` never removes, but an edited title leaves the old paper beside the new one:
    the user is told, with the ways to drop it."""
    home = tmp_path / "home"
    mine = write_jsonl(tmp_path / "mine.jsonl", PAPERS)
    assert cli(home, "ingest", str(mine)) == 0
    write_jsonl(mine, [dict(PAPERS[0], title="Alpha Cats, Revised"), PAPERS[1]])
    capsys.readouterr()
    assert cli(home, "ingest", str(mine)) == 0
    err = capsys.readouterr().err
    assert "1 added, 0 updated, 0 removed, 1 unchanged" in err
    assert "note: 1 paper(s) read earlier from these files are no longer in them" in err
    assert cli(home, "ingest", "--sync", str(mine)) == 0
    err = capsys.readouterr().err
    assert "1 removed" in err and "note:" not in err
