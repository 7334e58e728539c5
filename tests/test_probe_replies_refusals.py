"""Refusals that cite the sources they looked at, and the sentinel as models mangle it: each is
a refusal (never ``answered``, never checked as claims), while an answer that says what is
missing and reports what the sources do say stays an answer."""

from __future__ import annotations

import pytest

from assistant.answering import MODEL_DECLINED
from assistant.answering.refusals import is_refusal

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"

CITED_REFUSALS = [
    "I'm sorry, but I cannot answer this from the provided sources [1].",
    "The sources do not mention what DAE-Talker uses in place of handcrafted facial landmarks [1].",
    "None of the sources [1, 2] discuss this.",
    "The provided abstracts do not contain information about this. [1][2]",
    "Based on the provided sources [1], I cannot answer this.",
    "Unfortunately, none of the sources [2] explain this.",
    "There is no information about GPU hours in [1].",
]
CITED_ANSWERS = [
    "The sources do not state this directly. However, DAE-Talker uses latents [1].",
    "DAE-Talker uses latents, although the abstract does not specify the dataset size [1].",
    "I'm sorry to say that only one paper covers it: ALBERT shares parameters across layers [1].",
    # Findings that sound like a refusal but report what a paper says.
    "The optimal k cannot be determined analytically [1].",
    "GPT-4 cannot answer multi-hop questions reliably [1].",
    "We were unable to find significant differences between the two encoders [1].",
]


@pytest.mark.parametrize("text", CITED_REFUSALS)
def test_a_refusal_citing_the_sources_it_read_is_a_refusal(text):
    assert is_refusal(text, [1, 2])


@pytest.mark.parametrize("text", CITED_ANSWERS)
def test_an_answer_beside_a_missing_detail_is_no_refusal(text):
    assert not is_refusal(text, [1])


@pytest.mark.parametrize("text", ["cannot_answer", "CANNOT\\_ANSWER", "**CANNOT ANSWER.**"])
def test_the_sentinel_as_models_mangle_it_is_a_refusal(text):
    assert is_refusal(text, [])


@pytest.mark.parametrize(
    "text",
    [
        "Neither of the provided papers addresses this.",
        "This is not mentioned in any of the provided abstracts.",
        "The answer cannot be found in the given papers.",
        "The abstracts make no mention of this.",
    ],
)
def test_more_uncited_phrasings_are_refusals(text):
    assert is_refusal(text, [])


def test_a_cited_refusal_is_declined_end_to_end(llm, openai_server):
    openai_server.enqueue(
        "The sources do not mention what DAE-Talker uses in place of handcrafted facial "
        "landmarks [1]."
    )
    answer = llm.answer(QUESTION)
    assert not answer.answered
    assert answer.text == MODEL_DECLINED
    assert answer.citations == [] and answer.claims == []
    assert not any(source.cited for source in answer.sources)


def test_a_refusal_then_a_cited_partial_answer_is_an_answer(llm, openai_server):
    openai_server.enqueue(
        "The sources do not state this directly. However, DAE-Talker uses data-driven latent "
        "representations obtained from a diffusion autoencoder [1]."
    )
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]


@pytest.mark.parametrize(
    "text",
    [
        "Neither of the papers uses labelled data [1, 2].",
        "None of the papers evaluates on GLUE [1][2].",
    ],
)
def test_a_cited_finding_about_none_of_the_papers_is_an_answer(text):
    assert not is_refusal(text, [1, 2])
    assert is_refusal("None of the provided abstracts mention GLUE [1][2].", [1, 2])
