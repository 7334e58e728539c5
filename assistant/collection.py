"""Reading paper collections: the scraped seed page format and JSONL.

A paper's id comes from its normalised title, so it is stable across files and re-ingests.
Any problem stops the load with one error naming the file and line; nothing is half-read.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CollectionError

# Lines of page chrome in pages scraped from a "trending papers" site.
_CHROME_LINE = re.compile(r"^Get trending papers\b", re.IGNORECASE)
# The newsletter button's label ends up glued to the front of the first title.
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")


@dataclass(frozen=True)
class Paper:
    """One paper of the collection."""

    paper_id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None
    origin: str = field(default="", compare=False)
    """``file:line`` the paper was read from (for error messages)."""

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored about the paper changes."""
        payload = json.dumps(
            [self.title, self.abstract, list(self.authors), self.year, self.url], ensure_ascii=False
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


def normalize_title(title: str) -> str:
    """Case, accents, punctuation and spacing folded away: equal titles compare equal."""
    text = unicodedata.normalize("NFKD", title).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", text))


def paper_id_for(title: str) -> str:
    """The stable id of the paper with this title."""
    return hashlib.sha1(normalize_title(title).encode()).hexdigest()[:16]


def load_collection(paths: Iterable[str | Path]) -> list[Paper]:
    """Read every file (``.jsonl`` or the scraped ``.txt`` page); titles must be unique overall."""
    papers: list[Paper] = []
    seen: dict[str, Paper] = {}
    for path in map(Path, paths):
        for paper in load_file(path):
            earlier = seen.get(paper.paper_id)
            if earlier is not None:
                file, _, line = paper.origin.rpartition(":")
                raise CollectionError(
                    file, int(line), f"duplicate title {paper.title!r} (first at {earlier.origin})"
                )
            seen[paper.paper_id] = paper
            papers.append(paper)
    return papers


def load_file(path: Path) -> list[Paper]:
    """One collection file; the format is chosen by its suffix."""
    if path.is_dir():
        raise CollectionError(path, None, "is a directory; name the .txt or .jsonl files in it")
    lines = _read_lines(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return _parse_jsonl(path, lines)
    if path.suffix.lower() == ".txt":
        return _parse_title_abstract_lines(path, lines)
    raise CollectionError(path, None, "unknown format; use .jsonl (title, abstract, ...) or .txt")


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CollectionError(path, None, "no such file") from None
    except OSError as exc:
        raise CollectionError(path, None, f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CollectionError(path, line, "not UTF-8 text; save the file as UTF-8") from None
    return text.splitlines()


def _parse_title_abstract_lines(path: Path, lines: Sequence[str]) -> list[Paper]:
    """Titles and abstracts alternate, one per line, after optional page chrome."""
    start = 0
    while start < len(lines) and _CHROME_LINE.match(lines[start].strip()):
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    body = list(lines[start:end])
    if not body:
        raise CollectionError(path, None, "holds no papers")
    if start > 0:
        body[0] = _GLUED_SUBSCRIBE.sub("", body[0].strip())
    if len(body) % 2:
        raise CollectionError(
            path,
            end,
            f"odd number of lines ({len(body)}): every title needs an abstract line after it",
        )
    papers = []
    seen: dict[str, int] = {}
    for offset in range(0, len(body), 2):
        title_line = start + offset + 1
        title, abstract = body[offset].strip(), body[offset + 1].strip()
        if not title:
            raise CollectionError(path, title_line, "empty title")
        if not abstract:
            raise CollectionError(path, title_line + 1, f"empty abstract for {title!r}")
        _check_unique(path, title_line, title, seen)
        papers.append(_make_paper(path, title_line, title, abstract))
    return papers


def _parse_jsonl(path: Path, lines: Sequence[str]) -> list[Paper]:
    papers = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CollectionError(path, number, f"bad JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise CollectionError(path, number, "each line must be a JSON object")
        title = _text_field(path, number, record, "title")
        abstract = _text_field(path, number, record, "abstract")
        _check_unique(path, number, title, seen)
        papers.append(
            _make_paper(
                path,
                number,
                title,
                abstract,
                authors=_authors(path, number, record.get("authors")),
                year=_year(path, number, record.get("year")),
                url=_optional_text(path, number, record, "url"),
            )
        )
    if not papers:
        raise CollectionError(path, None, "holds no papers")
    return papers


def _make_paper(path: Path, line: int, title: str, abstract: str, **extra: Any) -> Paper:
    return Paper(paper_id_for(title), title, abstract, origin=f"{path}:{line}", **extra)


def _check_unique(path: Path, line: int, title: str, seen: dict[str, int]) -> None:
    key = normalize_title(title)
    if key in seen:
        raise CollectionError(path, line, f"duplicate title {title!r} (first at line {seen[key]})")
    seen[key] = line


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
        value = [a for a in re.split(r"\s*(?:,|;| and )\s*", value) if a]
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise CollectionError(path, line, "'authors' must be a list of names or one string")
    return tuple(a.strip() for a in value if a.strip())


def _year(path: Path, line: int, value: Any) -> int | None:
    if value is None:
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise CollectionError(path, line, f"'year' must be a number, got {value!r}") from None
    if not 1000 <= year <= 3000:
        raise CollectionError(path, line, f"'year' {year} is not a plausible year")
    return year
