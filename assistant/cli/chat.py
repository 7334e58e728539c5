"""`assistant chat`: the terminal chat app over the same core as `ask` and `answer()`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import add_k_flag, add_model_flags, add_store_flags, check_k

if TYPE_CHECKING:
    from ..tui.app import ChatApp


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="open the chat app (streamed, cited answers; Ctrl+P for commands)",
        description=(
            "Chat with the paper collection. Enter sends, Ctrl+J adds a line, Tab moves to the "
            "sources, PgUp/PgDn scroll, Esc (or Ctrl+C) stops an answer, F1 lists every key and "
            "Ctrl+P every command. Conversations are saved in the data directory and can be "
            "reopened."
        ),
    )
    add_store_flags(parser)
    add_model_flags(parser)
    add_k_flag(parser, default=None, help="papers per answer (env ASSISTANT_K)")
    parser.add_argument(
        "--export-dir",
        type=_folder,
        help=(
            "folder for Markdown exports of conversations and for screenshots "
            "(default: the current folder)"
        ),
    )
    parser.set_defaults(run=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    """Open the app; returns when the user quits."""
    check_k(args.k)
    if not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):
        print(
            'error: `assistant chat` needs a terminal; use `assistant ask "…"` in scripts',
            file=sys.stderr,
        )
        return 2
    # Heavy imports here so that `assistant --help` stays fast.
    from ..service import Assistant
    from ..tui.app import make_app
    from .common import settings_from_args

    assistant = Assistant(settings_from_args(args))
    app = make_app(assistant, export_dir=args.export_dir)
    app.run()
    return exit_status(app)


def _folder(value: str) -> Path:
    """``--export-dir`` as typed, ``~`` expanded (the shell leaves ``--export-dir=~/x`` be)."""
    try:
        return Path(value).expanduser()
    except RuntimeError:  # "~name" of no user of this machine
        raise argparse.ArgumentTypeError(f"{value!r} names no user of this machine") from None


def _is_terminal(stream: object) -> bool:
    """A closed stream (``<&-``: Python sets it to ``None``) is no terminal either."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def exit_status(app: ChatApp) -> int:
    """0 when the user quit; after a bug, one line naming the crash log, and 1."""
    if app.crash is None:
        return 0
    from .failures import report_crash

    return report_crash(app.crash, as_json=False)
