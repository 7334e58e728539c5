"""Refusals: the sentinel, or prose that says the sources do not answer and cites nothing."""

from __future__ import annotations

import pytest

from assistant.answering.prompts import CANNOT_ANSWER
from assistant.answering.refusals import is_refusal

REFUSALS = [
    CANNOT_ANSWER,
    f"{CANNOT_ANSWER}: the sources are about vision.",
    "I cannot answer this from the provided sources.",
    "I can't answer that based on the given papers.",
    "I'm unable to determine the number of GPU hours from these abstracts.",
    "The sources do not contain information about reinforcement learning from human feedback.",
    "The provided abstracts don't mention the batch size.",
    "The context does not specify which optimizer was used.",
    "None of the provided papers mention protein folding.",
    "None of the sources discuss this topic.",
    "There is no information about training cost in the sources.",
    "There is not enough information in the abstracts to say.",
    "I'm sorry, but the papers only cover language models.",
    "Sorry, the papers do not say.",
    "Unfortunately, the abstracts give no details on this.",
    "The learning rate is not mentioned in the provided sources.",
    "No information about the dataset size is given.",
    "I don't have enough information to answer that.",
    "Based on the sources, I do not know.",
    "The  sources\ndo not\nprovide   this.",  # white space and line breaks as a stream leaves them
]
ANSWERS = [
    # Real answers that mention absence partially: they cite what the sources do say.
    "SciNCL is not evaluated on GLUE, but it reports state-of-the-art results on SciDocs [2].",
    "The sources do not give GPU hours; NeCo reports 19 GPU hours of post-training [1].",
    "None of the provided papers mention RLHF directly, although [3] studies instruction data.",
    "There is no information on the batch size, but LUKE is pretrained on Wikipedia [1].",
    "I'm sorry to say that only one paper covers it: ALBERT shares parameters across layers [1].",
    # Ordinary answers, cited or not, that are not refusals.
    "ALBERT reduces parameters by factorising the embedding matrix and sharing layers [1].",
    "The model does not use labelled data; it learns from raw video [2].",
    "DAE-Talker uses latent representations from a diffusion autoencoder.",
    "Cannot-link constraints are not used by the method [1].",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals_without_citations_are_recognised(text):
    assert is_refusal(text, [])


@pytest.mark.parametrize("text", ANSWERS)
def test_answers_are_not_refusals(text):
    cited = [int(c) for c in text if c.isdigit()][:1]
    assert not is_refusal(text, cited)


def test_a_prose_refusal_that_cites_a_source_is_an_answer():
    text = "The sources do not contain the learning rate, only the architecture [1]."
    assert not is_refusal(text, [1])
    assert is_refusal(text, [])  # the same words with no valid citation decline


def test_the_sentinel_declines_even_with_citations():
    assert is_refusal(f"{CANNOT_ANSWER} [1]", [1])
