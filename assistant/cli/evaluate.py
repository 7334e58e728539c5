"""`assistant eval QUESTIONS.jsonl`: measure retrieval (and answers) on a question set."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterable
from pathlib import Path

from .common import (
    add_k_flag,
    add_model_flags,
    add_store_flags,
    check_k,
    open_assistant,
    stderr_progress,
)
from .output import print_json, say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure retrieval and answers on a question set",
        description=(
            "Ask every question of a JSONL file (qid, question, type, gold_titles, facts) and "
            "report recall@1/5/10, MRR and nDCG@10 per question type, the abstention decision of "
            "both modes (ROC AUC, declines per type and unanswerable kind) and the gold evidence "
            "a prompt carries; in answer mode also fact recall, citation precision/recall, "
            "supported claims, latency and tokens."
        ),
    )
    parser.add_argument("questions", metavar="QUESTIONS.jsonl", help="the question file")
    add_k_flag(
        parser, default=None, help="papers per answer (default: setting k); also scored as recall@k"
    )
    parser.add_argument(
        "--mode",
        choices=("retrieval", "answer"),
        default="answer",
        help="retrieval: search only (fast); answer: search and answer (default)",
    )
    parser.add_argument(
        "--split",
        choices=("dev", "test"),
        help="only the questions of this split (default: every question)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")
    parser.add_argument(
        "--details", metavar="PATH", help="write a per-question breakdown (JSON Lines) to PATH"
    )
    add_store_flags(parser)
    add_model_flags(parser)
    parser.set_defaults(run=run_eval)


def run_eval(args: argparse.Namespace) -> int:
    from ..evaluation import (
        details,
        format_table,
        load_questions,
        run_evaluation,
        select_split,
        summarize,
    )

    # Check the inputs before the (slower) store is opened and the questions asked.
    check_k(args.k)
    questions = select_split(load_questions(args.questions), args.split)
    details_path = _details_path(args.details, Path(args.questions))

    assistant = open_assistant(args)
    run = run_evaluation(
        assistant,
        questions,
        mode=args.mode,
        k=args.k,
        progress=stderr_progress(),
        source=args.questions,
    )
    summary = summarize(run)
    if details_path is not None:
        _write_details(details_path, details(run))
    if args.json:
        print_json(summary)
    else:
        say(format_table(summary))
    return 0


def _details_path(value: str | None, questions: Path) -> Path | None:
    """Where ``--details`` will go, refused now if it cannot be written there: after a run
    of minutes is too late to learn that it names a folder or the question file."""
    from ..errors import EvalError

    if value is None:
        return None
    path = Path(value)
    if not value.strip():
        raise EvalError("--details needs a file name, e.g. --details details.jsonl")
    if path.is_dir():
        raise EvalError(f"--details {path}: is a folder; name a file in it")
    if not path.parent.is_dir():
        raise EvalError(f"--details {path}: folder {path.parent} does not exist")
    if path.exists() and questions.exists() and path.samefile(questions):
        raise EvalError(f"--details {path}: is the question file; name another file")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise EvalError(f"--details {path}: not writable")
    return path


def _write_details(path: Path, rows: Iterable[dict[str, object]]) -> None:
    """The per-question rows as JSON Lines (also to a device such as /dev/stdout)."""
    from ..errors import EvalError

    try:
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise EvalError(f"--details {path}: cannot write ({exc.strerror or exc})") from None
