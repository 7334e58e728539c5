"""``assistant eval`` with odd question files and ``--details`` paths: a byte-order mark is
read, a ``--details`` that cannot be written is refused before any question is asked, and
the abstention table lists the unanswerable questions once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.evaluation import load_questions

LINES = [
    {
        "qid": "u1",
        "question": "Who won the 1998 World Cup?",
        "type": "unanswerable",
        "gold_titles": [],
        "unanswerable_kind": "topic",
    },
    {
        "qid": "s1",
        "question": "What does DAE-Talker use in place of handcrafted facial landmarks?",
        "type": "single",
        "gold_titles": [
            "DAE-Talker: High Fidelity Speech-Driven Talking Face Generation with Diffusion "
            "Autoencoder"
        ],
        "facts": ["diffusion autoencoder"],
    },
]


def write_questions(path: Path, *, prefix: bytes = b"", newline: bytes = b"\n") -> Path:
    body = newline.join(json.dumps(line).encode() for line in LINES) + newline
    path.write_bytes(prefix + body)
    return path


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    # Before: "questions.jsonl:1: not valid JSON (Unexpected UTF-8 BOM …)".
    path = write_questions(tmp_path / "questions.jsonl", prefix=b"\xef\xbb\xbf", newline=b"\r\n")
    assert [q.qid for q in load_questions(path)] == ["u1", "s1"]


@pytest.fixture
def questions(tmp_path: Path, seeded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    return write_questions(tmp_path / "questions.jsonl")


@pytest.mark.parametrize(
    ("details", "problem"),
    [
        (".", "is a folder; name a file in it"),
        ("", "--details needs a file name"),
        ("questions.jsonl", "is the question file; name another file"),
    ],
)
def test_a_details_path_that_cannot_be_written_is_refused_before_the_run(
    questions: Path,
    details: str,
    problem: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(questions.parent)
    original = questions.read_bytes()
    assert main(["eval", str(questions), "--mode", "retrieval", "--details", details]) == 1
    out, err = capsys.readouterr()
    # Before: the whole run, then "cannot write (Is a directory)", or the question file
    # overwritten by the details; an empty name was ignored.
    assert problem in err and err.count("\n") == 1 and err.startswith("error: --details")
    assert "eval: " not in err and out == ""  # refused before the first question
    assert questions.read_bytes() == original


def test_details_still_written_where_asked(
    questions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    details = tmp_path / "why.jsonl"
    assert main(["eval", str(questions), "--mode", "retrieval", "--details", str(details)]) == 0
    assert [json.loads(line)["qid"] for line in details.read_text().splitlines()] == ["u1", "s1"]


def test_the_abstention_table_lists_unanswerable_questions_once(
    questions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(questions), "--mode", "retrieval"]) == 0
    table = capsys.readouterr().out
    section = table[table.index("Abstention") :]
    rows = [line.split()[0] for line in section.splitlines()[2:] if line.strip()]
    assert rows[: rows.index("answerable") + 1] == [
        "single",
        "unanswerable",
        "unanswerable:topic",
        "answerable",
    ]
    assert rows.count("unanswerable") == 1
