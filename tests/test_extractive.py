"""The offline answerer: sentences that answer, one quote per compared paper, no boilerplate,
and markers inside source text never taken for citations."""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.answer_notes import OFFLINE_HINT
from assistant.answering.decision import TermStatistics
from assistant.answering.extractive import (
    QUOTES_PER_LISTED_PAPER,
    compose_answer,
    plan_quotes,
    select_quotes,
)
from assistant.answering.question_cues import (
    asks_for_several_papers,
    joins_several_things,
    papers_to_read,
)
from assistant.answering.sentence_scoring import is_boilerplate, score_sentences
from assistant.citations import check_citations
from assistant.settings import Settings

TUNING = Settings()


def cited_titles(answer) -> list[str]:
    return [s.title for s in answer.sources if s.cited]


def test_the_readme_question_quotes_the_sentence_that_answers_it(seeded_assistant):
    answer = seeded_assistant.answer(
        "What does DAE-Talker use in place of handcrafted facial landmarks?"
    )
    assert answer.answered and answer.extractive
    assert "data-driven latent representations" in answer.text
    assert "diffusion autoencoder" in answer.text.casefold()
    # Papers far less similar than the one the question names are not quoted beside it.
    assert cited_titles(answer) == [
        "DAE-Talker: High Fidelity Speech-Driven Talking Face Generation with Diffusion Autoencoder"
    ]


def test_the_offline_hint_is_not_part_of_the_answer(seeded_assistant):
    answer = seeded_assistant.answer("What is LUKE?")
    assert answer.extractive and OFFLINE_HINT not in answer.text
    assert "ASSISTANT_BASE_URL" not in answer.text
    assert answer.to_dict()["extractive"] is True


def test_code_availability_is_never_quoted(seeded_assistant):
    # LUKE's abstract ends with "Our source code ... are available at https://github.com/...".
    answer = seeded_assistant.answer("What is LUKE and where is its source code available?")
    assert answer.answered
    assert "github" not in answer.text.casefold()


def test_a_comparison_quotes_each_paper_it_names(seeded_assistant):
    answer = seeded_assistant.answer(
        "How do DeCLUTR and SARCSE differ in how they learn unsupervised sentence embeddings?"
    )
    titles = cited_titles(answer)
    assert any(t.startswith("DeCLUTR") for t in titles)
    assert any("Self-Adaptive Reconstruction" in t for t in titles)


def test_which_papers_questions_read_more_papers_and_quote_each(seeded_assistant):
    question = "Which papers use language-model representations to build recommender systems?"
    assert papers_to_read(question, 5, 10) == 10 and papers_to_read("What is LUKE?", 5, 10) == 5
    answer = seeded_assistant.answer(question)
    assert len(answer.sources) == seeded_assistant.settings.several_papers_k == 20
    titles = cited_titles(answer)
    assert "Item-Language Model for Conversational Recommendation" in titles
    assert any(t.startswith("Text Is All You Need") for t in titles)


def test_a_which_papers_answer_quotes_a_paper_at_most_three_times(embedder):
    many = " ".join(
        f"We learn sentence embeddings contrastively with {x}."
        for x in ("dropout noise", "hard negatives", "paraphrase pairs", "large batches", "NLI")
    )
    sources = [(1, many, 0.7), (2, "We learn sentence embeddings contrastively too.", 0.6)]
    quotes = select_quotes(
        "Which papers learn sentence embeddings contrastively?",
        sources,
        embedder,
        TermStatistics({}, 10),
        TUNING,
        {1: "One", 2: "Two"},
    )
    assert [q.n for q in quotes].count(1) == QUOTES_PER_LISTED_PAPER == 3
    assert [q.n for q in quotes].count(2) == 1


def test_markers_inside_a_source_are_not_citations(embedder):
    sources = [
        (1, "Earlier systems [2] relied on handcrafted landmarks. We use latents instead.", 0.6),
        (2, "An unrelated abstract about proteins and their folding into shapes.", 0.2),
    ]
    quotes = select_quotes(
        "What replaces handcrafted landmarks?", sources, embedder, TermStatistics({}, 10), TUNING
    )
    assert quotes and all(q.n == 1 for q in quotes)
    text = compose_answer(quotes, {1: "Paper one", 2: "Paper two"})
    assert "[2]" not in text and "(ref. 2)" in text
    assert check_citations(text, 2).cited == [1]


def test_boilerplate_is_recognised():
    assert is_boilerplate("Our code is publicly available at https://github.com/a/b.")
    assert is_boilerplate("The dataset will be released.")
    assert is_boilerplate("Code and models are available.")
    assert not is_boilerplate("We show that the model is available for many languages at once.")


