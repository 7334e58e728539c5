"""An ``EvalRun`` as numbers: the summary (``--json``), per-question rows, the table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import metrics
from .questions import UNANSWERABLE
from .runner import NDCG_DEPTH, UNINDEXED, EvalRun, QuestionOutcome

ANSWER_SCORES = ("fact_recall", "citation_precision", "citation_recall", "source_recall")


def summarize(run: EvalRun) -> dict[str, Any]:
    """Every aggregate of a run as plain JSON-able data (the ``assistant eval --json`` object)."""
    return {
        "questions_file": run.source,
        "count": len(run.outcomes),
        "mode": run.mode,
        "k": run.k,
        "answerer": run.answerer,
        "model": run.model,
        "seconds": round(run.seconds, 3),
        "retrieval": summarize_retrieval(run.outcomes, run.cutoffs),
        "answers": summarize_answers(run.outcomes) if run.mode == "answer" else None,
        "abstention": summarize_gate(run.outcomes, run.thresholds),
        "unmatched_gold": [
            {"qid": o.question.qid, "title": title}
            for o in run.outcomes
            for title in o.unmatched_titles
        ],
    }


def summarize_retrieval(
    outcomes: Sequence[QuestionOutcome], cutoffs: Sequence[int]
) -> dict[str, Any]:
    """Mean retrieval scores over answerable questions, overall and per question type."""
    names = [f"recall@{n}" for n in cutoffs] + ["mrr", f"ndcg@{NDCG_DEPTH}"]
    answerable = [o for o in outcomes if o.question.answerable]

    def block(group: Sequence[QuestionOutcome]) -> dict[str, Any]:
        row: dict[str, Any] = {"questions": len(group)}
        row.update({name: metrics.mean(o.retrieval.scores[name] for o in group) for name in names})
        return row

    seconds = [o.retrieval.seconds for o in outcomes]
    return {
        "all": block(answerable),
        "by_type": {qtype: block(group) for qtype, group in _by_type(answerable).items()},
        "latency_ms": _latency_ms(seconds),
    }


def summarize_answers(outcomes: Sequence[QuestionOutcome]) -> dict[str, Any]:
    """Answer quality: fact recall, citations, abstention, latency and tokens."""
    answered = [o for o in outcomes if o.answer is not None]

    def block(group: Sequence[QuestionOutcome]) -> dict[str, Any]:
        row: dict[str, Any] = {"questions": len(group)}
        if group and group[0].question.answerable:
            row.update(
                {name: metrics.mean(_score(o, name) for o in group) for name in ANSWER_SCORES}
            )
        row["declined"] = metrics.share(not _answer(o).answered for o in group)
        return row

    answerable = [o for o in answered if o.question.answerable]
    unanswerable = [o for o in answered if not o.question.answerable]
    tokens: dict[str, int] = {}
    for o in answered:
        for name, value in _answer(o).usage.items():
            tokens[name] = tokens.get(name, 0) + value
    return {
        "all": block(answerable),
        "by_type": {label: block(group) for label, group in _by_type_and_kind(answered).items()},
        "claims_supported": _claims_supported(answered),
        "abstention": {
            "declined_unanswerable": metrics.share(not _answer(o).answered for o in unanswerable),
            "declined_answerable": metrics.share(not _answer(o).answered for o in answerable),
        },
        "latency_ms": _latency_ms([_answer(o).seconds for o in answered]),
        "tokens": tokens,
    }


def summarize_gate(
    outcomes: Sequence[QuestionOutcome], thresholds: dict[str, float]
) -> dict[str, Any] | None:
    """The abstention decision of both modes (computed without a model): declines per type
    and per unanswerable kind, ROC AUC of the score, the operating points, and how much of
    the gold evidence the prompt would carry."""
    gated = [o for o in outcomes if o.gate is not None]
    if not gated:
        return None

    def block(group: Sequence[QuestionOutcome]) -> dict[str, Any]:
        return {
            "questions": len(group),
            "declined_offline": metrics.share(not _gate(o).offline for o in group),
            "declined_with_model": metrics.share(not _gate(o).with_model for o in group),
            "evidence_in_prompt": metrics.mean(_gate(o).evidence for o in group),
        }

    answerable = [o for o in gated if o.question.answerable]
    unanswerable = [o for o in gated if not o.question.answerable]
    return {
        "auc": metrics.roc_auc(
            [_gate(o).score for o in gated], [o.question.answerable for o in gated]
        ),
        "thresholds": dict(thresholds),
        "answerable": block(answerable),
        "unanswerable": block(unanswerable),
        "by_type": {label: block(group) for label, group in _by_type_and_kind(gated).items()},
        "evidence_complete": metrics.share(
            _gate(o).evidence == 1.0 for o in answerable if _gate(o).evidence is not None
        ),
    }


def details(run: EvalRun) -> Iterable[dict[str, Any]]:
    """One row per question (the ``--details`` JSONL): what was found, cited and missed."""
    for o in run.outcomes:
        q = o.question
        gold = set(o.gold_ids)
        row: dict[str, Any] = {
            "qid": q.qid,
            "type": q.type,
            "question": q.question,
            "gold_titles": list(q.gold_titles),
            "gold_paper_ids": [g for g in o.gold_ids if not g.startswith(UNINDEXED)],
            "unmatched_gold": o.unmatched_titles,
            "retrieved": [
                {"rank": rank, "paper_id": pid, "title": title, "gold": pid in gold}
                for rank, (pid, title) in enumerate(o.retrieval.ranked, start=1)
            ],
            "retrieval": _rounded(o.retrieval.scores),
            "search_ms": round(o.retrieval.seconds * 1000, 1),
        }
        if o.gate is not None:
            row["abstention"] = {
                "score": o.gate.score,
                "offline": o.gate.offline,
                "with_model": o.gate.with_model,
                "evidence_in_prompt": o.gate.evidence,
            }
        if o.answer is not None:
            a = o.answer
            row["answer"] = {
                "answered": a.answered,
                "text": a.text,
                "cited_paper_ids": a.cited_ids,
                "uncited_gold": [g for g in o.gold_ids if g not in a.cited_ids],
                "cited_not_gold": [c for c in a.cited_ids if c not in gold],
                "facts_found": a.facts_found,
                "facts_missed": a.facts_missed,
                "scores": _rounded(a.scores),
                "answer_ms": round(a.seconds * 1000, 1),
                "usage": a.usage,
            }
        yield row


def format_table(summary: dict[str, Any]) -> str:
    """The human-readable report of ``assistant eval``."""
    retrieval = summary["retrieval"]
    recall_names = [name for name in retrieval["all"] if name.startswith("recall@")]
    headers = [name.replace("recall@", "R@") for name in recall_names] + ["MRR", "nDCG@10"]
    names = [*recall_names, "mrr", f"ndcg@{NDCG_DEPTH}"]
    lines = [
        f"Retrieval: {retrieval['all']['questions']} answerable questions, paper level",
        _row("type", "n", headers),
    ]
    for label, block in [*retrieval["by_type"].items(), ("all", retrieval["all"])]:
        lines.append(_row(label, block["questions"], [_num(block[n]) for n in names]))
    latency = retrieval["latency_ms"]
    lines.append(f"search latency: p50 {_ms(latency['p50'])}, p95 {_ms(latency['p95'])}")

    answers = summary.get("answers")
    if answers:
        model = f", model {summary['model']}" if summary.get("model") else ""
        lines += ["", f"Answers: {summary['answerer']}{model}, k={summary['k']}"]
        lines.append(_row("type", "n", ["facts", "cite P", "cite R", "in src", "declined"]))
        score_names = [*ANSWER_SCORES, "declined"]
        for label, block in [*answers["by_type"].items(), ("answerable", answers["all"])]:
            lines.append(_row(label, block["questions"], [_num(block.get(n)) for n in score_names]))
        abstention = answers["abstention"]
        latency = answers["latency_ms"]
        tokens = answers["tokens"].get("total_tokens", 0)
        lines.append(
            f"declined: {_pct(abstention['declined_unanswerable'])} of unanswerable, "
            f"{_pct(abstention['declined_answerable'])} of answerable"
        )
        lines.append(f"claims supported: {_pct(answers.get('claims_supported'))}")
        lines.append(
            f"answer latency: p50 {_ms(latency['p50'])}, p95 {_ms(latency['p95'])}; "
            f"tokens used: {tokens}"
        )

    lines += _gate_lines(summary.get("abstention"))
    unmatched = summary["unmatched_gold"]
    if unmatched:
        lines += [
            "",
            f"warning: {len(unmatched)} gold title(s) match no indexed paper (scored as missed):",
        ]
        lines += [f"  {item['qid']}: {item['title']}" for item in unmatched]
    lines += ["", f"{summary['count']} questions in {summary['seconds']:.1f} s"]
    return "\n".join(lines)


def _by_type(outcomes: Sequence[QuestionOutcome]) -> dict[str, list[QuestionOutcome]]:
    groups: dict[str, list[QuestionOutcome]] = {}
    for o in outcomes:
        groups.setdefault(o.question.type, []).append(o)
    # Unanswerable last: it reads as the odd one out in the table.
    return dict(sorted(groups.items(), key=lambda item: item[0] == UNANSWERABLE))


def _gate_lines(gate: dict[str, Any] | None) -> list[str]:
    """The abstention section of the table."""
    if not gate:
        return []
    thresholds = gate["thresholds"]
    lines = [
        "",
        "Abstention (decided without a model): offline threshold "
        f"{thresholds['offline']:.3f}, with a model {thresholds['with_model']:.3f}",
        _row("type", "n", ["offline", "w/ model", "evidence"]),
    ]
    names = ["declined_offline", "declined_with_model", "evidence_in_prompt"]
    rows = [*gate["by_type"].items(), ("answerable", gate["answerable"])]
    if UNANSWERABLE not in gate["by_type"]:  # else its type row above already says it all
        rows.append((UNANSWERABLE, gate["unanswerable"]))
    for label, block in rows:
        lines.append(_row(label, block["questions"], [_num(block[n]) for n in names]))
    lines.append(
        f"ROC AUC {_num(gate['auc'])}; operating point offline: declines "
        f"{_pct(gate['answerable']['declined_offline'])} of answerable, "
        f"{_pct(gate['unanswerable']['declined_offline'])} of unanswerable; with a model: "
        f"{_pct(gate['answerable']['declined_with_model'])} and "
        f"{_pct(gate['unanswerable']['declined_with_model'])}"
    )
    lines.append(
        f"gold facts all in the prompt: {_pct(gate['evidence_complete'])} of answerable questions"
    )
    return lines


def _by_type_and_kind(outcomes: Sequence[QuestionOutcome]) -> dict[str, list[QuestionOutcome]]:
    """Groups by type, then the unanswerable questions by kind (``unanswerable:topic``)."""
    groups = _by_type(outcomes)
    for o in outcomes:
        if o.question.unanswerable_kind:
            groups.setdefault(f"{UNANSWERABLE}:{o.question.unanswerable_kind}", []).append(o)
    return groups


def _claims_supported(outcomes: Sequence[QuestionOutcome]) -> float | None:
    """Share of the answers' claims that their cited sources support (``None``: no claims)."""
    supported = sum(_answer(o).claims_supported for o in outcomes)
    total = sum(_answer(o).claims_total for o in outcomes)
    return supported / total if total else None


def _gate(o: QuestionOutcome) -> Any:
    assert o.gate is not None
    return o.gate


def _answer(o: QuestionOutcome) -> Any:
    assert o.answer is not None
    return o.answer


def _score(o: QuestionOutcome, name: str) -> float | None:
    return _answer(o).scores.get(name)


def _latency_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {"p50": ms(metrics.percentile(seconds, 50)), "p95": ms(metrics.percentile(seconds, 95))}


def _rounded(scores: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in scores.items()}


def _row(label: str, count: object, cells: Sequence[str]) -> str:
    return f"{label:<20}{count!s:>4}" + "".join(f"{cell:>10}" for cell in cells)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"
