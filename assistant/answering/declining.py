"""Sentences that decline: "I cannot answer this from the sources.", "The sources do not
mention the GPU hours.", "None of the papers says …". Every clause of such a sentence declines
or says nothing, so it is about the sources, not about the world: a reply made of these is a
refusal (``refusals``), and an answer's sentence of this kind is no claim to check against
what it cites (``claim_split``)."""

from __future__ import annotations

import re

from ..citations import MARKER

SOURCES = r"(?:provided |given |available |retrieved |above |these |the |this )*" + (
    r"(?:sources?|papers?|abstracts?|documents?|context|passages?|excerpts?|texts?|materials?)"
)
"""How a reply names what it was given to read ("the provided abstracts")."""
ABSENT = r"(?:information|mention|details?|discussion|indication)"
"""What a reply says is missing ("no *mention* of …")."""
_TELLS = (
    r"(?:mention|discuss|address|describe|cover|say|specify|state|give|report|provide|contain|"
    r"include|answer|explain|tell|offer|talk)"
)
"""What sources do when they speak of something ("None of the papers *mentions* X")."""
# Sayings that decline the question itself or state that the sources lack the answer: a
# sentence made only of these declines, whatever it cites.
DECLINING_PATTERNS = (
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
    rf"\b{SOURCES}\s+(?:(?:provided|given|above|retrieved)\s+)?(?:do|does|did)\s*"
    r"(?:not|n't|n’t)\s+"
    r"(?:contain|mention|provide|include|discuss|address|describe|cover|say|specify|state|"
    r"give|report|offer|answer|have)",
    rf"\b{SOURCES}\s+(?:(?:provided|given)\s+)?(?:are|is)\s+(?:insufficient|not sufficient)",
    # "None of the provided papers mention …", "Neither of the abstracts says …"
    rf"\b(?:none|neither) of {SOURCES}\s+(?:\w+\s+)?{_TELLS}",
    # "The abstracts make no mention of …"
    rf"\b{SOURCES}\s+(?:make|makes|made|give|gives|contain|contains|provide|provides)\s+no\s+"
    rf"{ABSENT}",
    # "There is no information / mention …"
    rf"\bthere (?:is|are|was) (?:no|not enough|insufficient) {ABSENT}",
    rf"\bthere (?:is|are|was) (?:no|not enough|insufficient) (?:evidence|data) in {SOURCES}",
    # "… is not mentioned in the provided sources", "… cannot be found in any of the papers"
    r"\bnot (?:mentioned|discussed|covered|addressed|described|specified|stated|found|"
    r"provided|given|reported|available|present|included|contained) (?:in|by|within) "
    rf"(?:any of )?{SOURCES}",
    rf"\b(?:cannot|can ?not|can't|can’t) be found (?:in|within) (?:any of )?{SOURCES}",
    # "No information about … is provided"
    rf"^\W*no (?:relevant )?(?:{ABSENT}|evidence) (?:about|on|of|regarding)\b",
    # "I'm sorry, but …" / "Sorry, …" / "I apologize …" / "Unfortunately, the sources …"
    r"^\W*(?:(?:i'?m|i’m|i am) sorry|sorry\s*[,!.:]|sorry,? but|i apologi[sz]e)",
    rf"^\W*unfortunately,?\s+(?:(?:i|we)\b|there is no|none of|{SOURCES})",
    r"\bi (?:do not|don't|don’t) (?:know|have (?:enough|sufficient|any) information)\b",
    # The sentinel as models mangle it: lower case, Markdown-escaped.
    r"\bcannot\\?_answer\b",
)
DECLINING = re.compile("|".join(f"(?:{p})" for p in DECLINING_PATTERNS), re.IGNORECASE)
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


def only_declines(sentence: str) -> bool:
    """Whether every clause of ``sentence`` declines or says nothing ("Based on the sources
    [1], I cannot answer this."); one that reports something ("…, but it studies Y [1]")
    makes it a statement."""
    sentence = without_markers(sentence)
    if not DECLINING.search(sentence):
        return False
    for clause in _CLAUSE_BREAK.split(sentence):
        found = words(clause)
        if found and not set(found) <= _FILLER and not DECLINING.search(clause):
            return False
    return True


def without_markers(text: str) -> str:
    """``text`` with its citation markers taken out ("None of the sources [1, 2] say")."""
    return " ".join(MARKER.sub(" ", text).split())


def words(text: str) -> list[str]:
    """The words of ``text``, its citation markers left out."""
    return re.findall(r"[^\W\d_]+", MARKER.sub(" ", text).casefold())
