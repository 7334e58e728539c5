"""``assistant`` command line: one module per command, each a thin user of the public API.

Heavy modules (chromadb, onnxruntime, textual, openai, rich) are imported inside the
commands, so ``assistant --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import AssistantError
from . import (
    ask,
    chat,
    collections,
    completion,
    doctor,
    evaluate,
    history,
    ingest,
    papers,
    remove,
    search,
)
from .failures import report_crash, report_error

COMMANDS = (
    ask,
    search,
    chat,
    history,
    ingest,
    remove,
    papers,
    collections,
    evaluate,
    doctor,
    completion,
)
DISTRIBUTION = "paper-assistant"


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Ask questions of a collection of paper abstracts; answers cite the papers.",
        epilog="Offline by default (extractive answers). Set ASSISTANT_BASE_URL to use a model.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    color_help = "plain output even on a terminal (also: NO_COLOR=1)"
    parser.add_argument("--no-color", action="store_true", help=color_help)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    for subparser in subparsers.choices.values():
        # Also accepted after the command; SUPPRESS keeps a flag given before it.
        subparser.add_argument(
            "--no-color", action="store_true", default=argparse.SUPPRESS, help=color_help
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``assistant`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    as_json = bool(getattr(args, "json", False))
    try:
        status = args.run(args)
    except AssistantError as exc:
        return report_error(exc, as_json=as_json)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `assistant search … | head`
        return 0
    except Exception as exc:  # the last resort: a bug still ends in one line
        return report_crash(exc, as_json=as_json)
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
