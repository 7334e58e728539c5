"""``assistant search QUESTION``: the papers that bear on a question, best first."""

from __future__ import annotations

import argparse
import textwrap

from .common import add_filter_flags, add_store_flags, filters_from_args, open_assistant, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="list the papers most relevant to a question (no model involved)"
    )
    parser.add_argument("question", help="what you want to know")
    parser.add_argument("--k", type=int, default=10, help="how many papers (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_filter_flags(parser)
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError

    if args.k < 1:
        raise ConfigError(f"--k must be at least 1, got {args.k}")
    hits = open_assistant(args).search(args.question, k=args.k, where=filters_from_args(args))
    if args.json:
        print_json(
            {
                "question": args.question,
                "results": [
                    {
                        "rank": h.rank,
                        "paper_id": h.paper_id,
                        "title": h.title,
                        "score": h.score,
                        "passage": h.passage,
                    }
                    for h in hits
                ],
            }
        )
        return 0
    if not hits:
        print("No papers match.")
    for hit in hits:
        print(f"{hit.rank:>2}. {hit.title}  [{hit.paper_id}]")
        print(textwrap.indent(textwrap.fill(textwrap.shorten(hit.passage, 300), 88), "    "))
    return 0
