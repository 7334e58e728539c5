"""A terminal emulator (pyte) to read back what a colour terminal shows, scrollback included."""

from __future__ import annotations

import io

import pyte

COLUMNS, ROWS = 60, 10


class EmulatedTerminal(io.StringIO):
    """A stdout that is a terminal of COLUMNS x ROWS with a scrollback, and remembers the
    screen after every write (what a user saw at that moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.screen = pyte.HistoryScreen(COLUMNS, ROWS, history=10_000)
        self.screen.set_mode(pyte.modes.LNM)  # "\n" returns the carriage, as a tty's onlcr
        self._feed = pyte.Stream(self.screen)
        self.seen: list[list[str]] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._feed.feed(text)
        self.seen.append([row.rstrip() for row in self.screen.display])
        return super().write(text)

    def transcript(self) -> list[str]:
        """Every line, scrollback then screen, without the blank rows under the last one."""
        scrolled = [
            "".join(line[x].data for x in range(COLUMNS)).rstrip()
            for line in self.screen.history.top
        ]
        rows = scrolled + [row.rstrip() for row in self.screen.display]
        while rows and not rows[-1]:
            rows.pop()
        return rows
