"""A JSON document (``.json``): CSL-JSON (Zotero's "Export Collection… → CSL JSON"), a list
of items; or papers as OpenAlex or Semantic Scholar list them, in a list or in the API's
response object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CollectionError
from .base import Record, make_record, read_text
from .scholarly import is_scholarly, listed_papers, scholarly_record


def read_csl_json(path: Path) -> Iterator[Record]:
    """A JSON document: a list of items (CSL-JSON, or papers as an API lists them), or an
    API's response object holding that list (OpenAlex ``results``, Semantic Scholar
    ``data``)."""
    text = read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectionError(path, exc.lineno, f"bad JSON ({exc.msg})") from None
    except RecursionError:
        raise CollectionError(path, None, "JSON nested too deeply to be a list of items") from None
    items = listed_papers(document) if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise CollectionError(
            path,
            1,
            "not a list of papers: CSL-JSON is a list of items (Zotero: CSL JSON); an API "
            "response holds one under 'results' or 'data'",
        )
    for number, item in enumerate(items, start=1):
        # JSON has no line per item; the item's position stands in for it.
        yield item_record(path, number, item)


def item_record(path: Path, number: int, item: Any) -> Record:
    """A paper from one item of a JSON list: CSL-JSON, OpenAlex, Semantic Scholar or this
    project's own fields."""
    if not isinstance(item, dict):
        raise CollectionError(path, None, f"item {number} is not a JSON object")
    if is_scholarly(item):
        return scholarly_record(path, number, item)
    authors = item.get("author") or item.get("authors") or []
    return make_record(
        path,
        number,
        item.get("title"),
        item.get("abstract"),
        authors=[_name(a) for a in (authors if isinstance(authors, list) else [authors])],
        year=_issued_year(item.get("issued")) or item.get("year"),
        url=item.get("URL") or item.get("url"),
        doi=item.get("DOI") or item.get("doi"),
        venue=item.get("container-title") or item.get("venue"),
    )


def _name(author: Any) -> str:
    if not isinstance(author, dict):  # a list of plain names
        return author if isinstance(author, str) else ""
    if author.get("literal"):
        return str(author["literal"])
    # "Ludwig van Beethoven": the particles are part of the name, in reading order.
    parts = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
    return " ".join(str(author[k]) for k in parts if author.get(k))


def _issued_year(issued: Any) -> Any:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return parts[0][0]
        return issued.get("raw") or issued.get("literal")
    return issued
