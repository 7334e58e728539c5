"""Token budget: fit the numbered sources into the model's context window.

Room for sources = ``context_window`` - ``max_tokens`` (the answer) - the rest of the prompt.
Sources go in by rank, whole; the first that does not fit is dropped together with every
source ranked below it. Only the best source may be shortened (when even it alone does not
fit), and then at a sentence boundary (else a word boundary), marked with "…" — never cut
mid-word silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..text import count_tokens, split_sentences

if TYPE_CHECKING:
    from ..settings import Settings

ELLIPSIS = "…"
MESSAGE_OVERHEAD_TOKENS = 12
"""Chat-format tokens per request (role markers, separators), counted generously."""
MIN_SOURCE_TOKENS = 64
"""Less room than this for sources means the settings leave no space to answer from."""


@dataclass(frozen=True)
class SourceText:
    """One candidate source: a paper and the text the model should read from it."""

    paper_id: str
    title: str
    text: str
    trimmed: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """What the collection knows of the paper (authors, year, url, doi, venue)."""


@dataclass(frozen=True)
class FittedSources:
    """Which sources made it into the prompt, in rank order (``kept[0]`` is ``[1]``)."""

    kept: list[SourceText]
    dropped: list[SourceText]
    tokens: int
    """Tokens the kept sources' blocks take."""
    room: int
    """Tokens that were available for sources."""


def room_for_sources(settings: Settings, prompt_without_sources: str) -> int:
    """Tokens left for sources once the answer and the rest of the prompt are reserved."""
    prompt_tokens = count_tokens(prompt_without_sources)
    room = settings.context_window - settings.max_tokens - prompt_tokens - MESSAGE_OVERHEAD_TOKENS
    if room < MIN_SOURCE_TOKENS:
        # A question (or conversation) longer than the window is the user's to shorten.
        too_long = prompt_tokens > settings.context_window // 2
        raise ConfigError(
            f"context_window={settings.context_window} leaves {max(room, 0)} tokens for sources "
            f"after max_tokens={settings.max_tokens} and {prompt_tokens} tokens of question and "
            "instructions; "
            + ("shorten the question, or " if too_long else "")
            + "raise ASSISTANT_CONTEXT_WINDOW or lower ASSISTANT_MAX_TOKENS"
        )
    return room


def fit_sources(
    candidates: Sequence[SourceText],
    room: int,
    render: Callable[[int, SourceText], str],
    *,
    separator: str = "\n\n",
) -> FittedSources:
    """Keep the best-ranked sources whose rendered blocks fit in ``room`` tokens.

    ``render(n, source)`` is the block the prompt will contain for source ``[n]``.
    """
    kept: list[SourceText] = []
    used = 0
    separator_tokens = count_tokens(separator)
    for index, source in enumerate(candidates):
        cost = count_tokens(render(len(kept) + 1, source)) + (separator_tokens if kept else 0)
        if used + cost <= room:
            kept.append(source)
            used += cost
            continue
        if not kept:
            shortened = _shorten_to_fit(source, room, render)
            if shortened is not None:
                kept.append(shortened)
                used = count_tokens(render(1, shortened))
                index += 1
        return FittedSources(kept, list(candidates[index:]), used, room)
    return FittedSources(kept, [], used, room)


def _shorten_to_fit(
    source: SourceText, room: int, render: Callable[[int, SourceText], str]
) -> SourceText | None:
    frame = count_tokens(render(1, replace(source, text=ELLIPSIS, trimmed=True)))
    text = trim_to_tokens(source.text, room - frame)
    if not text:
        return None
    candidate = replace(source, text=text, trimmed=True)
    # Token counts of pieces do not add up exactly; shave whole words until it fits.
    while count_tokens(render(1, candidate)) > room and text:
        text = trim_to_tokens(text.removesuffix(ELLIPSIS), count_tokens(text) - 2)
        candidate = replace(source, text=text, trimmed=True)
    return candidate if text else None


def trim_to_tokens(text: str, max_tokens: int) -> str:
    """``text`` cut to at most ``max_tokens`` (including the "…" mark), at a sentence end if
    one is within reach, else at a word boundary; ``""`` when not even one word fits.
    """
    if count_tokens(text) <= max_tokens:
        return text
    budget = max_tokens - count_tokens(" " + ELLIPSIS)
    if budget <= 0:
        return ""
    sentences = split_sentences(text)
    taken = ""
    for sentence in sentences:
        candidate = f"{taken} {sentence}".strip()
        if count_tokens(candidate) > budget:
            break
        taken = candidate
    # A sentence boundary is worth it only if it keeps at least half of what fits.
    words = text.split()
    low, high = 0, len(words)
    while low < high:  # longest word prefix within budget
        middle = (low + high + 1) // 2
        if count_tokens(" ".join(words[:middle])) <= budget:
            low = middle
        else:
            high = middle - 1
    by_words = " ".join(words[:low])
    best = taken if taken and len(taken) >= len(by_words) // 2 else by_words
    result = best + " " + ELLIPSIS if best else ""
    while result and count_tokens(result) > max_tokens:  # merges at the joint can add a token
        best = best.rsplit(" ", 1)[0] if " " in best else ""
        result = best + " " + ELLIPSIS if best else ""
    return result
