"""Claim-level support: an answer's claims (its sentences with their ``[n]`` markers, as
``claim_split`` reads them) scored against the text of the sources it cites.

A claim's support is the best match between the claim and one window (one sentence, or a few
consecutive ones) of a cited source, mixing two signals:

- the bundled embedder's cosine similarity (catches paraphrases), and
- the share of the claim's content words found in the window (catches a copied sentence cited
  to the wrong paper, which a same-topic neighbour can still resemble in meaning).

A claim one sentence of a cited source writes every content word of (the paper's name
aside) is as supported as can be, whatever the cosine: a short claim taken from a long
sentence ("87.4% on ModelNet40") resembles it little in meaning.

A claim is supported when that score reaches the threshold, every quantity it states is
one a cited source gives (``claim_numbers``), and no cited source states it the other way
round (``claim_polarity``): a copied sentence with one number changed, or with a "not"
added, resembles its source as closely as the true one.

The threshold, the cosine weight and the window are settings (``claim_*`` in
``AnswerSettings``), tuned on the ``dev`` split of ``eval/claims.jsonl`` (claims copied or
paraphrased from a paper, cited once to that paper and once to its nearest neighbour) and
reported on its ``test`` split by ``benchmarks/bench_claims.py``. ``ClaimCheck`` is what the
pipeline runs after an answer is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from ..citations import MARKER_BODY
from ..results import Claim
from ..text import sentence_runs, split_sentences, stem
from .claim_numbers import unstated_numbers
from .claim_polarity import contradicted_by
from .claim_split import ClaimText, citations_in, plain_claim, split_claims
from .vectors import SHARED_VECTORS, VectorCache

__all__ = [
    "ClaimCheck",
    "ClaimText",
    "check_claims",
    "content_terms",
    "copied_support",
    "split_claims",
    "support_score",
    "term_overlap",
]

if TYPE_CHECKING:
    from ..embedding import Embedder
    from ..settings import AnswerSettings

_MARKER = re.compile(r"\[\s*\d+(?:\s*[,\-–]\s*\d+)*\s*\]")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_STOPWORDS = frozenset(
    """a about above after all also an and any are as at be been being both but by can could
    did do does done each for from had has have how however i if in into is it its itself
    may more most much never no none nor not of on one only or other our over per same several
    should so some such than that the their them then there these they this those through
    thus to too two under up us using via was we were what when where which while who whose
    why will with without would yet""".split()  # noqa: SIM905 - a word list reads better as text
)
"""Function words, and negations: whether a claim says something or its opposite is
``claim_polarity``'s to tell, so "requires no labels" and "does not require any labels"
write the same words."""
MIN_COPIED_TERMS = 2
"""Content words a claim needs for one source sentence writing them all to support it."""
_NAME_WORDS = 2
"""Words at most in a title's lead before its colon for that lead to name the paper."""


@dataclass(frozen=True)
class ClaimCheck:
    """The pipeline's claim check: ``check_claims`` with one embedder and the settings' tuning,
    source windows embedded once per session (``vectors``)."""

    embedder: Embedder
    threshold: float
    cosine_weight: float
    window_sentences: int
    vectors: VectorCache = SHARED_VECTORS

    @classmethod
    def from_settings(cls, embedder: Embedder, settings: AnswerSettings) -> ClaimCheck:
        """The check tuned by ``claim_support_threshold``, ``claim_cosine_weight`` and
        ``claim_window_sentences``."""
        return cls(
            embedder,
            settings.claim_support_threshold,
            settings.claim_cosine_weight,
            settings.claim_window_sentences,
        )

    def check(
        self, answer_text: str, source_texts: Sequence[str], titles: Sequence[str] = ()
    ) -> list[Claim]:
        """The claims of ``answer_text``; ``source_texts[n - 1]`` is the full text of ``[n]``,
        ``titles[n - 1]`` its title."""
        return check_claims(
            answer_text,
            source_texts,
            self.embedder,
            threshold=self.threshold,
            cosine_weight=self.cosine_weight,
            window_sentences=self.window_sentences,
            vectors=self.vectors,
            titles=titles,
        )


