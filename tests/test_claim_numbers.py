"""Numbers a claim states must be ones its cited source gives: a copied sentence with one
number changed is unsupported, however closely it resembles the source otherwise."""

from __future__ import annotations

import pytest
from claim_checks import DEFAULTS, check

from assistant.answer_notes import claim_warnings
from assistant.answering.claim_numbers import claim_numbers, unstated_numbers
from assistant.results import Claim

SOURCE = (
    "ALBERT uses 18x fewer parameters than BERT-large and trains 1.7 times faster. It reaches "
    "89.7% accuracy on 1,000 tasks with 1.5 billion parameters, three datasets and twice the "
    "batch size, in 2019. GPT-3 and T5 are compared, and half of the layers are shared."
)


@pytest.mark.parametrize(
    "claim",
    [
        "ALBERT uses 18x fewer parameters [1].",
        "ALBERT uses 18 times fewer parameters.",
        "ALBERT uses 18× fewer parameters than BERT-large.",
        "It reaches about 90% accuracy.",  # rounded: what 89.7% says
        "It reaches 89.70 percent accuracy.",
        "It reaches an accuracy of 0.897.",  # a share and its percentage
        "It was evaluated on 1000 tasks.",
        "It has 1.5B parameters.",
        "It has 1,500,000,000 parameters.",
        "It uses 3 datasets and a 2x larger batch.",  # number words in the source
        "Half the layers, i.e. 50%, are shared.",
        "It appeared in 2019 [1, 2].",  # markers are not quantities
        "(1) GPT-3 and T5 are compared in Table 2 of source 3.",  # names, counters, references
        "It trains 1.7x faster, at top-1, in 3D, on ImageNet-1k with v2.1.",
        "No number at all.",
    ],
)
def test_numbers_the_source_gives_in_any_written_form_are_stated(claim):
    assert unstated_numbers(claim, [SOURCE]) == []


@pytest.mark.parametrize(
    ("claim", "unstated"),
    [
        ("ALBERT uses 80x fewer parameters.", ["80x"]),
        ("It reaches 91% accuracy.", ["91%"]),
        ("It reaches 89.2% accuracy.", ["89.2%"]),
        ("It has 2.5B parameters and 18x fewer of them.", ["2.5B"]),
        ("It was evaluated on 4 datasets in 2021.", ["4", "2021"]),
        ("It trains 1.6 times faster.", ["1.6"]),
        ("It has 17 layers.", ["17"]),  # 18 rounds to itself, not to 17
        ("It was evaluated on 1,200 tasks [1].", ["1,200"]),
    ],
)
def test_numbers_the_source_does_not_give_are_reported_as_written(claim, unstated):
    assert unstated_numbers(claim, [SOURCE]) == unstated


def test_escape_sequences_hold_no_numbers_and_each_number_is_named_once():
    hyperlink = "DAE-Talker uses \x1b]8;;http://x\x07latents\x1b]8;;\x07 [1]."
    assert unstated_numbers(hyperlink, ["No numbers here."]) == []
    coloured = "It reaches \x1b[31m81.0%\x1b[0m on A and 81.0% on B."
    assert unstated_numbers(coloured, [SOURCE]) == ["81.0%"]


def test_any_cited_source_may_give_the_number():
    assert unstated_numbers("It needs 40 GPUs.", ["No numbers here.", "It used 40 GPUs."]) == []
    assert [n.written for n in claim_numbers("1) first 2) second, on 12 tasks")] == ["12"]


def test_a_copied_sentence_with_a_changed_number_is_unsupported(embedder):
    true, altered = check(
        "ALBERT uses 18x fewer parameters than BERT-large [1]. "
        "ALBERT uses 80x fewer parameters than BERT-large [1].",
        [SOURCE],
        embedder,
    )
    assert true.supported and true.unstated_numbers == []
    # It resembles its source as closely as the true sentence; only the number gives it away.
    assert altered.support >= DEFAULTS.claim_support_threshold
    assert not altered.supported and altered.unstated_numbers == ["80x"]


def test_the_warning_names_the_number_and_the_source():
    claim = Claim("It uses 80x fewer parameters [1].", [1], False, 0.9, ["80x"])
    assert claim_warnings([claim]) == ["⚠ 80x not given by [1]: It uses 80x fewer parameters [1]."]
    assert Claim.from_dict(claim.to_dict()) == claim
    older = {"text": "A [1].", "citations": [1], "supported": True, "support": 0.8}
    assert Claim.from_dict(older).unstated_numbers == []  # history written before the check
