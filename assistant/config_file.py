"""Writing one key of the TOML config file, keeping everything else in it as it was.

The chat app saves the chosen theme this way; the settings loader reads it back like any
other key. Only a one-line ``key = "value"`` is written or replaced: where the file sets the
key already, else in the ``[assistant]`` table when the file has one, else at the top level.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import ConfigError
from .files import replace_text
from .settings_sources import TOML_TABLES

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def set_config_value(path: Path, key: str, value: str) -> None:
    """Set ``key = "value"`` in the TOML file at ``path`` (created if missing)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ValueError(f"not a bare TOML key: {key!r}")
    # A JSON string of printable text is a valid TOML basic string.
    line = f"{key} = {json.dumps(value, ensure_ascii=True)}"
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        # A full disk or a crash mid-write leaves the user's settings as they were.
        replace_text(path, "\n".join(_with_key(text.splitlines(), key, line)) + "\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(
            f"{path}: cannot save {key} ({reason.lower()}); make the file and its folder "
            "writable, or set ASSISTANT_CONFIG to a file you can write"
        ) from None


def _with_key(lines: list[str], key: str, line: str) -> list[str]:
    """``lines`` with ``key`` set where the loader reads it: replaced where the file already
    sets it (the top level or any table of settings: the loader refuses a key set twice),
    else added to ``[assistant]`` if the file has that table, else to the top level."""
    tables = [(i, m.group(1)) for i, text in enumerate(lines) if (m := _TABLE.match(text))]
    assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for section in (None, *TOML_TABLES):
        start, end = _section(lines, tables, section)
        for i in range(start, end):
            if assignment.match(lines[i]):
                return [*lines[:i], line, *lines[i + 1 :]]
    target = "assistant" if any(name == "assistant" for _, name in tables) else None
    start, end = _section(lines, tables, target)
    # Append at the end of the section, before any blank lines that close it.
    insert = end
    while insert > start and not lines[insert - 1].strip():
        insert -= 1
    return [*lines[:insert], line, *lines[insert:]]


def _section(lines: list[str], tables: list[tuple[int, str]], name: str | None) -> tuple[int, int]:
    """First and past-the-last line of the top level (``None``) or of table ``name``."""
    if name is None:
        return 0, tables[0][0] if tables else len(lines)
    for position, (index, table) in enumerate(tables):
        if table == name:
            following = tables[position + 1][0] if position + 1 < len(tables) else len(lines)
            return index + 1, following
    return len(lines), len(lines)
