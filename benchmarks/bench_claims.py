"""Precision and recall of "unsupported" for the claim check, on ``eval/claims.jsonl``.

    python benchmarks/bench_claims.py [--claims FILE] [--weight W] [--window N]

Each line is a claim copied or paraphrased from a paper and cited either to that paper
(``supported``) or to its nearest same-topic neighbour (``unsupported``); or a claim stating a
number of its paper, cited to it with that number kept (``supported``) or changed
(``unsupported``); or two claims of different papers joined into one sentence, "A [1], while
B [2].", cited right (``supported``), swapped or both to A's paper (``unsupported``). A claim
is checked as an answer sentence ``"<claim> [1]"`` (a comparison as written) with the cited
abstracts and their titles as its sources, with the bundled MiniLM embedder. Prints the
thresholds at which ``dev`` reaches its best min(precision, recall), and the scores at the
default threshold (the ``claim_*`` settings) on ``dev`` and ``test``; ``test`` is for
reporting only, never for tuning.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.answering import claims  # noqa: E402
from assistant.embedding import MiniLMEmbedder  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DEFAULTS = Settings()
WRITTEN_WITH_MARKERS = ("comparison", "joined")
"""Kinds whose ``claim`` carries its own markers."""


def check(rows: list[dict], weight: float, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Each claim's support score, and whether it is unsupported whatever its score: it states
    a number its source does not give, or its source states it the other way round."""
    embedder = MiniLMEmbedder()
    checked = [
        claims.check_claims(
            row["claim"] if row["kind"] in WRITTEN_WITH_MARKERS else row["claim"] + " [1]",
            [cited["text"] for cited in row["cited"]],
            embedder,
            threshold=DEFAULTS.claim_support_threshold,
            cosine_weight=weight,
            window_sentences=window,
            titles=[cited["title"] for cited in row["cited"]],
        )[0]
        for row in rows
    ]
    support = np.array([claim.support for claim in checked])
    return support, np.array(
        [bool(claim.unstated_numbers or claim.contradicted_by) for claim in checked]
    )


def precision_recall(
    support: np.ndarray, overruled: np.ndarray, unsupported: np.ndarray, threshold: float
):
    flagged = (support < threshold) | overruled
    hits = int((flagged & unsupported).sum())
    return hits / max(int(flagged.sum()), 1), hits / max(int(unsupported.sum()), 1)


def dev_threshold(
    support: np.ndarray, overruled: np.ndarray, unsupported: np.ndarray
) -> tuple[float, float, float]:
    """(best min(P, R), lowest and highest threshold reaching it) over a 0.005 grid."""
    grid = np.round(np.arange(0.30, 0.90, 0.005), 3)
    quality = [min(precision_recall(support, overruled, unsupported, t)) for t in grid]
    best = max(quality)
    reaching = [t for t, q in zip(grid, quality, strict=True) if q == best]
    return best, float(min(reaching)), float(max(reaching))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=Path, default=REPO / "eval" / "claims.jsonl")
    parser.add_argument("--weight", type=float, default=DEFAULTS.claim_cosine_weight)
    parser.add_argument("--window", type=int, default=DEFAULTS.claim_window_sentences)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.claims.read_text().splitlines() if line.strip()]
    support, overruled = check(rows, args.weight, args.window)
    unsupported = np.array([row["label"] == "unsupported" for row in rows])
    splits = np.array([row["split"] for row in rows])
    kinds = np.array([row["kind"] for row in rows])
    dev = splits == "dev"
    best, low, high = dev_threshold(support[dev], overruled[dev], unsupported[dev])
    print(f"claims: {len(rows)} ({int(dev.sum())} dev, {int((~dev).sum())} test)")
    print(f"weight {args.weight}, window {args.window} sentences")
    print(f"dev: best min(P, R) {best:.3f} for thresholds {low:.3f}-{high:.3f}")
    print(f"default threshold {DEFAULTS.claim_support_threshold}")
    for split in ("dev", "test"):
        for kind in ("all", *dict.fromkeys(kinds)):
            chosen = (splits == split) & ((kinds == kind) if kind != "all" else True)
            p, r = precision_recall(
                support[chosen],
                overruled[chosen],
                unsupported[chosen],
                DEFAULTS.claim_support_threshold,
            )
            print(f"{split:4} {kind:10} n={int(chosen.sum()):3}  unsupported: P {p:.3f}  R {r:.3f}")


if __name__ == "__main__":
    main()
