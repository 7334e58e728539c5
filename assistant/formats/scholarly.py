"""Papers as scholarly APIs return them, saved to a file: OpenAlex works (the abstract as an
inverted index, authors under ``authorships``) and Semantic Scholar papers (``paperId``,
authors as objects with a ``name``). Recognised by their fields, one per JSON line, in a
JSON list, or in the API's response object (``{"results": […]}``, ``{"data": […]}``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import Record, clean, make_record

# Where API responses and wrappers put their list of papers.
_LIST_KEYS = ("results", "data", "items", "papers", "works")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


def is_scholarly(item: dict[str, Any]) -> bool:
    """Whether ``item`` is an OpenAlex work or a Semantic Scholar paper."""
    return "paperId" in item or "abstract_inverted_index" in item or "authorships" in item


def listed_papers(document: dict[str, Any]) -> list[Any] | None:
    """The list of papers a response object holds (``results``, ``data`` …); None when it
    is no such object (a paper itself has a title)."""
    if "title" in document:
        return None
    for key in _LIST_KEYS:
        value = document.get(key)
        if isinstance(value, list):
            return value
    return None


def scholarly_record(path: Path, number: int, item: dict[str, Any]) -> Record:
    """A paper from an OpenAlex work or a Semantic Scholar paper (lenient: an entry without
    an abstract is skipped, as in any export)."""
    if "paperId" in item:
        return _semantic_scholar(path, number, item)
    return _openalex(path, number, item)


def _semantic_scholar(path: Path, number: int, item: dict[str, Any]) -> Record:
    ids, journal = _object(item.get("externalIds")), _object(item.get("journal"))
    return make_record(
        path,
        number,
        item.get("title"),
        item.get("abstract"),
        authors=_names(item.get("authors"), lambda a: a.get("name")),
        year=item.get("year") or item.get("publicationDate"),
        url=item.get("url"),
        doi=ids.get("DOI"),
        venue=item.get("venue") or journal.get("name"),
    )


def _openalex(path: Path, number: int, item: dict[str, Any]) -> Record:
    doi = clean(item.get("doi"))
    for prefix in _DOI_PREFIXES:
        doi = doi.removeprefix(prefix)
    return make_record(
        path,
        number,
        item.get("title") or item.get("display_name"),
        item.get("abstract") or _inverted_abstract(item.get("abstract_inverted_index")),
        authors=_names(item.get("authorships"), _authorship_name),
        year=item.get("publication_year") or item.get("publication_date"),
        url=item.get("doi") or item.get("id"),
        doi=doi or None,
        venue=_openalex_venue(item),
    )


def _inverted_abstract(index: Any) -> str:
    """OpenAlex's ``{"word": [positions]}`` back into the text."""
    if not isinstance(index, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int) and 0 <= position < 1_000_000:
                placed[position] = str(word)
    return " ".join(placed[p] for p in sorted(placed))


def _authorship_name(authorship: dict[str, Any]) -> Any:
    author = authorship.get("author")
    name = author.get("display_name") if isinstance(author, dict) else None
    return name or authorship.get("raw_author_name")


def _openalex_venue(item: dict[str, Any]) -> Any:
    for holder in (item.get("primary_location"), item.get("host_venue")):
        place = _object(holder)
        name = _object(place.get("source")).get("display_name") or place.get("display_name")
        if name:
            return name
    return None


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (APIs send null for unknowns)."""
    return value if isinstance(value, dict) else {}


def _names(people: Any, name_of: Callable[[dict[str, Any]], Any]) -> list[str]:
    if not isinstance(people, list):
        return []
    return [str(name_of(p) or "") for p in people if isinstance(p, dict)]
