"""Lists of sources models write after an answer besides a headed list: footnote definitions
and a one-line "Sources: [1], [2]". They cite no sentence and claim nothing, so they neither
make an uncited answer grounded nor get a warning of their own."""

from __future__ import annotations

import pytest

from assistant.answering import MODEL_UNCITED
from assistant.citations import reference_list_start

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
BODY = "DAE-Talker uses data-driven latent representations obtained from a diffusion autoencoder"


@pytest.mark.parametrize(
    "listing",
    [
        "Sources: [1], [2]",
        "**Sources:** [1][2]",
        "**References**: [1] DAE-Talker; [2] Talking Heads",
    ],
)
def test_a_one_line_list_after_a_cited_answer_is_no_claim(llm, openai_server, listing):
    openai_server.enqueue(f"{BODY} [1].\n\n{listing}")
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]
    assert [claim.text for claim in answer.claims] == [f"{BODY} [1]."]
    assert answer.claims[0].supported
    assert answer.text.endswith(listing)


def test_a_one_line_list_does_not_ground_an_answer_whose_sentences_cite_nothing(llm, openai_server):
    openai_server.enqueue(f"{BODY}.\n\nSources: [1]")
    answer = llm.answer(QUESTION)
    assert not answer.answered and answer.claims == []
    assert answer.text.endswith(MODEL_UNCITED)


def test_footnote_definitions_are_no_claims(llm, openai_server):
    openai_server.enqueue(f"{BODY}[^1].\n\n[^1]: DAE-Talker: High Fidelity Talking Face Generation")
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]
    assert [claim.text for claim in answer.claims] == [f"{BODY}[1]."]
    assert answer.claims[0].supported


@pytest.mark.parametrize(
    "text",
    [
        "Summary:\n[1]: DAE-Talker uses latents.\n[2]: Others use landmarks.",  # per source
        "A [1].\nSources [1] and [2] agree that diffusion helps.",  # prose, no list
        "[1]: DAE-Talker uses latents.",  # the whole reply
    ],
)
def test_what_only_looks_like_a_list_of_sources_stays_the_answer(text):
    assert reference_list_start(text) is None


SECOND = "It outperforms existing popular methods in lip-sync, video fidelity, and pose naturalness"


@pytest.mark.parametrize(
    "listing", ["(Source: [1])", "(Sources: [1], [2])", "\n(Source: [1])", "\n\n(Source: [1])"]
)
def test_a_source_in_parentheses_after_a_sentence_cites_it(llm, openai_server, listing):
    openai_server.enqueue(f"{BODY}. {listing}")
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations[0] == 1
    assert [claim.text for claim in answer.claims] == [f"{BODY}. {listing.strip()}"]
    assert answer.claims[0].citations == answer.citations and answer.claims[0].supported


@pytest.mark.parametrize(
    "reply",
    [
        f"{BODY}.\nSource: [1]\n\n{SECOND}.\nSource: [1]",
        f"{BODY}.\nSource: [1]",
        f"{BODY}.\n**Source:** [1]",
    ],
)
def test_a_source_line_under_each_paragraph_cites_that_paragraph(llm, openai_server, reply):
    openai_server.enqueue(reply)
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]
    assert answer.claims and all(claim.citations == [1] for claim in answer.claims)
    assert all(claim.supported for claim in answer.claims)


def test_a_source_list_after_the_whole_answer_still_cites_nothing(llm, openai_server):
    openai_server.enqueue(f"{BODY}.\nSource: [1]\n\n{SECOND}.\n\nSources: [1], [2]")
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]
    assert [claim.citations for claim in answer.claims] == [[1], []]
