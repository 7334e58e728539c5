"""Evaluation question files: JSON Lines, one question a line, checked as they are read.

Each line is an object with ``qid``, ``question``, ``type``, ``gold_titles`` and ``facts``
(see ``eval/README.md``). Blank lines are skipped; anything else that is wrong stops loading
with an :class:`~assistant.errors.EvalError` naming the file and the line, because a
silently skipped question would change the numbers without anyone noticing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EvalError

UNANSWERABLE = "unanswerable"
"""The question type the collection cannot answer; it has no gold papers and no facts."""
UNANSWERABLE_KINDS = ("topic", "entity", "detail")
"""Why an unanswerable question is: its topic, its named entity, or the detail it asks for
is absent (the last from an abstract that is otherwise on topic)."""
SPLITS = ("dev", "test")
"""Tune on ``dev``, report on ``test``."""


@dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation set, with what a right answer looks like."""

    qid: str
    question: str
    type: str
    gold_titles: tuple[str, ...]
    """Titles of the papers that answer it (empty when ``unanswerable``)."""
    facts: tuple[str, ...]
    """Short strings a correct answer should contain (compared case-insensitively)."""
    line: int = 0
    """Line number in the file it came from (1-based), for messages."""
    unanswerable_kind: str | None = None
    """For unanswerable questions, optionally: ``topic``, ``entity`` or ``detail``."""
    split: str | None = None
    """``dev`` or ``test`` when the file says so."""

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read and check a question file; ``EvalError`` ("file:line: problem") on a bad line."""
    path = Path(path)
    try:
        # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalError(f"{path}: no such question file") from None
    except UnicodeDecodeError as exc:
        raise EvalError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise EvalError(f"{path}: cannot read ({exc.strerror or exc})") from None

    questions: list[EvalQuestion] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        question = parse_question(raw, path=path, line=number)
        if question.qid in first_line_of:
            raise _bad(
                path,
                number,
                f"qid {question.qid!r} already used on line {first_line_of[question.qid]}",
            )
        first_line_of[question.qid] = number
        questions.append(question)
    if not questions:
        raise EvalError(f"{path}: no questions (expected one JSON object per line)")
    return questions


def parse_question(raw: str, *, path: str | Path = "<questions>", line: int = 0) -> EvalQuestion:
    """One line of a question file as an ``EvalQuestion``; ``EvalError`` if it is malformed."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _bad(path, line, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise _bad(path, line, f"expected a JSON object, got {_json_type(data)}")

    qid = _text_field(data, "qid", path, line)
    question = _text_field(data, "question", path, line)
    qtype = _text_field(data, "type", path, line)
    gold = _text_list_field(data, "gold_titles", path, line, required=True)
    facts = _text_list_field(data, "facts", path, line, required=False)
    kind = _choice_field(data, "unanswerable_kind", UNANSWERABLE_KINDS, path, line)
    split = _choice_field(data, "split", SPLITS, path, line)
    if kind is not None and qtype != UNANSWERABLE:
        raise _bad(path, line, f"{qid}: unanswerable_kind is only for type {UNANSWERABLE!r}")

    if qtype == UNANSWERABLE and (gold or facts):
        raise _bad(path, line, f"{qid}: an unanswerable question has no gold_titles and no facts")
    if qtype != UNANSWERABLE and not gold:
        raise _bad(
            path,
            line,
            f"{qid}: gold_titles is empty; list the answering papers or use type {UNANSWERABLE!r}",
        )
    return EvalQuestion(qid, question, qtype, tuple(gold), tuple(facts), line, kind, split)


def select_split(questions: list[EvalQuestion], split: str | None) -> list[EvalQuestion]:
    """The questions of one split (all of them for ``None``); ``EvalError`` if none match."""
    if split is None:
        return questions
    if split not in SPLITS:
        raise EvalError(f"--split must be one of {', '.join(SPLITS)}, got {split!r}")
    chosen = [q for q in questions if q.split == split]
    if not chosen:
        raise EvalError(
            f'no question has split {split!r}; add "split": "{split}" to the lines '
            "of that split, or leave --split out to use every question"
        )
    return chosen


def _text_field(data: dict[str, Any], name: str, path: str | Path, line: int) -> str:
    if name not in data:
        raise _bad(path, line, f"missing field {name!r}")
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise _bad(path, line, f"field {name!r} must be non-empty text, got {_json_type(value)}")
    return value.strip()


def _text_list_field(
    data: dict[str, Any], name: str, path: str | Path, line: int, *, required: bool
) -> list[str]:
    if name not in data:
        if required:
            raise _bad(path, line, f"missing field {name!r}")
        return []
    value = data[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _bad(path, line, f"field {name!r} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _choice_field(
    data: dict[str, Any], name: str, choices: tuple[str, ...], path: str | Path, line: int
) -> str | None:
    if data.get(name) is None:
        return None
    value = data[name]
    if value not in choices:
        raise _bad(path, line, f"field {name!r} must be one of {', '.join(choices)}, got {value!r}")
    return str(value)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if isinstance(value, str) and not value.strip():
        return "empty text"
    return names.get(type(value), "a number")


def _bad(path: str | Path, line: int, problem: str) -> EvalError:
    return EvalError(f"{path}:{line}: {problem}")
