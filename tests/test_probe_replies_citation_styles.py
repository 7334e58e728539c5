"""Markers that name the source by another word ("[Paper 1]", "(Abstract 2)"): small models
write them because the sources are papers and abstracts. They count as citations and read as
``[n]``, streamed and whole alike; the paper's own references ("(ref. 12)") still do not."""

from __future__ import annotations

import pytest

from assistant.citations import check_citations

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
BODY = "DAE-Talker uses data-driven latent representations obtained from a diffusion autoencoder"


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("[Paper 1]", "[1]"),
        ("(paper 1)", "[1]"),
        ("[Abstract 1]", "[1]"),
        ("[Papers 1, 9]", "[1]"),
        ("[Document 1]", "[1]"),
        ("[doc 1]", "[1]"),
        ("[citation:1]", "[1]"),
        ("\\[1\\]", "[1]"),  # Markdown-escaped brackets
    ],
)
def test_a_marker_naming_a_paper_or_abstract_is_a_citation(llm, openai_server, written, shown):
    openai_server.enqueue(f"{BODY} {written}.")
    stream = llm.stream_answer(QUESTION)
    streamed = "".join(stream)
    answer = stream.answer
    assert streamed == answer.text == f"{BODY} {shown}."
    assert answer.answered and answer.citations == [1]
    assert answer.claims[0].supported


@pytest.mark.parametrize("text", ["as shown (ref. 12)", "the [Papers] and (documents)"])
def test_words_in_brackets_without_a_number_or_a_papers_own_reference_stay_text(text):
    check = check_citations(text, 3)
    assert check.text == text and check.cited == []


@pytest.mark.parametrize(
    "written",
    [
        "(Source 1, Source 2)",
        "[Source 1, Source 2]",
        "[Sources 1 and 2]",
        "(Sources 1 and 2)",
        "(Document 1; Document 2)",
        "\\[1, 2\\]",
    ],
)
def test_a_marker_naming_several_sources_cites_each(llm, openai_server, written):
    openai_server.enqueue(f"{BODY} {written}.")
    stream = llm.stream_answer(QUESTION)
    streamed = "".join(stream)
    answer = stream.answer
    assert streamed == answer.text == f"{BODY} [1, 2]."
    assert answer.answered and answer.citations == [1, 2]


@pytest.mark.parametrize("interval", ["scaled to [0, 1]", "rated on a scale of [1, 5]"])
def test_an_interval_is_no_citation_and_the_reply_no_grounded_answer(llm, openai_server, interval):
    openai_server.enqueue(f"{BODY}, {interval}.")
    answer = llm.answer(QUESTION)
    assert answer.text.startswith(f"{BODY}, {interval}.\n\n(Not a grounded answer")
    assert not answer.answered and answer.citations == [] and answer.invalid_citations == []