def check_claims(
    text: str,
    sources: Sequence[str],
    embedder: Embedder,
    *,
    threshold: float,
    cosine_weight: float,
    window_sentences: int,
    vectors: VectorCache | None = None,
    titles: Sequence[str] = (),
) -> list[Claim]:
    """Each claim of ``text`` scored against the sources it cites (``sources[n - 1]`` is the
    text of source ``n``, ``titles[n - 1]`` its title when given). A claim citing nothing, or
    only numbers outside ``sources``, is ``supported=False, support=0.0``; a claim citing
    several sources takes its best one (``copied_support`` or the mixed score), and a claim of
    several clauses is as supported as its weakest clause (``claim_parts``). ``vectors``
    remembers embeddings between calls (none: afresh)."""
    claims = split_claims(text)
    # What a quote's label ("Title [2]: ") names is a paper, not a claim about it: only what
    # follows it is checked against the source.
    parts = [
        [(_without_label(part, claim.text), cited) for part, cited in claim_parts(claim)]
        for claim in claims
    ]
    valid = {n for claim in claims for n in claim.citations if 1 <= n <= len(sources)}
    checked = [any(n in valid for n in claim.citations) for claim in claims]
    copied = _copied_parts(parts, checked, sources, titles, valid)
    scored = list(dict.fromkeys(part for (part, _), done in copied.items() if not done))
    unquoted = {n for (_, citations), done in copied.items() if not done for n in citations}
    windows = {n: _windows(sources[n - 1], window_sentences) for n in sorted(unquoted & valid)}
    embedded = _embed(embedder, scored, windows, vectors)
    vector_of = dict(zip(scored, embedded.claims, strict=True))
    results: list[Claim] = []
    for claim, clauses, ok in zip(claims, parts, checked, strict=True):
        if not ok:
            results.append(Claim(claim.text, list(claim.citations), False, 0.0))
            continue
        support, unstated, contradicting = 1.0, [], []
        for part, citations in clauses:
            cited = [n for n in citations if n in valid]
            if not copied[(part, tuple(citations))]:
                best = (
                    _best_window_support(
                        part, vector_of[part], windows[n], embedded.windows[n], cosine_weight
                    )
                    for n in cited
                )
                support = min(support, max(best, default=0.0))
            cited_texts = [sources[n - 1] for n in cited]
            unstated += unstated_numbers(part, cited_texts)
            contradicting += contradicted_by(part, cited_texts)
        supported = support >= threshold and not unstated and not contradicting
        results.append(
            Claim(claim.text, list(claim.citations), supported, support, unstated, contradicting)
        )
    return results


def _copied_parts(
    parts: Sequence[Sequence[tuple[str, list[int]]]],
    checked: Sequence[bool],
    sources: Sequence[str],
    titles: Sequence[str],
    valid: set[int],
) -> dict[tuple[str, tuple[int, ...]], bool]:
    """For each clause of a checked claim, keyed by its text and citations: whether one
    sentence of a source it cites writes it word for word (``copied_support``). Such a
    clause is supported whatever its cosine, so only the others are embedded: an answer that
    quotes costs no embedding at all."""
    return {
        (part, tuple(citations)): any(
            copied_support(part, sources[n - 1], _title(titles, n)) == 1.0
            for n in citations
            if n in valid
        )
        for ok, clauses in zip(checked, parts, strict=True)
        if ok
        for part, citations in clauses
    }


MIN_PART_TERMS = 3
"""Content words a clause needs to claim something alone ("while LUKE adds entity tokens")
rather than name what the rest of the sentence says ("BERT [1] and RoBERTa [2] both …")."""
MAX_PARTS = 12
"""More clauses than this in one sentence is a list run together, not a comparison: it is
checked whole, as one claim, so that a runaway reply costs one embedding, not thousands."""
_MARKER_RUN = re.compile(rf"(?:\s*\[{MARKER_BODY}\])+")
_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?=(?:while|whereas|but|although|though)\s)|(?P<and>,\s+(?=and\s))", re.I
)
"""Where one clause of a sentence ends and another begins: a semicolon, or a comma before a
conjunction. Cut there, a sentence ending in one marker is checked clause by clause."""
MAX_LIST_ITEM_WORDS = 4
"""Words at most in the item before ", and" for it to close a list rather than join clauses."""


