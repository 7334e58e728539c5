"""`assistant chat` on the command line: flags, no terminal, no heavy imports for --help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import build_parser, main


def test_chat_flags_reach_the_settings() -> None:
    from assistant.cli.common import settings_from_args

    args = build_parser().parse_args(
        ["chat", "-k", "3", "--model", "m", "--base-url", "http://127.0.0.1:1/v1"]
    )
    settings = settings_from_args(args)
    assert (settings.k, settings.model, settings.mode) == (3, "m", "llm")


def test_chat_without_a_terminal_says_what_to_use(capsys: pytest.CaptureFixture[str]) -> None:
    # Under pytest stdin/stdout are not a terminal, as in a script or a pipe.
    assert main(["chat"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a terminal" in err and "assistant ask" in err


def test_cli_does_not_import_textual_until_chat_runs() -> None:
    code = "import sys, assistant.cli; print('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("closed", ["sys.stdin", "sys.stdout"])
def test_chat_with_a_closed_stream_says_what_to_use(
    closed: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(closed, None)  # what Python sets when started with `<&-` or `>&-`
    status = main(["chat"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert status in (1, 2) and err.count("\n") == 1 and "unexpected" not in err


def test_the_export_folder_expands_a_home_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import build_parser

    monkeypatch.setenv("HOME", str(tmp_path))
    assert build_parser().parse_args(["chat", "--export-dir=~/notes"]).export_dir == (
        tmp_path / "notes"
    )
    assert main(["chat", "--export-dir=~nosuchuser1234/x"]) == 2
    assert "names no user of this machine" in capsys.readouterr().err
