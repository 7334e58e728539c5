"""Recognising a model's refusal: the shared sentinel, or prose saying the sources do not answer.

Models told to write the sentinel often write a sentence instead ("I cannot answer this from
the provided sources."). Such a reply is a refusal only when it cites nothing valid: an answer
that says what is missing *and* reports what the sources do say ("X is not evaluated on Y, but
it reports … [2]") is a real, grounded answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .prompts import CANNOT_ANSWER

_SOURCES = r"(?:provided |given |available |retrieved |above |these |the |this )*" + (
    r"(?:sources?|papers?|abstracts?|documents?|context|passages?|excerpts?|texts?|materials?)"
)
_REFUSAL_PATTERNS = (
    # "I cannot answer this…", "I'm unable to determine…", "I can't find…"
    r"\b(?:i|we)\s*(?:cannot|can ?not|can't|can’t|(?:am|'m|’m|are|'re|’re)\s+"
    r"(?:unable|not able)\s+to)\s+"
    r"(?:answer|determine|find|tell|say|provide|identify|confirm|locate)",
    # "The sources do not contain / mention / provide …"
    rf"\b{_SOURCES}\s+(?:do|does|did)\s*(?:not|n't|n’t)\s+"
    r"(?:contain|mention|provide|include|discuss|address|describe|cover|say|specify|state|"
    r"give|report|offer|answer|have)",
    # "None of the provided papers mention …"
    rf"\bnone of {_SOURCES}\b",
    # "There is no information / mention / evidence …"
    r"\bthere (?:is|are|was) (?:no|not enough|insufficient) "
    r"(?:information|mention|evidence|data|details?|discussion|indication)",
    # "… is not mentioned in the provided sources"
    rf"\bnot (?:mentioned|discussed|covered|addressed|described|specified|stated|found|"
    rf"provided|given|reported) (?:in|by) {_SOURCES}",
    # "No information about … is provided"
    r"^\W*no (?:information|mention|details?|evidence) (?:about|on|of|regarding)\b",
    # "I'm sorry, but …" / "Sorry, …" / "I apologize …"
    r"^\W*(?:i'?m sorry|i’m sorry|i am sorry|sorry|unfortunately|i apologi[sz]e)\b",
    r"\b(?:i|we) (?:do not|don't|don’t) (?:know|have (?:enough|sufficient|any) information)\b",
    r"\b(?:insufficient|not enough) information\b",
)
_REFUSAL = re.compile("|".join(f"(?:{p})" for p in _REFUSAL_PATTERNS), re.IGNORECASE)


def is_refusal(text: str, cited: Sequence[int]) -> bool:
    """Whether ``text`` declines to answer: it holds the sentinel, or it cites no valid source
    (``cited`` is the list of valid source numbers it cites) and says in prose that the sources
    do not answer."""
    if CANNOT_ANSWER in text:
        return True
    if cited:
        return False
    return _REFUSAL.search(" ".join(text.split())) is not None
