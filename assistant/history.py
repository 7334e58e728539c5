"""Chat history: conversations and their turns in SQLite under ``settings.home``.

The question is written before its answer streams, and the partial answer is saved as it
grows, so a chat killed mid-answer loses nothing: on reopen the turn is still ``streaming``
and is shown as interrupted. Every call opens its own short-lived connection, so the store
can be used from worker threads without sharing a connection between them.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answer_notes import caveat_notes, claim_warnings
from .errors import StoreError
from .files import storage_failure
from .results import Answer, Claim, Source, Turn
from .terminal import printable

if TYPE_CHECKING:
    from .settings import Settings

HISTORY_FILE = "chat_history.sqlite3"

# A turn's life: streaming -> complete | cancelled. A turn still ``streaming`` when read back
# belongs to a chat that was killed mid-answer.
STREAMING, COMPLETE, CANCELLED = "streaming", "complete", "cancelled"

# Each entry brings a database from the version before it to its own (``PRAGMA user_version``
# counts the entries applied). Databases written before versioning hold the first one's
# tables with version 0; its ``IF NOT EXISTS`` makes it a no-op for them. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS turns (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            question TEXT NOT NULL,
            answer TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            mode TEXT,
            model TEXT,
            sources TEXT NOT NULL DEFAULT '[]',
            created REAL NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, id)",
    ),
    # Timings of each answer, and which way in (the chat app or the CLI) asked it.
    (
        "ALTER TABLE turns ADD COLUMN timings TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE turns ADD COLUMN origin TEXT NOT NULL DEFAULT 'chat'",
    ),
    # What to trust in a saved answer: its checked claims, the model's reasoning, whether it
    # was cut at the token limit and whether it is a grounded answer at all.
    (
        "ALTER TABLE turns ADD COLUMN claims TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE turns ADD COLUMN reasoning TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE turns ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE turns ADD COLUMN answered INTEGER NOT NULL DEFAULT 1",
    ),
    # What the papers found lacked although the question was answered.
    ("ALTER TABLE turns ADD COLUMN caveats TEXT NOT NULL DEFAULT '[]'",),
    # The rest of what `assistant ask --json` gives, so a saved answer reads back as whole.
    (
        "ALTER TABLE turns ADD COLUMN citations TEXT",
        "ALTER TABLE turns ADD COLUMN invalid_citations TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE turns ADD COLUMN standalone_question TEXT",
        "ALTER TABLE turns ADD COLUMN usage TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE turns ADD COLUMN extractive INTEGER",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the database to ``SCHEMA_VERSION``, one migration at a time, atomically."""
    if _schema_version(conn) == SCHEMA_VERSION:
        return  # nothing to write: a history on a read-only disk can still be read
    previous = conn.isolation_level
    conn.isolation_level = None  # explicit transactions: DDL and the version move together
    try:
        # IMMEDIATE: a second process starting at the same moment waits, then sees the
        # new version instead of applying the same migration twice.
        conn.execute("BEGIN IMMEDIATE")
        version = _schema_version(conn)
        if version > SCHEMA_VERSION:
            conn.execute("ROLLBACK")
            raise StoreError(
                f"the chat history was written by a newer paper-assistant (schema {version}); "
                "upgrade it to use this history"
            )
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except sqlite3.Error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.isolation_level = previous


