"""`assistant ingest`, `search` and `papers` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main


@pytest.fixture
def seeded_env(seeded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    return seeded_home


def test_search_json_is_exactly_one_object(
    seeded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "entity-aware self-attention", "--k", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"question", "results"} and out["question"] == "entity-aware self-attention"
    assert [r["rank"] for r in out["results"]] == [1, 2, 3]
    first = out["results"][0]
    assert set(first) == {"rank", "paper_id", "title", "score", "passage", "authors", "year", "url"}
    assert (
        first["title"].startswith("LUKE") and isinstance(first["score"], float) and first["passage"]
    )


def test_search_human_output_lists_titles(
    seeded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "unifying language learning paradigms", "--k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(" 1. UL2: Unifying Language Learning Paradigms")


def test_papers_json_lists_every_paper(
    seeded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["papers", "--json"]) == 0
    papers = json.loads(capsys.readouterr().out)
    assert len(papers) == 290
    assert {"paper_id", "title"} <= set(papers[0])


def test_ingest_reports_a_summary_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"title": "Only Paper", "abstract": "It studies things."}) + "\n")
    assert main(["ingest", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # library and command keep stdout for results
    assert "1 added, 0 updated, 0 removed, 0 unchanged; 1 chunks embedded" in captured.err
    assert main(["ingest", str(path)]) == 0
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in capsys.readouterr().err


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env={"ASSISTANT_HOME": str(home), "ASSISTANT_CONFIG": str(home / "none.toml"), "PATH": ""},
        timeout=120,
    )


def test_bad_collection_is_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "A", "abstract": "x"}\n{"title": "B", "abstract": ""}\n')
    result = run_cli("ingest", str(bad), home=tmp_path / "home")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {bad}:2: missing or empty 'abstract'"
    assert result.stdout == ""


def test_unreachable_chroma_server_is_one_line(tmp_path: Path) -> None:
    result = run_cli("search", "x", "--chroma-url", "http://127.0.0.1:9", home=tmp_path / "home")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Chroma server answered at http://127.0.0.1:9" in lines[0]
    assert "chroma run --path DIR --host 127.0.0.1 --port 9`" in lines[0]  # the URL's port


def test_help_does_not_import_heavy_modules() -> None:
    # `assistant --help` must stay fast: the heavy libraries load only inside commands.
    code = (
        "import sys, contextlib, io\n"
        "from assistant.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "heavy = {'chromadb', 'onnxruntime', 'textual', 'openai', 'tiktoken', 'numpy'}\n"
        "heavy &= set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr
