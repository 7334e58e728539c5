"""BibTeX (``.bib``) through bibtexparser 2, LaTeX accents and braces decoded to Unicode.

Only the fields a paper keeps are decoded, each once, after the authors are split (a braced
``{Barnes and Noble}`` stays one author): LaTeX decoding is slow, and a 20,000-entry export
is read twice (validated, then embedded)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CollectionError
from .base import Record, make_record, read_text
from .markup import latex_to_text

_ESCAPED_SPECIAL = re.compile(r"\\([_%&#~$])")

if TYPE_CHECKING:
    from bibtexparser import Library
    from bibtexparser.model import Block


def read_bibtex(path: Path) -> Iterator[Record]:
    library = _parse(read_text(path))
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
            _text(fields.get("title")),
            _text(fields.get("abstract")),
            authors=_authors(authors if isinstance(authors, list) else [authors]),
            year=fields.get("year") or fields.get("date"),
            url=_verbatim(fields.get("url")),
            doi=_verbatim(fields.get("doi")),
            venue=_text(fields.get("journal") or fields.get("booktitle")),
        )


def _parse(text: str) -> Library:
    """The file's blocks, a repeated citation key or field forgiven, then decoded."""
    import bibtexparser
    from bibtexparser import middlewares

    # bibtexparser logs every block it does not know; the failed ones are reported above.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    split = bibtexparser.parse_string(text, parse_stack=[])
    library = bibtexparser.Library(_forgiven(split.blocks))
    stack = [*middlewares.default_parse_stack(), middlewares.SeparateCoAuthors()]
    for middleware in stack:
        library = middleware.transform(library)
    return library


def _forgiven(blocks: list[Block]) -> list[Block]:
    """Libraries merged from several exports repeat citation keys, and hand-edited entries
    repeat a field. A paper is known here by its title, not its key, so a repeated key is
    no error (the entry gets a key of its own); of a repeated field the first counts, as in
    BibTeX itself, and of a repeated ``@string`` the first definition."""
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        Field,
        String,
    )

    kept: list[Block] = []
    keys: set[str] = set()
    for number, block in enumerate(blocks):
        if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
            block = block.ignore_error_block or block
        if isinstance(block, String) and any(
            isinstance(b, String) and b.key == block.key for b in kept
        ):
            continue
        if isinstance(block, Entry):
            first: dict[str, Field] = {}
            for field in block.fields:
                first.setdefault(field.key, field)
            block.fields = list(first.values())
            if block.key in keys:  # a comma cannot be part of a key read from a file
                block.key = f"{block.key},{number}"
            keys.add(block.key)
        kept.append(block)
    return kept


def _text(value: object) -> str:
    """A field's LaTeX as text; braces that protect capitals ("{BERT}") are markup too."""
    return latex_to_text(str(value or "")).replace("{", "").replace("}", "")


def _authors(names: list[object]) -> list[str]:
    """The authors as text; BibTeX's "and others" means "et al.", no author called so."""
    return [text for text in map(_text, names) if text.strip().casefold() != "others"]


def _verbatim(value: object) -> str:
    """A URL or DOI as written (``~`` is part of a URL), escaped specials unescaped."""
    return _ESCAPED_SPECIAL.sub(r"\1", str(value or "")).replace("{", "").replace("}", "")


def _line(start_line: int | None) -> int | None:
    """bibtexparser counts lines from 0 (and may not know one)."""
    return None if start_line is None else start_line + 1
