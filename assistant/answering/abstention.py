"""Should the assistant attempt an answer? One calibrated decision for both answerers.

The retrieved papers are measured against the question (``measure_signals``): how close the
best passage is (dense cosine), how strongly BM25 matches and by how much its best paper
leads, how much of the question's distinctive vocabulary the papers contain (weighted by
inverse document frequency, overall and in the top paper alone; words that only frame what
is asked, "the key idea behind", are not its vocabulary), whether the question's rarest
word or name occurs in a title or abstract at all, and whether the top paper gives what the
question asks for (the thing asked about, its number, its name). A logistic model turns
these into one score, the estimated probability that the collection answers the question.

Offline, the answer reader (``assistant.reader``, a small cross-encoder) also reads the
question with the top paper: the one signal that can tell an on-topic paper that leaves the
asked detail out from one that gives it.

The weights are settings, fitted on the development questions by
``benchmarks/fit_abstention.py`` (standardised features, L2, plain NumPy), one model per
mode. Offline nothing else checks the quotes, so ``abstention_weights`` weigh the reader too
and ``abstention_threshold`` is strict. A model reads the sources and can still decline, so
``abstention_model_weights`` leave the reader out (it is not asked, and the request goes out
sooner) and ``abstention_model_threshold`` only stops questions the collection clearly does
not touch, on a score that leaves whether a detail is given to the model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Protocol

from ..text import american_spelling, content_terms, split_sentences, stem
from .acronyms import acronym_definitions, acronyms_in, spelled_out
from .decision import Decision, TermStatistics, paper_terms
from .question_cues import (
    asked_details,
    asked_names,
    asked_quantity,
    asks_for_several_papers,
    focus_terms,
    name_forms,
    question_names,
    topic_terms,
)

if TYPE_CHECKING:
    from ..collection import Paper
    from ..results import Hit
    from ..settings import AnswerSettings

BM25_DEPTH = 20
"""Lexical matches read to find the best two papers' BM25 scores."""
QUANTITY_PAPERS = 2
"""Papers whose sentences are searched for the words and numbers a question asks about."""
READ_PAPERS = 1
"""Top papers the answer reader reads. Each costs a pass of the network (~150 ms on two
AVX2 cores). Held out one writer at a time on dev, the best of the top three instead of the
top one changed 18 of 1,144 decisions, and the totals hardly at all (unanswerable declined
53.3% against 52.2%, answerable 1.2% against 1.1%)."""
NOTHING_READ = -10.0
"""The reader's logit when there is no paper to read: far below any it gives."""
NO_OPINION = 0.0
"""The reader's logit when it is not asked (a model reads the sources instead): even odds."""
_NUMBER = re.compile(r"\d")
_QUANTITY_WORD = re.compile(r"\d[\d.,]*[a-zA-Z]{0,2}")
"""A number with its unit letter ("30M", "1.3B", "2D"): a quantity, not a name."""
# Abbreviations of fields and of kinds of thing, which name no particular one: "NLP" does
# not say which language, nor "a CNN backbone" which backbone.
_FIELD_ACRONYMS = frozenset(
    """AI ML NLP NLU NLG CV ASR TTS MT QA VQA RL IR SOTA LM LLM LLMS MLLM VLM VLMS PLM PLMS
    CNN CNNS RNN RNNS GNN GNNS MLP GAN GANS VAE GPU GPUS CPU TPU API""".split()  # noqa: SIM905 - a word list
)
_INTRODUCED = re.compile(
    r"\b(?:introduc|propos|present|releas|open[- ]sourc|construct|buil[dt]|creat|collect"
    r"|curat|develop|design)\w*\s+(?:a|an|our|two|three|several)\s+"
    r"(?P<made>(?:[\w-]+\s+){0,6}[\w-]+)",  # the thing made: up to seven words, no punctuation
    re.IGNORECASE,
)


class LexicalMatch(Protocol):
    """One BM25 match: the paper it belongs to and its score."""

    @property
    def paper_id(self) -> str: ...

    @property
    def score(self) -> float: ...


LexicalSearch = Callable[[str, int], Sequence[LexicalMatch]]
"""``search(question, limit)``: the best BM25 matches (the lexical index's ``search``)."""


class PaperReader(Protocol):
    """Scores whether each ``(title, abstract)`` answers a question (``reader.AnswerReader``)."""

    def logits(
        self,
        question: str,
        papers: Sequence[tuple[str, str]],
        idf: Callable[[str], float],
        *,
        wants_number: bool = False,
    ) -> list[float]: ...


