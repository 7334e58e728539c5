"""One line above the footer: mode, model, endpoint host, papers indexed; a bar while ingesting.

The endpoint shows as ``host:port`` only: never the path, never credentials."""

from __future__ import annotations

from urllib.parse import urlsplit

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static

from ...redaction import mask_credentials
from ...terminal import printable_line


def endpoint_host(url: str | None) -> str:
    """``host:port`` of an endpoint URL, or "offline" when there is none."""
    if not url:
        return "offline"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed URL still must not show a password
        return mask_credentials(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return (f"{host}:{port}" if port else host) or mask_credentials(url)


class StatusBar(Horizontal):
    """What the assistant is running on, at a glance."""

    mode: reactive[str] = reactive("extractive")
    model: reactive[str] = reactive("")
    host: reactive[str] = reactive("offline")
    papers: reactive[str] = reactive("opening store…")
    k: reactive[int] = reactive(5)

    def compose(self) -> ComposeResult:
        yield Static("", id="status-text", markup=False)
        yield ProgressBar(id="ingest-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self._render_text()

    def watch_mode(self) -> None:
        self._render_text()

    def watch_model(self) -> None:
        self._render_text()

    def watch_host(self) -> None:
        self._render_text()

    def watch_papers(self) -> None:
        self._render_text()

    def watch_k(self) -> None:
        self._render_text()

    def _render_text(self) -> None:
        if not self.is_mounted:
            return
        model = self.model or ("—" if self.mode == "extractive" else "endpoint default")
        text = f"{self.mode} · {model} · {self.host} · {self.papers} · k={self.k}"
        self.query_one("#status-text", Static).update(Content(printable_line(text)))

    def show_progress(self, done: int, total: int, label: str) -> None:
        """First-run ingest: a progress bar instead of a frozen screen."""
        bar = self.query_one(ProgressBar)
        bar.display = done < total
        bar.update(total=total, progress=done)
        self.papers = f"{label} {done}/{total}"

    def hide_progress(self) -> None:
        self.query_one(ProgressBar).display = False
