"""A chat history that cannot be written costs a warning, never the answer: the answer is
shown, the notice says it was not saved and what to do, once a session."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import (
    ANSWER_CHUNKS,
    ANSWER_TEXT,
    FOLLOW_UP,
    QUESTION,
    ask,
    ask_and_wait,
    until_ready,
    wait_until,
)

from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.tui.app import ChatApp

pytestmark = pytest.mark.anyio

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nothing can be written in: a read-only tmpfs as root (whom modes do not
    stop), a directory of mode 0555 otherwise."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if not ROOT:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _notices(app: ChatApp, severity: str) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == severity]


async def test_answers_are_shown_and_one_warning_says_they_are_not_saved(
    llm_assistant: Assistant, read_only_dir: Path, tmp_path: Path, openai_server: Any
) -> None:
    history = ChatHistory(read_only_dir / "chat_history.sqlite3")
    app = ChatApp(llm_assistant, history=history, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)  # fails at once on an error notice
        await ask_and_wait(pilot, FOLLOW_UP)
        views = app.conversation.answers()
        assert [v.answer is not None and v.answer.answered for v in views] == [True, True]
        # The follow-up still had the first exchange as context, though nothing was saved.
        assert [t.question for t in app.turns] == [QUESTION, FOLLOW_UP]
        assert any(QUESTION in str(r.messages) for r in openai_server.chat_requests[1:])
        warnings = _notices(app, "warning")
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith("The answer is shown, but this conversation is not being")
        assert f"cannot write to {read_only_dir}" in warnings[0]
        assert "set ASSISTANT_HOME (or --home)" in warnings[0]
        assert warnings[0].endswith("Ctrl+S exports what the screen shows.")
        assert not _notices(app, "error")
        # What the history could not keep can still be exported, from the screen.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.last_export is not None, what="the export")
        assert app.last_export is not None
        exported = app.last_export.read_text(encoding="utf-8")
        assert f"## 1. {QUESTION}" in exported and f"## 2. {FOLLOW_UP}" in exported
        assert views[1].answer is not None and views[1].answer.text in exported
        assert "**References**" in exported


async def test_a_damaged_history_file_does_not_cost_the_answer(
    llm_assistant: Assistant, tmp_path: Path
) -> None:
    unusable = ChatHistory(tmp_path)  # a directory where the database file should be
    app = ChatApp(llm_assistant, history=unusable, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        assert app.conversation.answers()[0].answer is not None
        (warning,) = _notices(app, "warning")
        assert "not being saved" in warning and f"chat history {tmp_path}" in warning
        assert app.prompt_input.text == "" and app.is_running


async def test_a_disk_turning_read_only_mid_answer_does_not_cost_the_answer(
    llm_assistant: Assistant, tmp_path: Path, openai_server: Any
) -> None:
    if not ROOT:
        pytest.skip("remounting a disk read-only needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        # The question is saved; the answer's partial saves and its final save then fail.
        # The reply waits a second before its first word: remounting blocks the test's event
        # loop, and on a loaded machine a reply streaming at once had finished, and saved,
        # before the disk turned read-only.
        openai_server.enqueue(chunks=ANSWER_CHUNKS, chunk_delay=0.15, delay=1.0)
        app = ChatApp(llm_assistant, history=ChatHistory(disk / "h.sqlite3"), export_dir=tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await until_ready(pilot)
            await ask(pilot, QUESTION)
            await wait_until(pilot, lambda: app.conversation_id is not None, what="the save")
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            await wait_until(pilot, lambda: app.turns and not app.streaming, what="the answer")
            assert app.conversation.answers()[0].answer is not None
            assert app.turns[0].answer == ANSWER_TEXT
            (warning,) = _notices(app, "warning")
            assert "not being saved" in warning and "read-only" in warning
            assert not _notices(app, "error")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
