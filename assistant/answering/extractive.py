"""The offline answerer: the most relevant sentences of the top papers, each with its ``[n]``.

No model writes anything: sentences are quoted from the abstracts. They are scored by the
same embedder that built the store (cosine to the question, plus how many of the question's
distinctive words they contain) and chosen by maximal marginal relevance, so the answer
covers different points instead of repeating one. The weights are settings
(``extractive_*``), measured on the development questions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ..citations import check_citations, neutralise_markers
from ..text import split_sentences
from .answerer import (
    Answering,
    Evidence,
    Reply,
    SourcesReady,
    Timings,
    not_covered,
    numbered_sources,
)
from .decision import TermStatistics
from .followups import condense_by_rule
from .question_cues import (
    asks_for_several_papers,
    joins_several_things,
    name_forms,
    question_names,
)
from .sentence_scoring import is_boilerplate, score_sentences
from .vectors import SHARED_VECTORS

if TYPE_CHECKING:
    from ..embedding import Embedder
    from ..results import Source, Turn
    from ..settings import AnswerSettings


NOTHING_TO_QUOTE = (
    "the paper found holds no sentence to quote about it, only links or availability notes"
)
"""Why an offline answer declines when the papers found have nothing it may quote."""


@dataclass(frozen=True)
class Quote:
    n: int
    """The source the sentence comes from."""
    position: int
    """Index of the sentence in that source's text."""
    sentence: str
    score: float


class ExtractiveAnswerer:
    """The offline answerer: quotes, never writes."""

    mode = "extractive"

    def __init__(self, embedder: Embedder, tuning: AnswerSettings) -> None:
        self.embedder = embedder
        self.tuning = tuning

    def condense(self, question: str, history: Sequence[Turn], model: str | None) -> str:
        return condense_by_rule(question, history)

    def answer(self, evidence: Evidence, timings: Timings) -> Answering:
        numbered = [
            (n, t.text, hit.similarity)
            for n, (t, hit) in enumerate(zip(evidence.texts, evidence.hits, strict=True), 1)
        ]
        titles = {n: t.title for n, t in enumerate(evidence.texts, 1)}
        quotes = select_quotes(
            evidence.query, numbered, self.embedder, evidence.terms, self.tuning, titles
        )
        if not quotes:
            # The decision found the papers close enough; what they lack is a sentence to quote
            # (abstracts of links or availability notes only), and saying "not close enough"
            # would send the user looking for the wrong thing.
            declined = not_covered([NOTHING_TO_QUOTE])
            yield SourcesReady([])
            yield declined
            return Reply(declined, False, [], [])
        check = check_citations(compose_answer(quotes, titles), len(evidence.texts))
        sources = quoted_passages(numbered_sources(evidence.texts, check.cited), quotes)
        yield SourcesReady(sources)
        yield check.text
        return Reply(check.text, True, sources, check.cited, extractive=True)


def quoted_passages(sources: list[Source], quotes: Sequence[Quote]) -> list[Source]:
    """A cited source's passages are what was quoted from it, in reading order, so a reader
    sees exactly what the answer rests on."""
    by_source: dict[int, list[Quote]] = {}
    for quote in quotes:
        by_source.setdefault(quote.n, []).append(quote)
    return [
        replace(s, passages=[q.sentence for q in sorted(by_source[s.n], key=lambda q: q.position)])
        if s.n in by_source
        else s
        for s in sources
    ]


def select_quotes(
    question: str,
    sources: Sequence[tuple[int, str, float]],
    embedder: Embedder,
    frequencies: TermStatistics,
    tuning: AnswerSettings,
    titles: Mapping[int, str] | None = None,
) -> list[Quote]:
    """The sentences that best answer ``question`` from ``sources``.

    ``sources`` are ``(n, text, similarity)``: the source number, its text, and how similar
    retrieval found the paper; sentences of papers far below the best one weigh less.
    A comparison of named papers quotes each of them; a "which papers" question quotes one
    sentence from each paper that answers it.
    """
    titles = dict(titles or {})
    candidates = [
        (n, position, neutralise_markers(sentence))
        for n, text, _ in sources
        for position, sentence in quotable_sentences(text)
    ]
    if not candidates:
        return []
    plan = plan_quotes(question, sources, titles, tuning)
    named = (
        plan.required[0] if len(plan.required) == 1 and len(question_names(question)) == 1 else None
    )
    if named is not None and all(c[0] != named for c in candidates):
        # "What is FooNet?" when FooNet's abstract is only a link: quoting the other papers
        # found would answer about something else under FooNet's question.
        return []
    query = np.asarray(embedder.embed([question]), dtype=np.float32)[0]
    # The claim check embeds the same sentences again: one cache serves both.
    vectors = SHARED_VECTORS.embed(embedder, [c[2] for c in candidates])
    scores = score_sentences(
        question,
        candidates,
        vectors @ query,
        frequencies,
        titles,
        tuning,
        several_papers=len(plan.required) >= 2,
    )
    if len(plan.required) < 2:
        # A question naming one thing is about that paper; otherwise about the best retrieved.
        gaps = _paper_gaps(sources, named)
        scores = scores - tuning.extractive_paper_weight * np.array(
            [gaps[c[0]] for c in candidates], dtype=np.float32
        )
    chosen = _choose(candidates, scores, vectors, plan, tuning)
    quotes = [
        Quote(candidates[i][0], candidates[i][1], candidates[i][2], float(scores[i]))
        for i in chosen
    ]
    return sorted(quotes, key=lambda q: (q.n, q.position))


