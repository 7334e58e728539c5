"""Collections as a user names and keeps them: a name a rebuild keeps for itself is refused
before anything is written, and a collection whose file record is missing is never filled
with (or rebuilt into) the bundled papers."""

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
