"""The first indexing's progress bar on a terminal: readable whatever the terminal's
encoding, and an error or Ctrl+C after it starts a line of its own."""

from __future__ import annotations

import io
import sys

import pytest

from assistant.cli import main
from assistant.cli.common import stderr_progress
from assistant.cli.failures import report_error
from assistant.errors import StoreError


class Terminal(io.TextIOWrapper):
    """stderr of a terminal, in the given encoding."""

    def __init__(self, encoding: str) -> None:
        super().__init__(io.BytesIO(), encoding=encoding, errors="strict", write_through=True)

    def isatty(self) -> bool:
        return True

    def shown(self) -> str:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode(self.encoding)


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar fits itself to the terminal: these tests assume a wide one."""
    monkeypatch.setenv("COLUMNS", "100")


def test_a_terminal_that_is_not_utf8_gets_an_ascii_bar() -> None:
    terminal = Terminal("ascii")
    progress = stderr_progress(terminal)
    progress(0, 290, "Indexing papers")
    progress(145, 290, "Indexing papers")
    progress(290, 290, "Indexing papers")
    assert "Indexing papers ###############--------------- 145/290" in terminal.shown()


def test_a_utf8_terminal_keeps_the_block_bar() -> None:
    terminal = Terminal("utf-8")
    stderr_progress(terminal)(145, 290, "Indexing papers")
    assert "█" * 15 + "░" * 15 in terminal.shown()


def test_an_error_during_indexing_starts_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal("utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    stderr_progress()(96, 290, "Indexing papers")
    report_error(StoreError("the disk is full; free some space"), as_json=False)
    assert terminal.shown().splitlines()[-1] == "error: the disk is full; free some space"


def test_ctrl_c_during_indexing_starts_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal("utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)

    def index_then_ctrl_c(*args: object, **kwargs: object) -> None:
        stderr_progress()(96, 290, "Indexing papers")
        raise KeyboardInterrupt

    monkeypatch.setattr("assistant.service.Assistant.search", index_then_ctrl_c)
    assert main(["search", "diffusion"]) == 130
    assert terminal.shown().splitlines()[-1] == "interrupted"


@pytest.mark.parametrize("columns", [80, 50, 20, 3])
def test_the_bar_never_wraps_on_a_narrow_terminal(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wrapped line is not redrawn by "\r": the terminal would fill with copies of it.
    monkeypatch.setenv("COLUMNS", str(columns))
    terminal = Terminal("utf-8")
    progress = stderr_progress(terminal)
    for done in (0, 96, 160, 290):
        progress(done, 290, "Indexing papers")
    lines = terminal.shown().replace("\n", "\r").split("\r")
    assert all(len(line) < columns for line in lines)
    assert lines[1].startswith("Indexing papers"[: columns - 1])
    if columns == 80:
        assert "Indexing papers " + "░" * 30 + " 0/290" in lines
