"""``assistant completion bash|zsh|fish``: a shell completion script on stdout.

Install with, for example, ``assistant completion bash > ~/.local/share/bash-completion/
completions/assistant`` (bash), ``assistant completion zsh > ~/.zfunc/_assistant`` (zsh), or
``assistant completion fish > ~/.config/fish/completions/assistant.fish`` (fish).
"""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import shtab

    from . import build_parser

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0
