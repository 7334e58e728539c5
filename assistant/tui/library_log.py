"""The library's warnings, shown in the chat app: the command line prints them on stderr, which
a full-screen app does not show."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator


class _Forward(logging.Handler):
    def __init__(self, show: Callable[[str], object]) -> None:
        super().__init__(logging.WARNING)
        self._show = show

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self._show(text.removeprefix("warning: "))


@contextlib.contextmanager
def library_warnings(show: Callable[[str], object]) -> Iterator[None]:
    """While the block runs, the library's warnings (which the command line prints on
    stderr) go to ``show``: a full-screen app has no stderr to read."""
    logger = logging.getLogger("assistant")
    handler = _Forward(show)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
