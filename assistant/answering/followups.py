"""Follow-up questions made standalone, so retrieval sees what "it" refers to.

With a model, the model rewrites the follow-up (prompts/condense.md). Offline, a rule does:
a follow-up that refers back ("it", "they", "this method"...) or names almost nothing itself
gets the key words of the previous question put in front of it. A self-contained follow-up
is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..citations import check_citations
from ..results import Turn
from ..text import REFERRING_WORDS, content_terms, names, words

MIN_OWN_TERMS = 3
"""A follow-up naming fewer content words than this leans on the conversation."""
HISTORY_TURNS = 3
ANSWER_WORDS_IN_HISTORY = 80
_REWRITE_LABEL = re.compile(
    r"^(?:standalone|stand-alone|rewritten|rephrased|reformulated)(?:\s+question)?\s*:\s*",
    re.IGNORECASE,
)
"""The label a model may put before its rewrite ("**Standalone question:** What …?")."""
_ECHO_LABEL = re.compile(r"^(?:follow-up|original)(?:\s+question)?\s*:", re.IGNORECASE)
"""The label of the follow-up repeated as asked, which is not the rewrite."""
_DECORATION = " \t\"'`*_>#-"


def condense_by_rule(question: str, history: Sequence[Turn]) -> str:
    """The offline rewrite: previous question's key words + the follow-up, when it refers back."""
    if not history:
        return question
    own_terms = set(content_terms(question))
    refers_back = (
        any(w in REFERRING_WORDS for w in words(question)) or len(own_terms) < MIN_OWN_TERMS
    )
    if not refers_back:
        return question
    previous = history[-1].question
    key_words: list[str] = []
    for word in names(previous):
        terms = content_terms(word)
        if terms and terms[0] not in own_terms and word not in key_words:
            key_words.append(word)
    return f"{' '.join(key_words)}: {question}" if key_words else question


def history_transcript(history: Sequence[Turn]) -> str:
    """The last turns as the condensing prompt shows them (answers shortened, no markers)."""
    lines = []
    for turn in history[-HISTORY_TURNS:]:
        answer = check_citations(turn.answer, 0).text  # every marker points at nothing here
        answer_words = answer.split()
        if len(answer_words) > ANSWER_WORDS_IN_HISTORY:
            answer = " ".join(answer_words[:ANSWER_WORDS_IN_HISTORY]) + " …"
        lines.append(f"User: {turn.question}\nAssistant: {' '.join(answer.split())}")
    return "\n".join(lines)


def rewrite_from_reply(reply: str) -> str | None:
    """The standalone question in a model's condensing reply, without what models put around
    it: a preamble line ("Sure! Here is the rewritten standalone question:"), a label
    ("**Standalone question:**"), the follow-up repeated ("Follow-up question: …"), quotes
    or emphasis. A labelled rewrite first, else the first question (a line ending in "?"),
    else the first other line; ``None`` when the reply holds nothing to use."""
    labelled: list[str] = []
    questions: list[str] = []
    others: list[str] = []
    for raw in reply.splitlines():
        line = raw.strip(_DECORATION)
        if _ECHO_LABEL.match(line):
            continue
        bare = _REWRITE_LABEL.sub("", line).strip(_DECORATION)
        if not bare or bare.endswith(":"):  # a line ending in a colon introduces the rewrite
            continue
        group = labelled if bare != line else questions if bare.endswith("?") else others
        group.append(bare)
    return next(iter(labelled + questions + others), None)
