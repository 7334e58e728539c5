"""Measure retrieval and answers on a question set (``assistant eval``).

``load_questions`` reads and checks a JSONL question file, ``run_evaluation`` asks an
``Assistant`` every question and scores it, ``summarize`` / ``details`` / ``format_table``
turn the run into the ``--json`` object, per-question rows and the printed table.
The metric functions in ``metrics`` are pure and small enough to check by hand.
"""

from __future__ import annotations

from .questions import UNANSWERABLE, EvalQuestion, load_questions, parse_question, select_split
from .report import details, format_table, summarize
from .runner import MODES, EvalRun, QuestionOutcome, run_evaluation, score_answer, score_retrieval

__all__ = [
    "MODES",
    "UNANSWERABLE",
    "EvalQuestion",
    "EvalRun",
    "QuestionOutcome",
    "details",
    "format_table",
    "load_questions",
    "parse_question",
    "run_evaluation",
    "score_answer",
    "score_retrieval",
    "select_split",
    "summarize",
]
