"""The abstention decision: its signals, the logistic model, the fit, and both modes' gates."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from assistant.answering import NOT_COVERED
from assistant.answering.abstention import (
    MEASURED_SIGNALS,
    NO_OPINION,
    NOTHING_READ,
    READ_PAPERS,
    SIGNAL_NAMES,
    AbstentionDecision,
    AbstentionModel,
    Signals,
    decide,
    explain,
    measure_signals,
)
from assistant.answering.answerer import not_covered
from assistant.answering.decision import TermStatistics
from assistant.answering.question_cues import (
    asked_details,
    asked_names,
    asked_quantity,
    question_names,
)
from assistant.collection import Paper
from assistant.errors import ConfigError
from assistant.evaluation.calibration import fit_logistic, question_signals, threshold_for_recall
from assistant.results import Hit
from assistant.settings import ABSTENTION_SIGNALS, Settings
from assistant.text import american_spelling


class NoOpinionReader:
    """A reader that finds every paper as likely to answer as not: these tests are about the
    other signals (the bundled reader is tested in ``test_reader.py``)."""

    def logits(self, question, papers, idf, *, wants_number=False):
        return [0.0] * len(papers)


UNREAD = NoOpinionReader()


def signals(**changes: Any) -> Signals:
    values: dict[str, Any] = dict.fromkeys(MEASURED_SIGNALS, 0.0)
    values.update(changes)
    return Signals(**values)


# -- the model -----------------------------------------------------------------------------


def model_of(text: str) -> AbstentionModel:
    return AbstentionModel.from_weights(Settings(abstention_weights=text).abstention_weights)


def test_the_settings_know_every_signal():
    assert SIGNAL_NAMES == ABSTENTION_SIGNALS


def test_weights_read_back_what_they_print():
    model = model_of("best_cosine=6.5, unknown_share=-5, bias=-3")
    assert model.weights["best_cosine"] == 6.5 and model.weights["top_coverage"] == 0.0
    assert model_of(model.format()) == model


def test_weights_come_from_the_environment_or_a_toml_table(tmp_path):
    env = {"ASSISTANT_ABSTENTION_WEIGHTS": "best_cosine=2; bias=-1"}
    from_env = Settings.load(env=env, config_file=tmp_path / "none.toml")
    config = tmp_path / "config.toml"
    config.write_text("[answer.abstention_weights]\nbest_cosine = 2\nbias = -1\n")
    from_file = Settings.load(env={}, config_file=config)
    assert from_env.abstention_weights == from_file.abstention_weights
    assert dict(from_file.abstention_weights) == {"best_cosine": 2.0, "bias": -1.0}
    assert from_env.redacted()["abstention_weights"] == "best_cosine=2, bias=-1"
    assert hash(from_file) == hash(from_file.replace())  # settings stay hashable (cached)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("cosine=1", "'cosine' is no signal"),
        ("best_cosine=high", "best_cosine has a bad number 'high'"),
        ("best_cosine", "write name=number pairs"),
    ],
)
def test_bad_weights_are_one_clear_error(text, problem):
    with pytest.raises(ConfigError, match=f"^ASSISTANT_ABSTENTION_WEIGHTS: .*{problem}"):
        Settings.load(env={"ASSISTANT_ABSTENTION_WEIGHTS": text})


def test_score_is_the_logistic_of_the_weighted_signals():
    model = model_of("best_cosine=4, unknown_share=-2, bias=-1")
    # z = -1 + 4 * 0.5 - 2 * 0.25 = 0.5
    assert model.score(signals(best_cosine=0.5, unknown_share=0.25)) == pytest.approx(
        1 / (1 + np.exp(-0.5))
    )


def test_second_order_terms_are_weighed_from_the_two_strengths():
    model = model_of(
        "best_cosine_squared=4, top_coverage_squared=2, cosine_by_coverage=-8, bias=-1"
    )
    # z = -1 + 4 * 0.25 + 2 * 0.64 - 8 * 0.4 = -1.92
    assert model.score(signals(best_cosine=0.5, top_coverage=0.8)) == pytest.approx(
        1 / (1 + np.exp(1.92))
    )
    # Fitted on dev, either strength alone can carry a question: the shipped model's
    # product weighs against its squares.
    for shipped in (Settings().abstention_weights, Settings().abstention_model_weights):
        assert shipped["cosine_by_coverage"] < 0 < shipped["best_cosine_squared"]


def test_the_lenient_model_gate_passes_what_offline_declines():
    settings = Settings(
        abstention_weights="best_cosine=10, bias=-5",
        abstention_model_weights="best_cosine=10, bias=-5",
        abstention_threshold=0.6,
        abstention_model_threshold=0.2,
    )
    middling = signals(best_cosine=0.45)  # score 1 / (1 + e^0.5) = 0.38
    offline = decide(middling, settings, with_model=False)
    with_model = decide(middling, settings, with_model=True)
    assert offline.score == with_model.score == pytest.approx(0.3775, abs=1e-4)
    assert not offline.answerable and with_model.answerable


def test_the_model_gate_leaves_whether_a_detail_is_given_to_the_model():
    weights = "best_cosine=10, focus_missing=-20, answer_name_missing=-20, bias=-5"
    settings = Settings(
        abstention_weights=weights,
        abstention_model_weights=weights,
        abstention_threshold=0.5,
        abstention_model_threshold=0.5,
    )
    on_topic_without_the_detail = signals(best_cosine=0.8, focus_missing=1.0, answer_name_missing=1)
    assert not decide(on_topic_without_the_detail, settings, with_model=False).answerable
    assert decide(on_topic_without_the_detail, settings, with_model=True).answerable
    off_topic = signals(best_cosine=0.3, focus_missing=1.0)
    assert not decide(off_topic, settings, with_model=True).answerable


def test_min_relevance_is_a_hard_floor_under_the_model():
    settings = Settings(abstention_model_weights="bias=10", min_relevance=0.5)
    assert not decide(signals(best_cosine=0.4), settings, with_model=True).answerable
    assert decide(signals(best_cosine=0.6), settings, with_model=True).answerable


# -- question analysis ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What is AudioMAE compared against?", ["AudioMAE"]),
        ("What did Chinchilla find about compute-optimal training?", ["Chinchilla"]),
        ("How does GPT-4 compare with DeBERTa?", ["GPT-4", "DeBERTa"]),
        ("Which papers favour some positions of a long input?", []),
    ],
)
def test_names_are_mixed_case_digits_or_capitalised_mid_sentence(question, names):
    assert question_names(question) == names


def test_the_quantity_a_question_asks_for():
    assert asked_quantity("How many GPU hours did training take?") == ["gpu", "hour"]
    assert asked_quantity("What batch size did MIMIC use?") == ["batch", "size"]
    assert asked_quantity("What does LUKE do?") is None


def test_a_question_for_papers_asks_for_no_quantity_whatever_it_says_of_them():
    paper = Paper("p1", "UCTopic", "UCTopic clusters phrase representations well.")
    hit = Hit(1, "p1", paper.title, 1.0, [paper.abstract], 0.6)

    def unmet(question: str) -> float:
        measured = measure_signals(
            question, [hit], [paper], lambda q, n: [], TermStatistics({}, 10), UNREAD
        )
        return measured.quantity_unmet

    assert unmet("How well do UCTopic representations cluster?") == 1.0  # no number given
    assert unmet("Which papers judge their representations by how well they cluster?") == 0.0


@pytest.mark.parametrize(
    ("question", "details"),
    [
        ("What learning rate was used to pretrain LUKE?", ["learning rate"]),
        ("Which corpora was the model trained on?", ["corpora"]),
        ("How many GPU hours did it take?", ["GPU hours"]),
        ("Under which licence is TencentPretrain released?", ["licence"]),
        # each thing asked for, whether joined inside one part or asked in a part of its own
        ("What learning rate and batch size were used?", ["learning rate", "batch size"]),
        (
            "Which corpora was it trained on, and what embedding dimension does it use?",
            ["corpora", "embedding dimension"],
        ),
        (
            "What initial learning rate and how many warm-up steps were used?",
            ["initial learning rate", "warm-up steps"],
        ),
        ("Which method does ALBERT replace?", []),  # asks for a method, not a detail
        ("Which baselines does CoCoMix outperform?", []),  # names what it compares against
        ("How much faster does it train?", []),  # a comparison, not a thing to name
        ("What is LUKE?", []),
        # these ask for something an abstract describes without naming it
        ("What problem does GreaseLM solve?", []),
        ("What main limitation does REALM address?", []),
        ("What challenge does LIV tackle?", []),
        ("Which strategy generalised better?", []),  # no verb after the ask to end it
        ("Which strategy generalised better", []),  # with or without its question mark
        ("Which multimodal LLM wrote the long captions?", ["multimodal LLM"]),  # past tense
        ("Which languages, by name, were included?", ["languages"]),
        ("What practical use does the probe have?", []),  # "use" a noun, not the verb
        ("What might have muddied the analysis?", []),  # a modal verb asks for nothing
    ],
)
def test_the_details_are_what_each_part_of_a_question_asks_for(question, details):
    assert asked_details(question) == details


def test_focus_missing_counts_the_asked_words_the_top_paper_lacks():
    paper = Paper("p1", "LUKE", "LUKE gives entity representations. It uses a large batch.")
    hit = Hit(1, "p1", "LUKE", 1.0, [paper.abstract], 0.6)
    terms = TermStatistics({}, 10)

    def measured(question: str) -> float:
        return measure_signals(
            question, [hit], [paper], lambda q, n: [], terms, UNREAD
        ).focus_missing

    assert measured("What learning rate was used to pretrain LUKE?") == 1.0
    assert measured("What batch size was used to pretrain LUKE?") == pytest.approx(0.5)
    assert measured("What does LUKE give?") == 0.0
    assert measured("What key learning rate was used to pretrain LUKE?") == 1.0
    # the part of the question the paper covers least decides
    assert measured("What batch size and learning rate were used to pretrain LUKE?") == 1.0


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Which Open-QA benchmarks was REALM compared on?", ["Open-QA benchmarks"]),
        ("Under which licence is TencentPretrain released?", ["licence"]),
        ("Which vision backbone and image resolution does it use?", ["vision backbone"]),
        ("What learning rate was used?", []),
        ("Which classification tasks did EduBERT improve on?", []),  # described, not named
        ("On how many of seven benchmarks did it improve?", []),  # a number answers it
        ("Which GPU model was it trained on?", ["GPU model"]),  # the kind before "model"
        ("Which large language model does Arcana decode with?", ["large language model"]),
        ("Which model does Arcana build on?", []),  # a paper's method, not a name
        # asked for a name in so many words, whatever the kind
        (
            "What is the name of the image retrieval benchmark that NDCR was evaluated on?",
            ["image retrieval benchmark"],
        ),
        ("What are the example-scoring methods called?", ["example-scoring methods"]),
        ("Which scoring methods, by name, does it compare?", ["scoring methods"]),
        ("What is the name of the paper?", []),  # a paper, not a thing inside one
    ],
)
def test_some_details_are_answered_by_a_name(question, names):
    assert asked_names(question) == names


def test_a_paper_that_mentions_what_is_asked_without_naming_it_leaves_it_unnamed():
    terms = TermStatistics({}, 10)
    question = "Which Open-QA benchmarks was REALM compared on?"

    def measured(abstract: str) -> Signals:
        paper = Paper("p1", "REALM: Retrieval-Augmented Pre-Training", abstract)
        hit = Hit(1, "p1", paper.title, 1.0, [abstract], 0.6)
        return measure_signals(question, [hit], [paper], lambda q, n: [], terms, UNREAD)

    vague = measured("REALM is compared on three popular Open-QA benchmarks.")
    assert vague.answer_name_missing == 1.0 and vague.unnamed_details == ("Open-QA benchmarks",)
    named = measured("REALM beats ORQA on the NaturalQuestions and WebQuestions benchmarks.")
    assert named.answer_name_missing == 0.0 and named.unnamed_details == ()
    # the question's own names and the paper's are not an answer
    assert measured("REALM is compared to REALM on Open-QA benchmarks.").answer_name_missing == 1.0


@pytest.mark.parametrize(
    ("question", "abstract"),
    [
        (
            "Which Open-QA benchmarks was REALM tested on?",
            "REALM is tested on three Open-domain Question Answering (Open-QA) benchmarks.",
        ),
        (
            "Which referring video segmentation benchmarks was REALM tested on?",
            "REALM is tested on five Referring Video Object Segmentation (RVOS) benchmarks.",
        ),
    ],
)
def test_an_acronym_defined_for_the_question_s_own_words_names_nothing(question, abstract):
    terms = TermStatistics({}, 10)
    paper = Paper("p1", "REALM: Retrieval-Augmented Pre-Training", abstract)
    hit = Hit(1, "p1", paper.title, 1.0, [abstract], 0.6)
    measured = measure_signals(question, [hit], [paper], lambda q, n: [], terms, UNREAD)
    assert measured.answer_name_missing == 1.0


def test_an_acronym_defined_for_other_words_is_an_answer():
    terms = TermStatistics({}, 10)
    question = "Which benchmarks was REALM tested on?"
    abstract = "REALM is tested on the Natural Questions (NQ) and WebQuestions benchmarks."
    paper = Paper("p1", "REALM: Retrieval-Augmented Pre-Training", abstract)
    hit = Hit(1, "p1", paper.title, 1.0, [abstract], 0.6)
    measured = measure_signals(question, [hit], [paper], lambda q, n: [], terms, UNREAD)
    assert measured.answer_name_missing == 0.0


@pytest.mark.parametrize(
    ("question", "abstract"),
    [
        # a quantity is not a name
        ("Which dataset was REALM trained on?", "REALM is trained on 30M images of a dataset."),
        # nor the asked-about name made a describing word
        ("Which datasets did GPT-4 label?", "GPT-4-generated labels extend the datasets."),
        # nor the abbreviation of a field or of a kind of thing
        ("Which backbone does REALM use?", "REALM uses a CNN backbone, the SoTA in NLP."),
        # nor an acronym the sentence defines as the asked kind itself
        (
            "Which multimodal LLM wrote the captions?",
            "Captions are written by a Multi-modality Large Language Model (MLLM).",
        ),
    ],
)
def test_words_that_look_like_names_but_name_nothing_asked_for(question, abstract):
    assert _answer_name_missing(question, abstract) == 1.0


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Which LLM writes the captions?", ["LLM"]),
        (
            "Which text encoder embeds them, and which optimizer did it use?",
            ["text encoder", "optimizer"],
        ),
        # a plural head takes no verb in -s: the noun before a preposition belongs to it
        ("Which papers align audio representations with text?", []),
    ],
)
def test_a_verb_in_the_present_ends_what_is_asked_for(question, asked):
    assert asked_details(question) == asked


def test_an_unknown_name_near_the_asked_kind_is_an_answer():
    question = "Which backbone does REALM use?"
    assert _answer_name_missing(question, "REALM uses a ResNet-50 backbone.") == 0.0
    assert _answer_name_missing(question, "Its backbone is a Residual Network (ResNet).") == 0.0


def _answer_name_missing(question: str, abstract: str) -> float:
    paper = Paper("p1", "Extended Mind Transformers", abstract)
    hit = Hit(1, "p1", paper.title, 1.0, [abstract], 0.6)
    measured = measure_signals(
        question, [hit], [paper], lambda q, n: [], TermStatistics({}, 10), UNREAD
    )
    return measured.answer_name_missing


def test_an_acronym_asked_for_is_found_written_out():
    question = "Which real LLM was the theory checked against?"
    written_out = "We confirm the theory using the LLaMA-2 large language model."
    assert _answer_name_missing(question, written_out) == 0.0
    assert _answer_name_missing(question, "We confirm the theory on real data.") == 1.0


@pytest.mark.parametrize(
    ("abstract", "missing"),
    [
        ("We open source a new counterfactual long-range retrieval benchmark.", 0.0),
        ("We introduce a benchmark of counterfactual questions.", 0.0),
        ("We evaluate on a long-range retrieval benchmark.", 1.0),  # used, not introduced
        ("We introduce a method, evaluated on a long-range retrieval benchmark.", 1.0),
    ],
)
def test_a_thing_the_paper_introduces_answers_what_it_is_without_a_name(abstract, missing):
    question = "What benchmark do Extended Mind Transformers release?"
    assert _answer_name_missing(question, abstract) == missing


def test_a_name_written_in_another_form_is_not_said_missing():
    abstract = "We use BERT and GPT2 for it."
    paper = Paper("p1", "Text summarization with pretrained encoders", abstract)
    hit = Hit(1, "p1", paper.title, 1.0, [paper.abstract], 0.6)
    question = "What did the BERT-based approach drop, and how do GPT-2 and XLM-E compare?"
    measured = measure_signals(
        question, [hit], [paper], lambda q, n: [], TermStatistics({}, 10), UNREAD
    )
    assert measured.name_missing == 1.0  # the model weighs it as fitted: none written as asked
    assert measured.missing_names == ("XLM-E",)  # what a reader is told


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Which papers study non-English speech?", ("English",)),  # the name in the word
        ("Which papers dissect wav2vec 2.0-style models?", ()),  # "0-style" is no name
        ("What does 3-bit quantisation cost?", ()),  # nor is a quantity
        ("Which papers study South Asian languages?", ("South Asian",)),  # one name of two
        ("Which papers study t-SNE plots?", ("t-SNE",)),  # a letter is part of the name
    ],
)
def test_missing_names_are_said_as_a_reader_names_them(question, missing):
    paper = Paper("p1", "Speech models", "We study speech models like wav2vec, and plots.")
    hit = Hit(1, "p1", paper.title, 1.0, [paper.abstract], 0.6)
    measured = measure_signals(
        question, [hit], [paper], lambda q, n: [], TermStatistics({}, 10), UNREAD
    )
    assert measured.missing_names == missing


def test_an_answered_question_keeps_the_names_no_paper_writes_as_caveats():
    weights = "best_cosine=10, bias=-5"
    settings = Settings(abstention_weights=weights, abstention_model_weights=weights)
    missing = signals(best_cosine=0.9, missing_names=("XLM-E",))
    for with_model in (False, True):
        answered = decide(missing, settings, with_model=with_model)
        assert answered.answerable and answered.reasons == []
        assert answered.caveats == ["no paper found mentions XLM-E"]
    assert decide(signals(best_cosine=0.9), settings, with_model=False).caveats == []


def test_an_answered_question_warns_when_the_closest_paper_names_nothing_asked_for():
    settings = Settings(abstention_model_weights="best_cosine=10, bias=-5")
    unnamed = signals(best_cosine=0.9, unnamed_details=("LLMs",))
    answered = decide(unnamed, settings, with_model=True)
    assert answered.answerable
    assert answered.caveats == ["the closest paper may not say which LLMs"]
    # declined, the same gap is said once, as a reason, in plainer words
    declined = decide(
        signals(best_cosine=0.1, unnamed_details=("LLMs",)), settings, with_model=True
    )
    assert declined.reasons == ["the closest paper does not say which LLMs"]


def test_a_decline_says_which_name_the_closest_paper_leaves_out():
    reasons = explain(signals(answer_name_missing=1.0, unnamed_details=("Open-QA benchmarks",)))
    assert reasons == ["the closest paper does not say which Open-QA benchmarks"]


def test_an_acronym_asked_for_is_found_spelled_out():
    paper = Paper("p1", "Probing", "We check the theory on a large language model, Llama-2.")
    hit = Hit(1, "p1", "Probing", 1.0, [paper.abstract], 0.6)
    terms = TermStatistics({}, 10)
    measured = measure_signals(
        "Which LLM was it checked on?", [hit], [paper], lambda q, n: [], terms, UNREAD
    )
    assert measured.focus_missing == 0.0
    other = Paper("p2", "Probing", "We check the theory on a large model.")
    measured = measure_signals(
        "Which LLM was it checked on?", [hit], [other], lambda q, n: [], terms, UNREAD
    )
    assert measured.focus_missing == 1.0


def test_words_that_only_frame_the_question_are_not_looked_for_in_the_papers():
    # "the key idea behind LUKE" asks about LUKE: an abstract that explains LUKE need not
    # write "key" or "idea", so their absence must not make the question look uncovered.
    paper = Paper("p1", "LUKE", "LUKE gives entity representations. It uses a large batch.")
    hit = Hit(1, "p1", "LUKE", 1.0, [paper.abstract], 0.6)
    terms = TermStatistics({"luke": 1, "key": 3, "idea": 3}, 10)
    framed = measure_signals(
        "What is the key idea of LUKE?", [hit], [paper], lambda q, n: [], terms, UNREAD
    )
    plain = measure_signals("What is LUKE?", [hit], [paper], lambda q, n: [], terms, UNREAD)
    assert framed.top_coverage == plain.top_coverage == 1.0
    assert framed.unknown_share == plain.unknown_share == 0.0


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("initialisation", "initialization"),
        ("initialised", "initialized"),
        ("maximising", "maximizing"),
        ("analyse", "analyze"),
        ("neighbour", "neighbor"),
        ("behaviour", "behavior"),
        ("labelled", "labeled"),
        ("modelling", "modeling"),
        ("centre", "center"),
        ("programme", "program"),
        ("catalogue", "catalog"),
    ],
)
def test_british_and_american_spellings_compare_equal(british, american):
    assert american_spelling(british) == american_spelling(american) == american


@pytest.mark.parametrize("word", ["four", "hour", "called", "filled", "wise", "rise", "vogue"])
def test_words_with_one_spelling_are_left_as_they_are(word):
    assert american_spelling(word) == word


def test_a_word_the_collection_spells_the_american_way_is_counted_in_that_spelling():
    known = {"initialization": 4, "encoder": 9}

    def document_counts(words):
        return {w: known.get(w, 0) for w in words}, 100

    stats = TermStatistics.for_question(
        "Which encoder initialisation do the flurbles use?", document_counts
    )
    assert stats.counts["initialisation"] == 4
    assert stats.counts["encoder"] == 9
    assert stats.counts["flurble"] == 0


def test_a_question_in_british_spelling_is_covered_by_an_american_abstract():
    paper = Paper("p1", "LOOK", "Each image must share a label with its nearest neighbors.")
    hit = Hit(1, "p1", "LOOK", 1.0, [paper.abstract], 0.6)
    terms = TermStatistics({"look": 1, "image": 5, "label": 5, "neighbor": 2}, 10)
    measured = measure_signals(
        "In LOOK, which neighbours must share an image's label?",
        [hit],
        [paper],
        lambda q, n: [],
        terms,
        UNREAD,
    )
    assert measured.top_coverage == 1.0 and measured.focus_missing == 0.0


# -- fitting -------------------------------------------------------------------------------


def test_fit_recovers_the_direction_of_a_known_logistic_model():
    rng = np.random.default_rng(7)
    cosine = rng.uniform(0.0, 1.0, 2000)
    unknown = rng.uniform(0.0, 1.0, 2000)
    truth = 1 / (1 + np.exp(-(8 * cosine - 6 * unknown - 1)))
    labels = rng.uniform(size=2000) < truth
    rows = [signals(best_cosine=c, unknown_share=u) for c, u in zip(cosine, unknown, strict=True)]
    model = fit_logistic(rows, list(labels), l2=0.01, names=("best_cosine", "unknown_share"))
    assert model.weights["best_cosine"] == pytest.approx(8, rel=0.25)
    assert model.weights["unknown_share"] == pytest.approx(-6, rel=0.25)
    assert model.bias == pytest.approx(-1, abs=0.5)
    assert model.weights["top_coverage"] == 0.0  # not fitted, not weighed


def test_weighing_answerable_questions_more_moves_the_bias_their_way():
    rng = np.random.default_rng(7)
    cosine = rng.uniform(0.0, 1.0, 2000)
    labels = rng.uniform(size=2000) < 1 / (1 + np.exp(-(8 * cosine - 4)))
    rows = [signals(best_cosine=c) for c in cosine]

    def fitted(weight: float):
        return fit_logistic(
            rows, list(labels), l2=0.01, answerable_weight=weight, names=("best_cosine",)
        )

    plain, weighted = fitted(1.0), fitted(4.0)
    # weighing one class w times is, for a well-specified model, its prior odds times w
    assert weighted.bias - plain.bias == pytest.approx(np.log(4.0), abs=0.3)
    assert weighted.weights["best_cosine"] == pytest.approx(plain.weights["best_cosine"], rel=0.2)


def test_fit_needs_both_classes():
    with pytest.raises(ValueError, match="answerable and unanswerable"):
        fit_logistic([signals(), signals()], [True, True])


def test_threshold_keeps_the_asked_share_of_answerable_questions():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    answerable = [True] * 10
    assert threshold_for_recall(scores, answerable, 1.0) == 0.05
    assert threshold_for_recall(scores, answerable, 0.9) == 0.1  # one of ten may be declined
    assert threshold_for_recall(scores, answerable, 0.8) == 0.2


# -- on the bundled papers -----------------------------------------------------------------


def test_a_method_named_in_a_title_is_covered(seeded_assistant):
    measured = question_signals(seeded_assistant, "What is LUKE?", 5)
    assert measured.name_missing == 0.0 and measured.unknown_share == 0.0
    answer = seeded_assistant.answer("What is LUKE?")
    assert answer.answered and "entity" in answer.text.casefold()


def test_a_question_in_british_spelling_is_answered_offline(seeded_assistant):
    # the abstract writes "neighbors"; "neighbours" once looked like a word no paper uses
    answer = seeded_assistant.answer("In LOOK, how many neighbours must share an image's label?")
    assert answer.answered and "k nearest neighbors" in answer.text


def test_a_name_the_collection_lacks_is_declined_offline(seeded_assistant):
    measured = question_signals(seeded_assistant, "What is FlashAttention?", 5)
    assert measured.name_missing == 1.0 and measured.unknown_share == 1.0
    answer = seeded_assistant.answer("What is FlashAttention?")
    assert not answer.answered
    assert (
        answer.text
        == "The collection does not answer this: no paper found mentions FlashAttention."
    )


def test_a_decline_says_what_the_closest_paper_lacks(seeded_assistant):
    answer = seeded_assistant.answer("What temperature does ConVIRT use?")
    assert not answer.answered and answer.citations == []
    assert answer.text == (
        "The collection does not answer this: the closest paper does not mention the temperature."
    )


def test_a_decline_names_every_asked_detail_the_closest_paper_lacks(seeded_assistant):
    question = (
        "How many parameters does the MVP model have, and which backbone was it initialised from?"
    )
    # What a decline would say (the answer reader, fooled by an abstract all about MVP, lets
    # the question through: its decision is measured on the test split, not pinned here).
    reasons = explain(question_signals(seeded_assistant, question))
    assert reasons[0] == "the closest paper does not mention the parameters or the backbone"


class RecordingReader:
    """Gives each paper the logit its title ends with, and records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, list[str], bool]] = []

    def logits(self, question, papers, idf, *, wants_number=False):
        self.asked.append((question, [title for title, _ in papers], wants_number))
        return [float(title.split()[-1]) for title, _ in papers]


