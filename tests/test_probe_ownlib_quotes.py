"""Offline answers on a user's own library: abstracts in scripts written without spaces, and
entries whose abstract is a single short line, are quoted rather than declined as "not close
enough"; a paper with nothing quotable is declined for that reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.answering.decision import TermStatistics
from assistant.answering.extractive import (
    NOTHING_TO_QUOTE,
    quotable_sentences,
    select_quotes,
    word_count,
)
from assistant.embedding import MiniLMEmbedder
from assistant.service import Assistant
from assistant.settings import Settings

TUNING = Settings()
RICE = (
    "土壤盐渍化是限制水稻产量的重要因素。本研究利用全基因组关联分析，在三百份水稻种质中鉴定出"
    "一个与耐盐性显著相关的基因，命名为OsSALT1。该基因编码一种钠离子转运蛋白，主要在根部表达。"
)
SHORT_LIBRARY = [
    (
        "Support-Vector Networks",
        "The support-vector network is a new learning machine for "
        "two-group classification problems.",
    ),
    (
        "Random Forests",
        "Random forests are a combination of tree predictors such that each tree "
        "depends on the values of a random vector sampled independently.",
    ),
    (
        "Latent Dirichlet Allocation",
        "We describe latent Dirichlet allocation (LDA), a generative "
        "probabilistic model for collections of discrete data such as text corpora.",
    ),
    (
        "Learning representations by back-propagating errors",
        "We describe a new learning "
        "procedure, back-propagation, for networks of neurone-like units.",
    ),
    ("XGBoost: A Scalable Tree Boosting System", "Tree boosting."),
    ("FooNet: Fast Object Outlines", "Code is available at https://github.com/example/foonet."),
]


@pytest.fixture(scope="module")
def short_library(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A collection of a user's export: one-line abstracts, one of two words, one of a link."""
    folder = tmp_path_factory.mktemp("short-library")
    papers = write_jsonl(
        folder / "papers.jsonl", [{"title": t, "abstract": a} for t, a in SHORT_LIBRARY]
    )
    home = folder / "home"
    Assistant(Settings(home=home, collection="mine"), embedder=embedder).ingest([papers])
    return home


def offline(home: Path, embedder: MiniLMEmbedder) -> Assistant:
    return Assistant(Settings.load({"home": home, "collection": "mine"}), embedder=embedder)


def test_an_ideograph_counts_as_a_word():
    assert word_count("本研究利用全基因组关联分析。") >= 4
    assert word_count("Code is available.") == 3
    assert [p for p, _ in quotable_sentences(RICE)] == [0, 1, 2]


def test_a_chinese_abstract_is_quoted(embedder):
    quotes = select_quotes(
        "哪个基因与水稻耐盐性相关？", [(1, RICE, 0.7)], embedder, TermStatistics({}, 3), TUNING
    )
    assert quotes and all(q.n == 1 for q in quotes)
    assert any("OsSALT1" in q.sentence for q in quotes)


def test_a_one_line_abstract_is_quoted_when_it_is_all_the_paper_says(short_library, embedder):
    answer = offline(short_library, embedder).answer("What is XGBoost?")
    assert answer.answered, answer.text
    assert "Tree boosting [1]" in answer.text
    assert [s.title for s in answer.sources if s.cited] == [
        "XGBoost: A Scalable Tree Boosting System"
    ]


def test_fragments_beside_whole_sentences_are_still_left_out():
    assert quotable_sentences("We train a forest of trees on tabular data. Results follow.") == [
        (0, "We train a forest of trees on tabular data.")
    ]


def test_a_paper_of_links_only_is_declined_for_that_reason(short_library, embedder):
    answer = offline(short_library, embedder).answer("What is FooNet for fast object outlines?")
    assert not answer.answered
    assert NOTHING_TO_QUOTE in answer.text
    assert "close enough" not in answer.text
