"""`assistant chat` on the command line: flags, no terminal, no heavy imports for --help."""

from __future__ import annotations

import subprocess
import sys

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
