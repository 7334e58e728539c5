"""Acronyms and the words that spell them out.

A question's acronym counts as written in a paper that spells it out ("LLM": "large
language models"). An abstract that defines an acronym for the question's own words ("five
Machine Reading Comprehension (MRC) datasets" for "which machine reading comprehension
datasets") restates the question in capitals; neither the acronym nor its spelled-out words
name an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ..text import STOPWORDS

_ACRONYM = re.compile(r"\b[A-Z]{2,6}(?=s?\b)")
_DEFINED = re.compile(r"\(\s*(?P<acronym>[A-Za-z][\w-]*[A-Z][\w-]*?)s?\s*\)")
_WORD = re.compile(r"[^\W_][\w-]*")
_SLACK = 3
"""Words an expansion may have beyond one per letter ("from", "of", a hyphenated part)."""
MAX_LETTERS = 10
"""Longer capitals in parentheses are not taken for an acronym (and are not searched)."""


def acronyms_in(text: str) -> list[str]:
    """The acronyms ``text`` writes ("LLMs" as "LLM")."""
    return _ACRONYM.findall(text)


def spelled_out(acronym: str, text: str) -> bool:
    """Whether ``text`` has words whose initials spell ``acronym`` ("LLM": "large language
    models")."""
    words = r"\w*[\s-]+".join(re.escape(letter) for letter in acronym)
    return re.search(rf"\b{words}", text, re.IGNORECASE) is not None


def acronym_definitions(text: str) -> Iterator[tuple[str, list[str]]]:
    """``(acronym, expansion words)`` for each "Spelled Out Words (SOW)" in ``text`` whose
    words' initials (or their hyphenated parts') spell the acronym's capitals; function
    words inside an expansion may spell nothing ("Representations from Transformers")."""
    for match in _DEFINED.finditer(text):
        acronym = match.group("acronym")
        letters = "".join(ch.casefold() for ch in acronym if ch.isupper())
        if len(letters) > MAX_LETTERS:
            continue
        before = _WORD.findall(text[: match.start()])[-(len(letters) + _SLACK) :]
        for start in range(len(before)):
            words = tuple(before[start:])
            if _spells(letters, words):
                yield acronym, list(words)
                break


def _spells(letters: str, words: tuple[str, ...]) -> bool:
    """Whether ``words``, in order, spell ``letters`` exactly; the first and last word spell
    something (an expansion does not begin or end with "the" or "of")."""
    spellings = [
        {word[0].casefold(), "".join(part[0].casefold() for part in word.split("-") if part)}
        for word in words
    ]

    # Memoised on positions: a hyphenated word spells one letter or several, and trying
    # every mix afresh would take exponential time on text made to defeat it.
    @cache
    def spells_from(letter: int, word: int) -> bool:
        if letter == len(letters) or word == len(words):
            return letter == len(letters) and word == len(words)
        for spelled in spellings[word]:
            if letters.startswith(spelled, letter) and spells_from(letter + len(spelled), word + 1):
                return True
        inner = 0 < word < len(words) - 1
        return inner and words[word].casefold() in STOPWORDS and spells_from(letter, word + 1)

    return spells_from(0, 0)
