"""``assistant ask QUESTION``: a grounded answer with numbered references.

Tokens are printed as they arrive (``--no-stream`` waits for the whole answer); then a
warning line per sentence its citations do not support, a note if the answer was cut off and,
offline, how to connect a model; then the reference list, cited sources first,
retrieved-but-uncited ones marked. ``--json`` prints exactly ``Answer.to_dict()``. Every
question and answer is kept in the chat history, so ``-c`` follows up the latest conversation
(the chat app's or the CLI's) and ``assistant history`` finds it again.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..answer_notes import OFFLINE_HINT, trust_notes
from .common import (
    add_filter_flags,
    add_k_flag,
    add_model_flags,
    add_store_flags,
    check_k,
    filters_from_args,
    open_assistant,
    question_from_args,
)
from .output import print_json, wants_color, warn
from .render import AnswerPrinter

if TYPE_CHECKING:
    from ..answering import AnswerStream
    from ..history import ChatHistory, TurnRecorder
    from ..results import Answer, Turn
    from ..service import Assistant


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from the papers, with [n] citations",
        description="Answer a question from the collection. Offline (no model configured) the "
        "answer is quoted sentences; with ASSISTANT_BASE_URL a model writes it. The question "
        "is read from standard input when it is absent or '-'.",
    )
    parser.add_argument("question", nargs="?", help="what you want to know ('-' or none: stdin)")
    add_k_flag(parser, default=None, help="how many papers to draw on (default: setting k, 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (no streaming)")
    parser.add_argument(
        "--no-stream",
        action="store_true",
        help="wait for the whole answer instead of printing tokens live",
    )
    follow = parser.add_mutually_exclusive_group()
    follow.add_argument(
        "-c",
        "--continue",
        dest="follow_up",
        action="store_true",
        help="a follow-up in the latest conversation (chat app or ask)",
    )
    follow.add_argument(
        "--conversation", type=int, metavar="ID", help="a follow-up in conversation ID"
    )
    add_filter_flags(parser)
    add_model_flags(parser)
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..history import ChatHistory, TurnRecorder

    check_k(args.k)
    question = question_from_args(args)
    assistant = open_assistant(args)
    history = ChatHistory.for_settings(assistant.settings)
    conversation_id, context = _conversation(history, args)
    # The answer is what was asked for: a history that cannot be written (read-only or full
    # disk) costs a warning line under it, not the answer.
    record = TurnRecorder(history, conversation_id, question, origin="cli")
    printer = AnswerPrinter(color=not args.json and wants_color(args))
    try:
        answer = _answer(assistant, question, context, args, printer)
    except (KeyboardInterrupt, BrokenPipeError):
        # Ctrl+C, or a reader that had enough (`| head`): kept as stopped, like the chat's Esc.
        record.cancel(printer.text)
        raise
    except BaseException:
        record.forget()
        raise
    record.finish(answer)
    if args.json:
        print_json(answer.to_dict())
        _warn_if_unsaved(record)
        return 0
    # How to connect a model is advice, not part of the answer: printed, never in Answer.text.
    hint = [OFFLINE_HINT] if answer.extractive else []
    printer.notes(trust_notes(answer, assistant.settings.max_tokens) + hint)
    printer.references(answer)
    if answer.invalid_citations:
        markers = ", ".join(f"[{n}]" for n in answer.invalid_citations)
        print(
            f"note: removed citation markers that pointed at no source: {markers}", file=sys.stderr
        )
    _warn_if_unsaved(record)
    return 0


def _warn_if_unsaved(record: TurnRecorder) -> None:
    if record.failure is not None:
        warn(f"this answer was not saved to the chat history: {record.failure}")


def _conversation(history: ChatHistory, args: argparse.Namespace) -> tuple[int | None, list[Turn]]:
    """The conversation to follow up (and its completed turns), or (None, []) for a new one."""
    from ..errors import ConfigError

    conversation_id = args.conversation
    if args.follow_up:
        conversation_id = history.latest_conversation_id()
        if conversation_id is None:
            raise ConfigError("no earlier conversation to continue; ask without -c first")
    if conversation_id is None:
        return None, []
    return conversation_id, history.load(conversation_id).as_history()


def _answer(
    assistant: Assistant,
    question: str,
    context: list[Turn],
    args: argparse.Namespace,
    printer: AnswerPrinter,
) -> Answer:
    """Ask, printing as the answer streams (unless ``--json``/``--no-stream``)."""
    k, model, where = args.k, args.model, filters_from_args(args)
    if args.json or args.no_stream:
        answer = assistant.answer(question, k=k, model=model, history=context, where=where)
        if not args.json:
            printer.finish(answer)
        return answer
    with assistant.stream_answer(
        question, k=k, model=model, history=context, where=where
    ) as stream:
        try:
            _print_stream(stream, printer)
        except BaseException:
            # A stream cut off mid-sentence still ends its line before the error is printed.
            printer.finish(None)
            raise
        answer = stream.answer
    printer.finish(answer)
    return answer


def _print_stream(stream: AnswerStream, printer: AnswerPrinter) -> None:
    """Print the stream's text; take back what turns out to have been thinking."""
    restarts = stream.restarts
    for text in stream:
        if stream.restarts > restarts:  # the text so far was thinking; this is a break
            restarts = stream.restarts
            if printer.text:
                printer.thinking_ended()
            continue
        printer.delta(text)
