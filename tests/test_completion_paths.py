"""Shell completion as the README installs it: every line works on a fresh home, and bash
then completes commands, choices, and file and folder names where a command takes them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

# The README's commands call the installed script; here it is this source tree's.
ASSISTANT = f'assistant() {{ {shlex.quote(sys.executable)} -m assistant "$@"; }}'


def readme_completion_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("**Shell completion**", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "no bash block under Shell completion"
    return [line for line in block.group(1).splitlines() if line.strip()]


def bash(script: str, home: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)
    env.pop("XDG_CONFIG_HOME", None)
    return subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"{ASSISTANT}\n{script}"],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def completions(script_path: Path, words: list[str], cwd: Path, home: Path) -> list[str]:
    """What bash offers for ``words`` (the last one being completed)."""
    quoted = " ".join(shlex.quote(w) for w in words)
    result = bash(
        f"source {shlex.quote(str(script_path))}\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=()\n"
        "_shtab_assistant\n"
        'printf "%s\\n" "${COMPREPLY[@]}"',
        home,
        cwd,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@needs_bash
def test_every_readme_install_line_works_on_a_fresh_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    lines = readme_completion_lines()
    assert len(lines) == 3
    for line in lines:
        result = bash(line, home)
        assert result.returncode == 0, f"{line}: {result.stderr}"
    assert (
        "_shtab_assistant"
        in (home / ".local/share/bash-completion/completions/assistant").read_text()
    )
    assert (home / ".zfunc/_assistant").read_text().startswith("#compdef assistant")
    assert "complete -c assistant" in (home / ".config/fish/completions/assistant.fish").read_text()


@needs_bash
def test_bash_completes_file_and_folder_names_where_commands_take_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    script = tmp_path / "assistant.bash"
    result = bash(f"assistant completion bash > {shlex.quote(str(script))}", home)
    assert result.returncode == 0, result.stderr
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "mine.bib").write_text("")
    (papers / "questions.jsonl").write_text("")
    (papers / "folder").mkdir()

    def offered(*words: str) -> list[str]:
        return completions(script, ["assistant", *words], papers, home)

    assert offered("ingest", "m") == ["mine.bib"]
    assert offered("eval", "q") == ["questions.jsonl"]
    assert offered("ask", "--home", "") == ["folder"]
    assert offered("chat", "--export-dir", "f") == ["folder"]
    assert offered("ingest", "--format", "ri") == ["ris"]
    assert "ingest" in offered("")
