"""Everything the commands print goes through here: sanitised, credential-masked, coloured
only on a terminal that wants colour.

Colour follows the usual conventions: never when the stream is not a terminal, never when
``NO_COLOR`` is set (https://no-color.org) or ``--no-color`` is given.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import IO, TYPE_CHECKING, Any

from ..redaction import mask_credentials
from ..terminal import BIDI_CONTROLS, printable

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

# Characters json.dumps(ensure_ascii=False) leaves raw although a terminal would act on them
# (DEL, C1 controls, bidi overrides) or could not encode them (lone surrogates).
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def safe(text: object) -> str:
    """Text fit for the terminal: controls escaped, credentials in URLs masked."""
    return printable(mask_credentials(str(text)))


def wants_color(args: argparse.Namespace | None, stream: IO[str] | None = None) -> bool:
    """Colour on a terminal, unless ``--no-color`` or ``NO_COLOR`` says otherwise."""
    stream = stream or sys.stdout
    if args is not None and getattr(args, "no_color", False):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def console(stream: IO[str] | None = None) -> Console:
    """A Rich console writing to ``stream`` (stdout by default) with colour forced on."""
    from rich.console import Console
    from rich.theme import Theme

    # Bold text in answers is a citation marker (see render.emphasised_citations).
    theme = Theme({"markdown.strong": "bold cyan"})
    return Console(file=stream or sys.stdout, force_terminal=True, highlight=False, theme=theme)


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
