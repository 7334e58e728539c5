"""A claim that says the opposite of its cited source is unsupported, however many words it
shares with it; one that says the same thing in other words is left alone."""

from __future__ import annotations

import pytest
from claim_checks import DEFAULTS, check

from assistant.answer_notes import claim_warnings
from assistant.answering.claim_polarity import contradicted_by
from assistant.results import Claim

SOURCE = (
    "We show that LUKE requires labelled data for pretraining. Unlike prior work, which cannot "
    "handle long inputs, our model scales to long documents. Fine-tuning improves accuracy on "
    "all benchmarks. The method is unsupervised and trains faster than BERT. Pretrained "
    "transformers obtain strong performance on a variety of non-language tasks. Yet even when "
    "models fail to use the information from a relevant document, they attend to it."
)


@pytest.mark.parametrize(
    ("claim", "source_says"),
    [
        ("LUKE does not require labelled data for pretraining.", "LUKE requires labelled data"),
        ("LUKE needs no labelled data for pretraining at all.", "LUKE requires labelled data"),
        ("Fine-tuning degrades accuracy on all benchmarks.", "improves accuracy"),
        ("Fine-tuning does not improve accuracy on all benchmarks.", "improves accuracy"),
        ("Fine-tuning hurts the accuracy on all the benchmarks.", "improves accuracy"),
        ("The method is supervised and trains faster than BERT.", "unsupervised"),
        ("The unsupervised method trains slower than BERT.", "faster than BERT"),
    ],
)
def test_a_claim_reversing_its_source_is_contradicted(claim, source_says):
    (found,) = contradicted_by(claim, [SOURCE])
    assert source_says in found


@pytest.mark.parametrize(
    "claim",
    [
        "LUKE requires labelled data for pretraining.",
        "Fine-tuning improves accuracy on all benchmarks.",
        "The method is unsupervised and trains faster than BERT.",
        # the same polarity, written another way
        "Fine-tuning does not degrade accuracy on any of the benchmarks.",
        "Transformers pretrained on language perform strongly on tasks that are not about "
        "language.",
        "Even when a model does not use a relevant document's information, it attends to it.",
        "The method not only is unsupervised but also trains faster than BERT.",
        # a negation of something the source does not state is no reversal of what it does
        "Our model scales to long documents, although it is not the only one to do so.",
        "Prior work cannot handle long inputs.",
    ],
)
def test_a_claim_stating_what_its_source_states_is_not_contradicted(claim):
    assert contradicted_by(claim, [SOURCE]) == []


def test_swapped_sides_of_a_ranking_are_a_reversal_and_a_passive_is_not():
    source = "We observe that beam search outperforms sampling in docking evaluation."
    swapped = "Sampling outperforms beam search in docking evaluation."
    assert contradicted_by(swapped, [source]) == [source]
    for same in (
        "Beam search outperforms sampling in docking evaluation.",
        "Sampling is outperformed by beam search in docking evaluation.",
        "Sampling underperforms beam search in docking evaluation.",
    ):
        assert contradicted_by(same, [source]) == [], same


CLIP_SAYS = (
    "For instance, we match the accuracy of the original ResNet-50 on ImageNet zero-shot "
    "without needing to use any of the 1.28 million training examples it was trained on."
)
LAPRADOR_SAYS = (
    "In this paper, we propose LaPraDoR, a pretrained dual-tower dense retriever that does not "
    "require any supervised data for training."
)


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        (
            "CLIP matches the accuracy of ResNet-50 on ImageNet zero-shot without using its "
            "1.28 million training examples.",
            CLIP_SAYS,
        ),
        (
            "CLIP matches the accuracy of ResNet-50 on ImageNet zero-shot without any of the "
            "1.28M training examples.",
            CLIP_SAYS,
        ),
        (
            "CLIP matches the accuracy of ResNet-50 on ImageNet zero-shot without using any of "
            "its training examples.",
            CLIP_SAYS,
        ),
        ("LaPraDoR requires no supervised data for training.", LAPRADOR_SAYS),
    ],
)
def test_a_negation_the_source_makes_in_other_words_is_no_reversal(claim, source):
    # "without using X" and "without needing to use any of the X" negate the same X.
    assert contradicted_by(claim, [source]) == []


def test_dropping_or_adding_the_sources_negation_is_still_a_reversal():
    assert contradicted_by("LaPraDoR requires supervised data for training.", [LAPRADOR_SAYS])
    assert contradicted_by(
        "CLIP does not match the accuracy of the original ResNet-50 on ImageNet zero-shot.",
        [CLIP_SAYS],
    )


def test_a_source_stating_both_sides_gives_the_benefit_of_the_doubt():
    source = "Prior methods require labelled data. Our method does not require labelled data."
    assert contradicted_by("The method does not require labelled data.", [source]) == []
    assert contradicted_by("The method requires labelled data.", [source]) == []


def test_a_loosely_related_source_contradicts_nothing():
    assert contradicted_by("LUKE does not improve speed.", [SOURCE]) == []
    assert contradicted_by("", [SOURCE]) == []
    assert contradicted_by("LUKE does not require labelled data.", []) == []


def test_a_reversed_claim_is_unsupported_and_the_warning_quotes_the_source(embedder):
    answer = (
        "Fine-tuning improves accuracy on all benchmarks [1]. "
        "LUKE does not require labelled data for pretraining [1]."
    )
    kept, reversed_ = check(answer, [SOURCE], embedder)
    assert kept.supported and kept.contradicted_by == []
    # It shares every content word with its source: only the reversal makes it unsupported.
    assert reversed_.support >= DEFAULTS.claim_support_threshold
    assert not reversed_.supported
    source_clause = "We show that LUKE requires labelled data for pretraining."
    assert reversed_.contradicted_by == [source_clause]
    (warning,) = claim_warnings([reversed_])
    assert warning.startswith('⚠ [1] says otherwise ("We show that LUKE requires labelled data')


def test_contradicting_passages_travel_with_the_claim():
    claim = Claim("X is not fast [1].", [1], False, 0.9, [], ["X is fast"])
    assert claim.to_dict()["contradicted_by"] == ["X is fast"]
    assert Claim.from_dict(claim.to_dict()) == claim
    older = {"text": "t", "citations": [1], "supported": True, "support": 0.9}
    assert Claim.from_dict(older).contradicted_by == []


def test_a_title_labelling_a_quote_states_nothing_to_contradict(embedder):
    # Offline answers open with the paper's title, and a title claims nothing: "Don't Stop
    # Pretraining" is no reversal of "tailor a pretrained model to the domain".
    source = (
        "Language models pretrained on text from a wide variety of sources form the foundation "
        "of today's NLP. In light of the success of these broad-coverage models, we investigate "
        "whether it is still helpful to tailor a pretrained model to the domain of a target task."
    )
    answer = (
        "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks [1]: Language models "
        "pretrained on text from a wide variety of sources form the foundation of today's NLP [1]."
    )
    (claim,) = check(answer, [source], embedder)
    assert claim.supported and claim.contradicted_by == []