@dataclass(frozen=True)
class Signals:
    """What the retrieved papers say about whether the collection covers the question.

    The numbers are what the model weighs; the text fields explain a decline.
    """

    best_cosine: float
    """Best passage's cosine similarity to the question."""
    bm25_top: float
    """Best paper's BM25 score as a share of what the question's words could score at most."""
    bm25_margin: float
    """How far the best paper's BM25 score leads the second's, as a share of the best."""
    coverage: float
    """IDF-weighted share of the question's content words found in the retrieved papers."""
    top_coverage: float
    """The same share, in the best-ranked paper alone."""
    rare_term_found: float
    """1 when the question's rarest word (a name, usually) occurs in a retrieved title or
    abstract, else 0."""
    unknown_share: float
    """IDF-weighted share of the question's words that no paper of the collection contains."""
    sentence_coverage: float
    """The best single sentence's IDF-weighted share of the question's words: a question about
    a detail the papers do not give finds its words scattered, not together."""
    top_missing_rarity: float
    """How rare (IDF relative to a word found in one chunk) the rarest question word is that
    the top paper lacks: a missing "licence" or "BLEU" says more than a missing "faster"."""
    name_missing: float
    """Share of the names in the question (``AudioMAE``, ``Chinchilla``, ``GPT-4``) that no
    retrieved title or abstract contains."""
    focus_missing: float
    """Share of the words naming what the question asks for ("What *learning rate* ...",
    "Which *corpora* ...") that the top paper lacks, for the part of the question it covers
    least: an on-topic paper that never mentions the thing asked about rarely gives it."""
    quantity_unmet: float
    """1 when the question asks for a quantity ("how many", "how much", a batch size) but no
    sentence of the top papers that shares its words holds a number, else 0."""
    answer_name_missing: float
    """Share of the asked details that want a name ("Which *benchmarks* ...", "Under which
    *licence* ...") where no sentence of the top paper that mentions the detail names
    anything the question and the paper's title do not: "evaluated on three Open-QA
    benchmarks" says there are benchmarks without saying which."""
    detail_unmet: float
    """How far the top papers leave out what the question asks for: the largest of
    ``focus_missing``, ``quantity_unmet`` and ``answer_name_missing``. The model weighs this
    one: each of the three fires on few questions, and fitted apart their weights follow the
    handful of development questions each happens to catch."""
    reader_logit: float
    """The answer reader's logit that the top paper answers the question (``assistant.reader``;
    the best of the ``READ_PAPERS`` top papers): it reads the question and the paper
    together, so it can tell an on-topic paper that leaves the asked detail out from one that
    gives it."""
    missing_names: tuple[str, ...] = ()
    """Names of the question that no retrieved title or abstract contains, as a reader would
    name them: "BERT-based" is not among them when the papers write "BERT"."""
    unmet_details: tuple[str, ...] = ()
    """What the question asks for ("learning rate") that the top paper hardly mentions."""
    unnamed_details: tuple[str, ...] = ()
    """What the question asks the name of ("benchmarks") that the top paper mentions without
    naming."""
    names_nothing: bool = False
    """The question has no content word at all ("what is it?", "???"): nothing to look for,
    so no paper can answer it, whatever the scores."""

    def as_if_details_given(self) -> Signals:
        """These signals without those of whether an on-topic paper gives the detail asked
        for (the reader's among them): a model reads the sources and says so itself, so its
        gate weighs only whether the collection touches the question."""
        return replace(
            self,
            focus_missing=0.0,
            quantity_unmet=0.0,
            answer_name_missing=0.0,
            detail_unmet=0.0,
            reader_logit=NO_OPINION,
        )

    # The second-order terms of the two strengths of a match let the logistic model bend.
    # Fitted on dev, their product weighs against them: either a close passage or a top
    # paper covering the question's words can carry a question, and past a point the
    # other adds little.
    @property
    def best_cosine_squared(self) -> float:
        return self.best_cosine**2

    @property
    def top_coverage_squared(self) -> float:
        return self.top_coverage**2

    @property
    def cosine_by_coverage(self) -> float:
        """``best_cosine`` times ``top_coverage``."""
        return self.best_cosine * self.top_coverage

    def vector(self) -> list[float]:
        """The numeric signals in ``SIGNAL_NAMES`` order."""
        return [float(getattr(self, name)) for name in SIGNAL_NAMES]


