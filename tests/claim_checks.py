"""The claim check as the pipeline runs it: ``check_claims`` tuned by the settings'
defaults, for tests that check claims without a whole pipeline."""

from __future__ import annotations

import numpy as np

from assistant.answering.claims import check_claims
from assistant.embedding import Embedder
from assistant.results import Claim
from assistant.settings import Settings

DEFAULTS = Settings()


def check(
    text: str,
    sources: list[str],
    embedder: Embedder,
    *,
    threshold: float = DEFAULTS.claim_support_threshold,
    cosine_weight: float = DEFAULTS.claim_cosine_weight,
    titles: list[str] | None = None,
) -> list[Claim]:
    """``check_claims`` tuned as the settings' defaults, unless told otherwise."""
    return check_claims(
        text,
        sources,
        embedder,
        threshold=threshold,
        cosine_weight=cosine_weight,
        window_sentences=DEFAULTS.claim_window_sentences,
        titles=titles or [],
    )


class CountingEmbedder:
    """The real embedder, recording every text it is asked to embed (``asked``)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.embedder_id = embedder.embedder_id
        self.asked: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.asked += texts
        return self.embedder.embed(texts)
