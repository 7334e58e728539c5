"""Claims read from answers laid out as instruction-tuned models write them (GPT-4o, Claude,
Llama 3, Qwen, Mistral): lists with bold lead-ins, tables, quotes, paragraphs cited once at
their end, lead-ins citing the list below, markers before emphasis or code. Each shape is
checked with sentences taken from real abstracts of the bundled papers, once cited to the
paper they come from (supported) and once to its neighbour (unsupported)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from claim_checks import check as check_with_defaults
from openai_server import Reply

from assistant.answering.claims import ClaimText, split_claims
from assistant.cli import main
from assistant.settings import Settings
from assistant.text import split_sentences

DEFAULTS = Settings()
CLAIMS_FILE = Path(__file__).resolve().parents[1] / "eval" / "claims.jsonl"


def abstract(title: str) -> str:
    for line in CLAIMS_FILE.read_text(encoding="utf-8").splitlines():
        for cited in json.loads(line)["cited"]:
            if cited["title"] == title:
                return cited["text"]
    raise LookupError(title)


NEURONS = abstract("Multimodal Neurons in Pretrained Text-Only Transformers")
MAPPING = abstract("Linearly Mapping from Image to Text Space")
# Taken from NEURONS (A) and from MAPPING (B).
A1 = (
    "A frozen text transformer is augmented with vision using a self-supervised visual "
    "encoder and a single linear projection learned on an image-to-text task"
)
A2 = (
    "Multimodal neurons operate on specific visual concepts across inputs and have a "
    "systematic causal effect on image captioning"
)
B1 = (
    "Image representations from vision models can be transferred as continuous prompts to "
    "frozen LMs by training only a single linear projection"
)
B2 = (
    "Image encoders pretrained with linguistic supervision more saliently encode category "
    "information"
)


def low(sentence: str) -> str:
    return sentence[0].lower() + sentence[1:]


# Each shape is filled with the source of the A sentences as {a} and of the B ones as {b}.
SHAPES = {
    "Llama 3: one citation closing each paragraph": (
        "In the first paper, {la1}. The authors also find that {la2}. [{a}]\n\n"
        "The second paper shows that {lb1}. It adds that {lb2}. [{b}]"
    ),
    "Mistral: the closing citation before the stop": (
        "In the first paper, {la1}. The authors also find that {la2} [{a}].\n\n"
        "The second paper shows that {lb1} [{b}]."
    ),
    "GPT-4o: lead-ins citing the list below": (
        "The first paper reports [{a}]:\n\n- {A1}\n- {A2}\n\nThe second paper reports [{b}]:\n"
        "- {B1}"
    ),
    "Qwen: nested items under cited bold lead-ins": (
        "- **Neurons** [{a}]:\n  - {A1}\n  - {A2}\n- **Mapping** [{b}]:\n  - {B1}"
    ),
    "Claude: a bold sentence after a cited one": "{A1} [{a}]. **In contrast**, {lb1} [{b}].",
    "a code span after a cited stop": "{A1} [{a}]. `LiMBeR` shows that {lb1} [{b}].",
    "a name in lower case after a cited stop": "{A1} [{a}]. wav2vec aside, {lb1} [{b}].",
    "a quoted sentence cited after its quote": 'The paper states "{A1}." [{a}] Then, {lb1} [{b}].',
    "a bold sentence cited inside its emphasis": "**{A1} [{a}].** {B1} [{b}].",
    "a sentence wrapped over two lines": "{A1_wrapped} [{a}].\n{B1} [{b}].",
    "a table with citations in cells": (
        "| Paper | Finding |\n|---|---|\n| Neurons | {A2} [{a}] |\n| Mapping | {B1} [{b}] |"
    ),
    "a block quote": "> {A2}. [{a}]\n\nMeanwhile, {lb1} [{b}].",
    "a setext heading and a pseudo-heading": "Answer\n======\n**Key findings**\n\n{A2} [{a}].",
}


def answer(shape: str, a: int, b: int) -> str:
    words = A1.split()
    return shape.format(
        A1=A1,
        A2=A2,
        B1=B1,
        la1=low(A1),
        la2=low(A2),
        lb1=low(B1),
        lb2=low(B2),
        A1_wrapped=" ".join(words[:10]) + "\n" + " ".join(words[10:]),
        a=a,
        b=b,
    )


def check(text: str, embedder) -> list:
    return check_with_defaults(text, [NEURONS, MAPPING], embedder)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=list(SHAPES))
def test_sentences_cited_to_their_source_are_supported_in_every_layout(shape, embedder):
    claims = check(answer(shape, 1, 2), embedder)
    assert claims
    assert all(claim.supported for claim in claims), claims


# Sentences whose wrong source shares their key words ("frozen", "linear projection") can
# score above the threshold: that is the scoring's limit, not the layout's, so they are left
# out of the misattributed answers below.
MISATTRIBUTED = {
    "Llama 3: one citation closing each paragraph": 4,
    "Claude: a bold sentence after a cited one": 1,
    "a code span after a cited stop": 1,
    "a name in lower case after a cited stop": 1,
    "a quoted sentence cited after its quote": 1,
    "a bold sentence cited inside its emphasis": 1,
    "a table with citations in cells": 2,
    "GPT-4o: lead-ins citing the list below": 2,
}


@pytest.mark.parametrize(("name", "flagged"), MISATTRIBUTED.items(), ids=list(MISATTRIBUTED))
def test_sentences_cited_to_the_neighbour_are_flagged_in_every_layout(name, flagged, embedder):
    """Before, a sentence after "[1]." starting with emphasis, code, a lower-case name or a
    closing quote was merged with the one before it, citing both: the misattributed half was
    then checked against the right source and passed."""
    claims = check(answer(SHAPES[name], 2, 1), embedder)
    unsupported = [c for c in claims if not c.supported]
    assert len(unsupported) >= flagged, claims
    assert all(c.citations for c in unsupported)  # checked against a source, not uncited


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A paragraph's closing citation covers the sentences before it, not those after.
        ("A holds. B holds. [1]\n\nC holds [2]. D holds.", [[1], [1], [2], []]),
        # A lead-in's citation covers its items; the next paragraph starts afresh.
        ("The paper reports [3]:\n- A holds\n- B holds\n\nC holds.", [[3], [3], []]),
        # Under a cited bold item, its nested items; a sibling item after them does not.
        ("- **X** [1]:\n  - A holds\n- **Y** [2]:\n  - B holds\n- C holds", [[1], [2], []]),
        # A marker opening a list item cites that item.
        ("- [1] A holds.\n- [2] B holds.", [[1], [2]]),
        # Authors cited after "et al." are part of the sentence.
        ("Yamada et al. [1] propose LUKE. Lan et al. [2] propose ALBERT.", [[1], [2]]),
        # Markers on a paragraph of their own cite the paragraph above.
        ("A holds. B holds.\n\n[4]", [[4], [4]]),
        # Chinese stops, with the marker after them.
        ("A很好。[1]B也很好。[2]", [[1], [2]]),
    ],
)
def test_citations_reach_the_sentences_they_were_written_for(text, expected):
    assert [claim.citations for claim in split_claims(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Abbreviations, decimals and versions do not end a sentence.
        (
            "A, i.e. the model of Fig. 2, vs. B gains approx. 2.1 points on U.S. data [1]. "
            "GPT-3.5 and v2.1 differ [2].",
            [
                "A, i.e. the model of Fig. 2, vs. B gains approx. 2.1 points on U.S. data [1].",
                "GPT-3.5 and v2.1 differ [2].",
            ],
        ),
        # Full stops inside parentheses do not end the sentence around them.
        (
            "A (see Smith (2020). It is strong.) works [1]. B works [2].",
            ["A (see Smith (2020). It is strong.) works [1].", "B works [2]."],
        ),
        # URLs, code spans, LaTeX and emoji stay inside their sentence.
        (
            "Code is at https://github.com/x/y.git [1]. 🚀 Call `m.fit()` in $O(n^2)$ [2].",
            ["Code is at https://github.com/x/y.git [1].", "🚀 Call `m.fit()` in $O(n^2)$ [2]."],
        ),
        # Headings, setext headings, bold pseudo-headings, code and table headers claim
        # nothing; a long bold sentence does.
        (
            "# Title\nSummary\n=======\n**Key findings**\n\n```\nx. Y\n```\n| H | I |\n|---|---|\n"
            "| a | b [1] |\n\n**A holds for every model we know of.**",
            ["| a | b [1] |", "**A holds for every model we know of.**"],
        ),
        # A line of dashes under a sentence is a rule, not a heading that hides the claim.
        ("A holds [1].\n---\nB holds [2].", ["A holds [1].", "B holds [2]."]),
        # One line with no stop is one claim.
        ("A holds [1]", ["A holds [1]"]),
        # Citations written [1,2], [1-3] and [1][2].
        ("A [1,2]. B [1-3]. C [1][2].", ["A [1,2].", "B [1-3].", "C [1][2]."]),
    ],
)
def test_claim_boundaries_in_model_written_text(text, expected):
    assert [claim.text for claim in split_claims(text)] == expected


@pytest.mark.parametrize("shape", SHAPES.values(), ids=list(SHAPES))
def test_single_line_claims_are_quoted_as_written(shape):
    """The chat app marks an unsupported sentence by finding its text in the answer: a claim
    on one line of the answer is a verbatim part of it (markers were moved before)."""
    text = answer(shape, 1, 2)
    for claim in split_claims(text):
        if "\n" not in claim.text:
            assert claim.text in text or "wrapped" in shape, claim


def test_sentence_spans_locate_the_sentences_of_split_sentences():
    from assistant.text import sentence_spans

    rows = [json.loads(line) for line in CLAIMS_FILE.read_text(encoding="utf-8").splitlines()]
    texts = {cited["text"] for row in rows for cited in row["cited"]}
    rng = random.Random(7)
    texts |= {
        "".join(rng.choice("aB .!?。e.g\n\t\"'([1Z") for _ in range(rng.randint(0, 30)))
        for _ in range(3000)
    }
    texts |= {"", "  ", "et\nal. B c. D", "A.  \n", "好。。X", "U.S. It"}
    for text in texts:
        spans = sentence_spans(text)
        assert [" ".join(text[s:e].split()) for s, e in spans] == split_sentences(text)
        assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def test_claim_text_keeps_markers_where_they_were_written():
    assert split_claims("A holds.[1] B holds. [2]") == [
        ClaimText("A holds.[1]", [1]),
        ClaimText("B holds. [2]", [2]),
    ]


@pytest.fixture
def model_env(seeded_home: Path, openai_server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "1")
    return openai_server


QUESTION = "How can a frozen language model be connected to an image encoder?"


def retrieved_abstracts(count: int) -> list[list[str]]:
    from assistant.service import Assistant

    assistant = Assistant(Settings.load())
    hits = assistant.search(QUESTION, 5)
    return [
        [s for s in split_sentences(assistant.paper(hit.paper_id).abstract) if s.endswith(".")]
        for hit in hits[:count]
    ]


def test_ask_shows_no_warning_for_paragraphs_cited_at_their_end(model_env, capsys):
    first, second = retrieved_abstracts(2)
    model_env.enqueue(Reply(text=f"{first[0]} {first[1]} [1]\n\n{second[0]} {second[1]} [2]"))
    assert main(["ask", QUESTION, "--json"]) == 0
    claims = json.loads(capsys.readouterr().out)["claims"]
    assert [(c["citations"], c["supported"]) for c in claims] == [([1], True)] * 2 + [
        ([2], True)
    ] * 2


def test_ask_flags_a_misattributed_sentence_opening_with_emphasis(model_env, capsys):
    (first,) = retrieved_abstracts(1)
    second_sentence = low(first[1].rstrip("."))
    model_env.enqueue(Reply(text=f"{first[0].rstrip('.')} [1]. **Also**, {second_sentence} [2]."))
    assert main(["ask", QUESTION]) == 0
    answer_part = capsys.readouterr().out.split("\nReferences\n")[0]
    assert "⚠ not supported by [2]: **Also**," in answer_part
    assert answer_part.count("⚠") == 1


def test_the_chat_apps_mark_lands_after_a_misattributed_sentence_cited_after_its_stop(embedder):
    """Before, the claim's text had its marker moved ("… task [2].") and was not found in an
    answer that wrote "… task. [2]", so the chat app showed no ⚠ in the answer."""
    from assistant.answer_notes import mark_unsupported

    text = f"{A2}. [2] {B1}. [2]"
    claims = check(text, embedder)
    assert [c.supported for c in claims] == [False, True]
    assert mark_unsupported(text, claims) == f"{A2}. [2] ⚠ {B1}. [2]"
