"""``assistant collections [--json]``: the collections of the store, with their files."""

from __future__ import annotations

import argparse

from .common import add_store_flags, open_assistant
from .output import print_json, say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collections", help="list the collections with paper counts and source files"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    assistant = open_assistant(args)
    collections = assistant.collections()
    if args.json:
        print_json(
            [{"name": c.name, "papers": c.papers, "sources": c.sources} for c in collections]
        )
        return 0
    current = assistant.settings.collection
    for info in collections:
        mark = "*" if info.name == current else " "
        say(f"{mark} {info.name}  {info.papers} papers")
        for source in info.sources:
            say(f"      {source}")
    if not collections:
        say(f"no collections yet at {assistant.store.location}")
    return 0
