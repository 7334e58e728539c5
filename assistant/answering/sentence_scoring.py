"""How well a sentence of a source answers a question, for the offline answerer.

A sentence scores by its cosine similarity to the question plus the share of the question's
distinctive words it contains; on top of that:

* the sentence *after* one that matches the question gains part of that match, because an
  abstract often names the problem in one sentence and gives the answer in the next;
* what the question asks for counts: "how many" wants numbers, "what does X use" wants a
  method sentence ("we use", "based on", "leverages");
* boilerplate (code or data availability, links) is dropped, and a sentence that only echoes
  the question or the paper's title is marked down: it repeats, it does not answer.

The weights are settings (``extractive_*``), measured on the development questions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..text import content_terms
from .decision import TermStatistics
from .question_cues import asks_for_number, question_names

if TYPE_CHECKING:
    from ..settings import AnswerSettings

_BOILERPLATE = re.compile(
    r"https?://|github\.com|\bwww\.|\b(?:code|data|dataset|models?|weights|checkpoints|"
    r"implementation|resources?)\b[^.]{0,60}\b(?:is|are|will be|has been|have been)\s+"
    r"(?:(?:publicly|freely|made)\s+){0,2}(?:available|released|open[- ]sourced?)"
    r"(?:\s*[.:;]?\s*$|\s+(?:at|from|online|via|on github|upon|to the public|for "
    r"(?:research|download|academic)))|"
    r"\b(?:available|released) at\b|\bto appear\b|\baccepted (?:at|to|by)\b",
    re.IGNORECASE,
)
_ASKS_METHOD = re.compile(
    r"\bwhat (?:does|did|do) .{1,60}? (?:use|rely on|employ|adopt|leverage|replace)|"
    r"\bhow (?:does|do|did) \b|\bwhat (?:method|technique|mechanism|approach|objective|loss)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
_METHOD_WORDS = re.compile(
    r"\b(?:we (?:use|propose|introduce|leverage|employ|adopt|design|present)|based on|"
    r"leverag\w*|consist\w* of|instead of|by (?:using|combining|training|learning)|"
    r"uses?|utili[sz]\w*)\b",
    re.IGNORECASE,
)
_SOLUTION_CUE = re.compile(
    r"(?:to (?:address|overcome|tackle|solve|alleviate|remedy|mitigate|fill)\b|to this end\b|"
    r"instead\b|in contrast\b|we (?:therefore |instead )?propose\b)",
    re.IGNORECASE,
)


_FINDING_CUE = re.compile(
    r"\b(?:we (?:\w+ ){0,2}?(?:propose|introduce|present|show|find|demonstrate|use|develop|"
    r"call|term|dub|report|reveal|categori[sz]e|provide)\w*|"
    r"(?:results|experiments|findings|analys[ie]s|evaluations?) (?:\w+ ){0,3}?"
    r"(?:show|indicate|reveal|suggest|demonstrate)\w*|dubbed|termed|called|named)\b",
    re.IGNORECASE,
)
_NAMES_COUNTED = 2
"""Names a sentence earns a bonus for; more make it a list of names, not a better answer."""


def _new_names(sentence: str, question_words: set[str]) -> int:
    """How many names (``StructFormer``, ``GPT-2``, ``WEAT``) a sentence adds to the
    question's, up to ``_NAMES_COUNTED``. Bare numbers do not count: in a list or a comparison
    they mostly sit in results sentences, which say how well, not what."""
    names = {name.casefold() for name in question_names(sentence)} - question_words
    return min(len(names), _NAMES_COUNTED)


def is_boilerplate(sentence: str) -> bool:
    """Code/data availability, links, venue notes: true of a paper, never an answer."""
    return bool(_BOILERPLATE.search(sentence))


def _follow_bonus(
    sentences: Sequence[tuple[int, int, str]], match: np.ndarray, tuning: AnswerSettings
) -> np.ndarray:
    """What a sentence inherits from a better-matching sentence one or two before it (same
    source): the problem named in one sentence is often solved in the next ("To address
    these limitations, we propose ...")."""
    shares = (tuning.extractive_follow_share, tuning.extractive_second_follow_share)
    bonus = np.zeros(len(sentences), dtype=np.float32)
    for i, (n, position, sentence) in enumerate(sentences):
        for back, share in enumerate(shares, start=1):
            j = i - back
            if j < 0 or sentences[j][0] != n or sentences[j][1] < position - len(shares):
                break
            lead = max(0.0, float(match[j] - match[i]))
            solves = _SOLUTION_CUE.match(sentence) and lead > 0
            cue = tuning.extractive_solution_bonus if solves else 0.0
            bonus[i] = max(bonus[i], share * lead + cue)
    return bonus


def score_sentences(
    question: str,
    sentences: Sequence[tuple[int, int, str]],
    similarities: np.ndarray,
    frequencies: TermStatistics,
    titles: Mapping[int, str],
    tuning: AnswerSettings,
    *,
    several_papers: bool = False,
) -> np.ndarray:
    """One score per ``(n, position, sentence)``, given each sentence's cosine to the question.

    ``several_papers``: the answer speaks for several papers (a list, a comparison), so each
    quote should say what its paper does or found, with the names that show it.
    """
    terms = set(content_terms(question))
    weights = {t: frequencies.idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    match = similarities + tuning.extractive_term_weight * np.array(
        [sum(weights[t] for t in terms & set(content_terms(s))) / total for _, _, s in sentences],
        dtype=np.float32,
    )
    scores = match + _follow_bonus(sentences, match, tuning)
    wants_number = asks_for_number(question)
    wants_method = bool(_ASKS_METHOD.search(question))
    question_words = {word.casefold() for word in re.findall(r"[\w-]+", question)}
    for i, (n, _, sentence) in enumerate(sentences):
        if several_papers:
            # What a list or a comparison asks of each paper is what it does or found, and the
            # sentence saying so names the method or the data; asked how, it is the sentence
            # saying how ("based on …", "by using …"), not the one saying how well it did.
            cue = _METHOD_WORDS if wants_method else _FINDING_CUE
            kinds = _new_names(sentence, question_words) + bool(cue.search(sentence))
            scores[i] += tuning.extractive_kind_bonus * kinds
        if (wants_number and _NUMBER.search(sentence)) or (
            wants_method and _METHOD_WORDS.search(sentence)
        ):
            scores[i] += tuning.extractive_kind_bonus
        known = terms | set(content_terms(titles.get(n, "")))
        if len(set(content_terms(sentence)) - known) < tuning.extractive_min_new_words:
            scores[i] -= tuning.extractive_echo_penalty
    return scores
