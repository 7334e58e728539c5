"""CSV and TSV with a header row (``title``, ``abstract``, ``authors``, ``year``, ``doi``,
``url``, ``venue``; any case), read as a stream. The headers of the databases' own exports
name the same columns otherwise (Scopus "Source title", IEEE Xplore "Document Title", Web
of Science's field tags ``TI``/``AB``/``AU``/``PY``/``SO``/``DI``) and are read as well."""

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
# Each field and the header names that hold it, the preferred one first.
_COLUMNS = {
    "title": ("title", "document title", "article title", "ti"),
    "abstract": ("abstract", "ab"),
    "authors": ("authors", "author", "au"),
    "year": ("year", "publication year", "py"),
    "doi": ("doi", "di"),
    "url": ("url", "link", "articleurl", "pdf link"),
    "venue": ("venue", "journal", "source title", "publication title", "source", "so"),
}


def read_csv(path: Path) -> Iterator[Record]:
    return _read_table(path, ",")


def read_tsv(path: Path) -> Iterator[Record]:
    return _read_table(path, "\t")


def _read_table(path: Path, delimiter: str) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # full-text-sized abstracts
    lines = stream_lines(path)
    first = next(lines, "")
    delimiter = _delimiter(first, delimiter)
    # Strict: a quote left open would otherwise take every row after it into one cell.
    # Tab-separated exports (Web of Science) do not quote, so a title may open with one.
    reader = csv.reader(chain([first], lines), delimiter=delimiter, strict=delimiter != "\t")
    started = 1
    try:
        columns = _columns(next(reader, []))
        missing = [n for n in ("title", "abstract") if n not in columns]
        if missing:
            raise CollectionError(
                path, 1, f"the header has no {' or '.join(repr(m) for m in missing)} column"
            )
        started = reader.line_num + 1
        for row in reader:
            _check_row(path, started, row, delimiter)
            if any(cell.strip() for cell in row):
                yield _row_record(path, started, row, columns)
            started = reader.line_num + 1
    except csv.Error as exc:
        raise CollectionError(
            path, started, f"malformed CSV ({exc}); is a quote in this row left open?"
        ) from None


def _row_record(path: Path, line: int, row: list[str], columns: dict[str, int]) -> Record:
    value = {name: row[i] if i < len(row) else "" for name, i in columns.items()}
    return make_record(
        path,
        line,
        value["title"],
        value["abstract"],
        authors=_split_authors(value.get("authors", "")),
        year=value.get("year"),
        url=value.get("url"),
        doi=value.get("doi"),
        venue=value.get("venue"),
    )


def _check_row(path: Path, line: int, row: list[str], delimiter: str) -> None:
    """A cell holding line breaks and the separator is rows swallowed by an open quote."""
    if delimiter == "\t" and any("\n" in cell and "\t" in cell for cell in row):
        raise CollectionError(
            path,
            line,
            "a quote opens a cell that runs over the following rows; remove the quote or close it",
        )


def _columns(header: list[str]) -> dict[str, int]:
    """Where each field is, by the header's names (any case; the first alias found)."""
    places = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
    found = {}
    for field, aliases in _COLUMNS.items():
        place = next((places[a] for a in aliases if a in places), None)
        if place is not None:
            found[field] = place
    return found


def is_table_header(line: str, delimiter: str) -> bool:
    """Whether ``line`` is a header row naming a title and an abstract column."""
    try:
        header = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a line break inside it: no header row
        return False
    return {"title", "abstract"} <= set(_columns(header))


def _delimiter(header: str, expected: str) -> str:
    """The separator the header line uses: spreadsheets set to many languages save "CSV"
    with semicolons, and some save tabs under a .csv name."""
    for candidate in (expected, ",", ";", "\t"):
        if is_table_header(header, candidate):
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
