"""Writing paper files for tests: one JSON object a line, as ``ingest`` reads them."""

from __future__ import annotations

import json
from pathlib import Path


def write_jsonl(path: Path, records: list[object]) -> Path:
    """``records`` as JSON lines at ``path`` (UTF-8); returns ``path``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
