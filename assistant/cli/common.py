"""What the commands share: common flags, settings from flags, progress on stderr, JSON out."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..service import Assistant
    from ..settings import Settings


def add_store_flags(parser: argparse.ArgumentParser) -> None:
    """Flags every command that opens the store accepts (they override env and config)."""
    group = parser.add_argument_group("store")
    group.add_argument("--home", help="data directory (env ASSISTANT_HOME)")
    group.add_argument("--chroma-url", help="Chroma server URL (env ASSISTANT_CHROMA_URL)")
    group.add_argument("--collection", help="collection name (env ASSISTANT_COLLECTION)")


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    """Flags of the commands that talk to a model endpoint."""
    group = parser.add_argument_group("model")
    group.add_argument("--model", "-m", help="model name (env ASSISTANT_MODEL)")
    group.add_argument("--base-url", help="OpenAI-compatible endpoint (env ASSISTANT_BASE_URL)")


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (where the collection has the metadata)")
    group.add_argument("--year", type=int, help="only papers of this year")
    group.add_argument("--since", type=int, help="only papers of this year or later")
    group.add_argument("--until", type=int, help="only papers of this year or earlier")
    group.add_argument("--author", help="only papers with an author whose name contains this")


def filters_from_args(args: argparse.Namespace) -> dict[str, object] | None:
    where = {name: getattr(args, name) for name in ("year", "since", "until", "author")}
    return {name: value for name, value in where.items() if value is not None} or None


def settings_from_args(args: argparse.Namespace) -> Settings:
    from ..settings import Settings

    names = ("home", "chroma_url", "collection", "model", "base_url", "k")
    return Settings.load({name: getattr(args, name, None) for name in names})


def open_assistant(args: argparse.Namespace) -> Assistant:
    from ..service import Assistant

    return Assistant(settings_from_args(args), progress=stderr_progress())


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


class stderr_progress:
    """A progress callback: a bar on a terminal, a few plain lines otherwise."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_reported = -1
        self._started: dict[str, float] = {}

    def __call__(self, done: int, total: int, label: str) -> None:
        if total <= 0:
            return
        rate = self._rate(done, label)
        if self.tty:
            width = 30
            filled = width * done // total
            bar = "█" * filled + "░" * (width - filled)
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{label} {bar} {done}/{total}{rate_text(done, total, rate)}{end}")
            self.stream.flush()
            return
        # Not a terminal (CI logs, pipes): one line per quarter.
        quarter = 4 * done // total
        if quarter != self._last_reported:
            self._last_reported = quarter
            self.stream.write(f"{label}: {done}/{total}{rate_text(done, total, rate)}\n")
            self.stream.flush()

    def _rate(self, done: int, label: str) -> float | None:
        """Items per second since this label's first report."""
        now = time.monotonic()
        started = self._started.setdefault(label, now)
        return done / (now - started) if done and now > started else None


def rate_text(done: int, total: int, rate: float | None) -> str:
    """ " · 41/s · 2m05s left" once a rate is known."""
    if not rate:
        return ""
    left = int((total - done) / rate)
    eta = f"{left // 60}m{left % 60:02d}s" if left >= 60 else f"{left}s"
    return f" · {rate:.0f}/s · {eta} left" if done < total else f" · {rate:.0f}/s"
