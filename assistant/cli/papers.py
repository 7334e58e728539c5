"""``assistant papers``: what the store holds."""

from __future__ import annotations

import argparse

from .common import add_store_flags, open_assistant
from .output import print_json, say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("papers", help="list the indexed papers")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    papers = open_assistant(args).papers()
    if args.json:
        print_json(
            [
                {
                    "paper_id": p.paper_id,
                    "title": p.title,
                    "authors": list(p.authors),
                    "year": p.year,
                    "url": p.url,
                }
                for p in papers
            ]
        )
        return 0
    for paper in papers:
        year = f" ({paper.year})" if paper.year else ""
        say(f"{paper.paper_id}  {paper.title}{year}")
    say(f"{len(papers)} papers")
    return 0
