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

from ..citations import MARKER, marker_spans, reference_list_start
from ..text import split_sentences
from .prompts import CANNOT_ANSWER

_SOURCES = r"(?:provided |given |available |retrieved |above |these |the |this )*" + (
    r"(?:sources?|papers?|abstracts?|documents?|context|passages?|excerpts?|texts?|materials?)"
)
_ABSENT = r"(?:information|mention|details?|discussion|indication)"
_TELLS = (
    r"(?:mention|discuss|address|describe|cover|say|specify|state|give|report|provide|contain|"
    r"include|answer|explain|tell|offer|talk)"
)
"""What sources do when they speak of something ("None of the papers *mentions* X")."""
# Sayings that decline the question itself or state that the sources lack the answer: a
# sentence made only of these declines, whatever it cites.
_DECLINING_PATTERNS = (
    # "I cannot answer this…", "I'm unable to determine…", "I can't find…"
    r"\bi\s*(?:cannot|can ?not|can't|can’t|(?:am|'m|’m)\s+(?:unable|not able)\s+to)\s+"
    r"(?:answer|determine|find|tell|say|provide|identify|confirm|locate)",
    # "I could not find…"
    r"\bi\s+(?:could not|couldn't|couldn’t|was unable to)\s+(?:find|answer|determine|identify|"
    r"locate)",
    # "Unable to answer…", "Cannot answer…" opening the reply
    r"^\W*(?:unable to|not able to|cannot|can't|can’t)\s+answer",
    # "It is not possible to answer…", "The question cannot be answered…"
    r"\bnot possible to answer",
    r"\b(?:cannot|can ?not|can't|can’t) be answered\b",
    # "The sources (provided) do not contain / mention / provide …"
    rf"\b{_SOURCES}\s+(?:(?:provided|given|above|retrieved)\s+)?(?:do|does|did)\s*"
    r"(?:not|n't|n’t)\s+"
    r"(?:contain|mention|provide|include|discuss|address|describe|cover|say|specify|state|"
    r"give|report|offer|answer|have)",
    rf"\b{_SOURCES}\s+(?:(?:provided|given)\s+)?(?:are|is)\s+(?:insufficient|not sufficient)",
    # "None of the provided papers mention …", "Neither of the abstracts says …"
    rf"\b(?:none|neither) of {_SOURCES}\s+(?:\w+\s+)?{_TELLS}",
    # "The abstracts make no mention of …"
    rf"\b{_SOURCES}\s+(?:make|makes|made|give|gives|contain|contains|provide|provides)\s+no\s+"
    rf"{_ABSENT}",
    # "There is no information / mention …"
    rf"\bthere (?:is|are|was) (?:no|not enough|insufficient) {_ABSENT}",
    rf"\bthere (?:is|are|was) (?:no|not enough|insufficient) (?:evidence|data) in {_SOURCES}",
    # "… is not mentioned in the provided sources", "… cannot be found in any of the papers"
    r"\bnot (?:mentioned|discussed|covered|addressed|described|specified|stated|found|"
    r"provided|given|reported|available|present|included|contained) (?:in|by|within) "
    rf"(?:any of )?{_SOURCES}",
    rf"\b(?:cannot|can ?not|can't|can’t) be found (?:in|within) (?:any of )?{_SOURCES}",
    # "No information about … is provided"
    rf"^\W*no (?:relevant )?(?:{_ABSENT}|evidence) (?:about|on|of|regarding)\b",
    # "I'm sorry, but …" / "Sorry, …" / "I apologize …" / "Unfortunately, the sources …"
    r"^\W*(?:(?:i'?m|i’m|i am) sorry|sorry\s*[,!.:]|sorry,? but|i apologi[sz]e)",
    rf"^\W*unfortunately,?\s+(?:(?:i|we)\b|there is no|none of|{_SOURCES})",
    r"\bi (?:do not|don't|don’t) (?:know|have (?:enough|sufficient|any) information)\b",
    # The sentinel as models mangle it: lower case, Markdown-escaped.
    r"\bcannot\\?_answer\b",
)
# Sayings that decline when nothing is cited, but that can also report a paper's finding ("the
# optimum cannot be determined analytically [1]", "we were unable to find a closed form").
_UNCITED_ONLY_PATTERNS = (
    # "None of the papers uses labelled data [1, 2]" is a finding, when it cites them.
    rf"\b(?:none|neither) of {_SOURCES}\b",
    r"\bwe\s*(?:cannot|can ?not|can't|can’t|(?:are|'re|’re)\s+(?:unable|not able)\s+to)\s+"
    r"(?:answer|determine|find|tell|say|provide|identify|confirm|locate)",
    r"\bwe\s+(?:could not|couldn't|couldn’t|were unable to)\s+(?:find|answer|determine|"
    r"identify|locate)",
    r"^\W*(?:unable to|not able to|cannot|can't|can’t)\s+(?:determine|find|tell)",
    r"\bnot possible to (?:determine|tell|say|identify)",
    r"\b(?:cannot|can ?not|can't|can’t) be determined\b",
    rf"\bno (?:relevant )?(?:{_ABSENT}|evidence|data) (?:was|were|is|are|could be) "
    r"(?:found|given|provided|available)",
    r"\bwe (?:do not|don't|don’t) (?:know|have (?:enough|sufficient|any) information)\b",
    r"\b(?:insufficient|not enough) information\b",
)
_DECLINING = re.compile("|".join(f"(?:{p})" for p in _DECLINING_PATTERNS), re.IGNORECASE)
_REFUSAL = re.compile(
    "|".join(f"(?:{p})" for p in _DECLINING_PATTERNS + _UNCITED_ONLY_PATTERNS), re.IGNORECASE
)
# Where a sentence's clauses part: "I'm sorry, but …", "X is not given; Y reports … [1]".
_CLAUSE_BREAK = re.compile(
    r"[,;:—–]\s*|\s+-\s+|\s+(?=(?:but|however|although|though|while|whereas|yet|instead|"
    r"only|except)\b)",
    re.IGNORECASE,
)
# Words of a clause that says nothing on its own ("Based on the provided sources [1], …").
_FILLER = frozenset(
    """based on according to from in the provided given available above these this those
    source sources paper papers abstract abstracts context unfortunately however but
    although though while whereas yet regrettably sadly""".split()  # noqa: SIM905
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
    sentences = _sentences_with_their_markers(text[: reference_list_start(text)])
    if not any(_DECLINING.search(_without_markers(sentence)) for sentence in sentences):
        return False
    valid = set(cited)
    return not any(
        _cites(sentence, valid) and not _only_declines(_without_markers(sentence))
        for sentence in sentences
    )


def _bare(text: str) -> str:
    """``text`` without Markdown emphasis, code ticks, quotes and end punctuation."""
    return text.strip().strip("*_`\"'.!").strip()


def _sentences_with_their_markers(text: str) -> list[str]:
    """The sentences of ``text``; markers standing after a sentence's stop (``… X. [1]``)
    belong to that sentence."""
    sentences: list[str] = []
    for sentence in split_sentences(text):
        if sentences and not _words(sentence):
            sentences[-1] += " " + sentence
        else:
            sentences.append(sentence)
    return sentences


def _cites(sentence: str, valid: set[int]) -> bool:
    return any(n in valid for _, _, numbers in marker_spans(sentence) for n in numbers)


def _only_declines(sentence: str) -> bool:
    """Every clause of ``sentence`` (its markers taken out) declines or says nothing ("Based
    on the sources, I cannot answer this."); one that reports something ("…, but it studies
    Y") does not."""
    if not _DECLINING.search(sentence):
        return False
    for clause in _CLAUSE_BREAK.split(sentence):
        words = _words(clause)
        if words and not set(words) <= _FILLER and not _DECLINING.search(clause):
            return False
    return True


def _without_markers(text: str) -> str:
    """``text`` with its citation markers taken out ("None of the sources [1, 2] say")."""
    return " ".join(MARKER.sub(" ", text).split())


def _words(text: str) -> list[str]:
    """The words of ``text``, its citation markers left out."""
    return re.findall(r"[^\W\d_]+", MARKER.sub(" ", text).casefold())
