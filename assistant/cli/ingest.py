"""``assistant ingest [PATH ...] [--rebuild]``: index a collection incrementally."""

from __future__ import annotations

import argparse
import sys

from .common import add_store_flags, open_assistant
from .output import say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="index paper files (.jsonl or .txt); re-running only embeds what changed",
        description="Make the store hold exactly the papers of the given files (the bundled "
        "collection when none are given): new papers are added, changed ones re-embedded, "
        "papers no longer in the files removed.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="collection files")
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the store and embed everything again"
    )
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    assistant = open_assistant(args)
    report = assistant.ingest(args.paths or None, rebuild=args.rebuild)
    say(report.summary(), file=sys.stderr)
    return 0
