"""Refusals as models phrase them, and answers that only look like one (uncited: a refusal
replaces the reply with the decline, an answer keeps its words and is marked not grounded)."""

from __future__ import annotations

import pytest

from assistant.answering import MODEL_DECLINED, MODEL_UNCITED
from assistant.answering.refusals import is_refusal

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"

MORE_REFUSALS = [
    "Based on the provided abstracts, it is not possible to determine the answer.",
    "It is not possible to answer this question based on the given sources.",
    "The answer cannot be determined from the sources.",
    "The question can't be answered with the provided context.",
    "This information is not available in the provided sources.",
    "The sources provided do not mention this.",
    "I could not find any information about this in the sources.",
    "I couldn't find this in the papers.",
    "No relevant information was found in the provided papers.",
    "The given sources are insufficient to answer this.",
    "Unable to answer from the provided sources.",
    "Cannot answer based on the sources.",
    "Unfortunately, none of the papers address this.",
]
NOT_REFUSALS = [
    "Sorry is a common word in the chat datasets the model is trained on.",
    "Unfortunately, the method degrades on small data, but it still outperforms SVM.",
    "There is no evidence of overfitting in the experiments.",
    "Recformer is not trained on proprietary sources; it uses public datasets.",
    "No labelled data was used: the model learns from raw video.",
]


@pytest.mark.parametrize("text", MORE_REFUSALS)
def test_more_ways_of_declining_are_refusals(text):
    assert is_refusal(text, [])


@pytest.mark.parametrize("text", NOT_REFUSALS)
def test_findings_that_merely_sound_negative_are_not_refusals(text):
    assert not is_refusal(text, [])


def test_an_uncited_finding_keeps_its_words_and_is_marked_not_grounded(llm, openai_server):
    openai_server.enqueue("There is no evidence of overfitting in the experiments.")
    answer = llm.answer(QUESTION)
    assert not answer.answered
    assert answer.text.startswith("There is no evidence of overfitting")
    assert answer.text.endswith(MODEL_UNCITED)


def test_a_phrased_refusal_is_the_decline(llm, openai_server):
    openai_server.enqueue("It is not possible to answer this question based on the sources.")
    answer = llm.answer(QUESTION)
    assert not answer.answered and answer.text == MODEL_DECLINED
