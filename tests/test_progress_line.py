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