MIN_QUOTE_WORDS = 4
"""Shorter sentences are fragments ("Code is available.", "Results follow."): no facts."""
# Scripts written without spaces between words: each ideograph or kana is a word of its own
# (as Unicode's word segmentation, UAX #29, counts them), so "本研究鉴定出一个基因。" is a
# sentence, not one long word.
_UNSPACED_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def word_count(sentence: str) -> int:
    """Words in ``sentence``: space-separated words, with each ideograph or kana counted
    as one."""
    spaced = _UNSPACED_WORD.sub(" ", sentence).split()
    return len(spaced) + len(_UNSPACED_WORD.findall(sentence))


def quotable_sentences(text: str) -> list[tuple[int, str]]:
    """``(position, sentence)`` of the sentences of ``text`` an answer may quote.

    Availability notes and links answer nothing and are never quoted. Fragments are left
    out when the text has whole sentences; a text that is nothing but a fragment (an
    export's one-line abstract, "Tree boosting.") is quoted as it stands, since it is all
    the paper says."""
    sentences = [
        (position, sentence)
        for position, sentence in enumerate(split_sentences(text))
        if not is_boilerplate(sentence)
    ]
    whole = [(p, s) for p, s in sentences if word_count(s) >= MIN_QUOTE_WORDS]
    return whole or sentences


def _paper_gaps(sources: Sequence[tuple[int, str, float]], about: int | None) -> dict[int, float]:
    """How far each paper's similarity lies below that of the paper the answer is about
    (``about``, else the best retrieved): its sentences weigh that much less."""
    similarity = {n: s for n, _, s in sources}
    anchor = similarity[about] if about is not None else max(similarity.values())
    return {n: max(0.0, anchor - s) for n, s in similarity.items()}


QUOTES_PER_LISTED_PAPER = 3
"""The most sentences a "which papers" answer quotes from one paper. Its sentences beyond one
a paper go to the best-answering sentences left, and a paper that answers well often has
more than one (on dev, a cap of three rather than two raised multi-paper fact recall from
0.631 to 0.671 at the same answer length)."""


@dataclass(frozen=True)
class QuotePlan:
    """Which papers must be heard from, how often, and how long the answer may be."""

    max_sentences: int
    max_per_paper: int
    required: tuple[int, ...] = ()
    """Sources quoted at least ``per_required`` times (when they have sentences good enough)."""
    per_required: int = 0
    allowed: frozenset[int] | None = None
    """Only these sources may be quoted (``None``: any)."""


def plan_quotes(
    question: str,
    sources: Sequence[tuple[int, str, float]],
    titles: Mapping[int, str],
    tuning: AnswerSettings,
) -> QuotePlan:
    """The plan for this question: a comparison quotes each paper it names, a question naming
    one paper quotes it first, a "which papers" question one sentence of each retrieved
    paper; anything else gets the best sentences."""
    named = _named_sources(question, sources, titles)
    several = asks_for_several_papers(question)
    if len(named) >= 2:
        per_paper = tuning.extractive_quotes_per_compared_paper
        return QuotePlan(
            max_sentences=max(tuning.extractive_max_sentences, per_paper * len(named)),
            max_per_paper=per_paper,
            required=tuple(named),
            per_required=per_paper,
            allowed=frozenset(named),
        )
    default = QuotePlan(tuning.extractive_max_sentences, tuning.extractive_max_per_paper)
    if len(named) == 1 and not several:
        # "What is LUKE?": LUKE's paper is heard first, whatever else scores well, and when
        # the question is about nothing else, most of what is quoted is from it
        allowed = _about_the_named_paper(question, named[0], sources)
        return replace(
            default,
            required=tuple(named),
            per_required=tuning.extractive_named_paper_quotes
            if allowed is None
            else tuning.extractive_only_paper_quotes,
            allowed=allowed,
        )
    if several:
        ordered = tuple(n for n, _, _ in sources)
        return QuotePlan(
            max_sentences=len(ordered) + tuning.extractive_extra_for_several,
            max_per_paper=QUOTES_PER_LISTED_PAPER,
            required=ordered,
            per_required=1,
        )
    return default


