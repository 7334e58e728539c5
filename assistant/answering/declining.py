"""Sentences that decline: "I cannot answer this from the sources.", "The sources do not
mention the GPU hours.", "None of the papers says …". Every clause of such a sentence declines
or says nothing, so it is about the sources, not about the world: a reply made of these is a
refusal (``refusals``), and an answer's sentence of this kind is no claim to check against
what it cites (``claim_split``)."""

from __future__ import annotations

import re

from ..citations import MARKER

SOURCES = (
    r"(?:provided |given |available |retrieved |above |these |the |this )*"
    # A name between the article and the noun, as written ("the DAE-Talker abstract").
    r"(?:(?-i:[A-Z][\w\-]*) ){0,2}"
    r"(?:sources?|papers?|abstracts?|documents?|context|passages?|excerpts?|texts?|materials?)"
)
"""How a reply names what it was given to read ("the provided abstracts")."""
_WRITERS = rf"(?:{SOURCES}|the authors?(?: of (?-i:[A-Z][\w\-]*))?)"
"""Who can leave something unsaid: what was read, or the people who wrote it."""
_REPORTED = (
    r"(?:mentioned|specified|stated|reported|disclosed|detailed|documented|described|discussed|"
    r"indicated|noted|listed|named|given|provided|addressed|covered|explained|revealed)"
)
"""How a reply says a detail is left unsaid, in the passive ("The GPU is not *specified*")."""
_ASKED = r"(?:which|what|how|whether|when|where|who|why)"
"""What a question asks for, as a reply names it ("does not report *which* GPU")."""
ABSENT = r"(?:information|mention|details?|discussion|indication)"
"""What a reply says is missing ("no *mention* of …")."""
_TELLS = (
    r"(?:mention|discuss|address|describe|cover|say|specify|state|give|report|provide|contain|"
    r"include|answer|explain|tell|offer|talk)"
)
"""What sources do when they speak of something ("None of the papers *mentions* X")."""
_THERE_IS = r"there(?:'s|’s| is| are| was)"
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
    # "The authors of X do not specify …"
    rf"\b{_WRITERS}\s+(?:do|does|did)\s*(?:not|n't|n’t)\s+(?:\w+ly\s+)?{_TELLS}",
    # Whoever the subject, a text's verb: "X does not mention the GPU", "X [1] does not report
    # which GPU was used" (a method "does not require labels": that is a finding).
    r"\b(?:do|does|did)\s*(?:not|n't|n’t)\s+(?:\w+ly\s+)?(?:mention|disclose)\b",
    rf"\b(?:do|does|did)\s*(?:not|n't|n’t)\s+(?:\w+ly\s+)?{_TELLS}\w*\s+{_ASKED}\b",
    # "The GPU used is not specified [1].", "… is not stated in [1]": a detail left unsaid,
    # the clause ending there (a method "is not given labels at test time" is a finding).
    rf"\b(?:is|are|was|were)\s+not\s+(?:\w+ly\s+)?{_REPORTED}"
    rf"(?:\s+(?:in|by|within|anywhere in)(?:\s+(?:any of )?{SOURCES})?)?\s*(?:[.;,:!?)]|$)",
    # "It is unclear from the abstract [1] which GPU …"
    r"\b(?:unclear|not clear|not evident|not apparent) from\b",
    # "None of the provided papers mention …", "Neither of the abstracts says …"
    rf"\b(?:none|neither) of {SOURCES}\s+(?:\w+\s+)?{_TELLS}",
    # "The abstracts make no mention of …"
    rf"\b{SOURCES}\s+(?:make|makes|made|give|gives|contain|contains|provide|provides)\s+no\s+"
    rf"{ABSENT}",
    # "There is no information / mention …"
    rf"\b{_THERE_IS} (?:no|not enough|insufficient) {ABSENT}",
    rf"\b{_THERE_IS} (?:no|not enough|insufficient) (?:evidence|data) in {SOURCES}",
    rf"\bthere (?:isn't|isn’t|aren't|aren’t|is not|are not) (?:any |enough )?{ABSENT}",
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
# A condition ("… is penalised *when the documents do not contain* useful information")
# declines nothing: it says when something holds.
_CONDITION = re.compile(r"\b(?:when|whenever|if|unless)\b", re.IGNORECASE)
# A concession that only says what a source is about ("*While [1] introduces DAE-Talker*, the
# GPU is not stated") says nothing the question asked.
_ABOUT_A_SOURCE = re.compile(
    rf"^\W*(?:while|although|though|whereas)\s+(?:{SOURCES}\s+)?(?:introduces|presents|"
    r"describes|proposes|discusses|covers|is about|focuses on)(?:\s+[\w\-]+){0,3}\W*$",
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
        if not (says_nothing(clause) or _ABOUT_A_SOURCE.match(clause) or _declines(clause)):
            return False
    return True


def _declines(clause: str) -> bool:
    """Whether ``clause`` says the sources lack something, other than as a condition ("I
    cannot say when …" declines; "… is penalised when the documents do not contain …" not)."""
    return any(
        not _CONDITION.search(clause, 0, match.start()) for match in DECLINING.finditer(clause)
    )


def says_nothing(text: str) -> bool:
    """Whether ``text`` is only markers and words that frame ("Based on the sources [1]")."""
    found = words(text)
    return not found or set(found) <= _FILLER


def without_markers(text: str) -> str:
    """``text`` with its citation markers taken out ("None of the sources [1, 2] say")."""
    return " ".join(MARKER.sub(" ", text).split())


def words(text: str) -> list[str]:
    """The words of ``text``, its citation markers left out."""
    return re.findall(r"[^\W\d_]+", MARKER.sub(" ", text).casefold())
