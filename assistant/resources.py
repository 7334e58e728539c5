"""Files shipped with the package: prompts, the bundled seed papers, the tokenizer.

An installed wheel carries prompts/ and seeds/ inside the package; a source checkout
(editable install) keeps them at the top level, so both places are looked at.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """The directory of a shipped resource: ``prompts``, ``seeds`` or ``models``."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"packaged resource {name!r} is missing; reinstall the package")


def bundled_seed_files() -> list[Path]:
    """The collection that ships with the package (290 paper abstracts)."""
    return sorted(p for p in resource_path("seeds").iterdir() if p.suffix in {".txt", ".jsonl"})