def test_plan_for_a_comparison_and_for_a_list():
    sources = [(1, "DeCLUTR learns ...", 0.6), (2, "SARCSE reconstructs ...", 0.5), (3, "x", 0.4)]
    titles = {1: "DeCLUTR: Deep Contrastive", 2: "Self-Adaptive Reconstruction", 3: "Other"}
    plan = plan_quotes("How do DeCLUTR and SARCSE differ?", sources, titles, TUNING)
    assert plan.required == (1, 2) and plan.allowed == frozenset({1, 2})
    assert plan.per_required == TUNING.extractive_quotes_per_compared_paper == 3
    listing = plan_quotes("Which papers study contrastive learning?", sources, titles, TUNING)
    assert listing.required == (1, 2, 3) and listing.per_required == 1
    named = plan_quotes("What does DeCLUTR learn?", sources, titles, TUNING)
    # Its own paper answers, and papers that mention it may; the others say nothing of it.
    assert named.required == (1,) and named.allowed == frozenset({1})
    # about it alone, most of the answer is its own sentences
    assert named.per_required == TUNING.extractive_only_paper_quotes == 4
    mentioned = [*sources[:2], (3, "Unlike DeCLUTR, we ...", 0.4)]
    assert plan_quotes("What does DeCLUTR learn?", mentioned, titles, TUNING).allowed == {1, 3}
    # Heard first, not alone, when retrieval ranks another paper first or a second subject
    # is joined.
    second = plan_quotes("What does SARCSE learn?", sources, titles, TUNING)
    assert second.required == (2,) and second.allowed is None
    assert second.per_required == TUNING.extractive_named_paper_quotes == 2
    joined = plan_quotes("What do DeCLUTR and contrastive methods learn?", sources, titles, TUNING)
    assert joined.required == (1,) and joined.allowed is None
    assert named.max_sentences == TUNING.extractive_max_sentences == 5
    plain = plan_quotes("What do contrastive methods learn?", sources, titles, TUNING)
    assert plain.required == ()


def test_a_name_does_not_match_inside_a_longer_name():
    sources = [(1, "mLUKE extends it to many languages.", 0.6), (2, "LUKE adds entities.", 0.5)]
    titles = {1: "mLUKE: multilingual", 2: "LUKE: Deep Contextualized Entity Representations"}
    plan = plan_quotes("How does LUKE differ from mLUKE?", sources, titles, TUNING)
    assert plan.required == (2, 1)


def test_answer_lines_keep_their_shape(seeded_assistant):
    answer = seeded_assistant.answer("What is ALBERT?")
    for line in answer.text.splitlines():
        match = re.match(r".*? \[(\d+)\]: ", line)
        assert match, line
        cited = re.findall(r"\[(\d+)\]\.(?: |$)", line)
        assert cited and set(cited) == {match.group(1)}


def test_list_questions_are_recognised_with_describing_words():
    assert asks_for_several_papers("Which video representation learning papers report SSv2?")
    assert asks_for_several_papers("What approaches cut the cost of pretraining?")
    assert asks_for_several_papers("List papers on protein language models.")
    # one named paper's comparisons, a verb, a number: not a list of papers
    assert not asks_for_several_papers("Which models does ERNIE 2.0 outperform?")
    assert not asks_for_several_papers("When does it win, and which combination works best?")
    assert not asks_for_several_papers("What is the number of models trained?")


@pytest.mark.parametrize(
    "question",
    [
        "How do the papers forecast road traffic?",
        "Does any paper find the CLS token to be a poor summary?",
        "What do papers here say about MLP layers?",
        "I'm looking for papers about long fiction.",
        "Is there work that trains on hashtags or emojis?",
        "I'm looking for papers where a ResNet-50 shows up.",
        "does anything here deal with polysemy?",
    ],
)
def test_questions_about_the_collection_s_papers_ask_for_several(question):
    assert asks_for_several_papers(question)


def test_papers_as_a_topic_or_one_paper_ask_for_one():
    assert not asks_for_several_papers("How do MIReAD and SciNCL represent scientific papers?")
    assert not asks_for_several_papers("Is there a paper on news recommendation?")
    assert not asks_for_several_papers("I'm looking for the work that ties CLIP to ImageNet.")


def _two_sentences_scored(question, first, second, *, several_papers):
    """Scores of two sentences of one paper, equally similar to ``question``."""
    sentences = [(1, 0, first), (1, 1, second)]
    similarities = np.array([0.5, 0.5], dtype=np.float32)
    frequencies = TermStatistics({}, 10)
    return score_sentences(
        question,
        sentences,
        similarities,
        frequencies,
        {1: "A title"},
        TUNING,
        several_papers=several_papers,
    )


def test_a_quote_for_several_papers_says_what_its_paper_does():
    question = "Which papers pretrain on a child-sized amount of text?"
    first = "Such small corpora make strong baselines hard to train well."
    second = "Concretely, we use the StructFormer architecture and variants thereof."
    alone = _two_sentences_scored(question, first, second, several_papers=False)
    listed = _two_sentences_scored(question, first, second, several_papers=True)
    assert alone[1] - alone[0] < TUNING.extractive_kind_bonus  # one paper: cosine decides
    # a name and a statement of what was done: two kinds of what a list asks for
    assert listed[1] - listed[0] >= 2 * TUNING.extractive_kind_bonus - 1e-6


def test_a_comparison_asked_how_quotes_how_each_paper_does_it():
    scores = _two_sentences_scored(
        "How do VLAP and Macaw-LLM connect images to a language model?",
        "Our experiments show that VLAP clearly beats earlier work.",
        "Images become word embeddings based on an optimal transport assignment.",
        several_papers=True,
    )
    # asked how, the sentence saying how wins over the one saying how well
    assert scores[1] - scores[0] >= 2 * TUNING.extractive_kind_bonus - 1e-6


LUKE_TITLE = "LUKE: Deep Contextualized Entity Representations with Entity-aware Self-attention"


def test_a_question_about_one_named_paper_quotes_that_paper(seeded_assistant):
    # Other papers that score well on "what is" or "compare" sentences say nothing of LUKE.
    for question in ("What is LUKE?", "Who does LUKE compare against?"):
        answer = seeded_assistant.answer(question)
        assert cited_titles(answer) == [LUKE_TITLE], question


def test_questions_joining_two_subjects_are_not_narrowed_to_one_paper():
    assert joins_several_things("How do LUKE and ALBERT differ?")
    assert joins_several_things("Is LUKE better than BERT or RoBERTa?")
    assert not joins_several_things("Who does LUKE compare against?")
    assert not joins_several_things("What is LUKE?")
