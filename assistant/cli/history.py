"""``assistant history``: past questions and answers, from the chat app and from ``ask``.

``assistant history [-n N] [-q TEXT] [--json]`` lists the latest turns (or those mentioning
TEXT); ``assistant history show ID`` prints conversation ID with its references.
"""

from __future__ import annotations

import argparse
import textwrap
import time
from typing import TYPE_CHECKING

from .output import one_line, print_json, say

if TYPE_CHECKING:
    from ..history import ChatHistory


LISTED_QUESTION_CHARS = 120


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history",
        help="list or search past questions; `history show ID` prints a conversation",
        description="Past questions and answers of the chat app and of `assistant ask`, "
        "newest first. `assistant ask -c` follows up the latest; `--conversation ID` another.",
    )
    parser.add_argument("action", nargs="?", choices=("show",), help="show one conversation")
    parser.add_argument("id", nargs="?", type=int, metavar="ID", help="conversation to show")
    parser.add_argument("-n", type=int, default=20, metavar="N", help="how many turns (20)")
    parser.add_argument("-q", "--query", metavar="TEXT", help="only turns mentioning TEXT")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--home", help="data directory (env ASSISTANT_HOME)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..history import ChatHistory
    from .common import settings_from_args

    history = ChatHistory.for_settings(settings_from_args(args))
    if args.action == "show":
        if args.id is None:
            raise ConfigError("history show needs a conversation ID (see `assistant history`)")
        return _show(history, args.id, as_json=args.json)
    if args.id is not None:
        raise ConfigError(f"unexpected {args.id}; did you mean `assistant history show {args.id}`?")
    if args.n < 1:
        raise ConfigError(f"-n must be at least 1, got {args.n}")
    records = history.turns(limit=args.n, query=args.query)
    if args.json:
        print_json([record.to_dict() for record in records])
        return 0
    if not records:
        say("No matching questions." if args.query else "No history yet.")
    for record in records:
        turn = record.turn
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(turn.created))
        origin = one_line(turn.model or turn.mode or turn.status)
        # One line per turn: a pasted page of text is shortened (`history show` has it all).
        question = textwrap.shorten(turn.question, LISTED_QUESTION_CHARS, placeholder=" …")
        shown_origin = one_line(turn.origin)
        say(f"{record.conversation_id:>4}  {when}  {shown_origin:<4}  {question}  ({origin})")
    return 0


def _show(history: ChatHistory, conversation_id: int, *, as_json: bool) -> int:
    from ..history import TurnRecord, conversation_markdown

    conversation = history.load(conversation_id)
    if as_json:
        print_json(
            {
                "id": conversation.id,
                "title": conversation.title,
                "created": conversation.created,
                "turns": [TurnRecord(conversation.id, t).to_dict() for t in conversation.turns],
            }
        )
        return 0
    say(conversation_markdown(conversation).rstrip("\n"))
    return 0
