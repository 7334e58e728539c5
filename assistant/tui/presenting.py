"""Short display texts shared by the app and its widgets (no Textual, no I/O)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..history import CANCELLED, StoredTurn

if TYPE_CHECKING:
    from ..collection import Paper
    from ..results import Answer

STOPPED_NOTE = "Stopped — partial answer"
INTERRUPTED_NOTE = "Interrupted — the app stopped while this was written (partial)"


def answer_note(answer: Answer) -> str:
    """The line under a finished answer: how many sources it cites and what wrote it."""
    origin = "extractive (no model configured)" if answer.mode == "extractive" else answer.model
    note = _grounding(answer.answered, len(answer.citations), len(answer.sources), origin)
    if answer.answered and answer.invalid_citations:
        markers = ", ".join(f"[{n}]" for n in answer.invalid_citations)
        note += f" · removed {markers}: no such source"
    if answer.truncated:
        # Also, and most of all, when the cut left no grounded answer: the limit is why.
        note += " · cut off at the token limit: raise max_tokens"
    return _with_caveats(note, answer.caveats)


def saved_note(turn: StoredTurn) -> str:
    """The line under an answer read back from history."""
    if turn.interrupted:
        return INTERRUPTED_NOTE
    if turn.status == CANCELLED:
        return STOPPED_NOTE
    cited = sum(s.cited for s in turn.sources)
    origin = turn.model or turn.mode or "saved"
    note = _grounding(turn.answered, cited, len(turn.sources), origin) + " · saved"
    if turn.truncated:
        note += " · cut off at the token limit"
    return _with_caveats(note, turn.caveats)


def _with_caveats(note: str, caveats: list[str]) -> str:
    """The note, then what the papers found lacked although the question was answered."""
    return note + "".join(f" · {caveat}" for caveat in caveats)


def _grounding(answered: bool, cited: int, sources: int, origin: str | None) -> str:
    """How many sources an answer cites and what wrote it; for no grounded answer, only that
    (its text says why: the papers lack it, the model refused or cited nothing…)."""
    origin = origin or "model"
    if not answered:
        return f"No grounded answer · {origin}"
    return f"{cited} cited of {sources} sources · {origin}"


def paper_details(paper: Paper) -> str:
    """Authors, year and link of a paper, as one line (parts that are missing are left out)."""
    parts = []
    if paper.authors:
        authors = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        parts.append(authors)
    if paper.year:
        parts.append(str(paper.year))
    if paper.url:
        parts.append(paper.url)
    return " · ".join(parts)


def unexpected(exc: BaseException) -> str:
    """A one-line message for an error that is not a domain error (a bug, most likely)."""
    return f"unexpected {type(exc).__name__}: {exc}".rstrip(": ")
