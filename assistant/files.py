"""Small file-system steps the store relies on: moving a damaged file aside, atomic writes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any


def move_aside(path: Path) -> Path:
    """Rename a damaged file or directory to ``<name>.damaged-<time>`` (kept, not deleted:
    it may still hold something a person wants back) and return the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, target)
    return target


def write_json_atomically(path: Path, value: Any) -> None:
    """Write JSON so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, temporary.with_name(path.name))
