"""RIS (``.ris``, EndNote/Zotero/Mendeley) through rispy."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from ..errors import CollectionError
from .base import Record, make_record, read_text


def read_ris(path: Path) -> Iterator[Record]:
    import rispy

    text = read_text(path)
    starts = _entry_starts(path, text)
    try:
        entries = rispy.load(io.StringIO(text))
    except (OSError, ValueError) as exc:
        raise CollectionError(path, None, f"malformed RIS ({exc})") from None
    if text.strip() and not entries:
        raise CollectionError(path, 1, "not an RIS file (no `TY  - ` entry start)")
    for number, entry in enumerate(entries):
        line = starts[number] if number < len(starts) else 0
        yield make_record(
            path,
            line,
            entry.get("title") or entry.get("primary_title") or entry.get("translated_title"),
            entry.get("abstract") or entry.get("notes_abstract"),
            authors=entry.get("authors") or entry.get("first_authors") or [],
            year=entry.get("year") or entry.get("publication_year") or entry.get("date"),
            url=(entry.get("urls") or [None])[0],
            doi=entry.get("doi"),
            venue=entry.get("secondary_title") or entry.get("journal_name"),
        )


def _entry_starts(path: Path, text: str) -> list[int]:
    """The line each entry starts on, read as rispy reads them. rispy says neither where an
    entry starts nor that one lacks its ``ER`` line: it would fold the next entry into it
    (that paper lost) or drop a last entry cut short, so either is an error here."""
    starts: list[int] = []
    open_since: int | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if open_since is None:
            if line.startswith("TY"):  # between entries, rispy starts one at such a line
                open_since = number
                starts.append(number)
            continue
        tag = _tag(line)
        if tag == "TY":
            raise CollectionError(
                path,
                open_since,
                f"entry has no `ER  - ` line before the next entry starts (line {number})",
            )
        if tag == "ER":
            open_since = None
    if open_since is not None:
        raise CollectionError(
            path, open_since, "entry has no `ER  - ` end line (is the file cut short?)"
        )
    return starts


def _tag(line: str) -> str | None:
    """The tag of a ``XX  - value`` line, as rispy recognises one."""
    if line[2:5] == "  -" and line[:2].isupper() and line[:1].isalpha():
        return line[:2]
    return None
