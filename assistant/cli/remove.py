"""``assistant remove PAPER_ID ...``: take papers out of a collection."""

from __future__ import annotations

import argparse
import sys

from .common import add_store_flags, open_assistant
from .output import say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "remove",
        help="remove papers by id (`assistant papers` lists the ids)",
        description="Remove papers from the collection. A later `ingest --rebuild` leaves "
        "them out; naming their file in `ingest` again brings them back.",
    )
    parser.add_argument("paper_ids", nargs="+", metavar="PAPER_ID")
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    removed = open_assistant(args).remove(args.paper_ids)
    say(f"{removed} removed", file=sys.stderr)
    return 0
