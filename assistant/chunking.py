"""Splitting abstracts into overlapping, sentence-aligned chunks measured in tiktoken tokens."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from .text import count_tokens, encoding, split_sentences

if TYPE_CHECKING:
    from .collection import Paper


@dataclass(frozen=True)
class Chunk:
    """A passage of one paper's abstract."""

    chunk_id: str
    paper_id: str
    title: str
    index: int
    text: str

    @property
    def embedding_text(self) -> str:
        """What the embedder reads: the title gives every passage its paper's topic."""
        return f"{self.title}. {self.text}"


def chunk_paper(paper: Paper, max_tokens: int, overlap: int) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens``; neighbours share up to
    ``overlap`` tokens of trailing sentences. A sentence longer than a chunk is split at words."""
    texts: list[str] = []
    current: list[str] = []
    for sentence in _bounded_sentences(paper.abstract, max_tokens):
        # Measured joined: token counts of pieces do not add up exactly.
        if current and count_tokens(" ".join([*current, sentence])) > max_tokens:
            texts.append(" ".join(current))
            current = _overlap_tail(current, sentence, overlap, max_tokens)
        current.append(sentence)
    if current:
        texts.append(" ".join(current))
    return [
        Chunk(f"{paper.paper_id}:{i}", paper.paper_id, paper.title, i, text)
        for i, text in enumerate(texts)
    ]


def _overlap_tail(sentences: list[str], following: str, overlap: int, max_tokens: int) -> list[str]:
    """The trailing sentences of a finished chunk that start the next one: at most
    ``overlap`` tokens, and leaving room for the sentence that follows."""
    tail: list[str] = []
    for sentence in reversed(sentences):
        candidate = [sentence, *tail]
        if (
            count_tokens(" ".join(candidate)) > overlap
            or count_tokens(" ".join([*candidate, following])) > max_tokens
        ):
            break
        tail = candidate
    return tail


def _bounded_sentences(text: str, max_tokens: int) -> list[str]:
    """The sentences of ``text``, one longer than a chunk cut into runs of whole words."""
    out = []
    for sentence in split_sentences(text):
        if count_tokens(sentence) <= max_tokens:
            out.append(sentence)
            continue
        words = _bounded_words(sentence, max_tokens)
        start, run = 0, 1
        while start < len(words):
            end = _longest_run(words, start, max_tokens, guess=run)
            out.append(" ".join(words[start:end]))
            start, run = end, end - start
    return out


def _longest_run(words: list[str], start: int, max_tokens: int, guess: int) -> int:
    """Where the longest run of ``words`` from ``start`` that fits in ``max_tokens`` ends (one
    word at least: each fits alone). A run's token count only grows with its length, so the
    end is found from a guess (the last run's length) by doubling, then halving: a few
    measurements per chunk, not one per word (a megabyte "sentence" without stops would
    otherwise take a minute)."""

    def fits(end: int) -> bool:
        return count_tokens(" ".join(words[start:end])) <= max_tokens

    fitting, too_long = start + 1, len(words) + 1  # past the end counts as too long
    probe = min(start + guess, len(words))
    step = 1
    if probe > fitting and not fits(probe):  # shorter than the guess: step down from it
        too_long = probe
        while too_long - step > fitting and not fits(too_long - step):
            too_long -= step
            step *= 2
        fitting = max(fitting, too_long - step)
    else:  # as long as the guess at least: step up from it
        fitting = max(fitting, probe)
        while fitting + step < too_long and fits(fitting + step):
            fitting += step
            step *= 2
        too_long = min(too_long, fitting + step)
    while too_long - fitting > 1:
        middle = (fitting + too_long) // 2
        if fits(middle):
            fitting = middle
        else:
            too_long = middle
    return fitting


def _bounded_words(sentence: str, max_tokens: int) -> list[str]:
    """The sentence's words, a word longer than a chunk (a DNA sequence, an inlined blob)
    cut at token boundaries: a chunk of it whole would hold the entire blob."""
    out: list[str] = []
    for word in sentence.split():
        # Every token holds a byte at least, so a word of few bytes needs no counting.
        if len(word.encode()) <= max_tokens or count_tokens(word) <= max_tokens:
            out.append(word)
            continue
        # Cut where tokens start, at whole characters: a token may be part of a character
        # (Chinese or Japanese text has no spaces, so a whole sentence is one "word").
        _, starts = encoding().decode_with_offsets(encoding().encode(word, disallowed_special=()))
        cuts = sorted({starts[i] for i in range(0, len(starts), max_tokens)} | {len(word)})
        out.extend(word[a:b] for a, b in pairwise(cuts) if a < b)
    return out
