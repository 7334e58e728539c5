"""PubMed's MEDLINE format (``.nbib`` from "Send to → Citation manager", or a ``.txt`` saved
with "Format: PubMed"): ``TAG - value`` lines, four-character tags, values continued on
lines indented by six spaces, a blank line between records. Read as a stream."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import CollectionError
from .base import Record, make_record, stream_lines

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_DOI = re.compile(r"^(\S+)\s*\[doi\]$")


def read_medline(path: Path) -> Iterator[Record]:
    """The records of a MEDLINE file."""
    fields: dict[str, list[str]] = {}
    start, tag = 0, ""
    for number, raw in enumerate(stream_lines(path), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if fields:
                yield _record(path, start, fields)
            fields = {}
            continue
        if line.startswith("      ") and fields:  # the value of the line before, continued
            fields[tag][-1] += " " + line.strip()
            continue
        match = _TAG_LINE.match(line)
        if not match:
            raise CollectionError(path, number, "not a MEDLINE line (`TAG - value`)")
        if not fields:
            start = number
        tag = match.group(1)
        fields.setdefault(tag, []).append(match.group(2).strip())
    if fields:
        yield _record(path, start, fields)


def is_medline(head: str) -> bool:
    """Whether a file starting with ``head`` is MEDLINE (its first record opens with PMID)."""
    return head.lstrip("\ufeff \r\n").startswith("PMID-")


def _record(path: Path, line: int, fields: dict[str, list[str]]) -> Record:
    def first(tag: str) -> str | None:
        return fields.get(tag, [None])[0]

    pmid = first("PMID")
    dois = (_DOI.match(v) for v in fields.get("LID", []) + fields.get("AID", []))
    return make_record(
        path,
        line,
        first("TI") or first("BTI"),
        " ".join(fields.get("AB", [])),
        authors=fields.get("FAU") or fields.get("AU") or [],
        year=first("DP") or first("DEP"),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
        doi=next((m.group(1) for m in dois if m), None),
        venue=first("JT") or first("TA"),
    )
