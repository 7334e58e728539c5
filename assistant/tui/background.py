"""Work off the UI thread that must never hold up quitting: daemon threads.

Textual's thread workers run in asyncio's default executor, which is joined when the app's
event loop closes: a call waiting on a silent server (a Chroma server, a model endpoint)
would keep the process alive after Ctrl+Q until that call timed out, or for ever. These
threads are daemons instead; they report back with messages through ``post`` (Textual's
``post_message`` may be called from any thread, and does nothing once the app is gone).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from ..errors import AssistantError
from .library_log import library_warnings
from .messages import StoreFailed, StoreProgress, StoreReady, StoreWarning
from .presenting import unexpected

if TYPE_CHECKING:
    from ..service import Assistant

Post = Callable[[Message], object]


def start_daemon(name: str, target: Callable[..., None], *args: object) -> threading.Thread:
    """``target(*args)`` in a daemon thread (it ends with the process if still running)."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


class AppClosing(BaseException):
    """Raised in an ingest's progress callback once the app closes: the ingest stops at its
    next batch and cleans up, as after Ctrl+C in `assistant ingest`."""


@dataclass
class StoreOpening:
    """The store being opened (and filled, on first use) in the background."""

    thread: threading.Thread
    closing: threading.Event
    ingesting: threading.Event
    """Set once an ingest reports progress (papers are being written), until it ends."""

    def abandon(self, wait: float) -> None:
        """The app closes: an ingest under way stops at its next batch, waited for at most
        ``wait`` seconds; anything else (a server that does not answer) is not waited for."""
        self.closing.set()
        if self.ingesting.is_set():
            self.thread.join(wait)


def open_store(assistant: Assistant, post: Post) -> StoreOpening:
    """Open ``assistant``'s store; ``StoreProgress``, ``StoreWarning`` and then
    ``StoreReady`` or ``StoreFailed`` come back through ``post``."""
    closing, ingesting = threading.Event(), threading.Event()

    def progress(done: int, total: int, label: str) -> None:
        if closing.is_set():
            raise AppClosing
        ingesting.set()
        post(StoreProgress(done, total, label))

    def run() -> None:
        try:
            with library_warnings(lambda text: post(StoreWarning(text))):
                assistant.ensure_ingested(progress=progress)
            count = assistant.store.paper_count()
        except AppClosing:
            return
        except AssistantError as exc:
            post(StoreFailed(str(exc)))
        except Exception as exc:  # a bug must not take the app down
            post(StoreFailed(unexpected(exc)))
        else:
            post(StoreReady(count))
        finally:
            ingesting.clear()

    return StoreOpening(start_daemon("open-store", run), closing, ingesting)
