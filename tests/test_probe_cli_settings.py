"""Settings a new user (or an attacker) might give: each bad one is one line, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.cli import main
from assistant.errors import ConfigError
from assistant.settings import Settings


@pytest.mark.parametrize(
    "name", ["../../escaped", "a/b", "", "ab", "x\x1b[2Jy", "a..b", "1.2.3.4", "n" * 64, "-x-"]
)
def test_an_unusable_collection_name_is_a_config_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="collection"):
        Settings.load({"home": tmp_path, "collection": name})


@pytest.mark.parametrize("name", ["papers", "mine", "my-papers_2024.v2", "n" * 63])
def test_usable_collection_names_load(name: str, tmp_path: Path) -> None:
    assert Settings.load({"home": tmp_path, "collection": name}).collection == name


def test_ingest_into_a_path_like_collection_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = tmp_path / "papers.jsonl"
    write_jsonl(papers, [{"title": "T", "abstract": "An abstract about things."}])
    home = tmp_path / "home"
    argv = ["ingest", str(papers), "--home", str(home), "--collection", "../../escaped"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --collection:") and len(err.strip().splitlines()) == 1
    assert not home.exists()
    assert not list(tmp_path.rglob("*escaped*"))


def test_a_bad_collection_name_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_COLLECTION", "my/papers")
    assert main(["papers"]) == 1
    assert capsys.readouterr().err.startswith("error: ASSISTANT_COLLECTION: ")
