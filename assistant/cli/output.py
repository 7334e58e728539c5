"""Everything the commands print goes through here: sanitised, credential-masked, coloured
only on a terminal that wants colour.

Colour follows the usual conventions: never when the stream is not a terminal (unless
``FORCE_COLOR`` is set), never when ``NO_COLOR`` is set (https://no-color.org), ``TERM`` is
``dumb`` or ``--no-color`` is given.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from ..errors import AssistantError
from ..redaction import mask_credentials
from ..terminal import BIDI_CONTROLS, printable, printable_line

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

# Characters json.dumps(ensure_ascii=False) leaves raw although a terminal would act on them
# (DEL, C1 controls, bidi overrides) or could not encode them (lone surrogates).
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


FALLBACK_WIDTH = 80
"""Columns assumed when the environment claims a terminal with none."""


def safe(text: object) -> str:
    """Text fit for the terminal: controls escaped, credentials in URLs masked."""
    return printable(mask_credentials(str(text)))


def one_line(text: object) -> str:
    """A field that is one line (a title, a model name): like ``safe``, and line breaks and
    tabs shown escaped too, so data cannot start a line of its own that reads as ours."""
    return printable_line(mask_credentials(str(text)))


def wants_color(args: argparse.Namespace | None, stream: IO[str] | None = None) -> bool:
    """Colour on a terminal, unless ``--no-color``, ``NO_COLOR`` or ``TERM=dumb`` (a terminal
    that cannot move its cursor or change colour) says otherwise; ``FORCE_COLOR`` asks for
    it where stdout is no terminal (a CI log)."""
    stream = stream or sys.stdout
    if args is not None and getattr(args, "no_color", False):
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0", "false"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def console(stream: IO[str] | None = None) -> Console:
    """A Rich console writing to ``stream`` (stdout by default) with colour forced on."""
    from rich.console import Console
    from rich.theme import Theme

    # Bold text in answers is a citation marker (see render.emphasised_citations).
    theme = Theme({"markdown.strong": "bold cyan"})
    rich = Console(file=stream or sys.stdout, force_terminal=True, highlight=False, theme=theme)
    if rich.width < 1:  # COLUMNS=0: Rich would render every line as nothing at all
        rich.width = FALLBACK_WIDTH
    return rich


def say(text: object = "", *, file: IO[str] | None = None) -> None:
    """Print one line (or several), made safe."""
    print(safe(text), file=file or sys.stdout)


def warn(text: str) -> None:
    """A ``warning: …`` line on stderr."""
    print(f"warning: {safe(text)}", file=sys.stderr)


def json_text(value: Any) -> str:
    """``value`` as indented JSON with every control character escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(value: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json_text(value) + "\n")


class OutputFailed(AssistantError):
    """Standard output cannot be written: a full disk, a closed or failing device."""


class _CheckedOutput:
    """A stream whose write failures are an ``OutputFailed`` (a pipe closed by its reader,
    ``| head``, stays a ``BrokenPipeError``: that is how such a reader says it has enough)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with _output_failure():
            return self._stream.write(text)

    def flush(self) -> None:
        with _output_failure():
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _output_failure() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputFailed(
            f"cannot write to standard output ({reason}); check where it goes (a full disk, "
            "a closed file)"
        ) from None


@contextlib.contextmanager
def checked_stdout() -> Iterator[None]:
    """While the command runs, a failing stdout raises ``OutputFailed`` (one line on stderr)
    instead of an ``OSError`` that would read as a bug; ``sys.stdout`` is restored after."""
    original = sys.stdout
    if original is None:  # started with stdout closed (`>&-`)
        raise OutputFailed("standard output is closed; run the command with an output")
    sys.stdout = _CheckedOutput(original)
    try:
        yield
    finally:
        sys.stdout = original


def discard_unwritten_output() -> None:
    """Point stdout at the null device, so that the interpreter's last flush of what could
    not be written adds no second error at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
