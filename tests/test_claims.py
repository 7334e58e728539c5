"""Claims: splitting an answer into cited sentences and checking them against their sources,
with the bundled MiniLM embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claim_checks import CountingEmbedder, check

from assistant.answering.claims import (
    ClaimCheck,
    ClaimText,
    claim_parts,
    split_claims,
    term_overlap,
)
from assistant.results import Claim
from assistant.settings import Settings

DEFAULTS = Settings()

LUKE = (
    "Entity representations are useful in natural language tasks involving entities. In this "
    "paper, we propose new pretrained contextualized representations of words and entities "
    "based on the bidirectional transformer. The proposed model treats words and entities in a "
    "given text as independent tokens, and outputs contextualized representations of them. Our "
    "model is trained using a new pretraining task based on the masked language model of BERT. "
    "The task involves predicting randomly masked words and entities in a large "
    "entity-annotated corpus retrieved from Wikipedia [12]."
)
ALBERT = (
    "Increasing model size when pretraining natural language representations often results in "
    "improved performance on downstream tasks. However, at some point further model increases "
    "become harder due to GPU/TPU memory limitations and longer training times. To address "
    "these problems, we present two parameter-reduction techniques to lower memory consumption "
    "and increase the training speed of BERT. We also use a self-supervised loss that focuses "
    "on modeling inter-sentence coherence, and show it consistently helps downstream tasks "
    "with multi-sentence inputs."
)
COPIED = (
    "Our model is trained using a new pretraining task based on the masked language model of BERT"
)
PARAPHRASED = (
    "ALBERT introduces two techniques that reduce the number of parameters, cutting memory use "
    "and speeding up BERT training"
)
CLAIMS_FILE = Path(__file__).resolve().parents[1] / "eval" / "claims.jsonl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A holds [1]. B holds [2, 3].", [("A holds [1].", [1]), ("B holds [2, 3].", [2, 3])]),
        # A marker after the final stop belongs to the sentence before it (kept as written, so
        # the sentence can be found in the answer).
        (
            "A holds.[1] B holds. [2] C holds.",
            [("A holds.[1]", [1]), ("B holds. [2]", [2]), ("C holds.", [])],
        ),
        # A trailing marker-only line cites the sentence above it.
        ("A holds and B differs.\n[1][3]", [("A holds and B differs. [1][3]", [1, 3])]),
        ("Ranges count each source [2-4].", [("Ranges count each source [2-4].", [2, 3, 4])]),
        # So does a source named in parentheses after it, or on the line under its paragraph;
        # prose naming sources stays a claim.
        (
            "A holds. (Source: [1]) B holds [2].",
            [("A holds. (Source: [1])", [1]), ("B holds [2].", [2])],
        ),
        ("A holds.\n\n(Sources: [1], [2])", [("A holds. (Sources: [1], [2])", [1, 2])]),
        ("A holds. B too.\nSource: [2]", [("A holds.", [2]), ("B too. Source: [2]", [2])]),
        ("Sources [1] and [2] agree on A.", [("Sources [1] and [2] agree on A.", [1, 2])]),
        # List items are claims; a lead-in ending in ':' and a heading are not.
        (
            "## Summary\nThe papers differ in two ways:\n- A uses X [1]\n- B uses Y [2]",
            [("A uses X [1]", [1]), ("B uses Y [2]", [2])],
        ),
        (
            "Also e.g. this one [1]. Uncited claim.",
            [("Also e.g. this one [1].", [1]), ("Uncited claim.", [])],
        ),
        # A question (such as a paper's title) claims nothing, and its marker opens the next.
        (
            "A holds [1].\nWhat Does X Do? [2]: X does Y [2].",
            [("A holds [1].", [1]), ("[2]: X does Y [2].", [2])],
        ),
    ],
)
def test_split_claims_keeps_each_sentence_with_its_markers(text, expected):
    assert split_claims(text) == [ClaimText(t, c) for t, c in expected]


def test_copied_and_paraphrased_claims_cited_to_their_source_are_supported(embedder):
    text = f"{COPIED} [1]. {PARAPHRASED} [2]."
    claims = check(text, [LUKE, ALBERT], embedder)
    assert [c.citations for c in claims] == [[1], [2]]
    assert all(c.supported for c in claims), claims
    assert all(0.58 <= c.support <= 1.0 for c in claims)


def test_a_claim_cited_to_another_paper_on_the_topic_is_unsupported(embedder):
    text = f"{COPIED} [2]. {PARAPHRASED} [1]."
    claims = check(text, [LUKE, ALBERT], embedder)
    assert [c.supported for c in claims] == [False, False], claims
    right = check(f"{COPIED} [1].", [LUKE, ALBERT], embedder)[0]
    assert claims[0].support < right.support


def test_a_short_quote_under_a_long_title_is_checked_without_its_title(embedder):
    # Offline answers label each paper's quotes with its title, which the source passage
    # (the quote itself) does not repeat: the title names the paper, it claims nothing.
    title = "Effective Long-Context Scaling of Foundation Models Beyond Their Training Length"
    quote = "We analyse the individual components of our method"
    (claim,) = check(f"{title} [1]: {quote} [1].", [f"{quote}."], embedder)
    assert claim.supported and claim.support == 1.0


def test_quoted_claims_cost_no_embedding_and_score_as_before(embedder):
    counting = CountingEmbedder(embedder)
    quotes = f"{COPIED} [1]. We present two parameter-reduction techniques [2]."
    claims = check(quotes, [LUKE, ALBERT], counting)
    assert counting.asked == []
    assert [(c.supported, c.support) for c in claims] == [(True, 1.0), (True, 1.0)]
    # A paraphrase beside them is embedded, with the windows of its own source only.
    mixed = check(f"{quotes} {PARAPHRASED} [2].", [LUKE, ALBERT], counting)
    assert counting.asked[0].startswith("ALBERT introduces two techniques")
    assert not any("Wikipedia" in text for text in counting.asked)  # LUKE is not read
    assert mixed[2] == check(f"{PARAPHRASED} [2].", [LUKE, ALBERT], embedder)[0]


def test_a_claim_citing_several_sources_takes_the_one_that_supports_it(embedder):
    (claim,) = check(f"{COPIED} [2, 1].", [LUKE, ALBERT], embedder)
    assert claim.citations == [2, 1]
    assert claim.supported


def test_uncited_claims_and_unknown_numbers_are_unsupported_with_zero_support(embedder):
    claims = check(f"{COPIED}.\n\n{COPIED} [7].", [LUKE], embedder)
    assert [(c.citations, c.supported, c.support) for c in claims] == [
        ([], False, 0.0),
        ([7], False, 0.0),
    ]


def test_threshold_and_weights_are_parameters(embedder):
    (strict,) = check(f"{PARAPHRASED} [1].", [ALBERT], embedder, threshold=0.99)
    (lenient,) = check(f"{PARAPHRASED} [1].", [ALBERT], embedder, threshold=0.1)
    assert not strict.supported and lenient.supported
    (terms_only,) = check(f"{COPIED} [1].", [LUKE], embedder, cosine_weight=0.0)
    assert terms_only.support == 1.0  # every content word of a copied sentence is there


VIT_LENS = (
    "ViT-Lens: Towards Omni-modal Representations",
    "We evaluate ViT-Lens in the context of 3D as an initial verification. In zero-shot 3D "
    "classification, ViT-Lens achieves substantial improvements over previous state-of-the-art, "
    "showing 52.0% accuracy on Objaverse-LVIS, 87.4% on ModelNet40, and 60.6% on ScanObjectNN. "
    "Furthermore, we enable zero-shot 3D question-answering by simply integrating the trained 3D "
    "lens into the InstructBLIP model without any adaptation.",
)
APE = (
    "APE: Aligning Pretrained Encoders to Quickly Learn Aligned Multimodal Representations",
    "With a properly chosen alignment distribution, our method surpasses prior state of the art "
    "for ImageNet zero-shot classification on public data while using two orders of magnitude "
    "less time and data and training 77% fewer parameters.",
)
LAPRADOR = (
    "LaPraDoR: Unsupervised Pretrained Dense Retriever for Zero-Shot Text Retrieval",
    "In this paper, we propose LaPraDoR, a pretrained dual-tower dense retriever that does not "
    "require any supervised data for training. We evaluate LaPraDoR on the recently proposed "
    "BEIR benchmark, including 18 datasets of 9 zero-shot text retrieval tasks.",
)


def check_against(text: str, papers: list[tuple[str, str]], embedder) -> list[Claim]:
    return check(text, [a for _, a in papers], embedder, titles=[t for t, _ in papers])


@pytest.mark.parametrize(
    "text",
    [
        "87.4% on ModelNet40 [1].",
        "ViT-Lens reports these zero-shot 3D accuracies [1]:\n\n- Objaverse-LVIS: 52.0%\n"
        "- ModelNet40: 87.4%\n- ScanObjectNN: 60.6%",
        "APE trains 77% fewer parameters [2].",
        "LaPraDoR requires no supervised data for training [3].",
        "ViT-Lens achieves 87.4% on ModelNet40 [1], while APE trains 77% fewer parameters [2].",
    ],
)
def test_a_short_claim_one_source_sentence_writes_whole_is_supported(text, embedder):
    # Short next to the sentence it comes from, such a claim has a low cosine with it; every
    # word is the source's ("APE", the paper's name, is its abstract's "our method").
    claims = check_against(text, [VIT_LENS, APE, LAPRADOR], embedder)
    assert claims and all(c.supported and c.support == 1.0 for c in claims), claims


@pytest.mark.parametrize(
    "text",
    [
        "APE trains 77% fewer parameters [1].",  # copied from [2], cited to [1]
        "APE trains 70% fewer parameters [2].",  # one number changed
        "88.4% on ModelNet40 [1].",
        "LaPraDoR requires supervised data for training [3].",  # reversed
        "ViT-Lens achieves 87.4% on ModelNet40 [2], while APE trains 77% fewer parameters [1].",
    ],
)
def test_a_short_claim_cited_wrong_changed_or_reversed_stays_unsupported(text, embedder):
    (claim,) = check_against(text, [VIT_LENS, APE, LAPRADOR], embedder)
    assert not claim.supported


def test_a_papers_name_counts_only_for_its_own_sentences(embedder):
    # Without the title "APE" is a word the abstract does not write; a title that names no
    # method before a colon lends no words.
    (untitled,) = check("APE trains 77% fewer parameters [1].", [APE[1]], embedder)
    assert untitled.support < 1.0
    unnamed = ("Aligning Pretrained Encoders to Learn Representations (APE)", APE[1])
    (claim,) = check_against("APE trains 77% fewer parameters [1].", [unnamed], embedder)
    assert claim.support < 1.0


def test_term_overlap_counts_the_claims_content_words_found():
    assert term_overlap("models masked entities", "The model masks entities.") == 1.0
    assert term_overlap("the of and", "anything") == 0.0
    assert term_overlap("BERT entities Wikipedia corpus", "BERT on Wikipedia") == 0.5


def test_claim_to_dict_is_the_json_shape():
    claim = Claim("A holds [1].", [1], True, 0.73)
    assert claim.to_dict() == {
        "text": "A holds [1].",
        "citations": [1],
        "supported": True,
        "support": 0.73,
        "unstated_numbers": [],
        "contradicted_by": [],
    }


def test_the_labelled_claim_set_is_large_paraphrased_and_split():
    rows = [json.loads(line) for line in CLAIMS_FILE.read_text().splitlines()]
    assert len(rows) >= 200
    misattributed = [r for r in rows if r["kind"] in ("copy", "paraphrase")]
    assert sum(r["kind"] == "paraphrase" for r in misattributed) >= 0.4 * len(misattributed)
    assert sum(r["kind"] == "number" for r in rows) >= 100
    assert sum(r["kind"] == "comparison" for r in rows) >= 150
    assert sum(r["kind"] == "polarity" for r in rows) >= 100
    assert sum(r["kind"] == "joined" for r in rows) >= 100
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert {r["label"] for r in rows} == {"supported", "unsupported"}
    for row in rows:
        cited_ids = {c["i"] for c in row["cited"]}
        if row["kind"] == "comparison":
            # Two papers' claims in one sentence, with the markers in the claim.
            assert {p["i"] for p in row["taken_from"]} == cited_ids, row["id"]
            assert "[1]" in row["claim"] and len(cited_ids) == 2, row["id"]
            continue
        if row["kind"] == "joined":
            # The same two clauses with one marker at the end: citing both papers, or only
            # the first clause's.
            first = row["taken_from"][0]["i"]
            supported = cited_ids == {p["i"] for p in row["taken_from"]}
            assert supported or cited_ids == {first}, row["id"]
            assert (row["label"] == "supported") == supported, row["id"]
            assert row["claim"].count("[") == 1, row["id"]
            continue
        if row["kind"] in ("number", "polarity"):
            # A claim and its twin (one number changed, or the meaning reversed), both cited to
            # the paper.
            assert row["taken_from"]["i"] in cited_ids, row["id"]
            continue
        assert (row["taken_from"]["i"] in cited_ids) == (row["label"] == "supported"), row["id"]
    # A claim and its misattributed twin are in the same split: dev never sees a test claim.
    split_of: dict[str, set[str]] = {}
    for row in rows:
        split_of.setdefault(row["claim"], set()).add(row["split"])
    assert all(len(splits) == 1 for splits in split_of.values())


def test_the_pipelines_check_is_tuned_by_the_settings(embedder):
    assert (
        DEFAULTS.claim_support_threshold,
        DEFAULTS.claim_cosine_weight,
        DEFAULTS.claim_window_sentences,
    ) == (0.58, 0.6, 2)
    strict = ClaimCheck.from_settings(embedder, DEFAULTS.replace(claim_support_threshold=0.99))
    assert strict.threshold == 0.99
    (claim,) = strict.check(f"{PARAPHRASED} [1].", [ALBERT])
    assert not claim.supported
    (claim,) = ClaimCheck.from_settings(embedder, DEFAULTS).check(f"{PARAPHRASED} [1].", [ALBERT])
    assert claim.supported


def test_a_comparison_with_its_citations_swapped_is_unsupported(embedder):
    right, swapped, one_source = (
        check(f"{COPIED} [1], while {PARAPHRASED[0].lower()}{PARAPHRASED[1:]} [2].", s, embedder)
        for s in ([LUKE, ALBERT], [ALBERT, LUKE], [LUKE, LUKE])
    )
    assert [c.supported for c in right + swapped + one_source] == [True, False, False]
    # The whole sentence resembles the right source for one clause: only clauses tell.
    (as_one,) = check(f"{COPIED}, while {PARAPHRASED} [1, 2].", [ALBERT, LUKE], embedder)
    assert as_one.supported


@pytest.mark.parametrize("joiner", [", while ", "; ", ", and ", ", but "])
def test_a_clause_from_another_paper_does_not_ride_on_one_final_marker(joiner, embedder):
    sentence = f"{COPIED}{joiner}{PARAPHRASED[0].lower()}{PARAPHRASED[1:]}"
    (half_borrowed,) = check(f"{sentence} [1].", [LUKE], embedder)
    assert not half_borrowed.supported
    (both_cited,) = check(f"{sentence} [1, 2].", [LUKE, ALBERT], embedder)
    assert both_cited.supported
    (all_own,) = check(
        f"{COPIED}{joiner}the task predicts masked words and entities from Wikipedia [1].",
        [LUKE],
        embedder,
    )
    assert all_own.supported


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("LUKE prunes attention heads [1], while ALBERT shares all layers [2].", 2),
        ("A prunes attention heads [1] and shares layers across blocks [1].", 2),
        # Too short to claim anything alone: the names join the clause that says something.
        ("BERT [1] and RoBERTa [2] both use masked language modelling [1, 2].", 1),
        ("In contrast to BERT [1], RoBERTa drops next sentence prediction [2].", 1),
        ("A prunes attention heads on GLUE [1] [2].", 1),
        ("A prunes attention heads [1] on GLUE [2].", 1),
        ("A prunes attention heads.", 1),
        # One marker at the end vouches for every clause: each is checked against it.
        ("A prunes attention heads, while B shares layers across blocks [1].", 2),
        ("A prunes attention heads; B shares all layers across blocks [1, 2].", 2),
        ("A prunes heads, B shares layers and C distils teachers [1].", 1),
        ("A prunes heads, while B does [1].", 1),
        ("A wins on lip sync, video fidelity, and pose naturalness scores [1].", 1),
        ("A prunes attention heads, and B shares all layers across blocks [1].", 2),
        # An offline answer's "Title [2]: quote [2]." labels the quote with its paper.
        ("Pruning Attention Heads Efficiently [2]: we prune most heads of BERT [2].", 1),
    ],
)
def test_claim_parts_split_at_markers_that_close_a_clause(text, parts):
    (claim,) = split_claims(text)
    found = claim_parts(claim)
    assert len(found) == parts
    assert sorted({n for _, cited in found for n in cited}) == sorted(set(claim.citations))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # About the sources, not the world: nothing to check against them, cited or not.
        (
            "The sources do not state this directly. However, DAE-Talker uses latents [1].",
            ["However, DAE-Talker uses latents [1]."],
        ),
        ("None of the sources [1, 2] mention GPU hours. X uses Y [2].", ["X uses Y [2]."]),
        # Said to the reader around the answer.
        (
            "DAE-Talker uses latents [1]. Let me know if you need more details! I hope this helps.",
            ["DAE-Talker uses latents [1]."],
        ),
        # A cited sentence addressed to the reader still claims something.
        (
            "If you have little labelled data, ULMFiT works well [1].",
            ["If you have little labelled data, ULMFiT works well [1]."],
        ),
    ],
)
def test_sentences_about_the_sources_or_to_the_reader_are_not_claims(text, expected):
    assert [claim.text for claim in split_claims(text)] == expected
