"""Token-measured, sentence-aligned chunks with overlap."""

from __future__ import annotations

import itertools

import pytest

from assistant.chunking import chunk_paper
from assistant.collection import Paper
from assistant.resources import bundled_seed_files
from assistant.sources import load_collection
from assistant.text import count_tokens, split_sentences


def make_paper(abstract: str) -> Paper:
    return Paper("p1", "A Title", abstract)


def test_sentences_keep_abbreviations_and_decimals() -> None:
    text = "We use e.g. BERT and achieve 92.5 F1. Results improve, et al. Note this. Done!"
    assert split_sentences(text) == [
        "We use e.g. BERT and achieve 92.5 F1.",
        "Results improve, et al. Note this.",
        "Done!",
    ]


def test_chinese_and_japanese_sentences_end_at_their_own_stops() -> None:
    assert split_sentences("模型很好[1]。它更快！真的吗？ 是的") == [
        "模型很好[1]。",
        "它更快！",
        "真的吗？",
        "是的",
    ]


def test_short_abstract_is_one_chunk_carrying_the_title() -> None:
    (chunk,) = chunk_paper(make_paper("One sentence. Another one."), max_tokens=100, overlap=20)
    assert chunk.text == "One sentence. Another one."
    assert chunk.title == "A Title" and chunk.embedding_text.startswith("A Title. ")
    assert chunk.chunk_id == "p1:0"


@pytest.mark.parametrize(("size", "overlap"), [(40, 10), (80, 20), (160, 40)])
def test_chunks_respect_size_align_to_sentences_and_overlap(size: int, overlap: int) -> None:
    papers = load_collection(bundled_seed_files())[:40]
    for paper in papers:
        chunks = chunk_paper(paper, size, overlap)
        sentences = split_sentences(paper.abstract)
        for chunk in chunks:
            assert count_tokens(chunk.text) <= size
        # Every sentence of the abstract is in some chunk.
        joined = " ".join(c.text for c in chunks)
        assert all(s in joined for s in sentences if count_tokens(s) <= size)
        # Neighbours share their boundary sentence when it fits in the overlap and
        # leaves room for the next sentence.
        for left, right in itertools.pairwise(chunks):
            last = split_sentences(left.text)[-1]
            if count_tokens(last) <= overlap and not right.text.startswith(last):
                assert count_tokens(f"{last} {right.text}") > size


def test_a_sentence_longer_than_a_chunk_is_split_at_words() -> None:
    words = " ".join(f"word{i}" for i in range(300)) + "."
    chunks = chunk_paper(make_paper(words), max_tokens=50, overlap=0)
    assert len(chunks) > 3
    assert all(count_tokens(c.text) <= 50 for c in chunks)
    assert " ".join(c.text for c in chunks) == words


def test_runs_of_a_long_sentence_are_as_long_as_fits() -> None:
    # Words of uneven token counts: each run is found by measuring a few lengths, not every
    # one, and must still be the longest that fits, as adding one word at a time finds.
    words = [("x" * (i % 7 + 1)) + str(i) for i in range(2000)]
    for size in (20, 64, 200):
        chunks = chunk_paper(make_paper(" ".join(words)), max_tokens=size, overlap=0)
        runs = [c.text.split() for c in chunks]
        assert [w for run in runs for w in run] == words
        for run, following in itertools.pairwise(runs):
            assert count_tokens(" ".join(run)) <= size
            assert count_tokens(" ".join([*run, following[0]])) > size


@pytest.mark.parametrize(
    "blob",
    ["ATCGGCTA" * 3000, "基于深度学习的蛋白质结构预测方法研究𠀀" * 100],
    ids=["dna-sequence", "chinese-without-spaces"],
)
def test_a_word_longer_than_a_chunk_is_cut_at_whole_characters(blob: str) -> None:
    chunks = chunk_paper(make_paper(f"We found {blob} in the sample. It matters."), 160, 40)
    assert len(chunks) > 10
    assert max(count_tokens(c.text) for c in chunks) <= 165  # a split character's tokens
    joined = "".join(c.text.replace(" ", "") for c in chunks)
    assert blob in joined
    assert "\ufffd" not in joined
