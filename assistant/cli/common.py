"""What the commands share: common flags, settings from flags, the question, progress."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
from typing import TYPE_CHECKING, Any, ClassVar

from ..terminal import printable_line
from .output import print_json, warn

if TYPE_CHECKING:
    from ..service import Assistant
    from ..settings import Settings

__all__ = [
    "add_filter_flags",
    "add_k_flag",
    "add_model_flags",
    "add_store_flags",
    "filters_from_args",
    "open_assistant",
    "print_json",
    "question_from_args",
    "settings_from_args",
    "stderr_progress",
]

MAX_K = 100
BAR_WIDTH = 30
MAX_QUESTION_CHARS = 1_000_000


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
    group.add_argument(
        "--prompts-dir",
        help="folder of your own prompt files, same names and placeholders as the shipped "
        "ones (env ASSISTANT_PROMPTS_DIR)",
    )


def add_k_flag(parser: argparse.ArgumentParser, *, default: int | None, help: str) -> None:
    """``-k/--k``: how many papers (1–100)."""
    parser.add_argument("-k", "--k", type=int, default=default, metavar="N", help=help)


def check_k(k: int | None) -> None:
    """A ``-k`` outside 1–100 is a one-line ``ConfigError``."""
    from ..errors import ConfigError

    if k is not None and not 1 <= k <= MAX_K:
        limit = f"at least 1, got {k}" if k < 1 else f"at most {MAX_K}, got {k}"
        raise ConfigError(f"--k must be {limit}")


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (where the collection has the metadata)")
    group.add_argument("--year", type=int, help="only papers of this year")
    group.add_argument("--since", type=int, help="only papers of this year or later")
    group.add_argument("--until", type=int, help="only papers of this year or earlier")
    group.add_argument("--author", help="only papers with an author whose name contains this")


def filters_from_args(args: argparse.Namespace) -> dict[str, object] | None:
    where = {name: getattr(args, name) for name in ("year", "since", "until", "author")}
    return {name: value for name, value in where.items() if value is not None} or None


def question_from_args(args: argparse.Namespace) -> str:
    """The question argument, or standard input when it is absent or ``-``."""
    from ..errors import ConfigError
    from ..terminal import repaired

    question = args.question
    if question is None or question == "-":
        stdin = sys.stdin
        if stdin is None or stdin.isatty():
            raise ConfigError(
                "no question given: pass it as an argument or pipe it in (echo … | assistant ask)"
            )
        # Bounded: `< /dev/zero` or a file piped by mistake must not fill the memory.
        question = stdin.read(MAX_QUESTION_CHARS + 1)
        if len(question) > MAX_QUESTION_CHARS:
            raise ConfigError(
                f"the question on standard input is longer than {MAX_QUESTION_CHARS:,} "
                "characters; pipe in the question, not a document"
            )
    question = repaired(question)
    if not question.strip():
        raise ConfigError("the question is empty; type what you want to know")
    return question


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from flags over environment over the config file."""
    from ..settings import Settings

    names = ("home", "chroma_url", "collection", "model", "base_url", "k", "prompts_dir")
    settings = Settings.load({name: getattr(args, name, None) for name in names}, from_flags=True)
    if getattr(args, "model", None) and settings.endpoint_url is None:
        warn(
            "--model is ignored: no model endpoint is configured (answers are extractive); "
            "set ASSISTANT_BASE_URL or --base-url"
        )
    return settings


def open_assistant(args: argparse.Namespace) -> Assistant:
    from ..service import Assistant

    return Assistant(settings_from_args(args), progress=stderr_progress())


class stderr_progress:
    """A progress callback: a bar on a terminal, a few plain lines otherwise."""

    unfinished: ClassVar[Any] = None
    """The stream whose last line is a bar still growing (see ``end_progress_line``)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        # A terminal that cannot show block characters (not UTF-8) gets an ASCII bar.
        self.bar_full, self.bar_empty = ("█", "░") if can_encode(self.stream, "█░·") else "#-"
        self._last_reported = -1
        self._started: dict[str, float] = {}

    def __call__(self, done: int, total: int, label: str) -> None:
        if total <= 0:
            return
        label = printable_line(label)
        rate = rate_text(done, total, self._rate(done, label))
        if self.bar_full == "#":
            rate = rate.replace(" · ", " - ")
        if self.tty:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{self._bar_line(done, total, label, rate)}{end}")
            self.stream.flush()
            stderr_progress.unfinished = None if end else self.stream
            return
        # Not a terminal (CI logs, pipes): one line per quarter.
        quarter = 4 * done // total
        if quarter != self._last_reported:
            self._last_reported = quarter
            self.stream.write(f"{label}: {done}/{total}{rate}\n")
            self.stream.flush()

    def _bar_line(self, done: int, total: int, label: str, rate: str) -> str:
        """The bar's line, no wider than the terminal: a wrapped line would not be redrawn
        by the carriage return, and a narrow terminal would fill with copies of it."""
        columns = max(shutil.get_terminal_size((80, 24)).columns, 2)
        counts = f" {done}/{total}{rate}"
        width = max(0, min(BAR_WIDTH, columns - 2 - len(label) - len(counts)))
        filled = width * done // total
        bar = " " + self.bar_full * filled + self.bar_empty * (width - filled) if width else ""
        return f"{label}{bar}{counts}"[: columns - 1]

    def _rate(self, done: int, label: str) -> float | None:
        """Items per second since this label's first report."""
        now = time.monotonic()
        started = self._started.setdefault(label, now)
        return done / (now - started) if done and now > started else None


def end_progress_line() -> None:
    """End a bar's unfinished line, so an error or "interrupted" starts a line of its own."""
    stream, stderr_progress.unfinished = stderr_progress.unfinished, None
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            stream.write("\n")
            stream.flush()


def can_encode(stream: Any, text: str) -> bool:
    """Whether ``stream``'s encoding can write ``text`` as it is."""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def rate_text(done: int, total: int, rate: float | None) -> str:
    """ " · 41/s · 2m05s left" once a rate is known."""
    if not rate:
        return ""
    left = int((total - done) / rate)
    eta = f"{left // 60}m{left % 60:02d}s" if left >= 60 else f"{left}s"
    return f" · {rate:.0f}/s · {eta} left" if done < total else f" · {rate:.0f}/s"
