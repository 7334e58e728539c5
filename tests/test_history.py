"""Chat history: saved before streaming, partial answers marked, reopened, exported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.errors import StoreError
from assistant.history import (
    CANCELLED,
    COMPLETE,
    STREAMING,
    ChatHistory,
    conversation_markdown,
)
from assistant.results import Answer, Claim, Source, Turn
from assistant.settings import Settings

TRUST_COLUMNS = ("claims", "reasoning", "truncated", "answered", "caveats")
ANSWER_RECORD_COLUMNS = (
    "citations",
    "invalid_citations",
    "standalone_question",
    "usage",
    "extractive",
)


def _answer(question: str, text: str) -> Answer:
    sources = [
        Source(1, "p1", "Diffusion talking heads", "passage one", cited=True),
        Source(2, "p2", "Uncited neighbour", "passage two", cited=False),
    ]
    return Answer(question, text, True, "llm", sources, [1], model="test-model")


def test_question_is_saved_before_the_answer(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    chat = history.start_conversation("What does DAE-Talker use?")
    turn = history.add_question(chat, "What does DAE-Talker use?")

    saved = history.load(chat)

    assert [t.question for t in saved.turns] == ["What does DAE-Talker use?"]
    assert saved.turns[0].id == turn
    assert saved.turns[0].status == STREAMING
    assert saved.turns[0].interrupted


def test_partial_answer_survives_a_kill_and_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = ChatHistory(path)
    chat = history.start_conversation("q")
    turn = history.add_question(chat, "q")
    history.save_partial(turn, "The first half")
    # A new process opening the same file (the app was killed mid-answer).
    reopened = ChatHistory(path).load(chat)

    assert reopened.turns[0].answer == "The first half"
    assert reopened.turns[0].partial and reopened.turns[0].interrupted
    assert "interrupted" in conversation_markdown(reopened)
    assert reopened.as_history() == []  # an unfinished answer is no context for follow-ups


def test_finished_and_cancelled_turns(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    chat = history.start_conversation("first question")
    done = history.add_question(chat, "first question")
    history.finish_turn(done, _answer("first question", "Diffusion features [1]."))
    stopped = history.add_question(chat, "second question")
    history.cancel_turn(stopped, "Half an")

    turns = history.load(chat).turns

    assert [t.status for t in turns] == [COMPLETE, CANCELLED]
    assert turns[0].sources[0] == Source(1, "p1", "Diffusion talking heads", "passage one", True)
    assert turns[0].model == "test-model"
    assert turns[1].answer == "Half an" and turns[1].partial and not turns[1].interrupted
    assert history.load(chat).as_history() == [Turn("first question", "Diffusion features [1].")]


def test_what_to_trust_in_an_answer_is_saved_with_it(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    chat = history.start_conversation("q")
    claims = [
        Claim("Diffusion features [1].", [1], True, 0.9),
        Claim("It runs on phones [2].", [2], False, 0.2),
    ]
    answer = Answer(
        "q",
        "Diffusion features [1]. It runs on phones [2].",
        True,
        "llm",
        [],
        [1, 2],
        claims=claims,
        reasoning="Source 1 says so.",
        truncated=True,
        caveats=["no paper found mentions XLM-E"],
    )
    history.finish_turn(history.add_question(chat, "q"), answer)
    declined = history.add_question(chat, "q2")
    history.finish_turn(
        declined, Answer("q2", "The collection does not answer this.", False, "llm", [], [])
    )

    first, second = history.load(chat).turns
    assert first.claims == claims and first.reasoning == "Source 1 says so."
    assert first.truncated and first.answered
    assert first.caveats == ["no paper found mentions XLM-E"] and second.caveats == []
    assert not second.answered and second.claims == [] and not second.truncated
    exported = conversation_markdown(history.load(chat))
    assert "- note: no paper found mentions XLM-E; check the sources before" in exported
    assert "- ⚠ not supported by [2]: It runs on phones [2]." in exported
    assert "cut off at the model's token limit" in exported


def test_a_history_of_the_previous_schema_is_migrated_with_trust_defaults(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = ChatHistory(path)
    chat = history.start_conversation("q")
    history.finish_turn(history.add_question(chat, "q"), _answer("q", "Diffusion features [1]."))
    with sqlite3.connect(path) as conn:  # as the previous release left it
        for column in TRUST_COLUMNS + ANSWER_RECORD_COLUMNS:
            conn.execute(f"ALTER TABLE turns DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 2")
    conn.close()

    (turn,) = ChatHistory(path).load(chat).turns
    assert turn.answer == "Diffusion features [1]."
    assert turn.answered and turn.claims == [] and turn.reasoning == "" and not turn.truncated
    assert turn.caveats == []


def test_a_history_without_citation_columns_reads_them_from_its_sources(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = ChatHistory(path)
    chat = history.start_conversation("q")
    history.finish_turn(history.add_question(chat, "q"), _answer("q", "Diffusion features [1]."))
    offline = Answer("q", "A quote [1].", True, "extractive", [], [1])
    history.finish_turn(history.add_question(chat, "q"), offline)
    with sqlite3.connect(path) as conn:  # as the release before them left it
        for column in ANSWER_RECORD_COLUMNS:
            conn.execute(f"ALTER TABLE turns DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 4")
    conn.close()

    (turn, quoted) = ChatHistory(path).load(chat).turns
    assert turn.citations == [1] and turn.invalid_citations == [] and turn.usage == {}
    assert turn.standalone_question is None and not turn.extractive
    assert quoted.extractive


def test_conversations_lists_recent_first_and_skips_empty_ones(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    older = history.start_conversation("older")
    history.add_question(older, "older")
    history.start_conversation("never asked anything")
    newer = history.start_conversation("a very long first question " * 5)
    history.add_question(newer, "newer")

    listed = history.conversations()

    assert [c.id for c in listed] == [newer, older]
    assert len(listed[0].title) <= 60 and listed[0].title.endswith("…")
    assert listed[1].turn_count == 1


def test_delete_turn_forgets_a_failed_question(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    chat = history.start_conversation("q")
    turn = history.add_question(chat, "q")
    history.delete_turn(turn)
    assert history.load(chat).turns == []


def test_markdown_export_has_reference_lists_of_cited_sources(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    chat = history.start_conversation("What does DAE-Talker use?")
    turn = history.add_question(chat, "What does DAE-Talker use?")
    history.finish_turn(turn, _answer("What does DAE-Talker use?", "Diffusion features [1]."))

    text = conversation_markdown(history.load(chat))

    assert text.startswith("# What does DAE-Talker use?\n")
    assert "## 1. What does DAE-Talker use?" in text
    assert "Diffusion features [1]." in text
    assert "**References**" in text
    assert "- [1] Diffusion talking heads (p1)" in text
    assert "Uncited neighbour" not in text


def test_history_lives_in_the_data_directory(tmp_path: Path) -> None:
    history = ChatHistory.for_settings(Settings(home=tmp_path / "data"))
    history.start_conversation("q")
    assert (tmp_path / "data" / "chat_history.sqlite3").is_file()


def test_unknown_conversation_and_broken_file_are_store_errors(tmp_path: Path) -> None:
    history = ChatHistory(tmp_path / "h.sqlite3")
    with pytest.raises(StoreError, match="no conversation 42"):
        history.load(42)
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="move the file away"):
        ChatHistory(broken).conversations()
    # The sqlite3 error did not leak as such.
    with pytest.raises(StoreError) as info:
        ChatHistory(broken).start_conversation("q")
    assert not isinstance(info.value, sqlite3.Error)
