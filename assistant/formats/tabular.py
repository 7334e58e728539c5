"""CSV and TSV with a header row (``title``, ``abstract``, ``authors``, ``year``, ``doi``,
``url``, ``venue``; any case), read as a stream."""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from ..errors import CollectionError
from .base import Record, make_record, stream_lines

_AUTHOR_SPLIT = re.compile(r"\s*;\s*|\s+and\s+")


def read_csv(path: Path) -> Iterator[Record]:
    return _read_table(path, ",")


def read_tsv(path: Path) -> Iterator[Record]:
    return _read_table(path, "\t")


def _read_table(path: Path, delimiter: str) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # full-text-sized abstracts
    lines = stream_lines(path)
    first = next(lines, "")
    reader = csv.reader(chain([first], lines), delimiter=_delimiter(first, delimiter))
    try:
        header = [h.strip().casefold() for h in next(reader, [])]
        columns = {name: i for i, name in reversed(list(enumerate(header)))}
        missing = [n for n in ("title", "abstract") if n not in columns]
        if missing:
            raise CollectionError(
                path, 1, f"the header has no {' or '.join(repr(m) for m in missing)} column"
            )
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            value = {name: row[i] if i < len(row) else "" for name, i in columns.items()}
            yield make_record(
                path,
                reader.line_num,
                value["title"],
                value["abstract"],
                authors=_split_authors(value.get("authors") or value.get("author") or ""),
                year=value.get("year"),
                url=value.get("url"),
                doi=value.get("doi"),
                venue=value.get("venue") or value.get("journal"),
            )
    except csv.Error as exc:
        raise CollectionError(path, reader.line_num, f"malformed CSV ({exc})") from None


def _delimiter(header: str, expected: str) -> str:
    """The separator the header line uses: spreadsheets set to many languages save "CSV"
    with semicolons, and some save tabs under a .csv name."""
    for candidate in (expected, ",", ";", "\t"):
        names = {
            cell.strip().casefold() for cell in next(csv.reader([header], delimiter=candidate), [])
        }
        if {"title", "abstract"} <= names:
            return candidate
    return expected


def _split_authors(text: str) -> list[str]:
    """ "Lovelace, Ada; Turing, Alan", "Ada Lovelace and Alan Turing" or "Ada Lovelace,
    Alan Turing" (commas separate authors only when no piece looks like "Family, Given")."""
    text = text.strip()
    if ";" in text or " and " in text:
        return [a for a in _AUTHOR_SPLIT.split(text) if a]
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    if len(pieces) > 1 and all(len(p.split()) > 1 for p in pieces):
        return pieces
    return [text] if text else []
