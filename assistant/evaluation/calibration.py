"""Fitting the abstention model: signals per question, a logistic regression, thresholds.

Plain NumPy: features are standardised, the regression is fitted by Newton's method with an
L2 penalty (the bias is not penalised), and the fitted weights are folded back onto the raw
signals so the settings hold one weight per signal and a bias.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..answering.abstention import SIGNAL_NAMES, AbstentionModel, Signals

if TYPE_CHECKING:
    from ..service import Assistant

NEWTON_STEPS = 50


def question_signals(assistant: Assistant, question: str, k: int | None = None) -> Signals:
    """The abstention signals of ``question``, exactly as answering measures them (``k``
    papers; ``None``: as many as answering would read)."""
    return question_evidence(assistant, question, k)[0]


def question_evidence(
    assistant: Assistant, question: str, k: int | None = None
) -> tuple[Signals, list[str]]:
    """The abstention signals of ``question`` and the source texts a model's prompt would
    carry (after fitting them into the context window), as the answering pipeline builds
    them."""
    from ..answering import build_prompt
    from ..answering.prompts import load_prompts

    pipeline = assistant.pipeline()
    hits, papers, terms = pipeline.gather(question, k, None)
    signals = assistant.decider(with_model=False).signals(question, hits, papers, terms)
    texts = [pipeline.source_text(hit, paper) for hit, paper in zip(hits, papers, strict=True)]
    prompts = load_prompts(assistant.settings.prompts_dir)
    prompt = build_prompt(prompts, question, texts, assistant.settings)
    return signals, [f"{s.title}\n{s.text}" for s in prompt.sources]


FITTED_SIGNALS = (
    "best_cosine",
    "top_coverage",
    "unknown_share",
    "name_missing",
    "detail_unmet",
    "reader_logit",
    "best_cosine_squared",
    "top_coverage_squared",
    "cosine_by_coverage",
)
"""The signals the model weighs. The squares and the product of the best cosine and the top
paper's coverage let the score bend; held out one writer at a time on dev, they raised the
mean ROC AUC from 0.877 to 0.887 (four writers of five up) at the same share of answerable
questions declined. The others (BM25 strength and margin, overall coverage,
best sentence, rarest word, rarity of the top paper's missing word) added nothing in
cross-validation on dev (they repeat what these say; BM25 strength even took a negative
weight next to top-paper coverage), so they are left out rather than fitted to noise. The
three ways a paper can leave out what is asked (the thing asked for, its number, its name)
are weighed as one, ``detail_unmet``: fitted apart, the rare ones took weights that declined
answerable questions of writers the development set had not seen."""


MODEL_SIGNALS = tuple(name for name in FITTED_SIGNALS if name != "reader_logit")
"""What the model-mode gate weighs: the same, less the answer reader, which is not asked when
a model reads the sources."""


def fit_logistic(
    signals: Sequence[Signals],
    answerable: Sequence[bool],
    *,
    l2: float = 1.0,
    answerable_weight: float = 1.0,
    names: Sequence[str] = FITTED_SIGNALS,
) -> AbstentionModel:
    """A logistic model of "answerable" over the ``names`` signals, L2-penalised on
    standardised features, returned with weights on the raw signals (0 for the others).

    ``answerable_weight`` weighs each answerable question's loss against an unanswerable
    one's: declining a question the papers answer costs more, and the threshold is set
    on the answerable questions that score lowest, so that is where the fit should be
    right."""
    columns = [SIGNAL_NAMES.index(name) for name in names]
    x = np.array([s.vector() for s in signals], dtype=np.float64)[:, columns]
    y = np.array(answerable, dtype=np.float64)
    if len(set(answerable)) < 2:
        raise ValueError("fitting needs answerable and unanswerable questions")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant signal gets weight 0 from the penalty anyway
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    weight = np.where(y == 1.0, answerable_weight, 1.0)
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -60, 60)))
        gradient = z.T @ (weight * (p - y)) + penalty * beta
        curvature = weight * p * (1 - p)
        hessian = (z * curvature[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    raw = beta[1:] / scale
    bias = float(beta[0] - raw @ mean)
    weights = dict.fromkeys(SIGNAL_NAMES, 0.0)
    weights.update({n: float(w) for n, w in zip(names, raw, strict=True)})
    return AbstentionModel(weights, bias)


def threshold_for_recall(scores: Sequence[float], answerable: Sequence[bool], keep: float) -> float:
    """The highest threshold that still attempts at least ``keep`` of the answerable
    questions (scores at or above the threshold are attempted)."""
    positives = sorted(s for s, a in zip(scores, answerable, strict=True) if a)
    if not positives:
        raise ValueError("no answerable questions")
    allowed = int(np.floor((1.0 - keep) * len(positives) + 1e-9))  # may decline this many
    return positives[min(allowed, len(positives) - 1)]
