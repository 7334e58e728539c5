"""Claims that say the opposite of the source they cite.

"X does not need labelled data" cited to an abstract that says "X needs labelled data" shares
every content word with it, and the embedder hardly tells the two apart: the support score
passes. So each clause of a claim is lined up with the clauses of its cited sources that
state the same thing (most of its content words), and the two are compared:

- negations ("not", "no", "without", "fails to", "removes", "-free") of a word the other
  clause writes, that the other's sentence does not negate too;
- opposite words ("improves" / "degrades", "higher" / "lower", "supervised" /
  "unsupervised"), when each clause writes only its own side;
- the sides of a ranking ("A outperforms B" against "B outperforms A").

An odd number of differences reverses the meaning; "requires no labels" and "does not require
labels" differ in none, "does not improve" and "degrades" in two. A claim is contradicted only
when every source clause that lines up with it about as closely as the closest one says the
opposite: a source that states it both ways, or no clause close enough to line up, gives it
the benefit of the doubt."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..citations import MARKER
from ..text import STOPWORDS, split_sentences, stem

MIN_SHARED_TERMS = 3
"""Content words a claim clause and a source clause must share to state the same thing."""
MIN_SHARED_SHARE = 0.5
"""...and the share of the claim clause's content words they must be."""
SCOPE_WORDS = 2
"""Words after a negation that it negates ("not *demonstrate capability*")."""
REACH_WORDS = 4
"""Words after a negation that the same negation may name in other words: "without using
X" says what "without *needing to use any of the* X" says, "no labels" what "does not
*require any* labels" says."""

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?(?:-free\b)?")
_CLAUSE_BREAK = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:while|whereas|but|although|though|however|instead|rather than|"
    r"compared (?:to|with))\b",
    re.IGNORECASE,
)
_NEGATIONS = frozenset(
    """not no non never without cannot neither none nothing nobody unable fail fails failed
    failing lack lacks lacking rarely seldom hardly barely scarcely remove removes removed
    removing eliminate eliminates eliminated avoid avoids avoided exclude excludes
    excluded""".split()  # noqa: SIM905 - a word list reads better as text
)
"""Words that negate what follows them ("non" as in "non-language": hyphens part words;
"removes the dependency on X" says what "without X" says)."""
_FUNCTION_WORDS = frozenset(
    """a an the to be been being is are was were do does did have has had any its their
    this that these those it they them even also yet all as about across against among
    around at between by for from in into of on onto over than through toward towards under
    upon with within""".split()  # noqa: SIM905 - a word list reads better as text
)
"""Words a negation reaches past to the word it negates ("not *be* able", "fail *to* use")."""
# "not only ... but also", "whether or not", "comparable, if not better": no negation of
# what the clause states.
_NOT_NEGATING = re.compile(r"\bnot (?:only|just|merely)\b|\bor not\b|\bif not\b", re.IGNORECASE)
# Opposite directions, one line a scale: words left of "|" go one way, words right of it the
# other ("reduces" and "lowers" agree; "reduces" and "increases" do not).
_SCALES_TEXT = """
improve boost enhance benefit help strengthen alleviate mitigate | degrade worsen hurt harm
    impair weaken aggravate exacerbate
increase raise rise grow enlarge expand gain more higher larger greater bigger |
    decrease reduce lower drop decline shrink fall less fewer smaller loss
high large big long deep | low small short shallow
fast faster quick quicker speed accelerate | slow slower slowdown
better best superior outperform surpass | worse worst inferior underperform trail
strong stronger | weak weaker
easy easier simple simpler | hard harder difficult complex
before earlier first | after later
above top upper | below bottom
success | failure
enable allow promote | prevent inhibit block hinder
accept | reject
dense | sparse
static | dynamic
implicit | explicit
local | global
online | offline
positive | negative
maximize maximise | minimize minimise
cheap cheaper | expensive costly costlier
robust | brittle sensitive fragile
always | never
"""
_PREFIXES = ("un", "non", "in", "im", "ir", "il", "dis")
_MIN_BASE = 4  # "unable" is no "able"; a prefix only negates a word of some length
# Relations that rank one side above the other: "A outperforms B" and "B outperforms A"
# share every word and differ only in which side of the relation each stands.
_RANKING = frozenset(
    """outperform outperforms outperformed outperforming surpass surpasses surpassed beat
    beats exceed exceeds exceeded than over preferable superior inferior underperform
    underperforms underperformed""".split()  # noqa: SIM905 - a word list reads better as text
)


@dataclass(frozen=True)
class _Clause:
    """One clause: its words in order, and its content words (stemmed) for lining up."""

    text: str
    words: tuple[str, ...]
    stems: frozenset[str]
    """Every word of the clause, stemmed."""
    terms: frozenset[str]
    sentence_negated: frozenset[str]
    """Every word (as ``_root``) a negation of the clause's sentence reaches, up to
    ``REACH_WORDS`` words on within its clause."""