MEASURED_SIGNALS: tuple[str, ...] = tuple(f.name for f in fields(Signals) if f.type == "float")
SECOND_ORDER_SIGNALS = ("best_cosine_squared", "top_coverage_squared", "cosine_by_coverage")
SIGNAL_NAMES: tuple[str, ...] = (*MEASURED_SIGNALS, *SECOND_ORDER_SIGNALS)
"""Every signal the model can weigh: the measured ones, then the terms computed from them."""


@dataclass(frozen=True)
class AbstentionModel:
    """A logistic model over ``Signals``: weights on the raw signals and a bias."""

    weights: Mapping[str, float]
    bias: float

    @classmethod
    def from_weights(cls, weights: Mapping[str, float]) -> AbstentionModel:
        """The model of ``abstention_weights`` (signals not named weigh 0)."""
        return cls(
            {name: float(weights.get(name, 0.0)) for name in SIGNAL_NAMES},
            float(weights.get("bias", 0.0)),
        )

    def format(self) -> str:
        """The settings text for this model (unnamed signals weigh 0)."""
        items = [f"{name}={self.weights[name]:.4g}" for name in SIGNAL_NAMES if self.weights[name]]
        return ", ".join([*items, f"bias={self.bias:.4g}"])

    def score(self, signals: Signals, *, with_model: bool = False) -> float:
        """Probability that the collection answers the question; ``with_model``, as far as
        anything but reading the sources can tell (``Signals.as_if_details_given``)."""
        if with_model:
            signals = signals.as_if_details_given()
        z = self.bias + sum(self.weights[n] * v for n, v in zip(SIGNAL_NAMES, signals.vector()))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def measure_signals(
    question: str,
    hits: Sequence[Hit],
    papers: Sequence[Paper],
    lexical_search: LexicalSearch,
    terms_statistics: TermStatistics,
    reader: PaperReader | None,
) -> Signals:
    """The signals of ``question`` against its retrieved ``hits`` (and their ``papers``);
    without a ``reader``, the reader's signal is ``NO_OPINION``."""
    terms = sorted(set(topic_terms(question)))
    weight = {t: terms_statistics.idf(t) for t in terms}
    # fsum is exact, so no sum depends on the order a set was built in (which Python's hash
    # seed picks per process): the same question scores the same in every run.
    total = math.fsum(weight.values()) or 1.0
    found_by_paper = [_found(terms, paper_terms(p)) for p in papers]
    covered = set().union(*found_by_paper) if found_by_paper else set()
    top = found_by_paper[0] if found_by_paper else set()
    unknown = [t for t in terms if terms_statistics.counts.get(t, 0) == 0]
    rarest = max(terms, key=lambda t: (weight[t], t)) if terms else None
    top_bm25, margin = _bm25_lead(lexical_search, question, terms_statistics)
    sentences = [
        (set(content_terms(sentence)), sentence)
        for paper in papers[:QUANTITY_PAPERS]
        for sentence in split_sentences(f"{paper.title}. {paper.abstract}")
    ]
    best_sentence = max(
        (math.fsum(weight[t] for t in _found(terms, words)) / total for words, _ in sentences),
        default=0.0,
    )
    names = question_names(question)
    retrieved_text = " ".join(f"{p.title} {p.abstract}" for p in papers).casefold()
    missing_names = [
        n for n in names if not any(form.casefold() in retrieved_text for form in name_forms(n))
    ]
    return Signals(
        best_cosine=max((h.similarity for h in hits), default=0.0),
        bm25_top=top_bm25,
        bm25_margin=margin,
        # A question of stopwords alone ("what is it?", "???") names nothing a paper could
        # cover: nothing of it is found, rather than all of it.
        coverage=math.fsum(weight[t] for t in covered) / total if terms else 0.0,
        top_coverage=math.fsum(weight[t] for t in top) / total if terms else 0.0,
        rare_term_found=1.0 if rarest is None or rarest in covered else 0.0,
        unknown_share=math.fsum(weight[t] for t in unknown) / total if terms else 0.0,
        sentence_coverage=best_sentence if terms else 0.0,
        top_missing_rarity=max((weight[t] for t in terms if t not in top), default=0.0)
        / terms_statistics.idf_of_count(1),
        name_missing=len(missing_names) / len(names) if names else 0.0,
        missing_names=_missing_as_read(missing_names, question, retrieved_text),
        names_nothing=not terms,
        reader_logit=_best_read(reader, question, papers, terms_statistics),
        **_detail_signals(question, papers[0] if papers else None, sentences),
    )


