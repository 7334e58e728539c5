"""BibTeX (``.bib``) through bibtexparser 2, LaTeX accents and braces decoded to Unicode."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from ..errors import CollectionError
from .base import Record, make_record, read_text


def read_bibtex(path: Path) -> Iterator[Record]:
    import bibtexparser
    from bibtexparser import middlewares

    text = read_text(path)
    # bibtexparser logs every block it does not know; the failed ones are reported below.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
        ],
    )
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise CollectionError(
            path, _line(block.start_line), "malformed BibTeX entry (unbalanced braces or quotes?)"
        )
    for entry in library.entries:
        fields = {f.key.casefold(): f.value for f in entry.fields}
        authors = fields.get("author", [])
        yield make_record(
            path,
            _line(entry.start_line),
            _unbrace(fields.get("title")),
            _unbrace(fields.get("abstract")),
            authors=[_unbrace(a) for a in (authors if isinstance(authors, list) else [authors])],
            year=fields.get("year") or fields.get("date"),
            url=fields.get("url"),
            doi=fields.get("doi"),
            venue=_unbrace(fields.get("journal") or fields.get("booktitle")),
        )


def _unbrace(value: object) -> str:
    """Braces that protect capitals ("{BERT}") are markup, not text."""
    return str(value or "").replace("{", "").replace("}", "")


def _line(start_line: int | None) -> int | None:
    """bibtexparser counts lines from 0 (and may not know one)."""
    return None if start_line is None else start_line + 1
