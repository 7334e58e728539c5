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
    reader = csv.reader(chain([first], lines), delimiter=_delimiter(first, delimiter))
    try:
        columns = _columns(next(reader, []))
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
                authors=_split_authors(value.get("authors", "")),
                year=value.get("year"),
                url=value.get("url"),
                doi=value.get("doi"),
                venue=value.get("venue"),
            )
    except csv.Error as exc:
        raise CollectionError(path, reader.line_num, f"malformed CSV ({exc})") from None


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
    header = next(csv.reader([line], delimiter=delimiter), [])
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
