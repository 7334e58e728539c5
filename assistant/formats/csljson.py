"""CSL-JSON (``.json``): Zotero's "Export Collection… → CSL JSON", a list of items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CollectionError
from .base import Record, make_record, read_text


def read_csl_json(path: Path) -> Iterator[Record]:
    text = read_text(path)
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectionError(path, exc.lineno, f"bad JSON ({exc.msg})") from None
    except RecursionError:
        raise CollectionError(path, None, "JSON nested too deeply to be a list of items") from None
    if not isinstance(items, list):
        raise CollectionError(path, 1, "CSL-JSON must be a list of items (Zotero: CSL JSON)")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise CollectionError(path, None, f"item {number} is not a JSON object")
        # JSON has no line per item; the item's position stands in for it.
        yield make_record(
            path,
            number,
            item.get("title"),
            item.get("abstract"),
            authors=[_name(a) for a in item.get("author") or [] if isinstance(a, dict)],
            year=_issued_year(item.get("issued")),
            url=item.get("URL"),
            doi=item.get("DOI"),
            venue=item.get("container-title"),
        )


def _name(author: dict[str, Any]) -> str:
    if author.get("literal"):
        return str(author["literal"])
    return " ".join(str(author[k]) for k in ("given", "family") if author.get(k))


def _issued_year(issued: Any) -> Any:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return parts[0][0]
        return issued.get("raw") or issued.get("literal")
    return issued
