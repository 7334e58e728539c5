"""What one question asks for, as one value.

The question and its options (k, model, history, filters, collection) used to travel as six
keyword arguments through three layers, declared three times; a frozen request is declared
once and can be logged, compared and replayed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..results import Turn


@dataclass(frozen=True)
class AskRequest:
    """One question to answer from the collection."""

    question: str
    k: int | None = None
    """Papers to draw on; ``None`` means the ``k`` setting."""
    model: str | None = None
    """Model name for this question; ``None`` means the ``model`` setting."""
    history: Sequence[Turn] = ()
    """Earlier turns of the conversation, oldest first (for follow-ups)."""
    where: Mapping[str, Any] | None = field(default=None, hash=False)
    """Metadata filter: ``year``, ``since``, ``until``, ``author``."""
    collection: str | None = None
    """Chroma collection to ask; ``None`` means the ``collection`` setting."""
