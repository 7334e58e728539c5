"""JSON Lines: this project's own format (``title``, ``abstract``, ``authors``, ``year``,
``url``, ``doi``, ``venue``) and the arXiv metadata snapshot (``authors`` as one string, the
year from ``versions``/``update_date``, the URL from ``id``). Read line by line, so a
100,000-paper file never sits in memory whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CollectionError
from .base import Record, Skipped, clean, lenient_year, make_record, stream_lines
from .csljson import item_record
from .markup import latex_to_text
from .scholarly import is_scholarly, listed_papers, scholarly_record

_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*")


def read_jsonl(path: Path) -> Iterator[Record]:
    """Records of a JSONL file; arXiv-snapshot lines are recognised by their fields."""
    for number, line in enumerate(stream_lines(path), start=1):
        if line.strip():
            record = _json_object(path, number, line)
            listed = listed_papers(record)  # an API response saved as one line
            if listed is None:
                yield _record(path, number, record)
            else:
                yield from (item_record(path, number, item) for item in listed)


def read_arxiv(path: Path) -> Iterator[Record]:
    """The arXiv metadata snapshot, whatever the file is called."""
    for number, line in enumerate(stream_lines(path), start=1):
        if line.strip():
            yield _arxiv_record(path, number, _json_object(path, number, line))


def _json_object(path: Path, number: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CollectionError(path, number, f"bad JSON ({exc.msg})") from None
    except RecursionError:
        raise CollectionError(path, number, "JSON nested too deeply to be a paper") from None
    if not isinstance(record, dict):
        raise CollectionError(path, number, "each line must be a JSON object")
    return record


def _record(path: Path, number: int, record: dict[str, Any]) -> Record:
    if "versions" in record or "update_date" in record:
        return _arxiv_record(path, number, record)
    if is_scholarly(record):  # exports, not this project's format: lenient
        return scholarly_record(path, number, record)
    title = _text_field(path, number, record, "title")
    abstract = _text_field(path, number, record, "abstract")
    paper = make_record(
        path,
        number,
        title,
        abstract,
        authors=_authors(path, number, record.get("authors")),
        year=_strict_year(path, number, record.get("year")),
        url=_optional_text(path, number, record, "url"),
        doi=_optional_text(path, number, record, "doi"),
        venue=_optional_text(path, number, record, "venue"),
    )
    if isinstance(paper, Skipped):  # the text was all markup ("<p></p>")
        empty = "abstract" if paper.reason == "no abstract" else "title"
        raise CollectionError(path, number, f"{empty!r} holds nothing but markup")
    return paper


def _arxiv_record(path: Path, number: int, record: dict[str, Any]) -> Record:
    arxiv_id = clean(record.get("id"))
    return make_record(
        path,
        number,
        latex_to_text(clean(record.get("title")), tilde_is_space=False),  # its authors' LaTeX
        latex_to_text(clean(record.get("abstract")), tilde_is_space=False),
        authors=_authors(path, number, record.get("authors")),
        year=_arxiv_year(record),
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None,
        doi=record.get("doi"),
        venue=record.get("journal-ref"),
    )


def _arxiv_year(record: dict[str, Any]) -> int | None:
    """The first version's date ("Mon, 2 Apr 2007 19:18:42 GMT"), else ``update_date``."""
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        year = lenient_year(versions[0].get("created"))
        if year is not None:
            return year
    return lenient_year(record.get("update_date"))


def _text_field(path: Path, line: int, record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CollectionError(path, line, f"missing or empty {name!r}")
    return " ".join(value.split())


def _optional_text(path: Path, line: int, record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and value.strip()):
        return value.strip() if value else None
    raise CollectionError(path, line, f"{name!r} must be text")


def _authors(path: Path, line: int, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [a for a in _AUTHOR_SPLIT.split(" ".join(value.split())) if a]
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise CollectionError(path, line, "'authors' must be a list of names or one string")
    return tuple(a.strip() for a in value if a.strip())


def _strict_year(path: Path, line: int, value: Any) -> int | None:
    if value is None:
        return None
    try:
        year = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity
        raise CollectionError(path, line, f"'year' must be a number, got {value!r}") from None
    if not 1000 <= year <= 3000:
        raise CollectionError(path, line, f"'year' {year} is not a plausible year")
    return year
