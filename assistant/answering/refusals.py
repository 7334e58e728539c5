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
_ABSENT = r"(?:information|mention|details?|discussion|indication)"
_REFUSAL_PATTERNS = (
    # "I cannot answer this…", "I'm unable to determine…", "I can't find…"
    r"\b(?:i|we)\s*(?:cannot|can ?not|can't|can’t|(?:am|'m|’m|are|'re|’re)\s+"
    r"(?:unable|not able)\s+to)\s+"
    r"(?:answer|determine|find|tell|say|provide|identify|confirm|locate)",
    # "I could not find…", "We were unable to find…"
    r"\b(?:i|we)\s+(?:could not|couldn't|couldn’t|was unable to|were unable to)\s+"
    r"(?:find|answer|determine|identify|locate)",
    # "Unable to answer…", "Cannot determine…" opening the reply
    r"^\W*(?:unable to|not able to|cannot|can't|can’t)\s+(?:answer|determine|find|tell)",
    # "It is not possible to answer…", "The question cannot be answered…"
    r"\bnot possible to (?:answer|determine|tell|say|identify)",
    r"\b(?:cannot|can ?not|can't|can’t) be (?:answered|determined)\b",
    # "The sources (provided) do not contain / mention / provide …"
    rf"\b{_SOURCES}\s+(?:(?:provided|given|above|retrieved)\s+)?(?:do|does|did)\s*"
    r"(?:not|n't|n’t)\s+"
    r"(?:contain|mention|provide|include|discuss|address|describe|cover|say|specify|state|"
    r"give|report|offer|answer|have)",
    rf"\b{_SOURCES}\s+(?:(?:provided|given)\s+)?(?:are|is)\s+(?:insufficient|not sufficient)",
    # "None of the provided papers mention …"
    rf"\bnone of {_SOURCES}\b",
    # "There is no information / mention …" ("no evidence" only of the sources: "there is no
    # evidence of overfitting" reports a result)
    rf"\bthere (?:is|are|was) (?:no|not enough|insufficient) {_ABSENT}",
    rf"\bthere (?:is|are|was) (?:no|not enough|insufficient) (?:evidence|data) in {_SOURCES}",
    # "… is not mentioned in the provided sources", "… is not available in the sources"
    r"\bnot (?:mentioned|discussed|covered|addressed|described|specified|stated|found|"
    rf"provided|given|reported|available|present|included|contained) (?:in|by|within) {_SOURCES}",
    # "No information about … is provided", "No relevant information was found …"
    rf"^\W*no (?:relevant )?(?:{_ABSENT}|evidence) (?:about|on|of|regarding)\b",
    rf"\bno (?:relevant )?(?:{_ABSENT}|evidence|data) (?:was|were|is|are|could be) "
    r"(?:found|given|provided|available)",
    # "I'm sorry, but …" / "Sorry, …" / "I apologize …" / "Unfortunately, the sources …"
    r"^\W*(?:(?:i'?m|i’m|i am) sorry|sorry\s*[,!.:]|sorry,? but|i apologi[sz]e)",
    rf"^\W*unfortunately,?\s+(?:(?:i|we)\b|there is no|none of|{_SOURCES})",
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
