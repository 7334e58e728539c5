"""What the CLI and the chat app say under an answer, worded once for both: what the papers
found lack although the question was answered (a name no paper writes, a "which X" the
closest paper leaves unnamed), sentences whose citations do not support them, an answer cut
off at the token limit, and how to connect a model after an offline answer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .results import Answer, Claim

OFFLINE_HINT = (
    "Offline answer: sentences quoted from the papers. For a written answer, connect a model: "
    "set ASSISTANT_BASE_URL, e.g. http://localhost:11434/v1 for Ollama; "
    "`assistant doctor` checks it."
)


def claim_warnings(claims: Sequence[Claim]) -> list[str]:
    """One line per sentence that its citations do not support (or that cites nothing)."""
    lines = []
    for claim in claims:
        if not claim.supported:
            cited = " ".join(f"[{n}]" for n in claim.citations)
            why = f"not supported by {cited}" if cited else "cites no source"
            if cited and claim.unstated_numbers:
                why = f"{', '.join(claim.unstated_numbers)} not given by {cited}"
            elif cited and claim.contradicted_by:
                why = f'{cited} says otherwise ("{shortened(claim.contradicted_by[0])}")'
            lines.append(f"⚠ {why}: {shortened(claim.text)}")
    return lines


def truncation_note(answer: Answer, max_tokens: int) -> str | None:
    """Said when the model stopped at its token limit, so the answer may be incomplete."""
    if not answer.truncated:
        return None
    return (
        f"note: the answer was cut off at the model's token limit (max_tokens = {max_tokens});"
        " raise it with ASSISTANT_MAX_TOKENS or max_tokens in the config file"
    )


def caveat_notes(caveats: Sequence[str]) -> list[str]:
    """One line per gap in the papers found that the answer went ahead despite."""
    return [
        f"note: {caveat}; check the sources before you rely on the answer" for caveat in caveats
    ]


def trust_notes(answer: Answer, max_tokens: int) -> list[str]:
    """Everything a reader should know before trusting the answer, one line each."""
    note = truncation_note(answer, max_tokens)
    return caveat_notes(answer.caveats) + claim_warnings(answer.claims) + ([note] if note else [])


def mark_unsupported(text: str, claims: Sequence[Claim]) -> str:
    """``text`` with a ``⚠`` after each sentence its citations do not support.

    Claims come in the order they are written, so each is looked for after the one before
    it: a sentence written twice, once supported and once not, is marked where the
    unsupported one stands. A claim's white space is folded, so it matches a line break (or
    a block quote's ``>``) in the answer. A claim not found is left unmarked (it is still
    listed under the answer)."""
    pieces: list[str] = []
    cursor = 0
    for claim in claims:
        found = _written_as(claim.text).search(text, cursor) if claim.text.strip() else None
        if found is None:
            continue
        at = _mark_position(text, found) if not claim.supported else found.end()
        pieces += [text[cursor:at], "" if claim.supported else " ⚠", text[at : found.end()]]
        cursor = found.end()
    pieces.append(text[cursor:])
    return "".join(pieces)


def _mark_position(text: str, claim: re.Match[str]) -> int:
    """Where a claim's mark goes: after it, or for a table row inside its last cell (after
    the row's closing bar it would be a cell beyond the header's, which Markdown drops)."""
    if not claim.group().endswith("|"):
        return claim.end()
    return len(text[: text.rindex("|", claim.start(), claim.end())].rstrip())


def _written_as(claim_text: str) -> re.Pattern[str]:
    """The claim as it may stand in the answer: its words, with any run of white space
    (and block-quote marks at a line's start) between them."""
    words = claim_text.split()
    return re.compile(r"\s+(?:>\s*)*".join(re.escape(word) for word in words))


def shortened(text: str, limit: int = 100) -> str:
    """One line of at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
