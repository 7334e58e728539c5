"""Recognising a model's refusal: the shared sentinel, or prose saying the sources do not answer.

Models told to write the sentinel often write a sentence instead ("I cannot answer this from
the provided sources."). Such a reply is a refusal when no sentence of it that says something
*besides* declining cites a valid source. An answer that says what is missing *and* reports
what the sources do say ("X is not evaluated on Y, but it reports … [2]") is a real, grounded
answer; a refusal that cites the sources it looked at ("None of the sources [1, 2] mention
X.") is still a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..citations import marker_spans, reference_list_start
from ..text import split_sentences
from .claim_split import only_citations
from .declining import (
    ABSENT,
    DECLINING,
    DECLINING_PATTERNS,
    SOURCES,
    only_declines,
    says_nothing,
    without_markers,
    words,
)
from .prompts import CANNOT_ANSWER

# Sayings that decline when nothing is cited, but that can also report a paper's finding ("the
# optimum cannot be determined analytically [1]", "we were unable to find a closed form").
_UNCITED_ONLY_PATTERNS = (
    # "None of the papers uses labelled data [1, 2]" is a finding, when it cites them.
    rf"\b(?:none|neither) of {SOURCES}\b",
    r"\bwe\s*(?:cannot|can ?not|can't|can’t|(?:are|'re|’re)\s+(?:unable|not able)\s+to)\s+"
    r"(?:answer|determine|find|tell|say|provide|identify|confirm|locate)",
    r"\bwe\s+(?:could not|couldn't|couldn’t|were unable to)\s+(?:find|answer|determine|"
    r"identify|locate)",
    r"^\W*(?:unable to|not able to|cannot|can't|can’t)\s+(?:determine|find|tell)",
    r"\bnot possible to (?:determine|tell|say|identify)",
    r"\b(?:cannot|can ?not|can't|can’t) be determined\b",
    rf"\bno (?:relevant )?(?:{ABSENT}|evidence|data) (?:was|were|is|are|could be) "
    r"(?:found|given|provided|available)",
    r"\bwe (?:do not|don't|don’t) (?:know|have (?:enough|sufficient|any) information)\b",
    r"\b(?:insufficient|not enough) information\b",
)
_REFUSAL = re.compile(
    "|".join(f"(?:{p})" for p in DECLINING_PATTERNS + _UNCITED_ONLY_PATTERNS), re.IGNORECASE
)
_SENTINEL = re.compile(r"cannot(?:\\?_|\s+)answer", re.IGNORECASE)
"""A reply that is only the sentinel, however written (``cannot_answer``, ``CANNOT\\_ANSWER``)."""


def is_refusal(text: str, cited: Sequence[int]) -> bool:
    """Whether ``text`` declines to answer: it holds the sentinel, or it says in prose that the
    sources do not answer and none of its sentences that say anything else cites one of the
    valid sources in ``cited``."""
    if CANNOT_ANSWER in text or _SENTINEL.fullmatch(_bare(text)):
        return True
    if not cited:
        return _REFUSAL.search(" ".join(text.split())) is not None
    sentences = _body_sentences(text)
    if not any(DECLINING.search(without_markers(sentence)) for sentence in sentences):
        return False
    return not _answering(sentences, set(cited))


def answers_in_part(text: str, cited: Sequence[int]) -> bool:
    """Whether a sentence of ``text`` cites one of the valid sources in ``cited`` and says
    something besides declining ("X uses Y [1].", not "Based on [1]:" or "None of the
    sources [1] mention X.")."""
    return _answering(_body_sentences(text), set(cited))


def _answering(sentences: Sequence[str], valid: set[int]) -> bool:
    return any(
        _cites(sentence, valid) and not says_nothing(sentence) and not only_declines(sentence)
        for sentence in sentences
    )


def _body_sentences(text: str) -> list[str]:
    """The sentences of ``text`` before a reference list it ends with."""
    return _sentences_with_their_markers(text[: reference_list_start(text)])


def _bare(text: str) -> str:
    """``text`` without Markdown emphasis, code ticks, quotes and end punctuation."""
    return text.strip().strip("*_`\"'.!").strip()


def _sentences_with_their_markers(text: str) -> list[str]:
    """The sentences of ``text``; markers standing after a sentence's stop (``… X. [1]``,
    ``… X. (Source: [1])``) belong to that sentence."""
    sentences: list[str] = []
    for sentence in split_sentences(text):
        if sentences and (not words(sentence) or only_citations(sentence)):
            sentences[-1] += " " + sentence
        else:
            sentences.append(sentence)
    return sentences


def _cites(sentence: str, valid: set[int]) -> bool:
    return any(n in valid for _, _, numbers in marker_spans(sentence) for n in numbers)