def claim_parts(claim: ClaimText) -> list[tuple[str, list[int]]]:
    """What each cited source is cited for: ``(plain text, citations)`` per clause.

    A sentence may cite different sources for different clauses ("A prunes heads [1], while B
    shares layers [2]"); each clause, ending at its markers, is checked against its own
    sources, so a swapped pair is caught, which the best source of the whole sentence would
    let through. A clause too short to claim anything alone, or a label ("Title [2]: …"),
    joins the next one, and words after the last marker join the last clause. A sentence
    that ends in its only marker is cut into its clauses (``_CLAUSE_BREAK``), each citing
    that marker: "A, while B [1]" with B from another paper is caught too. A sentence with
    one clause, or more than ``MAX_PARTS``, is one part."""
    whole = [(plain_claim(claim.text), list(claim.citations))]
    pieces: list[tuple[str, list[int]]] = []
    start = 0
    for run in _MARKER_RUN.finditer(claim.text):
        pieces.append((claim.text[start : run.start()], citations_in(run.group())))
        start = run.end()
    if len(pieces) == 1:
        pieces = _clauses_of_one_citation(pieces[0][0], pieces[0][1])
    if len(pieces) < 2:
        return whole
    pieces[-1] = (pieces[-1][0] + claim.text[start:], pieces[-1][1])
    parts: list[tuple[str, list[int]]] = []
    # Gathered piece by piece (text, citations and words so far), so that a sentence of
    # thousands of markers stays linear.
    texts: list[str] = []
    citations: list[int] = []
    terms: set[str] = set()
    for index, (piece, cited) in enumerate(pieces):
        texts.append(piece)
        citations.extend(cited)
        terms |= content_terms(piece)
        following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
        # "Title [2]: what it says [2]" labels what follows; the label claims nothing alone.
        if len(terms) >= MIN_PART_TERMS and not following.lstrip().startswith(":"):
            parts.append(("".join(texts), citations))
            texts, citations, terms = [], [], set()
    if parts and texts:  # a short last clause belongs to the one before it
        parts[-1] = (parts[-1][0] + "".join(texts), [*parts[-1][1], *citations])
    if not 2 <= len(parts) <= MAX_PARTS:
        return whole
    return [(plain_claim(t), list(dict.fromkeys(c))) for t, c in parts]


def _clauses_of_one_citation(text: str, cited: list[int]) -> list[tuple[str, list[int]]]:
    """``text`` cut where one clause ends and another begins ("A, while B", "A; B"), each
    clause citing ``cited``: one marker at the end of a sentence vouches for all of it, so
    a clause taken from another paper must not ride on the rest."""
    cuts = [0]
    for match in _CLAUSE_BREAK.finditer(text):
        if not (match.group("and") and _ends_a_list(text[cuts[-1] : match.start()])):
            cuts.append(match.start())
    bounds = [*cuts, len(text)]
    return [(text[a:b], list(cited)) for a, b in pairwise(bounds)]


def _ends_a_list(before: str) -> bool:
    """Whether ", and" after ``before`` closes a list ("lip-sync, video fidelity, and pose"):
    the item before it, back to the last comma, is a few words, not a clause."""
    _, comma, item = before[1:].rpartition(",")
    return bool(comma) and len(item.split()) <= MAX_LIST_ITEM_WORDS


_LABEL = re.compile(rf"^[^\n]*?\[{MARKER_BODY}\]\s*:\s*")
""""Title [2]: " before what an answer quotes from it, as offline answers write them."""


def _without_label(part: str, claim_text: str) -> str:
    """``part`` without the label the claim opens with ("Title [2]: "): a title names a paper
    and states nothing its abstract could contradict ("… without Span Representations")."""
    label = _LABEL.match(claim_text)
    if label is None:
        return part
    title = plain_claim(label.group()).rstrip(": ")
    return part[len(title) :].lstrip(": ") if title and part.startswith(title) else part