def _best_read(
    reader: PaperReader | None, question: str, papers: Sequence[Paper], terms: TermStatistics
) -> float:
    if reader is None:
        return NO_OPINION
    logits = reader.logits(
        question,
        [(p.title, p.abstract) for p in papers[:READ_PAPERS]],
        terms.idf,
        wants_number=asked_quantity(question) is not None,
    )
    return max(logits, default=NOTHING_READ)


def _missing_as_read(names: Sequence[str], question: str, text: str) -> tuple[str, ...]:
    """The missing ``names`` as a reader names them: without the describing words made from
    them ("BERT-based" is BERT, "non-English" English), and not at all when ``text``
    (casefolded) writes them so or without hyphens ("GPT-2" as "GPT2"), or when what is left
    is no name ("0-style" of "wav2vec 2.0-style"); names side by side in the question are one
    ("South Asian")."""
    read: list[str] = []
    for name in names:
        core = _name_core(name)
        written = any(form.casefold() in text for form in (core, core.replace("-", "")))
        if len(core) > 1 and any(ch.isalpha() for ch in core) and not written:
            read.append(core)
    joined: list[str] = []
    for name in dict.fromkeys(read):
        if joined and f"{joined[-1]} {name}" in question:
            joined[-1] = f"{joined[-1]} {name}"
        else:
            joined.append(name)
    return tuple(joined)


def _name_core(name: str) -> str:
    """A name without the lowercase words joined to it by hyphens at either end: "BERT-based"
    and "non-English" are the names BERT and English made into describing words ("t-SNE" and
    "MLE-then-ERM" keep theirs: a letter, or inside)."""
    parts = name.split("-")
    while len(parts) > 1 and _describing(parts[-1]):
        parts.pop()
    while len(parts) > 1 and _describing(parts[0]):
        parts.pop(0)
    return "-".join(parts)


def _describing(part: str) -> bool:
    """A lowercase word of two letters or more ("based", "non"): it describes, not names."""
    return len(part) > 1 and part.isalpha() and part.islower()


def _detail_signals(
    question: str, top_paper: Paper | None, sentences: Sequence[tuple[set[str], str]]
) -> dict[str, Any]:
    """The ``Signals`` fields on whether the top papers give what the question asks for."""
    missing_by_detail = _missing_by_detail(asked_details(question), top_paper)
    focus_missing = max(missing_by_detail.values(), default=0.0)
    quantity_unmet = _quantity_unmet(question, sentences)
    wanted_names = asked_names(question)
    unnamed = _left_unnamed(question, wanted_names, top_paper)
    answer_name_missing = len(unnamed) / len(wanted_names) if wanted_names else 0.0
    return {
        "focus_missing": focus_missing,
        "quantity_unmet": quantity_unmet,
        "answer_name_missing": answer_name_missing,
        "detail_unmet": max(focus_missing, quantity_unmet, answer_name_missing),
        "unmet_details": tuple(d for d, missing in missing_by_detail.items() if missing >= 0.5),
        "unnamed_details": tuple(d for d in unnamed if missing_by_detail.get(d, 0.0) < 0.5),
    }


def _found(terms: Sequence[str], words: Set[str]) -> set[str]:
    """The ``terms`` present in ``words``, allowing for inflection ("relate" ~ "related") and
    for British and American spelling ("initialisation" ~ "initialization")."""
    respelt = {american_spelling(w) for w in words}
    stems = {stem(w) for w in respelt}
    return {
        t
        for t in terms
        if t in words or american_spelling(t) in respelt or stem(american_spelling(t)) in stems
    }


def _missing_by_detail(details: Sequence[str], top_paper: Paper | None) -> dict[str, float]:
    """For each asked detail, the share of its words the top paper lacks (an acronym counts
    as written when the paper spells it out: "LLM" in "large language models")."""
    if top_paper is None:
        return {}
    words = paper_terms(top_paper)
    text = f"{top_paper.title} {top_paper.abstract}"
    missing = {}
    for detail in details:
        terms = focus_terms(detail)
        found = _found(terms, words) | {
            term
            for acronym in acronyms_in(detail)
            if spelled_out(acronym, text)
            for term in content_terms(acronym)
        }
        missing[detail] = 1.0 - len(found & set(terms)) / len(terms)
    return missing