def contradicted_by(claim: str, sources: Sequence[str]) -> list[str]:
    """Clauses of ``sources`` that state what ``claim`` says the other way round (empty when
    none does, or when no clause of the sources lines up with the claim's)."""
    source_clauses = [clause for source in sources for clause in _source_clauses(source)]
    found: list[str] = []
    for clause in _clauses(MARKER.sub(" ", claim)):
        lined_up = [
            (shared, c) for c in source_clauses if _lines_up(clause, shared := _shared(clause, c))
        ]
        if not lined_up:
            continue
        # The clauses saying most nearly what the claim says decide, a word or so either way.
        best = max(shared for shared, _ in lined_up)
        closest = [(shared, c) for shared, c in lined_up if shared >= best - 1]
        if all(_reversed(clause, c) for _, c in closest):
            found.append(max(closest, key=lambda pair: pair[0])[1].text.strip())
    return list(dict.fromkeys(found))


@lru_cache(maxsize=256)
def _source_clauses(source: str) -> tuple[_Clause, ...]:
    """The clauses of every sentence of ``source``: an answer cites the same few abstracts
    claim after claim, so each is read once."""
    return tuple(
        clause
        for sentence in split_sentences(MARKER.sub(" ", source))
        for clause in _clauses(sentence)
    )


def _lines_up(claim: _Clause, shared: int) -> bool:
    return shared >= MIN_SHARED_TERMS and shared >= MIN_SHARED_SHARE * len(claim.terms)


def _shared(claim: _Clause, source: _Clause) -> int:
    """Content words of the claim clause the source clause writes, as they are or with a
    negating prefix added or taken away ("supervised" / "unsupervised")."""
    return sum(1 for term in claim.terms if term in source.terms or _prefixed(term) & source.terms)


def _reversed(claim: _Clause, source: _Clause) -> bool:
    """Whether the two clauses differ in an odd number of negations, opposite words and
    swapped sides of a ranking."""
    differences = (
        _bearing_negations(claim, source)
        + _bearing_negations(source, claim)
        + _opposite_words(claim, source)
        + _swapped_ranking(claim, source)
    )
    return differences % 2 == 1


def _bearing_negations(clause: _Clause, other: _Clause) -> int:
    """Negations of ``clause`` that bear on what ``other`` states (it writes a word they
    negate, or its opposite) and that ``other``'s sentence does not make too: a negation
    of something the other clause does not state is no difference between them."""
    count = 0
    for negated in _negation_scopes(clause.words):
        bears = negated & other.stems or any(
            (_opposites_of(w) | _prefixed(w)) & other.stems for w in negated
        )
        if bears and not {_root(w) for w in negated} & other.sentence_negated:
            count += 1
    return count


def _negation_scopes(words: Sequence[str], reach: int = SCOPE_WORDS) -> list[frozenset[str]]:
    """What each negation of ``words`` negates: the first ``reach`` words after it that are
    not function words ("not *demonstrate capability*"), or the word of a "-free"."""
    scopes = []
    for index, word in enumerate(words):
        if word.endswith("-free"):
            scopes.append(frozenset({_term(word)}))
        elif word in _NEGATIONS or word.endswith("n't"):
            following = [w for w in words[index + 1 :] if w not in _FUNCTION_WORDS]
            if following:
                scopes.append(frozenset(stem(w) for w in following[:reach]))
    return scopes


def _sentence_negated(sentence: str) -> frozenset[str]:
    """The words (as ``_root``) the negations of ``sentence`` negate, and those they reach
    within their clause, ``REACH_WORDS`` words on ("not A, but B" does not reach B)."""
    scopes = _negation_scopes(_words(sentence)) + [
        scope
        for piece in _CLAUSE_BREAK.split(sentence)
        for scope in _negation_scopes(_words(piece), REACH_WORDS)
    ]
    return frozenset(_root(word) for scope in scopes for word in scope)


