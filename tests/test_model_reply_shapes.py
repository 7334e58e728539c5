"""Answers as models really write them, end to end through the loopback OpenAI server: a
reference list of their own at the end, tables, code, other citation styles, refusals."""

from __future__ import annotations

import pytest

from assistant.answering.claims import split_claims
from assistant.citations import reference_list_start

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


# -- a reference list the model appended ------------------------------------------------------


@pytest.mark.parametrize(
    "listing",
    [
        "Sources:\n[1] DAE-Talker\n[2] Another paper",
        "**References**\n- [1] DAE-Talker\n- [2] Another paper",
        "### Sources\n1. DAE-Talker [1]\n2. Another paper [2]",
    ],
)
def test_a_reference_list_at_the_end_is_neither_citations_nor_claims(llm, openai_server, listing):
    openai_server.enqueue(f"DAE-Talker uses diffusion autoencoder latents [1].\n\n{listing}")
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]
    assert [s.n for s in answer.sources if s.cited] == [1]
    assert [c.text for c in answer.claims] == ["DAE-Talker uses diffusion autoencoder latents [1]."]
    assert answer.text.endswith(listing)  # what was shown stays the answer's text


def test_a_list_followed_by_prose_is_part_of_the_answer():
    text = "Sources differ:\n[1] uses latents.\nBoth agree on speed [2]."
    assert reference_list_start(text) is None
    assert reference_list_start("A [1].\n\nReferences:\n\n[1] X\n") == len("A [1].\n\n")


# -- tables and code ---------------------------------------------------------------------------


def test_table_headers_rules_and_code_are_not_claims():
    text = (
        "| Paper | Method |\n|:---|---:|\n| DAE-Talker [1] | latents |\n\n"
        "```python\nmodel = Talker()  # [1]\n```\n\nBoth use diffusion [1, 2]."
    )
    claims = split_claims(text)
    assert [(c.text, c.citations) for c in claims] == [
        ("| DAE-Talker [1] | latents |", [1]),
        ("Both use diffusion [1, 2].", [1, 2]),
    ]


def test_a_table_answer_gets_no_uncited_header_warning(llm, openai_server):
    openai_server.enqueue(
        "| Paper | What it uses |\n|---|---|\n| DAE-Talker | diffusion autoencoder latents [1] |"
    )
    answer = llm.answer(QUESTION)
    assert answer.answered
    assert [c.citations for c in answer.claims] == [[1]]


def test_a_reply_that_is_only_a_list_under_a_sources_heading_is_the_answer(llm, openai_server):
    openai_server.enqueue("Sources:\n[1] DAE-Talker uses diffusion autoencoder latents.")
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]


# -- citation styles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("【1】", "[1]"),
        ("［1］", "[1]"),
        ("[^1]", "[1]"),
        ("[1; 2]", "[1, 2]"),
        ("【1, 9】", "[1]"),
        ("[1, 2]", "[1, 2]"),
        ("[1-2]", "[1-2]"),
        ("[Source 1]", "[1]"),
        ("[source: 1, 2]", "[1, 2]"),
        ("(Source 1)", "[1]"),
        ("(Sources 1; 9)", "[1]"),
    ],
)
def test_citation_styles_models_write_count_and_read_as_n(llm, openai_server, written, shown):
    openai_server.enqueue(f"DAE-Talker uses diffusion autoencoder latents {written}.")
    stream = llm.stream_answer(QUESTION)
    streamed = "".join(stream)
    answer = stream.answer
    assert streamed == answer.text == f"DAE-Talker uses diffusion autoencoder latents {shown}."
    assert answer.answered and 1 in answer.citations
    assert answer.claims[0].citations == answer.citations


def test_brackets_that_are_no_marker_stay_text(llm, openai_server):
    openai_server.enqueue("DAE-Talker uses latents【注】 and a[i] [^x] [1].")
    answer = llm.answer(QUESTION)
    assert answer.text == "DAE-Talker uses latents【注】 and a[i] [^x] [1]."


def test_parentheses_without_the_word_source_stay_text(llm, openai_server):
    text = "DAE-Talker (1) uses latents (see [1]) in f(x) (source code) and (sources) [1]."
    openai_server.enqueue(text)
    answer = llm.answer(QUESTION)
    assert answer.text == text and answer.citations == [1]
