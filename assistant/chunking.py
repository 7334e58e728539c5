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
    out = []
    for sentence in split_sentences(text):
        if count_tokens(sentence) <= max_tokens:
            out.append(sentence)
            continue
        words: list[str] = []
        for word in _bounded_words(sentence, max_tokens):
            if words and count_tokens(" ".join([*words, word])) > max_tokens:
                out.append(" ".join(words))
                words = []
            words.append(word)
        if words:
            out.append(" ".join(words))
    return out


def _bounded_words(sentence: str, max_tokens: int) -> list[str]:
    """The sentence's words, a word longer than a chunk (a DNA sequence, an inlined blob)
    cut at token boundaries: a chunk of it whole would hold the entire blob."""
    out: list[str] = []
    for word in sentence.split():
        if count_tokens(word) <= max_tokens:
            out.append(word)
            continue
        # Cut where tokens start, at whole characters: a token may be part of a character
        # (Chinese or Japanese text has no spaces, so a whole sentence is one "word").
        _, starts = encoding().decode_with_offsets(encoding().encode(word, disallowed_special=()))
        cuts = sorted({starts[i] for i in range(0, len(starts), max_tokens)} | {len(word)})
        out.extend(word[a:b] for a, b in pairwise(cuts) if a < b)
    return out
