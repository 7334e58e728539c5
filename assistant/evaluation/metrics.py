"""Metric functions: pure, on paper ids and strings, so they can be checked by hand.

Retrieval is judged at paper level: ``ranked`` is the list of paper ids a search returned,
best first; ``gold`` the ids of the papers that answer the question. A gold paper that is not
in the index still counts in ``gold`` (under any id that cannot be retrieved): the question
asks for it and the assistant cannot find it, so recall must say so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the gold papers among the first ``k`` results."""
    if not gold:
        raise ValueError("recall needs at least one gold paper")
    return len(set(ranked[:k]) & set(gold)) / len(set(gold))


def reciprocal_rank(ranked: Sequence[str], gold: Collection[str]) -> float:
    """1/rank of the first gold paper in ``ranked`` (0 when none is there)."""
    gold_set = set(gold)
    for rank, paper_id in enumerate(ranked, start=1):
        if paper_id in gold_set:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain with binary relevance (gold = 1, other = 0).

    DCG = sum of 1/log2(rank + 1) over gold papers in the first ``k``; divided by the DCG of
    the ideal ranking (all gold papers first, at most ``k`` of them).
    """
    gold_set = set(gold)
    if not gold_set:
        raise ValueError("nDCG needs at least one gold paper")
    seen: set[str] = set()
    dcg = 0.0
    for rank, paper_id in enumerate(ranked[:k], start=1):
        if paper_id in gold_set and paper_id not in seen:  # a paper counts once
            seen.add(paper_id)
            dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold_set), k) + 1))
    return dcg / ideal


def _comparable(text: str) -> str:
    # Case-insensitive, and blind to line breaks or doubled spaces inside a fact.
    return re.sub(r"\s+", " ", text).casefold().strip()


def facts_found(answer_text: str, facts: Iterable[str]) -> list[bool]:
    """For each fact: does it occur in the answer text (case-insensitively)?"""
    haystack = _comparable(answer_text)
    return [_comparable(fact) in haystack for fact in facts]


def fact_recall(answer_text: str, facts: Sequence[str]) -> float:
    """Share of the gold facts that occur in the answer text (case-insensitively)."""
    if not facts:
        raise ValueError("fact recall needs at least one fact")
    found = facts_found(answer_text, facts)
    return sum(found) / len(found)


def citation_precision(cited: Collection[str], gold: Collection[str]) -> float | None:
    """Share of the cited papers that are gold; ``None`` when nothing was cited."""
    cited_set = set(cited)
    if not cited_set:
        return None
    return len(cited_set & set(gold)) / len(cited_set)


def citation_recall(cited: Collection[str], gold: Collection[str]) -> float:
    """Share of the gold papers that were cited."""
    if not gold:
        raise ValueError("citation recall needs at least one gold paper")
    return len(set(cited) & set(gold)) / len(set(gold))


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the values that are not ``None``; ``None`` if there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def share(flags: Iterable[bool]) -> float | None:
    """Fraction of true flags; ``None`` for no flags."""
    items = list(flags)
    return sum(items) / len(items) if items else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100), linear between closest ranks (NumPy's default)."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """Area under the ROC curve: the chance that a random positive scores above a random
    negative (ties count half). ``None`` unless both classes are present."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return None
    wins = 0.0
    for p in pos:
        wins += sum(1.0 if p > n else 0.5 if p == n else 0.0 for n in neg)
    return wins / (len(pos) * len(neg))
