"""``assistant history`` with odd IDs and a damaged history file: one line or what the file
still holds, never a crash log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant import Answer, Source
from assistant.cli import main
from assistant.history import HISTORY_FILE, ChatHistory

HUGE = "99999999999999999999"  # past SQLite's 64-bit integers


@pytest.fixture
def history(isolated_env: Path) -> ChatHistory:
    """One finished conversation in the isolated home."""
    store = ChatHistory(isolated_env / HISTORY_FILE)
    conversation = store.start_conversation("What is LUKE?")
    turn = store.add_question(conversation, "What is LUKE?", origin="cli")
    source = Source(1, "p1", "LUKE", "Entity-aware self-attention.", cited=True)
    answer = Answer("What is LUKE?", "An entity model [1].", True, "llm", [source], [1])
    store.finish_turn(turn, answer)
    return store


def damage(store: ChatHistory, statement: str) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute(statement)


@pytest.mark.parametrize(
    "argv",
    [["history", "show", HUGE], ["history", "-n", HUGE], ["ask", "--conversation", HUGE, "x"]],
)
def test_an_id_or_count_too_large_for_sqlite_is_no_crash(
    history: ChatHistory, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(argv)
    out, err = capsys.readouterr()
    # Before: "unexpected OverflowError: Python int too large to convert to SQLite INTEGER".
    assert "unexpected" not in err and "crash" not in err
    if argv[1] == "-n":
        assert status == 0 and "What is LUKE?" in out
    else:
        assert status == 1 and err.strip() == f"error: no conversation {HUGE} in {history.path}"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE turns SET sources = 'not json'",
        'UPDATE turns SET sources = \'[{"foo": 1}, 5, {"n": 1, "title": "T", "metadata": "x"}]\'',
        "UPDATE turns SET sources = '{\"n\": 1}'",
        "UPDATE turns SET timings = 'nope'",
        "UPDATE turns SET created = 'yesterday'",
        "UPDATE turns SET mode = X'00ff'",
        "UPDATE turns SET citations = '[1, \"two\", true]', usage = '{\"total\": 1e999}'",
        "UPDATE turns SET invalid_citations = 'x', usage = '[]', extractive = 'yes'",
    ],
)
def test_a_damaged_turn_is_shown_with_what_it_still_holds(
    history: ChatHistory, statement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    damage(history, statement)
    assert main(["history"]) == 0
    assert "What is LUKE?" in capsys.readouterr().out
    assert main(["history", "show", "1"]) == 0
    assert "An entity model [1]." in capsys.readouterr().out
    assert main(["history", "--json"]) == 0
    (turn,) = json.loads(capsys.readouterr().out)
    assert turn["answer"] == "An entity model [1]."


def test_a_damaged_source_list_keeps_its_good_entries(history: ChatHistory) -> None:
    good = {"n": 2, "paper_id": "p2", "title": "mLUKE", "passage": "Multilingual.", "cited": True}
    sources = json.dumps([{"foo": 1}, "text", {"n": "one", "paper_id": 3, "title": 4}, good])
    damage(history, f"UPDATE turns SET sources = '{sources}'")
    (turn,) = history.load(1).turns
    assert [(s.n, s.title, s.passage) for s in turn.sources] == [(2, "mLUKE", "Multilingual.")]


def test_a_question_stored_as_bytes_reads_as_text(history: ChatHistory) -> None:
    damage(history, "UPDATE turns SET question = CAST('What is LUKE?' AS BLOB)")
    assert history.load(1).turns[0].question == "What is LUKE?"
    assert history.recent_questions() == ["What is LUKE?"]


def test_a_data_directory_that_is_a_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder", encoding="utf-8")
    assert main(["history", "--home", str(home)]) == 1
    assert capsys.readouterr().err == (
        f"error: the data directory {home} is a file, not a folder; set ASSISTANT_HOME "
        "(or --home) to a folder\n"
    )


def test_a_history_file_that_is_a_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "home" / HISTORY_FILE).mkdir(parents=True)
    assert main(["history", "--home", str(tmp_path / "home")]) == 1
    assert capsys.readouterr().err == (
        f"error: chat history {tmp_path / 'home' / HISTORY_FILE} is a folder, not a file; "
        "move it away\n"
    )
