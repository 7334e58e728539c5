"""A paper as the manifest stores it (Chroma metadata: flat scalars), and filters over papers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .collection import Paper
from .errors import FilterError

_FILTERS = ("year", "since", "until", "author")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


def paper_metadata(paper: Paper, content_hash: str, n_chunks: int) -> dict[str, Any]:
    """The manifest record's metadata (Chroma takes scalars only: authors are joined)."""
    meta: dict[str, Any] = {"title": paper.title, "hash": content_hash, "n_chunks": n_chunks}
    if paper.authors:
        meta["authors"] = "; ".join(paper.authors)
    optional = {
        "year": paper.year,
        "url": paper.url,
        "doi": paper.doi,
        "venue": paper.venue,
        "source": paper.source_file or None,
    }
    meta.update({name: value for name, value in optional.items() if value is not None})
    return meta


def paper_from_record(paper_id: str, abstract: str | None, meta: Mapping[str, Any]) -> Paper:
    authors = tuple(a for a in str(meta.get("authors", "")).split("; ") if a)
    year = meta.get("year")
    source = meta.get("source")
    return Paper(
        paper_id,
        str(meta["title"]),
        abstract or "",
        authors,
        int(year) if year is not None else None,
        meta.get("url"),
        meta.get("doi"),
        meta.get("venue"),
        origin=f"{source}:0" if source else "",
    )


def select_papers(papers: Iterable[Paper], where: Mapping[str, Any], collection: str) -> list[str]:
    """Ids of the papers matching ``where``. Filtering on a field no paper has raises a
    ``FilterError`` that says so, instead of an empty result that looks like "no match"."""
    where = checked_filters(where)
    papers = list(papers)
    wants_year = any(name in where for name in ("year", "since", "until"))
    if papers and wants_year and all(p.year is None for p in papers):
        raise FilterError(_missing_field(collection, "a year", "--year/--since/--until"))
    if papers and "author" in where and all(not p.authors for p in papers):
        raise FilterError(_missing_field(collection, "authors", "--author"))
    return [p.paper_id for p in papers if _matches(p, where)]


def checked_filters(where: object) -> dict[str, Any]:
    """``where`` as filters papers can be matched against: ``year``, ``since`` and ``until``
    whole years, ``author`` text; a filter given as ``None`` is left out. Anything else, or a
    year range nothing can fall in, is a one-line ``FilterError``."""
    if not isinstance(where, Mapping):
        raise FilterError(
            f"where must be a mapping such as {{'since': 2020}}, got {type(where).__name__}"
        )
    unknown = sorted(str(name) for name in set(where) - set(_FILTERS))
    if unknown:
        raise FilterError(f"unknown filter {unknown[0]!r}; use year, since, until or author")
    checked: dict[str, Any] = {}
    for name, value in where.items():
        if value is not None:
            checked[name] = _author(value) if name == "author" else _year(name, value)
    _check_year_range(checked)
    return checked


def _year(name: str, value: object) -> int:
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise FilterError(f"the {name} filter must be a whole year such as 2021, got {value!r}")


def _author(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FilterError(f"the author filter must be part of an author's name, got {value!r}")
    return value.strip()


def _check_year_range(where: Mapping[str, int]) -> None:
    """Bounds that exclude each other would match nothing and look like "no paper matches"."""
    since, until, year = where.get("since"), where.get("until"), where.get("year")
    if since is not None and until is not None and since > until:
        raise FilterError(f"since {since} is after until {until}, so no year can match")
    if year is not None and (
        (since is not None and year < since) or (until is not None and year > until)
    ):
        raise FilterError(f"year {year} lies outside since/until, so no paper can match")


def _missing_field(collection: str, field: str, flags: str) -> str:
    return (
        f"no paper in collection {collection!r} has {field}, so {flags} cannot match; "
        "ingest files with that metadata (.bib, .ris, CSL-JSON, CSV) or drop the filter"
    )


def _matches(paper: Paper, where: Mapping[str, Any]) -> bool:
    year = paper.year
    if "year" in where and year != where["year"]:
        return False
    if "since" in where and (year is None or year < where["since"]):
        return False
    if "until" in where and (year is None or year > where["until"]):
        return False
    needle = str(where.get("author", "")).casefold()
    return "author" not in where or any(needle in a.casefold() for a in paper.authors)