def _left_unnamed(question: str, wanted: Sequence[str], top_paper: Paper | None) -> list[str]:
    """The ``wanted`` details (each asking for a name) that the top paper does not name: no
    sentence about them (one that writes the detail's noun, or two words of the question's
    topic) has a name that the question or the paper's title does not already have, nor an
    acronym the abstract defines for the question's own words."""
    if top_paper is None:
        return list(wanted)
    known = {n.casefold() for n in question_names(question) + question_names(top_paper.title)}
    known |= _restated_names(f"{question} {top_paper.title}", known, top_paper.abstract)
    topic = topic_terms(question)
    sentences = [(set(content_terms(s)), s) for s in split_sentences(top_paper.abstract)]
    unnamed = []
    for detail in wanted:
        last = detail.split()[-1]
        kind = content_terms(last)
        already_named = known | {w.casefold() for w in re.findall(r"[\w-]+", detail)}
        if not any(
            _introduces(kind, sentence)
            or (
                (
                    _found(kind, words)
                    or _spells_acronym(last, sentence)
                    or len(_found(topic, words)) >= 2
                )
                and _names_anything(sentence, already_named, last)
            )
            for words, sentence in sentences
        ):
            unnamed.append(detail)
    return unnamed


def _names_anything(sentence: str, known: Set[str], kind: str) -> bool:
    """Whether the sentence has a name the reader does not already have (``known``,
    casefolded): not a quantity ("30M images", "2D"), not a known name made a describing word
    ("LLM-generated"), not an acronym of the field ("NLP", "SoTA"), nor one the sentence
    defines as the asked kind itself ("a Multi-modality Large Language Model (MLLM)" for
    "which LLM")."""
    restating = {
        word.casefold()
        for acronym, words in acronym_definitions(sentence)
        if _restates_kind(kind, words)
        for word in (acronym, *words)
    }
    not_new = known | restating
    for name in question_names(sentence):
        head = _name_core(name)
        if not (
            _QUANTITY_WORD.fullmatch(name)
            or head.casefold() in not_new
            or name.casefold() in restating
            or head.upper() in _FIELD_ACRONYMS
        ):
            return True
    return False


def _restates_kind(kind: str, words: Sequence[str]) -> bool:
    """Whether an acronym's spelled-out ``words`` say the asked ``kind`` ("LLM" or
    "dataset") rather than name a thing of that kind."""
    expansion = " ".join(words)
    return bool(_found(content_terms(kind), set(content_terms(expansion)))) or _spells_acronym(
        kind, expansion
    )


def _introduces(kind: Sequence[str], sentence: str) -> bool:
    """Whether the sentence introduces a new thing of this kind ("we release a new
    counterfactual retrieval benchmark"): the paper's own contribution is an answer to "what
    benchmark do they release" even when it has no name."""
    return any(
        _found(kind, set(content_terms(match.group("made"))))
        for match in _INTRODUCED.finditer(sentence)
    )


def _spells_acronym(word: str, sentence: str) -> bool:
    """Whether ``word`` is an acronym the sentence writes out ("which LLM": "the LLaMA-2
    large language model")."""
    return any(spelled_out(acronym, sentence) for acronym in acronyms_in(word))


def _restated_names(asked: str, known: Set[str], abstract: str) -> set[str]:
    """Acronyms the abstract defines for what is ``asked`` (or for a ``known`` name), with
    their spelled-out words, casefolded: "Machine Reading Comprehension (MRC)" names no
    dataset when the question asks which machine reading comprehension datasets."""
    asked_words = set(content_terms(asked))
    restated: set[str] = set()
    for acronym, words in acronym_definitions(abstract):
        expansion = content_terms(" ".join(words))
        restates = expansion and 2 * len(_found(expansion, asked_words)) >= len(set(expansion))
        if acronym.casefold() in known or restates:
            restated |= {acronym.casefold(), f"{acronym}s".casefold()}
            restated |= {w.casefold() for word in words for w in (word, *word.split("-"))}
    return restated


def _quantity_unmet(question: str, sentences: Sequence[tuple[set[str], str]]) -> float:
    """1 when the question asks for a quantity and no sentence that shares its words has a
    number; a question that asks which papers asks for papers, whatever it says of them
    ("Which papers judge their representations by how well they cluster?")."""
    quantity = asked_quantity(question)
    if quantity is None or asks_for_several_papers(question):
        return 0.0
    for words, sentence in sentences:
        if words & set(quantity) and _NUMBER.search(sentence):
            return 0.0
    return 1.0


