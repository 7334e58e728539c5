"""Collection files as ingest sees them: a validating first pass, then a streaming second.

The first pass reads a whole file, checks every entry and keeps only ids and hashes, so a
malformed file stops before anything is written and memory stays flat however large the
file. The second pass yields the papers again, one at a time, for embedding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .collection import Paper, normalize_title
from .errors import CollectionError
from .formats import STRICT_FORMATS, Skipped, detect_format, read_records
from .formats.base import file_errors


@dataclass
class SourceFile:
    """One collection file after its validating pass."""

    path: Path
    format: str
    sha256: str
    papers: dict[str, tuple[str, str]] = field(default_factory=dict)
    """``paper_id -> (content hash, origin)`` of the entries taken from the file."""
    skipped: list[Skipped] = field(default_factory=list)


def scan_sources(paths: Iterable[str | Path], format_name: str | None = None) -> list[SourceFile]:
    """Validate every file; titles must be unique across them (exports: later copies are
    skipped, this project's own formats: an error)."""
    seen: dict[str, str] = {}  # normalised title -> origin
    sources = []
    for path in map(Path, paths):
        sources.append(scan_source(path, format_name, seen))
    return sources


def scan_source(path: Path, format_name: str | None, seen: dict[str, str]) -> SourceFile:
    fmt = detect_format(path, format_name)
    source = SourceFile(path.resolve(), fmt, file_sha256(path))
    strict = fmt in STRICT_FORMATS
    for record in read_records(path, fmt):
        if isinstance(record, Skipped):
            source.skipped.append(record)
            continue
        key = normalize_title(record.title)
        if key in seen:
            if strict:
                first = seen[key]
                if first.rpartition(":")[0] == str(path):
                    first = f"line {first.rpartition(':')[2]}"
                file, _, line = record.origin.rpartition(":")
                raise CollectionError(
                    file, int(line), f"duplicate title {record.title!r} (first at {first})"
                )
            source.skipped.append(Skipped(record.title, record.origin, "duplicate title"))
            continue
        seen[key] = record.origin
        source.papers[record.paper_id] = (record.content_hash, record.origin)
    if not source.papers:
        if source.skipped:
            raise CollectionError(
                path, None, f"none of its {len(source.skipped)} entries has an abstract"
            )
        raise CollectionError(path, None, "holds no papers")
    return source


def iter_papers(source: SourceFile) -> Iterator[Paper]:
    """The papers the validating pass accepted, read again (the file must be unchanged)."""
    for record in read_records(source.path, source.format):
        if isinstance(record, Paper):
            taken = source.papers.get(record.paper_id)
            if taken is not None and taken[1].endswith(f":{record.origin.rpartition(':')[2]}"):
                yield record


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with file_errors(path), path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_collection(paths: Iterable[str | Path], format_name: str | None = None) -> list[Paper]:
    """Read every file (any supported format) whole; titles must be unique overall."""
    return [paper for source in scan_sources(paths, format_name) for paper in iter_papers(source)]


def load_file(path: Path, format_name: str | None = None) -> list[Paper]:
    """One collection file; the format is chosen by its suffix unless named."""
    return load_collection([path], format_name)