def _schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


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
    created: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    origin: str = "chat"
    """``chat`` (the chat app) or ``cli`` (``assistant ask``)."""
    claims: list[Claim] = field(default_factory=list)
    """The answer's sentences as checked against their sources (empty before the check)."""
    reasoning: str = ""
    truncated: bool = False
    answered: bool = True
    """False for a decline, a refusal, or a reply that cited nothing."""
    caveats: list[str] = field(default_factory=list)
    """What the papers found lacked although the question was answered (``Answer.caveats``)."""
    citations: list[int] = field(default_factory=list)
    """Source numbers the answer cites, in order of first use (``Answer.citations``)."""
    invalid_citations: list[int] = field(default_factory=list)
    standalone_question: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    extractive: bool = False

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
class TurnRecord:
    """A past turn with the conversation it belongs to (``assistant history``)."""

    conversation_id: int
    turn: StoredTurn

    def to_dict(self) -> dict[str, object]:
        """The ``assistant history --json`` shape of one turn."""
        turn = self.turn
        return {
            "conversation_id": self.conversation_id,
            "turn_id": turn.id,
            "created": turn.created,
            "origin": turn.origin,
            "question": turn.question,
            "answer": turn.answer,
            "status": turn.status,
            "mode": turn.mode,
            "model": turn.model,
            "sources": [_source_to_dict(s) for s in turn.sources],
            "timings": dict(turn.timings),
            "answered": turn.answered,
            "claims": [claim.to_dict() for claim in turn.claims],
            "reasoning": turn.reasoning,
            "truncated": turn.truncated,
            "caveats": list(turn.caveats),
            "citations": list(turn.citations),
            "invalid_citations": list(turn.invalid_citations),
            "standalone_question": turn.standalone_question,
            "usage": dict(turn.usage),
            "extractive": turn.extractive,
        }


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
        self._migrated = False

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
                if not self._migrated:
                    migrate(conn)
                    self._migrated = True
                yield conn
        except (sqlite3.Error, OSError) as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: sqlite3.Error | OSError) -> StoreError:
        """What to tell the user: a full or read-only disk is not cured by moving the file."""
        failure = storage_failure(exc, self.path)
        if failure is not None:
            return failure
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            return StoreError(
                f"the data directory {folder} is a file, not a folder; set ASSISTANT_HOME "
                "(or --home) to a folder"
            )
        if self.path.is_dir():
            return StoreError(f"chat history {self.path} is a folder, not a file; move it away")
        if isinstance(exc, OSError):
            return StoreError(f"chat history {self.path} cannot be used ({exc.strerror or exc})")
        if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF == _SQLITE_BUSY:
            return StoreError(
                f"chat history {self.path} is locked by another program; try again in a moment"
            )
        return StoreError(
            f"chat history {self.path} cannot be used ({exc}); move the file away to start afresh"
        )

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

    def add_question(self, conversation_id: int, question: str, *, origin: str = "chat") -> int:
        """Save a question before its answer streams; returns the turn id."""
        now = time.time()
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO turns (conversation_id, question, status, created, origin) "
                "VALUES (?, ?, ?, ?, ?)",
                (conversation_id, question, STREAMING, now, origin),
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
        timings = json.dumps(answer.timings)
        claims = json.dumps([claim.to_dict() for claim in answer.claims])
        with self._connect() as conn:
            conn.execute(
                "UPDATE turns SET answer = ?, status = ?, mode = ?, model = ?, sources = ?, "
                "timings = ?, claims = ?, reasoning = ?, truncated = ?, answered = ?, "
                "caveats = ?, citations = ?, invalid_citations = ?, standalone_question = ?, "
                "usage = ?, extractive = ? WHERE id = ?",
                (
                    answer.text,
                    COMPLETE,
                    answer.mode,
                    answer.model,
                    sources,
                    timings,
                    claims,
                    answer.reasoning,
                    int(answer.truncated),
                    int(answer.answered),
                    json.dumps(answer.caveats),
                    json.dumps(answer.citations),
                    json.dumps(answer.invalid_citations),
                    answer.standalone_question,
                    json.dumps(answer.usage),
                    int(answer.extractive),
                    turn_id,
                ),
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
        return [ConversationSummary(int(r[0]), _text(r[1]), _number(r[2]), int(r[3])) for r in rows]

    def load(self, conversation_id: int) -> Conversation:
        """One conversation with all its turns."""
        if not 0 < conversation_id <= _SQLITE_MAX_INTEGER:  # SQLite could not even look
            raise StoreError(f"no conversation {conversation_id} in {self.path}")
        with self._connect() as conn:
            head = conn.execute(
                "SELECT id, title, created FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if head is None:
                raise StoreError(f"no conversation {conversation_id} in {self.path}")
            rows = conn.execute(
                f"SELECT {_TURN_COLUMNS} FROM turns WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
        turns = [_turn(r) for r in rows]
        return Conversation(int(head[0]), _text(head[1]), _number(head[2]), turns)

    def latest_conversation_id(self) -> int | None:
        """The conversation used most recently (by the chat app or ``ask``), if any."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT conversation_id FROM turns ORDER BY created DESC, id DESC LIMIT 1"
            ).fetchone()
        return int(row[0]) if row else None

    def turns(self, *, limit: int = 20, query: str | None = None) -> list[TurnRecord]:
        """The latest turns, newest first; with ``query``, those whose question or answer
        contains it (case-insensitive)."""
        where, parameters = "", []
        if query:
            pattern = "%" + _LIKE_SPECIAL.sub(r"\\\g<0>", query) + "%"
            where = "WHERE question LIKE ? ESCAPE '\\' OR answer LIKE ? ESCAPE '\\'"
            parameters = [pattern, pattern]
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_TURN_COLUMNS}, conversation_id FROM turns {where} "
                "ORDER BY created DESC, id DESC LIMIT ?",
                (*parameters, min(limit, _SQLITE_MAX_INTEGER)),
            ).fetchall()
        return [TurnRecord(int(r[-1]), _turn(r)) for r in rows]

    def recent_questions(self, limit: int = 100) -> list[str]:
        """Questions asked before, oldest first, each once (for recall with Up)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT question FROM turns GROUP BY question ORDER BY MAX(id) DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_text(r[0]) for r in reversed(rows) if _text(r[0]).strip()]


class TurnRecorder:
    """Keeps one question and its answer in the history, but never stands between a user
    and an answer: when the history cannot be written (a read-only or full disk, a damaged
    file) the first failure is kept in ``failure`` for a one-line warning, and the steps
    after it are skipped. Reading the history (to follow a conversation up) is not this
    class's business: an error there still stops the command."""

    def __init__(
        self, history: ChatHistory, conversation_id: int | None, question: str, *, origin: str
    ) -> None:
        """Save ``question`` (in a new conversation when ``conversation_id`` is ``None``)
        before its answer is sought."""
        self.history = history
        self.conversation_id = conversation_id
        self.turn_id: int | None = None
        self.failure: StoreError | None = None
        self._attempt(self._start, question, origin)

    def save_partial(self, text: str) -> None:
        """Keep the answer so far, so that a kill loses at most the last few tokens."""
        if self.turn_id is not None:
            self._attempt(self.history.save_partial, self.turn_id, text)

    def finish(self, answer: Answer) -> None:
        """Store the final answer."""
        if self.turn_id is not None:
            self._attempt(self.history.finish_turn, self.turn_id, answer)

    def cancel(self, partial_text: str) -> None:
        """The user stopped the answer: keep what had arrived."""
        if self.turn_id is not None:
            self._attempt(self.history.cancel_turn, self.turn_id, partial_text)

    def forget(self) -> None:
        """The answer failed: drop the question saved for it."""
        if self.turn_id is not None:
            self._attempt(self.history.delete_turn, self.turn_id)

    def _start(self, question: str, origin: str) -> None:
        if self.conversation_id is None:
            self.conversation_id = self.history.start_conversation(question)
        self.turn_id = self.history.add_question(self.conversation_id, question, origin=origin)

    def _attempt(self, step: Callable[..., object], *args: object) -> None:
        if self.failure is not None:
            return
        try:
            step(*args)
        except StoreError as exc:
            self.failure = exc


_SQLITE_BUSY = 5
_LIKE_SPECIAL = re.compile(r"[\\%_]")
_SQLITE_MAX_INTEGER = 2**63 - 1
_TURN_COLUMNS = (
    "id, question, answer, status, mode, model, sources, created, timings, origin, "
    "claims, reasoning, truncated, answered, caveats, citations, invalid_citations, "
    "standalone_question, usage, extractive"
)


def _turn(row: Sequence[Any]) -> StoredTurn:
    # Read leniently: a row damaged by hand or by another program (text where JSON belongs,
    # a blob for a question) shows what it still holds instead of making the history unusable.
    sources = _sources(row[6])
    mode = _text(row[4]) or None
    answered = _number(row[13]) != 0
    return StoredTurn(
        id=int(row[0]),
        question=_text(row[1]),
        answer=_text(row[2]),
        status=_text(row[3]),
        mode=mode,
        model=_text(row[5]) or None,
        sources=sources,
        created=_number(row[7]),
        timings=_timings(row[8]),
        origin=_text(row[9]) or "chat",
        claims=_claims(row[10]),
        reasoning=_text(row[11]),
        truncated=_number(row[12]) != 0,
        answered=answered,
        caveats=_strings(row[14]),
        citations=_citations(row[15], sources),
        invalid_citations=_numbers(row[16]),
        standalone_question=_text(row[17]) or None,
        usage=_counts(row[18]),
        extractive=_extractive(row[19], answered=answered, mode=mode),
    )


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def _json(value: object) -> object:
    try:
        return json.loads(_text(value) or "null")
    except ValueError:
        return None


def _timings(value: object) -> dict[str, float]:
    data = _json(value)
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, (int, float))}