def _root(word: str) -> str:
    """``word`` without its inflection, down to short roots ("using", "uses", "use": "us"),
    to tell whether two negations name the same thing."""
    for suffix in ("ing", "ed", "es", "e", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def _opposite_words(claim: _Clause, source: _Clause) -> int:
    """Scales on which the claim goes one way and the source the other ("improves" where the
    source says "degrades", "unsupervised" where it says "supervised"); a scale counts only
    when each side writes just its own direction."""
    claim_words = claim.stems
    source_words = source.stems
    count = 0
    for word in claim_words:
        opposites = _opposites_of(word) | _prefixed(word)
        if opposites & source_words and not opposites & claim_words and word not in source_words:
            count += 1
    return count


def _swapped_ranking(claim: _Clause, source: _Clause) -> int:
    """1 when both clauses rank two things ("A outperforms B", "A is better than B") and
    what stands before the ranking word in one stands after it in the other; a passive
    ("outperformed by") turns a side round."""
    claim_sides, source_sides = _ranked_sides(claim), _ranked_sides(source)
    if claim_sides is None or source_sides is None:
        return 0
    (claim_before, claim_after), (source_before, source_after) = claim_sides, source_sides
    shared = claim.stems & source.stems
    moved_back = claim_before & source_after & shared
    moved_forward = claim_after & source_before & shared
    return 1 if moved_back and moved_forward else 0


def _ranked_sides(clause: _Clause) -> tuple[frozenset[str], frozenset[str]] | None:
    """The content words before and after the clause's ranking word (after and before, for a
    passive), or None when it ranks nothing."""
    words = clause.words
    for index, word in enumerate(words):
        if word in _RANKING:
            before = frozenset(stem(w) for w in words[:index] if _is_content(w))
            after = frozenset(stem(w) for w in words[index + 1 :] if _is_content(w))
            # A word on both sides ("pretraining A beats pretraining B") tells neither apart.
            before, after = before - after, after - before
            passive = index + 1 < len(words) and words[index + 1] == "by"
            return (after, before) if passive else (before, after)
    return None


def _opposites_of(word: str) -> frozenset[str]:
    """The words of the other direction of ``word``'s scale."""
    return _scales().get(word, (frozenset(), frozenset()))[1]


def _prefixed(word: str) -> frozenset[str]:
    """``word`` with a negating prefix taken away, and with each one added."""
    found = {word[len(p) :] for p in _PREFIXES if word.startswith(p)}
    found = {w for w in found if len(w) >= _MIN_BASE}
    if len(word) >= _MIN_BASE:
        found |= {p + word for p in _PREFIXES}
    return frozenset(found)


@lru_cache(maxsize=1)
def _scales() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each scale word (stemmed): ``(its own direction, the other direction)``."""
    scales: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for line in _SCALES_TEXT.replace("\n    ", " ").strip().splitlines():
        one, other = (frozenset(stem(w) for w in side.split()) for side in line.split("|"))
        for side, opposite in ((one, other), (other, one)):
            for word in side:  # "higher" is on two scales: "more" and "high"
                own, against = scales.get(word, (frozenset(), frozenset()))
                scales[word] = (own | side, against | opposite)
    return scales


def _clauses(sentence: str) -> list[_Clause]:
    """The clauses of ``sentence``, each as written (with the commas inside it). A piece too
    short to state anything alone joins the clause before it (", which cannot handle long
    inputs", "RACE and SQuAD" of a list), or the next one when it opens the sentence
    ("Unlike BERT, ...")."""
    sentence = sentence.replace("’", "'")
    negated = _sentence_negated(sentence)
    breaks = list(_CLAUSE_BREAK.finditer(sentence))
    pieces = zip([0, *(b.end() for b in breaks)], [*(b.start() for b in breaks), len(sentence)])
    spans: list[tuple[int, int]] = []
    opening: int | None = None  # where a short opening piece began, waiting for the next
    for start, end in pieces:
        if spans and opening is None and len(_terms(sentence[start:end])) < MIN_SHARED_TERMS:
            spans[-1] = (spans[-1][0], end)
            continue
        begin = start if opening is None else opening
        if len(_terms(sentence[begin:end])) < MIN_SHARED_TERMS:
            opening = begin
        else:
            spans.append((begin, end))
            opening = None
    if opening is not None:
        spans.append((opening, len(sentence)))
    texts = (sentence[begin:end].strip(" ,;:") for begin, end in spans)
    return [_clause(text, negated) for text in texts if _words(text)]


def _clause(text: str, sentence_negated: frozenset[str]) -> _Clause:
    words = _words(text)
    stems = frozenset(stem(w) for w in words)
    return _Clause(text, words, stems, _terms(text), sentence_negated)


def _terms(text: str) -> frozenset[str]:
    return frozenset(_term(w) for w in _words(text) if _is_content(w))


def _words(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_NOT_NEGATING.sub(" ", text.casefold())))


def _is_content(word: str) -> bool:
    """A word that says what a clause is about: not a function word, a negation or a word of
    a scale (those are what two clauses about the same thing may differ in)."""
    return (
        len(word) > 1
        and word not in STOPWORDS
        and word not in _NEGATIONS
        and not word.endswith("n't")
        and _term(word) not in _scales()
    )


def _term(word: str) -> str:
    return stem(word.removesuffix("-free"))
