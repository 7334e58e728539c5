"""``assistant search QUESTION``: the papers that bear on a question, best first."""

from __future__ import annotations

import argparse
import textwrap

from .common import (
    add_filter_flags,
    add_k_flag,
    add_store_flags,
    check_k,
    filters_from_args,
    open_assistant,
    question_from_args,
)
from .output import one_line, print_json, say


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="list the papers most relevant to a question (no model involved)"
    )
    parser.add_argument("question", nargs="?", help="what you want to know ('-' or none: stdin)")
    add_k_flag(parser, default=None, help="how many papers (default: setting k, as for ask; 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_filter_flags(parser)
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_k(args.k)
    question = question_from_args(args)
    assistant = open_assistant(args)
    # The papers an answer would draw on: the `k` setting (`-k` over env over config file).
    hits = assistant.search(question, where=filters_from_args(args))
    if args.json:
        print_json(
            {
                "question": question,
                "results": [
                    {
                        "rank": h.rank,
                        "paper_id": h.paper_id,
                        "title": h.title,
                        "score": h.score,
                        "passage": h.passage,
                        # What the filters act on, as in `ask --json` sources and `papers --json`.
                        "authors": list(h.metadata.get("authors", [])),
                        "year": h.metadata.get("year"),
                        "url": h.metadata.get("url"),
                    }
                    for h in hits
                ],
            }
        )
        return 0
    if not hits:
        say("No papers match.")
    for hit in hits:
        say(f"{hit.rank:>2}. {one_line(hit.title)}  [{one_line(hit.paper_id)}]")
        say(textwrap.indent(textwrap.fill(textwrap.shorten(hit.passage, 300), 88), "    "))
    return 0
