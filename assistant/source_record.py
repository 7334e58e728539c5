"""The record a collection keeps of where its papers came from, beside the store.

``<home>/library/<store>-<collection>.json`` lists the source files (path, sha256, format,
paper count), the papers removed by hand (so a rebuild does not bring them back) and how
many papers the last ingest set out to hold (so an interrupted one is noticed). It lives
outside the Chroma files on purpose: a damaged store can be rebuilt from it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .files import write_json_atomically
from .settings import Settings
from .store import store_key

BUNDLED = "(bundled papers)"
"""The path recorded for the papers that ship with the package."""
_lock = threading.Lock()


@dataclass
class RecordedSource:
    path: str
    sha256: str
    format: str
    papers: int
    ingested_at: str = ""


@dataclass
class SourceRecord:
    """What a collection was built from."""

    sources: list[RecordedSource] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Paper ids removed with ``assistant remove`` (a rebuild leaves them out)."""
    expected_papers: int = 0
    """How many papers the collection holds once the last ingest finishes."""

    @property
    def only_bundled(self) -> bool:
        """Nothing but the bundled papers was ever put in (or nothing at all)."""
        return all(s.path == BUNDLED for s in self.sources)

    def source_paths(self) -> list[str]:
        return [s.path for s in self.sources]

    def add_sources(self, sources: list[RecordedSource]) -> None:
        """Record these files: a file recorded before keeps its place (re-reading the files
        takes a title from the first file holding it, so the order must not change when a
        file is ingested again), new ones come last."""
        fresh = {s.path: s for s in sources}
        self.sources = [fresh.pop(s.path, s) for s in self.sources] + list(fresh.values())


def record_path(settings: Settings, collection: str | None = None) -> Path:
    return settings.home / "library" / f"{store_key(settings, collection)}.json"


def load_record(settings: Settings, collection: str | None = None) -> SourceRecord:
    """The record of ``collection`` (default: the configured one); an empty record when
    there is none or it is unreadable."""
    path = record_path(settings, collection)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return SourceRecord(
            sources=[RecordedSource(**s) for s in data.get("sources", [])],
            removed=list(data.get("removed", [])),
            expected_papers=int(data.get("expected_papers", 0)),
        )
    except (OSError, ValueError, TypeError):
        return SourceRecord()


def save_record(settings: Settings, record: SourceRecord, collection: str | None = None) -> None:
    """Write the record of ``collection`` (default: the configured one)."""
    with _lock:
        write_json_atomically(record_path(settings, collection), asdict(record))


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")
