"""The CI quality gate: retrieval and extractive answers on the development question set.

Bars: over the answerable questions of ``eval/dev_questions.jsonl``,
paper-level recall@5 >= 0.97 and nDCG@10 >= 0.96; offline (extractive) fact recall >= 0.60.
A failure prints the whole evaluation table, so the log shows which question type dropped.
Run the same numbers by hand with ``assistant eval eval/dev_questions.jsonl``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation import format_table, load_questions, run_evaluation, summarize

DEV_QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "dev_questions.jsonl"

RECALL_AT_5_BAR = 0.97
NDCG_AT_10_BAR = 0.96
EXTRACTIVE_FACT_RECALL_BAR = 0.60


def _evaluate(assistant: Any, mode: str) -> dict[str, Any]:
    summary = summarize(run_evaluation(assistant, load_questions(DEV_QUESTIONS), mode=mode))
    assert summary["unmatched_gold"] == [], format_table(summary)
    return summary


def test_retrieval_meets_the_bars(seeded_assistant):
    summary = _evaluate(seeded_assistant, "retrieval")
    overall = summary["retrieval"]["all"]
    table = format_table(summary)
    assert overall["questions"] == 41, table
    assert overall["recall@5"] >= RECALL_AT_5_BAR, table
    assert overall["ndcg@10"] >= NDCG_AT_10_BAR, table


def test_extractive_answers_meet_the_fact_recall_bar(seeded_assistant):
    assert seeded_assistant.settings.mode == "extractive"
    summary = _evaluate(seeded_assistant, "answer")
    table = format_table(summary)
    assert summary["answers"]["all"]["fact_recall"] >= EXTRACTIVE_FACT_RECALL_BAR, table