def _about_the_named_paper(
    question: str, named: int, sources: Sequence[tuple[int, str, float]]
) -> frozenset[int] | None:
    """When the paper the question's one name points to (``named``: its title, else its
    abstract, writes the name) is also the best retrieved ("What is LUKE?" and LUKE's paper)
    and the question joins no second subject, the papers that may answer: that one and those
    that mention the name; otherwise any."""
    names = question_names(question)
    if len(names) != 1 or named != sources[0][0] or joins_several_things(question):
        return None
    pattern = _name_pattern(names[0])
    return frozenset({named, *(n for n, text, _ in sources if pattern.search(text))})


def _named_sources(
    question: str, sources: Sequence[tuple[int, str, float]], titles: Mapping[int, str]
) -> list[int]:
    """Sources named by the question's names, in the question's order (a name is matched in a
    title first, else in a source's text; the best-ranked source wins). A plural name
    ("GANs") is matched as asked, and only where no source writes it so, as its singular."""
    named: list[int] = []
    for name in question_names(question):
        found: list[int] = []
        for form in name_forms(name):
            found = _sources_naming(form, sources, titles)
            if found:
                break
        if found and found[0] not in named:
            named.append(found[0])
    return named


def _sources_naming(
    name: str, sources: Sequence[tuple[int, str, float]], titles: Mapping[int, str]
) -> list[int]:
    """The sources whose title writes ``name``, else those whose text does, best first."""
    pattern = _name_pattern(name)
    in_title = [n for n, _, _ in sources if pattern.search(titles.get(n, ""))]
    return in_title or [n for n, text, _ in sources if pattern.search(text)]


def _name_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a word of its own: "LUKE" must not match inside "mLUKE"."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)


def _choose(
    candidates: Sequence[tuple[int, int, str]],
    scores: np.ndarray,
    vectors: np.ndarray,
    plan: QuotePlan,
    tuning: AnswerSettings,
) -> list[int]:
    """Indices of the chosen sentences: the plan's required quotes, then the rest by maximal
    marginal relevance (relevance against redundancy with what is already chosen)."""
    # A share of the best score, below it whatever its sign: penalties can leave every
    # sentence of a short abstract below zero, and a share of a negative best would lie
    # above it and shut out every sentence, the best one too.
    best = float(scores.max())
    floor = best - (1.0 - tuning.extractive_relative_floor) * abs(best)
    weight = tuning.extractive_mmr_lambda
    allowed = [
        i for i, (n, _, _) in enumerate(candidates) if plan.allowed is None or n in plan.allowed
    ]
    chosen: list[int] = []
    for n in plan.required:
        own = sorted((i for i in allowed if candidates[i][0] == n), key=lambda i: -scores[i])
        keep = [i for i in own if scores[i] >= floor or n in (plan.allowed or ())]
        chosen += keep[: plan.per_required]
    per_paper: dict[int, int] = {}
    for i in chosen:
        per_paper[candidates[i][0]] = per_paper.get(candidates[i][0], 0) + 1
    while len(chosen) < plan.max_sentences:
        best_index, best_value = -1, -np.inf
        for i in allowed:
            n = candidates[i][0]
            if i in chosen or per_paper.get(n, 0) >= plan.max_per_paper or scores[i] < floor:
                continue
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            value = weight * float(scores[i]) - (1 - weight) * redundancy
            if value > best_value:
                best_index, best_value = i, value
        if best_index < 0:
            break
        chosen.append(best_index)
        n = candidates[best_index][0]
        per_paper[n] = per_paper.get(n, 0) + 1
    return chosen


def compose_answer(quotes: Sequence[Quote], titles: Mapping[int, str]) -> str:
    """The answer: per paper (in source order) its title, then its quotes, each with ``[n]``."""
    lines = []
    for n in sorted({q.n for q in quotes}):
        sentences = " ".join(
            f"{_without_final_stop(q.sentence)} [{n}]." for q in quotes if q.n == n
        )
        lines.append(f"{titles.get(n, 'Source')} [{n}]: {sentences}")
    return "\n".join(lines)


def _without_final_stop(sentence: str) -> str:
    return sentence[:-1] if sentence.endswith(".") else sentence
