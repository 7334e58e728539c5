"""``assistant`` command line: one module per command, each a thin user of the public API.

Heavy modules (chromadb, onnxruntime, textual, openai, rich) are imported inside the
commands, so ``assistant --help`` stays fast. The command modules themselves are imported by
``main`` inside its handlers, so a Ctrl+C while they load ends like any other: one line.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from ..errors import AssistantError
from .common import end_progress_line
from .failures import report_crash, report_error
from .output import checked_stdout, discard_unwritten_output

COMMAND_NAMES = (
    "ask",
    "search",
    "chat",
    "history",
    "ingest",
    "remove",
    "papers",
    "collections",
    "evaluate",
    "doctor",
    "completion",
)
DISTRIBUTION = "paper-assistant"
UNENCODABLE = "assistant-escape"
"""Error handler of stdout/stderr when their encoding cannot hold every character."""


def package_version() -> str:
    """The installed version, or the source tree's when running from a checkout."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            import tomllib

            return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
        except (OSError, KeyError, ValueError, ImportError):
            return "unknown"


class UsageError(AssistantError):
    """The command line itself is wrong (an unknown flag, a value of the wrong type)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake on the command line told in one line (argparse prints its
    whole usage block before it) that names the help to read."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The ``assistant`` parser with every command registered."""
    parser = _Parser(
        prog="assistant",
        description="Ask questions of a collection of paper abstracts; answers cite the papers.",
        epilog="Offline by default (extractive answers). Set ASSISTANT_BASE_URL to use a model.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    color_help = "plain output even on a terminal (also: NO_COLOR=1)"
    parser.add_argument("--no-color", action="store_true", help=color_help)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_NAMES:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    for subparser in subparsers.choices.values():
        # Also accepted after the command; SUPPRESS keeps a flag given before it.
        subparser.add_argument(
            "--no-color", action="store_true", default=argparse.SUPPRESS, help=color_help
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``assistant`` console script; returns the exit status."""
    if sys.stderr is None:  # started with `2>&-`: print(file=None) would write to stdout
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
    tolerate_unencodable_output()
    as_json = False
    try:
        with checked_stdout():
            args = build_parser().parse_args(argv)
            as_json = bool(getattr(args, "json", False))
            status = int(args.run(args) or 0)
            # Output still buffered is written now, while a failure can still be reported.
            sys.stdout.flush()
            return status
    except UsageError as exc:
        # Not parsed, so `--json` is looked for as typed; 2 is the usual status for misuse.
        report_error(exc, as_json="--json" in (sys.argv[1:] if argv is None else argv))
        return 2
    except AssistantError as exc:
        return report_error(exc, as_json=as_json)
    except KeyboardInterrupt:
        end_progress_line()
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `assistant search … | head`
        discard_unwritten_output()
        return 0
    except Exception as exc:  # the last resort: a bug still ends in one line
        return report_crash(exc, as_json=as_json)


def tolerate_unencodable_output() -> None:
    """Let stdout and stderr write any text, whatever their encoding.

    Under a locale that is not UTF-8 (``LANG=de_DE.ISO-8859-1``, a Windows console) a
    dash in a message or a title in Chinese cannot be encoded and Python would stop with a
    ``UnicodeEncodeError``. Such characters are written as ``\\uXXXX`` escapes instead,
    which read back as the same characters in ``--json`` output.
    """
    _register_escape_handler()
    for stream in (sys.stdout, sys.stderr):
        if _holds_every_character(stream):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # A closed or detached stream writes nothing anyway.
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors=UNENCODABLE)


def _holds_every_character(stream: TextIO | None) -> bool:
    encoding = getattr(stream, "encoding", None)
    if stream is None or not encoding:
        return True
    try:
        return codecs.lookup(encoding).name in {"utf-8", "utf-16", "utf-32"}
    except LookupError:
        return False


def _json_style_escape(error: UnicodeError) -> tuple[str, int]:
    """``\\uXXXX`` for each UTF-16 unit of the characters the encoding cannot hold."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    units = text.encode("utf-16-be", "surrogatepass")
    escaped = "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
    )
    return escaped, error.end


def _register_escape_handler() -> None:
    try:
        codecs.lookup_error(UNENCODABLE)
    except LookupError:
        codecs.register_error(UNENCODABLE, _json_style_escape)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