def reader_decision(with_model: bool) -> tuple[AbstentionDecision, RecordingReader]:
    reader = RecordingReader()
    decision = AbstentionDecision(Settings(), lambda q, n: [], reader, with_model)
    return decision, reader


def test_offline_the_reader_reads_only_the_top_papers_and_the_best_logit_counts():
    papers = [
        Paper(f"p{i}", f"Paper {logit}", "It measures it.")
        for i, logit in enumerate([-1.5, 2.0, -0.5, 3.0])
    ]
    hits = [Hit(i + 1, p.paper_id, p.title, 1.0, [p.abstract], 0.5) for i, p in enumerate(papers)]
    decision, reader = reader_decision(with_model=False)
    measured = decision.signals("How many epochs?", hits, papers, TermStatistics({}, 10))
    read = [p.title for p in papers[:READ_PAPERS]]
    assert reader.asked == [("How many epochs?", read, True)]  # the others are not read
    assert measured.reader_logit == max(float(title.split()[-1]) for title in read)


def test_with_a_model_the_reader_is_not_asked_and_its_gate_ignores_it():
    paper = Paper("p1", "Paper 5.0", "It measures it.")
    hit = Hit(1, "p1", paper.title, 1.0, [paper.abstract], 0.5)
    decision, reader = reader_decision(with_model=True)
    measured = decision.signals("What is it?", [hit], [paper], TermStatistics({}, 10))
    assert reader.asked == [] and measured.reader_logit == NO_OPINION
    settings = Settings(abstention_model_weights="reader_logit=3, bias=0")
    confident = signals(best_cosine=0.5, reader_logit=5.0)
    assert decide(confident, settings, with_model=True).score == 0.5  # read as no opinion


