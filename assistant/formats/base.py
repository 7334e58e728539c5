"""What every format reader shares: the record types, text clean-up and lenient fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..collection import Paper, paper_id_for
from ..errors import CollectionError

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[0-2]\d\d)(?!\d)")


@dataclass(frozen=True)
class Skipped:
    """An entry left out of the collection, and why (reported, never silently dropped)."""

    title: str
    origin: str
    reason: str
    """``no abstract`` or ``duplicate title``"""


Record = Paper | Skipped


def clean(value: Any) -> str:
    """Text with runs of whitespace (line breaks in exports) folded to single spaces."""
    if value is None or isinstance(value, dict):  # an object is no text ("{'a': 1}")
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if not isinstance(v, dict))
    return " ".join(str(value).split())


def make_record(
    path: Path,
    line: int | None,
    title: Any,
    abstract: Any,
    *,
    authors: Iterable[str] = (),
    year: Any = None,
    url: Any = None,
    doi: Any = None,
    venue: Any = None,
) -> Record:
    """A paper from an export entry; an entry without an abstract becomes a ``Skipped``."""
    title_text, abstract_text = clean(title), clean(abstract)
    origin = f"{path}:{line}" if line is not None else str(path)
    if not title_text:
        return Skipped("(untitled)", origin, "no title")
    if not abstract_text:
        return Skipped(title_text, origin, "no abstract")
    return Paper(
        paper_id_for(title_text),
        title_text,
        abstract_text,
        tuple(a for a in (clean(a) for a in authors) if a),
        lenient_year(year),
        clean(url) or None,
        clean(doi) or None,
        clean(venue) or None,
        origin=origin,
    )


def lenient_year(value: Any) -> int | None:
    """The year in ``2019``, ``"2019/05/01/"``, ``"2019-05-01"``; None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2299 else None
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


@contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """Turn the ways opening a file fails into one line that names it."""
    try:
        yield
    except FileNotFoundError:
        raise CollectionError(path, None, "no such file") from None
    except IsADirectoryError:
        raise CollectionError(path, None, "is a directory; name the files in it") from None
    except OSError as exc:
        raise CollectionError(path, None, f"cannot be read ({exc.strerror})") from None


def read_text(path: Path) -> str:
    """The whole file as text (formats whose parser needs it whole)."""
    with file_errors(path):
        data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CollectionError(path, line, "not UTF-8 text; save the file as UTF-8") from None


def open_text(path: Path) -> Any:
    """The file opened for streaming line by line (large JSONL and CSV files)."""
    with file_errors(path):
        return path.open(encoding="utf-8-sig", newline="")


def decode_error(path: Path, line: int) -> CollectionError:
    return CollectionError(path, line, "not UTF-8 text; save the file as UTF-8")
