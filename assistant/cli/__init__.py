"""``assistant`` command line: one module per command, each a thin user of the public API.

Heavy modules (chromadb, onnxruntime, textual, openai) are imported inside the commands,
so ``assistant --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import AssistantError
from . import ask, chat, collections, doctor, evaluate, ingest, papers, remove, search

COMMANDS = (ask, search, chat, ingest, remove, papers, collections, evaluate, doctor)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Ask questions of a collection of paper abstracts; answers cite the papers.",
        epilog="Offline by default (extractive answers). Set ASSISTANT_BASE_URL to use a model.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``assistant`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `assistant search … | head`
        return 0
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