def test_no_paper_to_read_is_the_lowest_logit():
    decision, _ = reader_decision(with_model=False)
    assert (
        decision.signals("What is it?", [], [], TermStatistics({}, 10)).reader_logit == NOTHING_READ
    )


def test_a_decline_with_nothing_specific_to_say_is_the_plain_one():
    settings = Settings(abstention_weights="best_cosine=10, bias=-5")
    decision = decide(signals(best_cosine=0.3), settings, with_model=False)
    assert not decision.answerable and decision.reasons == []
    assert not_covered(decision.reasons) == NOT_COVERED


class RefusingReader:
    def logits(self, question, papers, idf, *, wants_number=False):
        raise AssertionError("the answer reader was asked although a model reads the sources")


def test_with_a_model_the_answer_reader_is_never_asked(
    assistant_factory, openai_server, monkeypatch
):
    import assistant.reader

    monkeypatch.setattr(assistant.reader, "shared_reader", RefusingReader)
    llm = assistant_factory(base_url=openai_server.url, max_retries=1)
    openai_server.enqueue("ALBERT shares parameters across layers [1].")
    answer = llm.answer("What does ALBERT do to reduce the number of parameters?")
    assert answer.answered and len(openai_server.chat_requests) == 1


def test_short_entity_questions_reach_the_model(assistant_factory, openai_server):
    llm = assistant_factory(base_url=openai_server.url, max_retries=1)
    openai_server.enqueue("ALBERT shares parameters across layers [1].")
    answer = llm.answer("What does ALBERT do to reduce the number of parameters?")
    assert answer.answered and answer.citations == [1]
    assert len(openai_server.chat_requests) == 1


