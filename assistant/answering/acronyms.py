"""Acronyms a text defines: "Referring video object segmentation (RVOS)".

An abstract that defines an acronym for the question's own words ("five Machine Reading
Comprehension (MRC) datasets" for "which machine reading comprehension datasets") restates
the question in capitals; neither the acronym nor its spelled-out words name an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..text import STOPWORDS

_DEFINED = re.compile(r"\(\s*(?P<acronym>[A-Za-z][\w-]*[A-Z][\w-]*?)s?\s*\)")
_WORD = re.compile(r"[^\W_][\w-]*")
_SLACK = 3
"""Words an expansion may have beyond one per letter ("from", "of", a hyphenated part)."""


def acronym_definitions(text: str) -> Iterator[tuple[str, list[str]]]:
    """``(acronym, expansion words)`` for each "Spelled Out Words (SOW)" in ``text`` whose
    words' initials (or their hyphenated parts') spell the acronym's capitals; function
    words inside an expansion may spell nothing ("Representations from Transformers")."""
    for match in _DEFINED.finditer(text):
        acronym = match.group("acronym")
        letters = [ch.casefold() for ch in acronym if ch.isupper()]
        before = _WORD.findall(text[: match.start()])[-(len(letters) + _SLACK) :]
        for start in range(len(before)):
            words = before[start:]
            if _spells(letters, words):
                yield acronym, words
                break


def _spells(letters: list[str], words: list[str], *, first: bool = True) -> bool:
    """Whether ``words``, in order, spell ``letters`` exactly; the first and last word spell
    something (an expansion does not begin or end with "the" or "of")."""
    if not letters or not words:
        return not letters and not words
    word, rest = words[0], words[1:]
    parts = [p for p in word.split("-") if p]
    spellings = {word[0].casefold(), "".join(p[0].casefold() for p in parts)}
    for spelled in spellings:
        if letters[: len(spelled)] == list(spelled) and _spells(
            letters[len(spelled) :], rest, first=False
        ):
            return True
    skippable = not first and rest and word.casefold() in STOPWORDS
    return bool(skippable) and _spells(letters, rest, first=False)
