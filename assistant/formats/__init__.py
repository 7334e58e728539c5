"""Readers for the formats researchers export, picked by file extension (or by name).

Each reader yields ``Paper`` records and ``Skipped`` entries (no abstract, duplicates in an
export) and raises ``CollectionError`` naming ``file:line`` for a malformed file. Readers
stream where the format allows it; callers validate a whole file before writing anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import CollectionError
from .base import Record, Skipped, text_encoding
from .bibtex import read_bibtex
from .csljson import read_csl_json
from .jsonl import read_arxiv, read_jsonl
from .medline import is_medline, read_medline
from .ris import read_ris
from .seedpage import read_title_abstract_lines
from .tabular import is_table_header, read_csv, read_tsv

__all__ = ["FORMATS", "Record", "Skipped", "detect_format", "read_records"]

Reader = Callable[[Path], Iterator[Record]]

FORMATS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "arxiv": read_arxiv,
    "txt": read_title_abstract_lines,
    "bibtex": read_bibtex,
    "ris": read_ris,
    "csl-json": read_csl_json,
    "csv": read_csv,
    "tsv": read_tsv,
    "medline": read_medline,
}
"""Format names for ``--format``."""

# Formats this project defines: a problem in them is a mistake to fix, not an export quirk.
STRICT_FORMATS = frozenset({"jsonl", "txt"})

_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "txt",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".nbib": "medline",
    ".medline": "medline",
}


def detect_format(path: Path, override: str | None = None) -> str:
    """The format of ``path``: ``override`` if given, else by extension. A ``.json`` file
    that is a list is CSL-JSON; one holding JSON lines is the arXiv snapshot or JSONL."""
    if override:
        if override not in FORMATS:
            raise CollectionError(
                path, None, f"unknown format {override!r}; use one of {', '.join(FORMATS)}"
            )
        return override
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "jsonl" if _is_json_lines(path) else "csl-json"
    if suffix == ".txt" and _is_table_header(_head(path)):
        return "tsv"  # Excel's "Text (Tab delimited)" and "Unicode Text" are .txt files
    if suffix == ".txt" and is_medline(_head(path)):
        return "medline"  # PubMed's "Save → Format: PubMed"
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if path.is_dir():
        raise CollectionError(path, None, "is a directory; name the files in it")
    if not path.exists():  # a typo, before any talk of formats
        raise CollectionError(path, None, "no such file")
    raise CollectionError(
        path,
        None,
        "unknown format; use .bib, .ris, .nbib, .json (CSL-JSON), .csv/.tsv, .jsonl or .txt, "
        "or name one with --format",
    )


def read_records(path: Path, format_name: str) -> Iterator[Record]:
    """Stream the records of one file in the given format."""
    return FORMATS[format_name](path)


def _head(path: Path) -> str:
    """The first few thousand characters of the file (what telling formats apart needs)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise CollectionError(path, None, "no such file") from None
    except OSError as exc:
        raise CollectionError(path, None, f"cannot be read ({exc.strerror})") from None
    return head.decode(text_encoding(head), errors="ignore")


def _is_json_lines(path: Path) -> bool:
    """Whether the file's first line is a whole JSON object (JSON Lines, the arXiv snapshot),
    not the start of a document (a list, a pretty-printed API response)."""
    head = _head(path).lstrip("\ufeff \t\r\n")
    if head[:1] != "{":
        return False
    try:
        with path.open("rb") as handle:
            first = b""
            while not first.strip():  # the first line that is not blank
                first = handle.readline()
                if not first:
                    return False
        json.loads(first.decode(text_encoding(first), errors="replace"))
    except (OSError, ValueError, RecursionError):
        return False
    return True


def _is_table_header(head: str) -> bool:
    lines = head.lstrip("\ufeff").splitlines()
    return bool(lines) and is_table_header(lines[0], "\t")