_SIGNALS_OF_ONE_QUESTION = """
from assistant.answering.abstention import measure_signals
from assistant.answering.decision import TermStatistics
from assistant.collection import Paper
from assistant.reader import shared_reader
from assistant.results import Hit

words = "alpha beta gamma delta epsilon zeta theta iota kappa lambda sigma omega".split()
question = "Which " + " ".join(words) + " papers?"
abstract = " ".join(words[::2]) + ". " + " ".join(words[:7]) + "."
paper = Paper("p1", "Greek letters", abstract)
hit = Hit(1, "p1", paper.title, 1.0, [abstract], 0.6)
terms = TermStatistics({w: 1 + 7 * i for i, w in enumerate(words)}, 997)
signals = measure_signals(question, [hit], [paper], lambda q, n: [], terms, shared_reader())
print(repr(signals.vector()))
"""


def test_a_question_scores_the_same_in_every_process():
    # Sums over sets follow their order, which the hash seed picks per process; an inexact
    # sum would differ in its last bits from one run to the next.
    def signals_with_hash_seed(seed: int) -> str:
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        run = subprocess.run(
            [sys.executable, "-c", _SIGNALS_OF_ONE_QUESTION],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return run.stdout

    assert len({signals_with_hash_seed(seed) for seed in range(8)}) == 1
