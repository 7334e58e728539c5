"""Answering: from a question and retrieved papers to a grounded, cited ``Answer``.

One module per step, one direction of flow (nothing here imports ``service``):

* ``request``   — ``AskRequest``, the question and its options as one value;
* ``pipeline``  — condense → retrieve → decide → answer → check, over narrow collaborators;
* ``stream``    — ``AnswerStream``, what callers iterate and read the ``Answer`` from;
* ``answerer``  — the ``Answerer`` protocol; ``extractive`` (offline) and ``chat_model``;
* ``decision``  — answer or abstain; ``followups`` — condensing; ``prompts``, ``budget``.
"""

from .answerer import NOT_COVERED, Answerer, Evidence, Reply, SourcesReady
from .chat_model import MODEL_DECLINED, ChatModelAnswerer, SentinelGuard, build_prompt
from .decision import Decision, RelevanceDecision, TermStatistics
from .extractive import ExtractiveAnswerer
from .pipeline import ClaimChecker, NoClaimCheck, Pipeline
from .request import AskRequest
from .stream import AnswerStream

__all__ = [
    "MODEL_DECLINED",
    "NOT_COVERED",
    "AnswerStream",
    "Answerer",
    "AskRequest",
    "ChatModelAnswerer",
    "ClaimChecker",
    "Decision",
    "Evidence",
    "ExtractiveAnswerer",
    "NoClaimCheck",
    "Pipeline",
    "RelevanceDecision",
    "Reply",
    "SentinelGuard",
    "SourcesReady",
    "TermStatistics",
    "build_prompt",
]
