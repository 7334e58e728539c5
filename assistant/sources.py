"""Collection files as ingest sees them: a validating first pass, then a streaming second.

The first pass reads a whole file and checks every entry; what it takes of each paper (id,
content hash, where it is in the file) goes to a ``PaperRegistry``, so a malformed file
stops before anything is written. An ingest registers papers on disk (``ingest_plan``),
which keeps memory flat however large the file; small reads use a dictionary. The second
pass yields the papers again, one at a time, for embedding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .collection import Paper
from .errors import CollectionError
from .formats import STRICT_FORMATS, Skipped, detect_format, read_records
from .formats.base import file_errors


class PaperRegistry(Protocol):
    """Where the validating pass records the papers it takes. A paper is known by its id
    (which comes from its normalised title) and found again by ``(file, entry)``: the
    file's number in the ingest and the entry's position among the file's records."""

    def take(self, paper_id: str, content_hash: str, file: int, entry: int) -> tuple[int, int]:
        """Record a paper, unless one with this id was taken already; where the paper with
        this id was taken (``(file, entry)`` of this call when it is new)."""
        ...

    def is_taken(self, paper_id: str, file: int, entry: int) -> bool:
        """Whether this entry is the one taken for ``paper_id``."""
        ...


@dataclass
class SourceFile:
    """One collection file after its validating pass."""

    path: Path
    format: str
    sha256: str
    number: int = 0
    """The file's position among the files of one ingest (its ``file`` in the registry)."""
    papers: int = 0
    """How many entries the registry took from the file."""
    skipped: list[Skipped] = field(default_factory=list)


class TakenInMemory(dict[str, tuple[int, int, str]]):
    """A ``PaperRegistry`` in a dictionary (``paper_id -> (file, entry, content hash)``),
    for reads that keep every paper anyway."""

    def take(self, paper_id: str, content_hash: str, file: int, entry: int) -> tuple[int, int]:
        first = self.setdefault(paper_id, (file, entry, content_hash))
        return first[0], first[1]

    def is_taken(self, paper_id: str, file: int, entry: int) -> bool:
        return self.get(paper_id, (-1, -1, ""))[:2] == (file, entry)


def scan_sources(
    paths: Iterable[str | Path],
    format_name: str | None = None,
    registry: PaperRegistry | None = None,
    *,
    recorded_formats: Mapping[str, str] | None = None,
) -> list[SourceFile]:
    """Validate every file; titles must be unique across them (exports: later copies are
    skipped, this project's own formats: an error). Without ``format_name``, a file in
    ``recorded_formats`` (by resolved path) is read as the format it was first read as (a
    ``refs.txt`` ingested with ``--format tsv`` is no title/abstract page next time)."""
    registry = TakenInMemory() if registry is None else registry
    recorded_formats = recorded_formats or {}
    sources: list[SourceFile] = []
    # A file named twice (`ingest *.bib refs.bib`, a link to it) is read once: its papers
    # are not duplicates of themselves.
    for path in dict.fromkeys(_resolved(Path(p)) for p in paths):
        fmt = format_name or recorded_formats.get(str(path))
        sources.append(scan_source(path, fmt, registry, sources))
    return sources


# A file is read twice (checked, then indexed) and again by later repairs and rebuilds.
_ONCE_ONLY = "is read twice (checked, then indexed) and kept on record; save it to a file first"


def _resolved(path: Path) -> Path:
    if str(path) == "-":
        raise CollectionError(path, None, f"standard input {_ONCE_ONLY}")
    try:
        with file_errors(path):
            if path.is_fifo() or path.is_char_device():  # `<(zcat refs.bib.gz)`, a pipe
                raise CollectionError(path, None, f"is a pipe, not a file: it {_ONCE_ONLY}")
            return path.resolve()
    except RuntimeError:  # before Python 3.13, a loop of links raises this
        raise CollectionError(path, None, "is a link in a loop of links; name the file") from None


def scan_source(
    path: Path,
    format_name: str | None,
    registry: PaperRegistry,
    earlier: list[SourceFile] | None = None,
) -> SourceFile:
    """Validate one file, registering the papers it adds to those of ``earlier`` files."""
    fmt = detect_format(path, format_name)
    files = [*(earlier or []), SourceFile(_resolved(path), fmt, file_sha256(path))]
    source = files[-1]
    source.number = len(files) - 1
    strict = fmt in STRICT_FORMATS
    for entry, record in enumerate(read_records(path, fmt)):
        if isinstance(record, Skipped):
            source.skipped.append(record)
            continue
        first = registry.take(record.paper_id, record.content_hash, source.number, entry)
        if first == (source.number, entry):
            source.papers += 1
        elif strict:
            raise _duplicate(record, files[first[0]], first[1], path)
        else:
            source.skipped.append(Skipped(record.title, record.origin, "duplicate title"))
    # A file whose papers all came in an earlier file (a sub-collection exported beside the
    # whole library) is no mistake; one with no paper at all is.
    if not source.papers and not any(s.reason == "duplicate title" for s in source.skipped):
        if source.skipped:
            raise CollectionError(
                path, None, f"none of its {len(source.skipped)} entries has an abstract"
            )
        raise CollectionError(path, None, "holds no papers")
    return source


def _duplicate(record: Paper, first_file: SourceFile, first_entry: int, path: Path) -> Exception:
    """The error for a title seen before; finding where means reading that file again, which
    is fine: the ingest stops here."""
    first = next(
        (
            r.origin
            for i, r in enumerate(read_records(first_file.path, first_file.format))
            if i == first_entry
        ),
        str(first_file.path),
    )
    if first.rpartition(":")[0] == str(path):
        first = f"line {first.rpartition(':')[2]}"
    file, _, line = record.origin.rpartition(":")
    return CollectionError(file, int(line), f"duplicate title {record.title!r} (first at {first})")


def iter_papers(source: SourceFile, registry: PaperRegistry) -> Iterator[Paper]:
    """The papers the validating pass took from ``source``, read again (the file must be
    unchanged)."""
    for entry, record in enumerate(read_records(source.path, source.format)):
        if isinstance(record, Paper) and registry.is_taken(record.paper_id, source.number, entry):
            yield record


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with file_errors(path), path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_collection(paths: Iterable[str | Path], format_name: str | None = None) -> list[Paper]:
    """Read every file (any supported format) whole; titles must be unique overall."""
    registry = TakenInMemory()
    sources = scan_sources(paths, format_name, registry)
    return [paper for source in sources for paper in iter_papers(source, registry)]


def load_file(path: Path, format_name: str | None = None) -> list[Paper]:
    """One collection file; the format is chosen by its suffix unless named."""
    return load_collection([path], format_name)
