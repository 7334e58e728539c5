"""Refit the abstention model on the dev split and print its settings and dev/test metrics.

    python benchmarks/fit_abstention.py [QUESTIONS.jsonl] [--home DIR] [--l2 1.0]
        [--answerable-weight 4.0]

Signals are measured on the bundled papers (ingested into ``--home`` when it is empty), the
logistic models (offline, and with a model: without the answer reader) are fitted on the
``dev`` questions only, and the two thresholds are chosen on dev: offline, the highest that
still attempts ``--keep-offline`` of the answerable dev questions; with a model, the one
that attempts every answerable dev question, lowered by ``--model-margin`` (a factor) so
that only questions the collection clearly does not touch
are stopped. The test split is only scored, never used to choose anything. Paste the printed
values into the defaults in ``assistant/settings.py``.

The answer reader was trained on the dev questions, so its own scores of them are too good:
the dev questions' ``reader_logit`` is replaced by the out-of-fold one that
``benchmarks/train_answer_reader.py`` wrote (``--reader-oof``), from readers that never saw
the question's writer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.answering.abstention import AbstentionModel  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.evaluation.calibration import (  # noqa: E402
    FITTED_SIGNALS,
    MODEL_SIGNALS,
    fit_logistic,
    question_signals,
    threshold_for_recall,
)
from assistant.evaluation.metrics import roc_auc, share  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO / "eval" / "questions.jsonl"
    parser.add_argument("questions", nargs="?", type=Path, default=default)
    parser.add_argument("--home", type=Path, help="data directory (default: a temp dir)")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty on standardised weights")
    parser.add_argument(
        "--answerable-weight",
        type=float,
        default=4.0,
        help="loss weight of an answerable dev question against an unanswerable one",
    )
    parser.add_argument("--reader-oof", type=Path, default=REPO / "eval" / "reader_oof.jsonl")
    parser.add_argument("--keep-offline", type=float, default=0.99)
    parser.add_argument("--model-margin", type=float, default=0.5)
    parser.add_argument(
        "--test", action="store_true", help="also score the test split (report, never tune)"
    )
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="fit-abstention-"))
    assistant = Assistant(Settings.load({"home": home}))
    questions = load_questions(args.questions)
    dev = [q for q in questions if q.split in (None, "dev")]
    test = [q for q in questions if q.split == "test"] if args.test else []
    measured = {q.qid: question_signals(assistant, q.question) for q in dev + test}
    out_of_fold = read_out_of_fold(args.reader_oof)
    for q in dev:
        measured[q.qid] = replace(measured[q.qid], reader_logit=out_of_fold[q.qid])

    def fit(names: Sequence[str]) -> AbstentionModel:
        return fit_logistic(
            [measured[q.qid] for q in dev],
            [q.answerable for q in dev],
            l2=args.l2,
            answerable_weight=args.answerable_weight,
            names=names,
        )

    offline_model, model_model = fit(FITTED_SIGNALS), fit(MODEL_SIGNALS)

    def scores(group: list, *, with_model: bool) -> list[float]:
        model = model_model if with_model else offline_model
        return [model.score(measured[q.qid], with_model=with_model) for q in group]

    dev_labels = [q.answerable for q in dev]
    offline = threshold_for_recall(scores(dev, with_model=False), dev_labels, args.keep_offline)
    with_model = (
        threshold_for_recall(scores(dev, with_model=True), dev_labels, 1.0) * args.model_margin
    )

    print(f'abstention_weights = "{offline_model.format()}"')
    print(f'abstention_model_weights = "{model_model.format()}"')
    print(f"abstention_threshold = {offline:.4f}")
    print(f"abstention_model_threshold = {with_model:.4f}")
    for name, group in (("dev", dev), ("test", test)):
        if group:
            report(
                name,
                group,
                (scores(group, with_model=False), scores(group, with_model=True)),
                (offline, with_model),
            )


def read_out_of_fold(path: Path) -> dict[str, float]:
    """``{qid: reader_logit}`` of the dev questions, scored out of fold."""
    rows = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return {row["qid"]: float(row["reader_logit"]) for row in rows}


def report(
    name: str,
    group: list,
    scores: tuple[list[float], list[float]],
    thresholds: tuple[float, float],
) -> None:
    """Declines per type in both modes (offline and with a model: ``scores`` and
    ``thresholds`` in that order) and the ROC AUC of one split."""
    labels = [q.answerable for q in group]
    auc = roc_auc(scores[0], labels)
    print(f"\n{name}: {len(group)} questions, ROC AUC {auc:.3f}" if auc else f"\n{name}:")
    kinds = sorted({q.type if q.answerable else f"{q.type}:{q.unanswerable_kind}" for q in group})
    for kind in kinds:
        members = [
            i for i, q in enumerate(group) if kind in (q.type, f"{q.type}:{q.unanswerable_kind}")
        ]
        declined_offline = share(scores[0][i] < thresholds[0] for i in members) or 0.0
        declined_model = share(scores[1][i] < thresholds[1] for i in members) or 0.0
        print(
            f"  {kind:<22} n={len(members):<4} declined offline {declined_offline:6.1%}"
            f"  with a model {declined_model:6.1%}"
        )


if __name__ == "__main__":
    main()
