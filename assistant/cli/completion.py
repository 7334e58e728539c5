"""``assistant completion bash|zsh|fish``: a shell completion script on stdout.

Install it where your shell looks (make the folder first), for example:
  bash: mkdir -p ~/.local/share/bash-completion/completions &&
        assistant completion bash > ~/.local/share/bash-completion/completions/assistant
  zsh:  mkdir -p ~/.zfunc && assistant completion zsh > ~/.zfunc/_assistant
        (with fpath+=(~/.zfunc) before compinit in ~/.zshrc)
  fish: mkdir -p ~/.config/fish/completions &&
        assistant completion fish > ~/.config/fish/completions/assistant.fish
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

SHELLS = ("bash", "zsh", "fish")
PATH_ARGUMENTS = {
    "paths": "file",  # ingest FILE…
    "questions": "file",  # eval QUESTIONS.jsonl
    "details": "file",  # eval --details PATH
    "home": "directory",
    "prompts_dir": "directory",
    "export_dir": "directory",
}
"""Arguments (by their ``dest``) that name a file or a folder: the shell completes paths."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import shtab

    from . import build_parser

    parser = build_parser()
    kinds = {"file": shtab.FILE, "directory": shtab.DIRECTORY}
    for action in all_actions(parser):
        if action.dest in PATH_ARGUMENTS:
            action.complete = kinds[PATH_ARGUMENTS[action.dest]]  # type: ignore[attr-defined]
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def all_actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every argument of ``parser`` and of its commands."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for subparser in dict.fromkeys(action.choices.values()):
                yield from all_actions(subparser)