def support_score(
    claim: str, claim_vector: np.ndarray, window: str, window_vector: np.ndarray, weight: float
) -> float:
    """``weight`` × cosine + (1 − ``weight``) × share of the claim's terms in ``window``."""
    cosine = float(np.dot(claim_vector, window_vector))
    return round(weight * cosine + (1 - weight) * term_overlap(claim, window), 4)


def copied_support(claim: str, source: str, title: str = "") -> float:
    """1.0 when one sentence of ``source`` writes every content word and number of ``claim``
    (at least ``MIN_COPIED_TERMS``), the paper's name aside; else 0.0.

    A short claim ("87.4% on ModelNet40") taken from a long sentence shares little of its
    meaning with it, so the cosine of the two is low though every word is the source's. The
    paper's name (``paper_name``: "APE" of "APE: Aligning …") counts as written in each of
    its sentences: its abstract says "our method" or "we" for it."""
    wanted = content_terms(claim)
    if len(wanted) < MIN_COPIED_TERMS:
        return 0.0
    missing = wanted - paper_name(title)
    found = any(missing <= terms for terms in _sentence_terms(source))
    return 1.0 if found else 0.0


def paper_name(title: str) -> set[str]:
    """The content words of the name a title gives its paper before a colon ("ViT-Lens" of
    "ViT-Lens: Towards Omni-modal Representations"); none when the title names no method."""
    lead, colon, _ = title.partition(":")
    if not colon or len(lead.split()) > _NAME_WORDS:
        return set()
    return content_terms(lead)


def term_overlap(claim: str, window: str) -> float:
    """Share of the claim's content terms (lightly stemmed) that occur in ``window``."""
    wanted = content_terms(claim)
    if not wanted:
        return 0.0
    return len(wanted & content_terms(window)) / len(wanted)


def content_terms(text: str) -> set[str]:
    """Lower-cased, lightly stemmed words of ``text`` without function words."""
    return {stem(w) for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS and len(w) > 1}


# -- helpers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vectors:
    claims: np.ndarray
    windows: dict[int, np.ndarray]


def _embed(
    embedder: Embedder,
    claims: list[str],
    windows: dict[int, list[str]],
    cache: VectorCache | None,
) -> _Vectors:
    """One embedding call for every claim and every window not cached (batching is the
    embedder's job); claims are new each time, so only windows go through the cache."""
    numbers = list(windows)
    window_texts = [w for n in numbers for w in windows[n]]
    if cache is None:
        texts = claims + window_texts
        matrix = embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    else:
        claim_matrix = embedder.embed(claims) if claims else np.zeros((0, 1), dtype=np.float32)
        window_matrix = cache.embed(embedder, window_texts)
        matrix = np.concatenate([claim_matrix, window_matrix]) if claims else window_matrix
    by_source: dict[int, np.ndarray] = {}
    start = len(claims)
    for n in numbers:
        by_source[n] = matrix[start : start + len(windows[n])]
        start += len(windows[n])
    return _Vectors(matrix[: len(claims)], by_source)


def _best_window_support(
    claim: str,
    claim_vector: np.ndarray,
    windows: list[str],
    window_vectors: np.ndarray,
    weight: float,
) -> float:
    return max(
        (
            support_score(claim, claim_vector, window, vector, weight)
            for window, vector in zip(windows, window_vectors, strict=True)
        ),
        default=0.0,
    )


def _title(titles: Sequence[str], n: int) -> str:
    return titles[n - 1] if n <= len(titles) else ""


@lru_cache(maxsize=256)
def _sentence_terms(source: str) -> tuple[set[str], ...]:
    """The content words of each sentence of ``source`` (an answer cites the same few
    abstracts claim after claim)."""
    return tuple(content_terms(s) for s in _source_sentences(source))


def _source_sentences(source: str) -> list[str]:
    """The sentences of ``source``, its own reference markers taken out."""
    return split_sentences(_MARKER.sub(" ", source))


def _windows(source: str, size: int) -> list[str]:
    """Every run of 1..``size`` consecutive sentences of ``source``."""
    return sentence_runs(_source_sentences(source), size)
