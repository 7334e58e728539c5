"""Conversations from the CLI: every ask is kept; history lists, searches and shows them;
-c and --conversation follow up with the earlier turns as context."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply

from assistant.cli import main
from assistant.history import SCHEMA_VERSION, ChatHistory

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
FOLLOW_UP = "What model maps speech to it?"


def test_ask_is_kept_and_listed(model_home: Path, openai_server: Any, capsys: Any) -> None:
    openai_server.enqueue("Latent features of a diffusion autoencoder [1].")
    assert main(["ask", QUESTION]) == 0
    capsys.readouterr()

    assert main(["history", "--json"]) == 0
    (turn,) = json.loads(capsys.readouterr().out)
    assert turn["question"] == QUESTION and turn["origin"] == "cli"
    assert turn["answer"] == "Latent features of a diffusion autoencoder [1]."
    assert turn["model"] == "test-model" and turn["mode"] == "llm" and turn["status"] == "complete"
    assert turn["sources"] and "total_ms" in turn["timings"]

    assert main(["history"]) == 0
    line = capsys.readouterr().out.rstrip("\n")
    assert line.startswith(f"{turn['conversation_id']:>4}") and QUESTION in line


def test_history_show_json_carries_what_ask_json_gave(
    model_home: Path, openai_server: Any, capsys: Any
) -> None:
    openai_server.enqueue("Latent features [1] of a diffusion autoencoder [1]. See [9].")
    assert main(["ask", "--json", QUESTION]) == 0
    asked = json.loads(capsys.readouterr().out)
    assert asked["invalid_citations"] == [9] and asked["usage"]

    assert main(["history", "--json"]) == 0
    conversation_id = json.loads(capsys.readouterr().out)[0]["conversation_id"]
    assert main(["history", "show", str(conversation_id), "--json"]) == 0
    (turn,) = json.loads(capsys.readouterr().out)["turns"]
    # Sources are kept in the history's own shape; everything else reads back as asked.
    for field in set(asked) - {"sources", "timings"}:
        assert turn[field] == asked[field], field


def test_continue_follows_up_the_latest_conversation(
    model_home: Path, openai_server: Any, capsys: Any
) -> None:
    openai_server.enqueue("Latent features of a diffusion autoencoder [1].")
    assert main(["ask", QUESTION]) == 0
    openai_server.enqueue("What model maps speech to DAE-Talker's latents?")  # condensed
    openai_server.enqueue("A Conformer-based speech2latent model [1].")
    assert main(["ask", "-c", FOLLOW_UP]) == 0
    assert QUESTION in str(openai_server.chat_requests[-2].messages)  # the earlier turn
    capsys.readouterr()

    history = ChatHistory(model_home / "chat_history.sqlite3")
    (conversation,) = history.conversations()
    assert conversation.turn_count == 2

    assert main(["history", "show", str(conversation.id)]) == 0
    shown = capsys.readouterr().out
    assert QUESTION in shown and FOLLOW_UP in shown and "Conformer" in shown


def test_conversation_id_follows_up_that_one(
    model_home: Path, openai_server: Any, capsys: Any
) -> None:
    openai_server.enqueue("First [1].")
    assert main(["ask", QUESTION]) == 0
    openai_server.enqueue("Other [1].")
    assert main(["ask", "Which papers study contrastive video pretraining?"]) == 0
    history = ChatHistory(model_home / "chat_history.sqlite3")
    first = history.conversations()[-1].id
    openai_server.enqueue("What model maps speech to DAE-Talker's latents?")
    openai_server.enqueue("A Conformer [1].")
    assert main(["ask", "--conversation", str(first), FOLLOW_UP]) == 0
    assert [t.question for t in history.load(first).turns] == [QUESTION, FOLLOW_UP]


def test_history_query_and_limit(model_home: Path, openai_server: Any, capsys: Any) -> None:
    for question in (QUESTION, "Which papers study contrastive video pretraining?", "100%_odd"):
        openai_server.enqueue("An answer [1].")
        assert main(["ask", question]) == 0
    capsys.readouterr()
    assert main(["history", "-q", "contrastive", "--json"]) == 0
    assert [t["question"] for t in json.loads(capsys.readouterr().out)] == [
        "Which papers study contrastive video pretraining?"
    ]
    assert main(["history", "-q", "%_", "--json"]) == 0  # LIKE wildcards match literally
    assert [t["question"] for t in json.loads(capsys.readouterr().out)] == ["100%_odd"]
    assert main(["history", "-n", "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_continue_without_history_and_unknown_ids_are_one_line(
    model_home: Path, capsys: Any
) -> None:
    assert main(["ask", "-c", FOLLOW_UP]) == 1
    assert "no earlier conversation to continue" in capsys.readouterr().err
    assert main(["history", "show", "999", "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "StoreError" and "no conversation 999" in error["message"]


# The schema as it was before versioning, copied from the first release of history.py.
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    mode TEXT,
    model TEXT,
    sources TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, id);
"""