def _counts(value: object) -> dict[str, int]:
    data = _json(value)
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}


def _strings(value: object) -> list[str]:
    data = _json(value)
    return [item for item in data if isinstance(item, str)] if isinstance(data, list) else []


def _numbers(value: object) -> list[int]:
    data = _json(value)
    items = data if isinstance(data, list) else []
    return [item for item in items if isinstance(item, int) and not isinstance(item, bool)]


def _citations(value: object, sources: list[Source]) -> list[int]:
    # Answers saved before citations were stored: their cited sources, in source order.
    if value is None:
        return [source.n for source in sources if source.cited]
    return _numbers(value)


def _extractive(value: object, *, answered: bool, mode: str | None) -> bool:
    # Answers saved before the flag was: an offline answer that answered was quoted.
    if value is None:
        return answered and mode == "extractive"
    return _number(value) != 0


def _claims(value: object) -> list[Claim]:
    data = _json(value)
    claims = []
    for item in data if isinstance(data, list) else []:
        try:
            claims.append(Claim.from_dict(item))
        except (TypeError, ValueError, KeyError, AttributeError):
            continue  # an entry damaged by hand: the others still show
    return claims


def _sources(value: object) -> list[Source]:
    data = _json(value)
    items = data if isinstance(data, list) else []
    return [source for source in map(_source, items) if source is not None]


def _source(item: object) -> Source | None:
    """A stored source, or ``None`` when the entry is not one."""
    if not isinstance(item, dict):
        return None
    try:
        source = Source(**item)
    except (TypeError, ValueError):
        return None
    well_formed = (
        isinstance(source.n, int)
        and isinstance(source.paper_id, str)
        and isinstance(source.title, str)
        and all(isinstance(passage, str) for passage in source.passages)
    )
    return source if well_formed else None


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
        "metadata": dict(source.metadata),
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
        elif turn.truncated:
            lines += ["", "*(cut off at the model's token limit; incomplete)*"]
        warnings = caveat_notes(turn.caveats) + claim_warnings(turn.claims)
        if warnings:
            lines += ["", *(f"- {warning}" for warning in warnings)]
        cited = [s for s in turn.sources if s.cited]
        if cited:
            lines += ["", "**References**", ""]
            lines += [f"- [{s.n}] {s.title} ({s.paper_id})" for s in cited]
        lines.append("")
    # An export is read in a terminal too: no control characters from the data in it.
    return printable("\n".join(lines).rstrip() + "\n")
