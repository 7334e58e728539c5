"""Chat history: conversations and their turns in SQLite under ``settings.home``.

The question is written before its answer streams, and the partial answer is saved as it
grows, so a chat killed mid-answer loses nothing: on reopen the turn is still ``streaming``
and is shown as interrupted. Every call opens its own short-lived connection, so the store
can be used from worker threads without sharing a connection between them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreError
from .results import Answer, Source, Turn

if TYPE_CHECKING:
    from .settings import Settings

HISTORY_FILE = "chat_history.sqlite3"

# A turn's life: streaming -> complete | cancelled. A turn still ``streaming`` when read back
# belongs to a chat that was killed mid-answer.
STREAMING, COMPLETE, CANCELLED = "streaming", "complete", "cancelled"

_SCHEMA = """
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


@dataclass(frozen=True)
class StoredTurn:
    """One question and (possibly partial) answer as saved."""

    id: int
    question: str
    answer: str
    status: str
    mode: str | None = None
    model: str | None = None
    sources: list[Source] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        """The app stopped (killed, crashed) while this answer was streaming."""
        return self.status == STREAMING

    @property
    def partial(self) -> bool:
        """The answer text is incomplete: stopped by the user or interrupted."""
        return self.status != COMPLETE


@dataclass(frozen=True)
class ConversationSummary:
    """A line of the "open a past conversation" list."""

    id: int
    title: str
    updated: float
    turn_count: int


@dataclass(frozen=True)
class Conversation:
    """A saved conversation with its turns, oldest first."""

    id: int
    title: str
    created: float
    turns: list[StoredTurn]

    def as_history(self) -> list[Turn]:
        """The completed turns, as context for a follow-up question."""
        return [Turn(t.question, t.answer) for t in self.turns if t.status == COMPLETE]


class ChatHistory:
    """Conversations persisted in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_settings(cls, settings: Settings) -> ChatHistory:
        """The history file inside the data directory."""
        return cls(Path(settings.home) / HISTORY_FILE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=5.0)) as conn, conn:
                conn.execute("PRAGMA foreign_keys = ON")
                conn.executescript(_SCHEMA)
                yield conn
        except sqlite3.Error as exc:
            raise StoreError(
                f"chat history {self.path} cannot be used ({exc}); "
                "move the file away to start afresh"
            ) from None

    # -- writing ------------------------------------------------------------------------

    def start_conversation(self, title: str) -> int:
        """A new, empty conversation; returns its id."""
        now = time.time()
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO conversations (title, created, updated) VALUES (?, ?, ?)",
                (_title_from(title), now, now),
            )
            return int(cursor.lastrowid or 0)

    def add_question(self, conversation_id: int, question: str) -> int:
        """Save a question before its answer streams; returns the turn id."""
        now = time.time()
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO turns (conversation_id, question, status, created) "
                "VALUES (?, ?, ?, ?)",
                (conversation_id, question, STREAMING, now),
            )
            conn.execute(
                "UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id)
            )
            return int(cursor.lastrowid or 0)

    def save_partial(self, turn_id: int, text: str) -> None:
        """Keep the answer so far, so that a kill loses at most the last few tokens."""
        with self._connect() as conn:
            conn.execute("UPDATE turns SET answer = ? WHERE id = ?", (text, turn_id))

    def finish_turn(self, turn_id: int, answer: Answer) -> None:
        """Store the final answer with its sources."""
        sources = json.dumps([_source_to_dict(s) for s in answer.sources])
        with self._connect() as conn:
            conn.execute(
                "UPDATE turns SET answer = ?, status = ?, mode = ?, model = ?, sources = ? "
                "WHERE id = ?",
                (answer.text, COMPLETE, answer.mode, answer.model, sources, turn_id),
            )

    def cancel_turn(self, turn_id: int, partial_text: str) -> None:
        """The user stopped the answer: keep what had arrived, marked as stopped."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE turns SET answer = ?, status = ? WHERE id = ?",
                (partial_text, CANCELLED, turn_id),
            )

    def delete_turn(self, turn_id: int) -> None:
        """Forget a turn whose answer failed (the question goes back to the input)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM turns WHERE id = ?", (turn_id,))

    # -- reading ------------------------------------------------------------------------

    def conversations(self, limit: int = 50) -> list[ConversationSummary]:
        """Conversations with at least one turn, most recently used first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT c.id, c.title, c.updated, COUNT(t.id) FROM conversations c "
                "JOIN turns t ON t.conversation_id = c.id "
                "GROUP BY c.id ORDER BY c.updated DESC, c.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [ConversationSummary(int(r[0]), r[1], float(r[2]), int(r[3])) for r in rows]

    def load(self, conversation_id: int) -> Conversation:
        """One conversation with all its turns."""
        with self._connect() as conn:
            head = conn.execute(
                "SELECT id, title, created FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if head is None:
                raise StoreError(f"no conversation {conversation_id} in {self.path}")
            rows = conn.execute(
                "SELECT id, question, answer, status, mode, model, sources FROM turns "
                "WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
        turns = [
            StoredTurn(
                id=int(r[0]),
                question=r[1],
                answer=r[2],
                status=r[3],
                mode=r[4],
                model=r[5],
                sources=[Source(**s) for s in json.loads(r[6] or "[]")],
            )
            for r in rows
        ]
        return Conversation(int(head[0]), head[1], float(head[2]), turns)


def _title_from(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= 60 else line[:59].rstrip() + "…"


def _source_to_dict(source: Source) -> dict[str, object]:
    return {
        "n": source.n,
        "paper_id": source.paper_id,
        "title": source.title,
        "passage": source.passage,
        "cited": source.cited,
    }


def conversation_markdown(conversation: Conversation) -> str:
    """The conversation as a Markdown document: each answer followed by its reference list."""
    created = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.created))
    lines = [f"# {conversation.title}", "", f"*Conversation of {created}, paper-assistant.*", ""]
    for number, turn in enumerate(conversation.turns, start=1):
        lines += [f"## {number}. {turn.question}", ""]
        lines.append(turn.answer.strip() or "*(no answer)*")
        if turn.interrupted:
            lines += ["", "*(answer interrupted: the app stopped while it was being written)*"]
        elif turn.status == CANCELLED:
            lines += ["", "*(answer stopped by the user; incomplete)*"]
        cited = [s for s in turn.sources if s.cited]
        if cited:
            lines += ["", "**References**", ""]
            lines += [f"- [{s.n}] {s.title} ({s.paper_id})" for s in cited]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