def test_a_database_of_the_old_schema_is_migrated_and_keeps_its_turns(tmp_path: Path) -> None:
    path = tmp_path / "chat_history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO conversations VALUES (1, 'old chat', 1.0, 2.0)")
        conn.execute(
            "INSERT INTO turns (conversation_id, question, answer, status, mode, model, created) "
            "VALUES (1, 'an old question', 'an old answer [1].', 'complete', 'llm', 'm', 2.0)"
        )
    history = ChatHistory(path)
    (turn,) = history.load(1).turns
    assert (turn.question, turn.answer, turn.origin, turn.timings) == (
        "an old question",
        "an old answer [1].",
        "chat",
        {},
    )
    conversation_id = history.latest_conversation_id()
    assert conversation_id == 1
    history.add_question(1, "a new question", origin="cli")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [t.question for t in ChatHistory(path).load(1).turns][-1] == "a new question"


def test_a_database_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    from assistant.errors import StoreError

    path = tmp_path / "chat_history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        ChatHistory(path).conversations()


def test_a_long_question_is_listed_on_one_short_line(
    model_home: Path, openai_server: Any, capsys: Any
) -> None:
    long_question = "What does DAE-Talker use?\n" + "Please explain in detail. " * 400
    assert main(["ask", long_question]) == 0
    capsys.readouterr()
    assert main(["history"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "What does DAE-Talker use? Please explain" in line and line.endswith(" …  (test-model)")
    assert len(line) < 200
    assert main(["history", "show", line.split()[0]]) == 0  # where the whole question is
    assert long_question.strip() in capsys.readouterr().out


def test_ctrl_c_while_an_answer_streams_keeps_what_arrived(
    model_home: Path, openai_server: Any
) -> None:
    words = [f" word{i}" for i in range(200)]
    openai_server.enqueue(Reply(chunks=["Latent features [1].", *words], chunk_delay=0.05))
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ask", QUESTION],
        cwd=Path(__file__).resolve().parents[1],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A test run started in the background (`pytest &`) ignores SIGINT, and a child
        # inherits that: Python then never turns Ctrl+C into KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    shown = process.stdout.read(len("Latent features [1]. word0"))  # the answer is streaming
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and err == b"interrupted\n"
    printed = (shown + out).decode()
    assert printed.startswith("Latent features [1]. word0") and printed.endswith("\n")
    (turn,) = ChatHistory(model_home / "chat_history.sqlite3").turns(limit=1)
    assert turn.turn.status == "cancelled"
    # Saved as far as it was shown, and never beyond what the model had sent.
    assert turn.turn.answer.startswith("Latent features [1]. word0")
    assert len(turn.turn.answer.split()) < len(words)


class ClosingReader(io.StringIO):
    """A pipe whose reader stops after the first piece, as `| head -c 20`."""

    def write(self, text: str) -> int:
        if self.getvalue():
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_reader_that_stops_early_keeps_the_question_in_the_history(
    model_home: Path, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.enqueue(Reply(chunks=["Latent features", " of a diffusion", " autoencoder [1]."]))
    monkeypatch.setattr("sys.stdout", ClosingReader())
    assert main(["ask", QUESTION]) == 0
    monkeypatch.undo()
    (record,) = ChatHistory(model_home / "chat_history.sqlite3").turns(limit=1)
    assert record.turn.question == QUESTION and record.turn.status == "cancelled"
    assert record.turn.answer.startswith("Latent features")
