"""Refusals that cite the sources they looked at, and the sentinel as models mangle it: each is
a refusal (never ``answered``, never checked as claims), while an answer that says what is
missing and reports what the sources do say stays an answer."""

from __future__ import annotations

import pytest
from openai_server import Reply

from assistant.answering import MODEL_DECLINED
from assistant.answering.prompts import CANNOT_ANSWER
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


GPU_QUESTION = "Which GPU was DAE-Talker trained on?"
# What the information, the sources, the paper or its authors leave unsaid: a refusal, whatever
# it cites and however the model words it.
LEFT_UNSAID = [
    "The GPU used to train DAE-Talker is not mentioned [1].",
    "There's no information on the GPU in the DAE-Talker abstract [1].",
    "The training hardware is not specified in [1].",
    "The authors of DAE-Talker do not specify which GPU was used for training [1].",
    "It is unclear from the DAE-Talker abstract [1] which GPU was used for training.",
    "DAE-Talker [1] does not report which GPU was used.",
    "While [1] introduces DAE-Talker, the GPU used for training is not stated.",
    "The specific GPU is not given [1].",
    "Which GPU was used is not disclosed in the abstract [1].",
    "The DAE-Talker paper [1] does not mention the GPU.",
    "The abstract [1] doesn't say what hardware was used.",
    "There isn't any information about the training hardware [1].",
    "The authors do not report the training hardware [1].",
    "The hardware used for training DAE-Talker is not reported in the abstract [1].",
    "Details of the GPU are not provided [1].",
    "The GPU is not explicitly mentioned [1].",
    "The sources do not mention the GPU. (Source: [1])",
    # A wh-word after the refusal asks; it sets no condition.
    "I cannot say when DAE-Talker was trained or on which GPU [1].",
    "It is unclear from [1] if a GPU was used.",
]
# What the method does not do: a finding, however negative.
METHOD_DOES_NOT = [
    "LaPraDoR does not require any supervised data [1].",
    "The model is not trained on labelled data [1].",
    "The retriever is penalised when the documents do not contain useful information [1].",
    "DAE-Talker does not rely on handcrafted facial landmarks [1].",
    "The method does not need paired data; it learns from raw video [1].",
    "Labels are not given to the model at test time [1].",
    "The method does not specify the number of clusters in advance [1].",
    "DAE-Talker is not limited to frontal faces [1].",
    "The speech encoder is not provided with transcripts [1].",
    "The retriever is not updated when the index does not contain the answer [1].",
    "Unlike prior work, DAE-Talker does not use handcrafted landmarks [1].",
    "Although DAE-Talker uses latents [1], the GPU is not stated.",
    "No, the GPU is not reported, but DAE-Talker uses diffusion latents [1].",
]


@pytest.mark.parametrize("text", LEFT_UNSAID)
def test_a_detail_left_unsaid_is_a_refusal_whatever_it_cites(text):
    assert is_refusal(text, [1])


@pytest.mark.parametrize("text", METHOD_DOES_NOT)
def test_what_a_method_does_not_do_is_an_answer(text):
    assert not is_refusal(text, [1])


def test_a_cited_detail_left_unsaid_is_declined_end_to_end(llm, openai_server):
    openai_server.enqueue("The GPU used to train DAE-Talker is not mentioned [1].")
    answer = llm.answer(GPU_QUESTION)
    assert not answer.answered and answer.text == MODEL_DECLINED
    assert answer.citations == [] and answer.claims == []


def test_a_negative_finding_under_a_condition_is_a_claim(llm, openai_server):
    text = "DAE-Talker is penalised when the documents do not contain useful information [1]."
    openai_server.enqueue(text)
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]
    assert [claim.text for claim in answer.claims] == [text]


PARTLY_ANSWERED = (
    "What does DAE-Talker use instead of facial landmarks, and which GPU was it trained on?"
)
ANSWERED_PART = (
    "DAE-Talker uses data-driven latent representations obtained from a diffusion autoencoder [1]."
)
MISSING_PART = "The GPU used for training is not given in the sources"


def _streamed(llm, openai_server, reply):
    openai_server.enqueue(reply)
    stream = llm.stream_answer(PARTLY_ANSWERED)
    shown = "".join(stream)
    return shown, stream.answer


@pytest.mark.parametrize(
    "reply",
    [
        # The sentinel for the missing part, in one piece or split as a stream splits it.
        Reply(text=f"{ANSWERED_PART} {MISSING_PART}: {CANNOT_ANSWER}"),
        Reply(chunks=[f"{ANSWERED_PART} {MISSING_PART}: CANN", "OT_ANS", "WER"]),
        Reply(chunks=[f"{ANSWERED_PART} {MISSING_PART}", ": ", f"{CANNOT_ANSWER}."]),
        # The same in prose.
        Reply(text=f"{ANSWERED_PART} {MISSING_PART}."),
    ],
)
def test_a_cited_answer_with_the_sentinel_for_the_missing_part_is_an_answer(
    llm, openai_server, reply
):
    shown, answer = _streamed(llm, openai_server, reply)
    assert answer.answered and answer.citations == [1]
    assert answer.text == f"{ANSWERED_PART} {MISSING_PART}." == shown.strip()
    assert [claim.text for claim in answer.claims] == [ANSWERED_PART]  # the gap is no claim
    assert CANNOT_ANSWER not in shown


@pytest.mark.parametrize(
    "chunks",
    [
        [CANNOT_ANSWER],
        ["CANN", "OT_ANSWER [1]"],
        [f"{MISSING_PART} [1]: ", CANNOT_ANSWER],  # cites only where it declines
        ["Based on [1]: ", CANNOT_ANSWER],
        ["[1] ", CANNOT_ANSWER],
    ],
)
def test_the_sentinel_without_a_cited_answer_declines_and_is_never_half_shown(
    llm, openai_server, chunks
):
    shown, answer = _streamed(llm, openai_server, Reply(chunks=chunks))
    assert not answer.answered and answer.text == MODEL_DECLINED
    assert answer.citations == [] and answer.claims == []
    assert "CANN" not in shown and shown.strip().endswith(MODEL_DECLINED)
