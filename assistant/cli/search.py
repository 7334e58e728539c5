"""`assistant search` (placeholder until implemented)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("search", help="(not implemented yet)")
    parser.set_defaults(run=lambda args: 2)
