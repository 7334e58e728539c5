"""The ``assistant`` entry point as a new user meets it: Ctrl+C at any moment, a terminal
whose encoding is not UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Ctrl+C pressed while a command module is still being imported (the first fraction of a
# second after Enter): the import raises KeyboardInterrupt exactly as the signal would.
INTERRUPT_WHILE_LOADING = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "assistant.cli.ask":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
from assistant.cli import main
sys.exit(main(["ask", "anything"]))
"""


def run_python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=180,
    )


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=180,
    )


def test_ctrl_c_while_the_commands_load_is_one_line_and_status_130() -> None:
    result = run_python(INTERRUPT_WHILE_LOADING)
    assert result.returncode == 130, result.stderr
    assert result.stderr == "interrupted\n"


def test_doctor_on_a_latin1_terminal_writes_its_dashes_as_escapes(tmp_path: Path) -> None:
    result = run_cli(
        "doctor",
        "--home",
        str(tmp_path / "data"),
        PYTHONIOENCODING="latin-1",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Endpoint: none configured \\u2014 answers are extractive" in result.stdout


def test_json_on_an_ascii_pipe_reads_back_as_the_same_text(seeded_home: Path) -> None:
    question = "Ünïcødé 論文 diffusion 😀"
    result = run_cli(
        "search",
        "--json",
        "-k",
        "1",
        question,
        ASSISTANT_HOME=str(seeded_home),
        PYTHONIOENCODING="ascii",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["question"] == question
