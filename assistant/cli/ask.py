"""``assistant ask QUESTION``: a grounded answer with numbered references.

Tokens are printed as they arrive (``--no-stream`` waits for the whole answer); then a
warning line per sentence its citations do not support and a note if the answer was cut off;
then the reference list, cited sources first, retrieved-but-uncited ones marked. ``--json``
prints exactly ``Answer.to_dict()``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from .common import (
    add_filter_flags,
    add_model_flags,
    add_store_flags,
    filters_from_args,
    open_assistant,
    print_json,
)

if TYPE_CHECKING:
    from ..results import Answer


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="answer a question from the papers, with [n] citations",
        description="Answer a question from the collection. Offline (no model configured) the "
        "answer is quoted sentences; with ASSISTANT_BASE_URL a model writes it.",
    )
    parser.add_argument("question", help="what you want to know")
    parser.add_argument("--k", type=int, help="how many papers to draw on (default: setting k, 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (no streaming)")
    parser.add_argument(
        "--no-stream",
        action="store_true",
        help="wait for the whole answer instead of printing tokens live",
    )
    add_filter_flags(parser)
    add_model_flags(parser)
    add_store_flags(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError

    if args.k is not None and args.k < 1:
        raise ConfigError(f"--k must be at least 1, got {args.k}")
    assistant = open_assistant(args)
    where = filters_from_args(args)
    if args.json or args.no_stream:
        answer = assistant.answer(args.question, k=args.k, model=args.model, where=where)
        if args.json:
            print_json(answer.to_dict())
            return 0
        sys.stdout.write(answer.text + "\n")
    else:
        stream = assistant.stream_answer(args.question, k=args.k, model=args.model, where=where)
        with stream:
            for text in stream:
                sys.stdout.write(text)
                sys.stdout.flush()
            sys.stdout.write("\n")
            answer = stream.answer
    print_trust_notes(answer, sys.stdout, assistant.settings.max_tokens)
    print_references(answer, sys.stdout)
    if answer.invalid_citations:
        markers = ", ".join(f"[{n}]" for n in answer.invalid_citations)
        print(
            f"note: removed citation markers that pointed at no source: {markers}", file=sys.stderr
        )
    return 0


def print_references(answer: Answer, out: TextIO) -> None:
    """The numbered reference list: cited sources first, then the uncited ones, marked."""
    if not answer.sources:
        return
    out.write("\nReferences\n")
    cited = [s for s in answer.sources if s.cited]
    uncited = [s for s in answer.sources if not s.cited]
    for source in cited:
        out.write(f"  [{source.n}] {source.title}\n")
    for source in uncited:
        out.write(f"  [{source.n}] {source.title}  (retrieved, not cited)\n")


def print_trust_notes(answer: Answer, out: TextIO, max_tokens: int) -> None:
    """Under the answer: each sentence its citations do not support, and a note when the
    model was cut off at its token limit."""
    for claim in answer.claims:
        if claim.supported:
            continue
        cited = " ".join(f"[{n}]" for n in claim.citations)
        why = f"not supported by {cited}" if cited else "cites no source"
        out.write(f"⚠ {why}: {_shortened(claim.text)}\n")
    if answer.truncated:
        out.write(
            f"note: the answer was cut off at the model's token limit (max_tokens = "
            f"{max_tokens}); raise it with ASSISTANT_MAX_TOKENS or max_tokens in the config file\n"
        )


def _shortened(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
