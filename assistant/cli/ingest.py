"""``assistant ingest [FILE ...] [--sync] [--rebuild] [--format F] [--lock-timeout S]``: add papers
to a collection."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from .common import add_store_flags, open_assistant
from .output import say

if TYPE_CHECKING:
    from ..service import Assistant

FORMAT_NAMES = ("bibtex", "ris", "medline", "csl-json", "csv", "tsv", "arxiv", "jsonl", "txt")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="add papers from .bib, .ris, .nbib, .json, .csv/.tsv, .jsonl or .txt files",
        description="Add the papers of the given files to the collection: new papers are "
        "added, changed ones re-embedded, and no paper is removed (use --sync for that). "
        "Without files: re-read the collection's recorded files and repair what is missing "
        "(a new default collection gets the bundled papers).",
    )
    parser.add_argument("paths", nargs="*", metavar="FILE", help="collection files")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--sync",
        action="store_true",
        help="make the collection exactly these files (papers in no file are removed)",
    )
    mode.add_argument(
        "--rebuild",
        action="store_true",
        help="embed everything again from the files (or the recorded ones); a damaged store "
        "is moved aside first",
    )
    parser.add_argument(
        "--format",
        choices=FORMAT_NAMES,
        help="read the files as this format instead of choosing by extension",
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        metavar="SECONDS",
        help="while another ingest of the collection runs, wait at most this long "
        "(default: wait until it ends)",
    )
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.sync and not args.paths:
        print("error: --sync needs the files the collection should hold", file=sys.stderr)
        return 2
    check_lock_timeout(args.lock_timeout)
    assistant = open_assistant(args)
    report = assistant.ingest(
        args.paths or None,
        sync=args.sync,
        rebuild=args.rebuild,
        format_name=args.format,
        lock_timeout=args.lock_timeout,
    )
    for line in report.skipped_lines():
        say(line, file=sys.stderr)
    say(report.summary(), file=sys.stderr)
    note = report.kept_note()
    if note:
        say(note, file=sys.stderr)
    if args.paths and not (args.sync or args.rebuild):
        mixed_with_bundled_note(assistant)
    return 0


def mixed_with_bundled_note(assistant: Assistant) -> None:
    """Papers added to the default collection sit beside the bundled ones: say so, with
    the two ways to have a collection of one's own papers only."""
    held = assistant.library.bundled_papers_held()
    if held:
        name = assistant.settings.collection
        say(
            f"note: collection {name!r} also holds {held} bundled papers; `assistant ingest "
            "--sync FILE…` keeps only your files, or add `--collection NAME` for a collection "
            "of your own",
            file=sys.stderr,
        )


def check_lock_timeout(seconds: float | None) -> None:
    """``--lock-timeout`` is a finite number of seconds, 0 or more (0: do not wait)."""
    from ..errors import ConfigError

    if seconds is not None and not 0 <= seconds < math.inf:
        raise ConfigError(
            f"--lock-timeout must be a number of seconds, 0 or more, got {seconds:g}; "
            "leave it out to wait until the other ingest ends"
        )
