"""The answer reader: what it reads of a paper, and what the bundled network makes of it."""

from __future__ import annotations

import shutil

import pytest

from assistant.errors import ModelFileError
from assistant.reader import (
    QUESTION_MAX_TOKENS,
    READER_FILE,
    READER_MAX_TOKENS,
    AnswerReader,
    ReaderInputs,
    shared_reader,
)
from assistant.resources import resource_path


@pytest.fixture(scope="module")
def inputs() -> ReaderInputs:
    return ReaderInputs()


def flat_idf(term: str) -> float:
    return 1.0


FILLER = " ".join(f"The method is evaluated on benchmark number {n} with care." for n in range(40))


def test_a_short_abstract_is_read_whole_after_its_title(inputs):
    text = inputs.passage(
        "What is LUKE?", "LUKE.", "LUKE is a model. It is good.", 150, flat_idf, False
    )
    assert text == "LUKE. LUKE is a model. It is good."


def test_a_long_abstract_keeps_the_sentences_sharing_the_questions_words_in_order(inputs):
    abstract = f"DAE-Talker uses diffusion latents. {FILLER} Faces move with speech in DAE-Talker."
    question = "What does DAE-Talker use in place of landmarks?"
    text = inputs.passage(question, "DAE-Talker", abstract, 60, flat_idf, False)
    assert text.startswith("DAE-Talker. DAE-Talker uses diffusion latents. ")
    assert text.endswith("Faces move with speech in DAE-Talker.")
    assert len(inputs.tokens(text)) <= 60


def test_rarer_shared_words_weigh_more_when_the_abstract_is_cut(inputs):
    abstract = f"It trains on speech. {FILLER} It trains on landmarks."
    rare = {"landmark": 5.0, "speech": 0.5}
    text = inputs.passage(
        "Does it train on speech or landmarks?", "T", abstract, 8, lambda t: rare.get(t, 0), False
    )
    assert text == "T. It trains on landmarks."


def test_a_question_asking_for_a_number_favours_sentences_with_one(inputs):
    abstract = f"Training is described. {FILLER} Training took 12 GPU days."
    plain = inputs.passage("How is training done?", "T", abstract, 9, flat_idf, False)
    numeric = inputs.passage(
        "How many GPU days did training take?", "T", abstract, 9, flat_idf, True
    )
    assert "12 GPU days" in numeric
    assert "12 GPU days" not in plain


def test_a_pair_is_cls_question_sep_passage_sep_with_segment_types(inputs):
    [(ids, types)] = inputs.pairs("What is LUKE?", [("LUKE", "LUKE is a model.")], flat_idf, False)
    question = inputs.tokens("What is LUKE?")
    passage = inputs.tokens("LUKE. LUKE is a model.")
    assert ids == [101, *question, 102, *passage, 102]
    assert types == [0] * (len(question) + 2) + [1] * (len(passage) + 1)


def test_a_pair_never_exceeds_the_readers_length_whatever_the_question(inputs):
    question = "Which " + "very " * 200 + "long question is this?"
    [(ids, types)] = inputs.pairs(question, [("T", FILLER)], flat_idf, False)
    assert len(ids) == len(types) <= READER_MAX_TOKENS
    assert types.count(0) == QUESTION_MAX_TOKENS + 2  # the question is cut, the passage kept
    assert types.count(1) > READER_MAX_TOKENS - QUESTION_MAX_TOKENS - 3 - 12  # one sentence short


# -- the bundled network -------------------------------------------------------------------

DAE_TALKER = (
    "DAE-Talker: High Fidelity Speech-Driven Talking Face Generation with Diffusion Autoencoder",
    "While recent research has made significant progress in speech-driven talking face "
    "generation, the quality of the generated video still lags behind that of real "
    "recordings. One reason for this is the use of handcrafted intermediate representations "
    "like facial landmarks and 3DMM coefficients, which are designed based on human knowledge "
    "and are insufficient to precisely describe facial movements. Additionally, these methods "
    "require an external pretrained model for extracting these representations, whose "
    "performance sets an upper bound on talking face generation. To address these "
    "limitations, we propose a novel method called DAE-Talker that leverages data-driven "
    "latent representations obtained from a diffusion autoencoder (DAE).",
)


def test_the_reader_prefers_the_paper_that_answers_to_one_that_does_not():
    unrelated = ("Rainbow Memory", "Continual learning with a diverse episodic memory of samples.")
    question = "What does DAE-Talker use in place of handcrafted facial landmarks?"
    answers, other = shared_reader().logits(question, [DAE_TALKER, unrelated], flat_idf)
    assert answers > other


def test_the_reader_doubts_a_detail_the_abstract_leaves_out():
    reader = shared_reader()
    [given] = reader.logits(
        "What does DAE-Talker use instead of facial landmarks?", [DAE_TALKER], flat_idf
    )
    [left_out] = reader.logits(
        "How many GPU hours did training DAE-Talker take?",
        [DAE_TALKER],
        flat_idf,
        wants_number=True,
    )
    assert given > left_out


def test_the_reader_scores_a_paper_the_same_alone_and_beside_others():
    reader = shared_reader()
    question = "What does DAE-Talker use in place of handcrafted facial landmarks?"
    alone = reader.logits(question, [DAE_TALKER], flat_idf)[0]
    beside = reader.logits(question, [("Short", "A short one."), DAE_TALKER], flat_idf)[1]
    assert beside == alone
    assert reader.logits(question, [DAE_TALKER], flat_idf) == [alone]  # remembered, the same


def test_no_paper_gives_no_logit():
    assert shared_reader().logits("What is LUKE?", [], flat_idf) == []


def test_a_damaged_reader_file_is_refused_with_one_line(tmp_path):
    damaged = tmp_path / READER_FILE
    shutil.copyfile(resource_path("models") / "answer-reader" / READER_FILE, damaged)
    with damaged.open("r+b") as handle:
        handle.seek(1000)
        flipped = bytes(b ^ 0xFF for b in handle.read(4))
        handle.seek(1000)
        handle.write(flipped)
    reader = AnswerReader(damaged)  # nothing is loaded until the first read
    with pytest.raises(ModelFileError) as raised:
        reader.logits("What is LUKE?", [("LUKE", "LUKE is a model.")], flat_idf)
    assert "\n" not in str(raised.value)
    assert "reinstall" in str(raised.value)
