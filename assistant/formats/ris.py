"""RIS (``.ris``, EndNote/Zotero/Mendeley) through rispy."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import CollectionError
from .base import Record, make_record, read_text

_START = re.compile(r"^TY  - ", re.MULTILINE)


def read_ris(path: Path) -> Iterator[Record]:
    import rispy

    text = read_text(path)
    # rispy does not say where an entry starts; each starts at a "TY  - " line.
    starts = [text.count("\n", 0, m.start()) + 1 for m in _START.finditer(text)]
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
