"""What every format reader shares: the record types, text clean-up and lenient fields."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..collection import Paper, paper_id_for
from ..errors import CollectionError
from .markup import html_to_text

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


def clean_text(value: Any) -> str:
    """``clean`` text with HTML/JATS tags and entities taken out (abstracts from Crossref)."""
    return " ".join(html_to_text(clean(value)).split())


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
    title_text, abstract_text = clean_text(title), clean_text(abstract)
    origin = f"{path}:{line}" if line is not None else str(path)
    if not title_text:
        return Skipped("(untitled)", origin, "no title")
    if not abstract_text:
        return Skipped(title_text, origin, "no abstract")
    return Paper(
        paper_id_for(title_text),
        title_text,
        abstract_text,
        tuple(a for a in (clean_text(a) for a in authors) if a),
        lenient_year(year),
        clean_text(url) or None,
        clean_text(doi) or None,
        clean_text(venue) or None,
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
    encoding = text_encoding(data[:4])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1 if encoding == _UTF8 else None
        raise CollectionError(path, line, _not_text(path, encoding)) from None


def stream_lines(path: Path) -> Iterator[str]:
    """The file's lines as text, read as a stream (large JSONL and CSV files), line ends
    kept as written; a byte that is no text stops the read naming its line."""
    with file_errors(path):
        handle = path.open("rb")
    with handle:
        encoding = text_encoding(handle.read(4))
        handle.seek(0)
        lines_read = 0
        try:
            for text in io.TextIOWrapper(handle, encoding, newline=""):
                lines_read += 1
                yield text
        except UnicodeDecodeError:
            # The decoder works a block ahead of the lines handed out: find the line.
            bad = _first_undecodable_line(path) if encoding == _UTF8 else lines_read + 1
            raise CollectionError(path, bad, _not_text(path, encoding)) from None


_UTF8 = "utf-8-sig"  # a byte-order mark, which Excel's "CSV UTF-8" writes, is no text
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def text_encoding(head: bytes) -> str:
    """The encoding of a file that starts with ``head``: UTF-16 when it opens with that
    byte-order mark (Excel's "Unicode Text", some Windows tools), else UTF-8."""
    if head[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "utf-32"
    return "utf-16" if head[:2] in _UTF16_MARKS else _UTF8


def _first_undecodable_line(path: Path) -> int | None:
    with file_errors(path), path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _not_text(path: Path, encoding: str) -> str:
    if encoding != _UTF8:
        return f"not {encoding.upper()} text, though it opens with that byte-order mark"
    if path.suffix.lower() in {".csv", ".tsv", ".tab"}:  # Excel's plain "CSV" is not UTF-8
        return "not UTF-8 text; save the file as UTF-8 (Excel: Save As → CSV UTF-8)"
    return "not UTF-8 text; save the file as UTF-8"