def _bm25_lead(
    lexical_search: LexicalSearch, question: str, terms_statistics: TermStatistics
) -> tuple[float, float]:
    """Best paper's BM25 score relative to the question's total IDF, and its lead over the
    second paper (relative to the best)."""
    best_by_paper: dict[str, float] = {}
    for match in lexical_search(question, BM25_DEPTH):
        best_by_paper[match.paper_id] = max(best_by_paper.get(match.paper_id, 0.0), match.score)
    ranked = sorted(best_by_paper.values(), reverse=True)
    if not ranked or ranked[0] <= 0:
        return 0.0, 0.0
    ceiling = math.fsum(terms_statistics.idf(t) for t in set(content_terms(question))) or 1.0
    second = ranked[1] if len(ranked) > 1 else 0.0
    return ranked[0] / ceiling, (ranked[0] - second) / ranked[0]


def caveats(signals: Signals) -> list[str]:
    """What a reader should know even when the question is answered: names of the question
    that no paper found writes ("no paper found mentions XLM-E"), when the sources may be
    about neighbouring work, and a name asked for that the closest paper mentions without
    giving one ("the closest paper may not say which LLMs"), when the answer may name none
    or guess. (A detail the top paper does not mention is too often given in other words to
    be said even so.)"""
    notes = _missing_names_note(signals)
    if signals.unnamed_details:
        notes.append(
            "the closest paper may not say which " + " or which ".join(signals.unnamed_details)
        )
    return notes


def _missing_names_note(signals: Signals) -> list[str]:
    if not signals.missing_names:
        return []
    return ["no paper found mentions " + ", ".join(signals.missing_names)]


def decide(signals: Signals, settings: AnswerSettings, *, with_model: bool) -> Decision:
    """Attempt an answer when the model's score reaches the mode's threshold (and the best
    passage reaches the ``min_relevance`` floor)."""
    weights = settings.abstention_model_weights if with_model else settings.abstention_weights
    score = AbstentionModel.from_weights(weights).score(signals, with_model=with_model)
    threshold = settings.abstention_model_threshold if with_model else settings.abstention_threshold
    answerable = (
        score >= threshold
        and signals.best_cosine >= settings.min_relevance
        and not signals.names_nothing
    )
    reasons = [] if answerable else explain(signals)
    return Decision(answerable, round(score, 4), reasons, signals.best_cosine, caveats(signals))


def explain(signals: Signals) -> list[str]:
    """What the papers found lack, in words a user can act on, the most specific first (each
    completes "The collection does not answer this: ..."); empty when nothing more specific
    than "not close enough" can be said."""
    reasons = []
    if signals.names_nothing:
        reasons.append("the question has no words to look for; ask about a topic or a paper")
    reasons += _missing_names_note(signals)
    if signals.unmet_details:
        asked = " or the ".join(signals.unmet_details)
        reasons.append(f"the closest paper does not mention the {asked}")
    if signals.unnamed_details:
        asked = " or which ".join(signals.unnamed_details)
        reasons.append(f"the closest paper does not say which {asked}")
    if signals.quantity_unmet:
        reasons.append("the papers found give no number for what is asked")
    return reasons


@dataclass(frozen=True)
class AbstentionDecision:
    """The pipeline's decider: measure the signals, score them, compare with the threshold
    of the answerer at hand (``with_model``)."""

    settings: AnswerSettings
    lexical_search: LexicalSearch
    reader: PaperReader
    with_model: bool

    def signals(
        self, question: str, hits: Sequence[Hit], papers: Sequence[Paper], terms: TermStatistics
    ) -> Signals:
        """The signals this decision weighs (the evaluation reads them too). With a model the
        reader is not asked: its gate ignores the reader, and the request goes out sooner."""
        reader = None if self.with_model else self.reader
        return measure_signals(question, hits, papers, self.lexical_search, terms, reader)

    def decide(
        self, question: str, hits: Sequence[Hit], papers: Sequence[Paper], terms: TermStatistics
    ) -> Decision:
        """Answer or abstain on ``hits``."""
        if not hits:
            return Decision(False, 0.0, ["no paper was found for it"])
        signals = self.signals(question, hits, papers, terms)
        return decide(signals, self.settings, with_model=self.with_model)
