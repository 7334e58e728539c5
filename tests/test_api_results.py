"""The result types as a script author uses them: to JSON and back, printed."""

from __future__ import annotations

import json

import pytest

from assistant import Answer, Claim, Source

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


def through_json(answer: Answer) -> Answer:
    return Answer.from_dict(json.loads(json.dumps(answer.to_dict())))


def test_an_answer_read_back_from_its_json_is_the_same_answer(seeded_assistant):
    answer = seeded_assistant.answer(QUESTION)
    assert answer.claims and answer.sources  # a full answer, not a decline
    again = through_json(answer)
    assert again == answer and again.timings == answer.timings


def test_every_field_survives_json(llm_answer_fields):
    answer = Answer(**llm_answer_fields)
    again = through_json(answer)
    assert again == answer
    assert again.sources[0].metadata == answer.sources[0].metadata
    assert again.sources[0].passages == ["one … with the joiner inside", "two"]


@pytest.fixture
def llm_answer_fields():
    return {
        "question": "q",
        "text": "A [1].",
        "answered": True,
        "mode": "llm",
        "sources": [
            Source(
                1,
                "p1",
                "Title",
                ["one … with the joiner inside", "two"],
                True,
                metadata={"authors": ["A. Author"], "year": 2024, "doi": "10.1/x", "venue": "V"},
            ),
            Source(2, "p2", "Other", "only passage"),
        ],
        "citations": [1],
        "model": "m",
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
        "timings": {"total_ms": 12.5},
        "invalid_citations": [9],
        "standalone_question": "What is q?",
        "claims": [Claim("A [1].", [1], True, 0.75)],
        "reasoning": "thought",
        "truncated": True,
        "caveats": ["no paper found mentions XLM-E"],
    }


def test_the_json_says_which_markers_were_removed_and_the_rewritten_question(llm_answer_fields):
    data = Answer(**llm_answer_fields).to_dict()
    assert data["invalid_citations"] == [9] and data["standalone_question"] == "What is q?"
    assert data["sources"][0]["doi"] == "10.1/x" and data["sources"][1]["doi"] is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"question": "q"},
        [],
        {
            "question": "q",
            "answer": "a",
            "answered": True,
            "mode": "llm",
            "sources": "x",
            "citations": [],
        },
    ],
)
def test_a_dict_that_is_no_answer_is_one_value_error(data):
    with pytest.raises(ValueError, match=r"^not an answer as Answer\.to_dict\(\) writes it \("):
        Answer.from_dict(data)


def test_printing_an_answer_prints_its_text(llm_answer_fields):
    assert str(Answer(**llm_answer_fields)) == "A [1]."
