"""Answering: from a question and retrieved papers to a grounded, cited ``Answer``.

One module per step, one direction of flow (nothing here imports ``service``):

* ``request``   — ``AskRequest``, the question and its options as one value;
* ``pipeline``  — condense → retrieve → decide → answer → check, over narrow collaborators;
* ``stream``    — ``AnswerStream``, what callers iterate and read the ``Answer`` from;
* ``answerer``  — the ``Answerer`` protocol; ``extractive`` (offline) and ``chat_model``;
* ``decision``  — answer or abstain, decided by ``abstention`` (one calibrated score);
  ``question_cues`` — names, "which papers", quantities; ``sentence_scoring`` (offline);
  ``followups`` — condensing; ``prompts``, ``budget``;
* ``claims``    — each sentence checked against the sources it cites (``vectors`` caches);
  ``refusals`` — a model declining in prose; ``reasoning`` — thinking kept apart.
"""

from .abstention import AbstentionDecision, AbstentionModel, Signals, measure_signals
from .answerer import (
    NOT_COVERED,
    Answerer,
    AnswerRestarted,
    Evidence,
    ReasoningDelta,
    Reply,
    SourcesReady,
)
from .chat_model import (
    MODEL_CUT_OFF,
    MODEL_DECLINED,
    MODEL_ONLY_REASONING,
    MODEL_UNCITED,
    ChatModelAnswerer,
    SentinelGuard,
    build_prompt,
)
from .claims import ClaimCheck
from .decision import Decision, TermStatistics
from .extractive import ExtractiveAnswerer
from .pipeline import ClaimChecker, NoClaimCheck, Pipeline
from .request import AskRequest
from .stream import AnswerStream

__all__ = [
    "MODEL_CUT_OFF",
    "MODEL_DECLINED",
    "MODEL_ONLY_REASONING",
    "MODEL_UNCITED",
    "NOT_COVERED",
    "AbstentionDecision",
    "AbstentionModel",
    "AnswerRestarted",
    "AnswerStream",
    "Answerer",
    "AskRequest",
    "ChatModelAnswerer",
    "ClaimCheck",
    "ClaimChecker",
    "Decision",
    "Evidence",
    "ExtractiveAnswerer",
    "NoClaimCheck",
    "Pipeline",
    "ReasoningDelta",
    "Reply",
    "SentinelGuard",
    "Signals",
    "SourcesReady",
    "TermStatistics",
    "build_prompt",
    "measure_signals",
]
