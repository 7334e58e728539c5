"""``assistant papers``: what the collection holds."""

from __future__ import annotations

import argparse
from typing import Any

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
        print_json([paper_json(p) for p in papers])
        return 0
    for paper in papers:
        year = f" ({paper.year})" if paper.year else ""
        say(f"{paper.paper_id}  {paper.title}{year}")
    say(f"{len(papers)} papers")
    return 0


def paper_json(paper: Any) -> dict[str, Any]:
    """A paper's JSON: id, title, authors (a list), year, url, doi, venue (null if unknown)."""
    return {
        "paper_id": paper.paper_id,
        "title": paper.title,
        "authors": list(paper.authors),
        "year": paper.year,
        "url": paper.url,
        "doi": paper.doi,
        "venue": paper.venue,
    }
