"""The colour renderer of a streamed answer, piece by piece, against a terminal emulator:
whatever the Markdown turns into as it grows (a paragraph into a table or a heading, a list
growing, a code fence left open), the scrollback ends up exactly as the answer printed in one
go, and the newest line is on screen after every piece."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from terminal_emulator import COLUMNS, ROWS, EmulatedTerminal

from assistant.cli.markdown_stream import AnswerMarkdown, MarkdownStream
from assistant.cli.output import console
from assistant.cli.render import answer_markdown

POINTS = "\n".join(f"Point {i} of the answer [1]." for i in range(1, 16))
DOCUMENTS = {
    "lines of one paragraph": POINTS,
    "paragraph then table": "Intro [1].\n\n| model | input |\n|---|---|\n| DAE | speech |\n\nEnd.",
    "setext heading": "Intro [1].\n\nFindings\n========\n\n" + POINTS,
    "long list": "Intro [1].\n\n" + "\n".join(f"- item {i} [1]" for i in range(20)) + "\n\nEnd.",
    "loose list": "- a [1]\n- b [1]\n\n- c [1]\n\nEnd.",
    "code fence": "Intro [1].\n\n```python\n" + "\n".join(f"x{i} = 0" for i in range(14)) + "\n```",
    "open code fence": "Intro [1].\n\n```\nnever closed\n" + POINTS,
    "blocks of all kinds": (
        "# Title\n\n" + POINTS + "\n\n> quoted [1]\n> more\n\n---\n\n1. one\n2. two\n\nEnd [1]."
    ),
}


def one_go(text: str) -> list[str]:
    terminal = EmulatedTerminal()
    console(terminal).print(AnswerMarkdown(answer_markdown(text), style="none"))
    return terminal.transcript()


def streamed(text: str, step: int) -> EmulatedTerminal:
    terminal = EmulatedTerminal()
    stream = MarkdownStream(console(terminal), answer_markdown)
    for end in range(step, len(text) + step, step):
        stream.update(text[:end])
    stream.finish(text)
    return terminal


@pytest.fixture(autouse=True)
def terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(COLUMNS))
    monkeypatch.setenv("LINES", str(ROWS))


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize("step", [3, 8])
def test_scrollback_is_the_answer_printed_once(name: str, step: int) -> None:
    text = DOCUMENTS[name]
    assert streamed(text, step).transcript() == one_go(text)


def test_the_newest_line_is_on_screen_after_every_piece() -> None:
    terminal = EmulatedTerminal()
    stream = MarkdownStream(console(terminal), answer_markdown)
    lines = POINTS.splitlines()
    for end in range(1, len(lines) + 1):
        stream.update("\n".join(lines[:end]))
        assert lines[end - 1] in terminal.seen[-1], (end, terminal.seen[-1])
    stream.finish(POINTS)


def test_a_final_text_that_differs_in_printed_blocks_finishes_what_was_shown() -> None:
    # Taller than the terminal: the first block is printed above the view for good.
    shown = f"First block [1].\n\n{POINTS}"
    terminal = EmulatedTerminal()
    stream = MarkdownStream(console(terminal), answer_markdown)
    stream.update(shown)
    stream.finish(f"Rewritten first block.\n\n{POINTS}")
    assert terminal.transcript() == one_go(shown)


def test_a_final_text_that_differs_within_the_view_replaces_it() -> None:
    terminal = EmulatedTerminal()
    stream = MarkdownStream(console(terminal), answer_markdown)
    stream.update("First block [1].\n\nSecond block [1].")
    final = "Rewritten first block.\n\nSecond block [1]."
    stream.finish(final)
    assert terminal.transcript() == one_go(final)


@pytest.mark.parametrize("thought_lines", [3, 30])
def test_a_restart_takes_back_what_the_view_still_holds(thought_lines: int) -> None:
    thought = "\n\n".join(f"Thinking step {i}." for i in range(thought_lines))
    terminal = EmulatedTerminal()
    stream = MarkdownStream(console(terminal), answer_markdown)
    for end in range(4, len(thought) + 4, 4):
        stream.update(thought[:end])
    erased = stream.restart()
    answer = "The answer [1].\n\nIts second paragraph [1]."
    stream.update(answer)
    stream.finish(answer)
    rows = terminal.transcript()
    assert rows[-len(one_go(answer)) :] == one_go(answer)
    if thought_lines == 3:  # it fitted in the view: gone
        assert erased and rows == one_go(answer)
    else:  # scrolled above the view: still there, it cannot be reached
        assert not erased and "Thinking step 0." in rows


@given(st.text(alphabet=st.sampled_from("ab[]1*-#|`>\n\r\t\x1b\x85 \u2028"), max_size=60))
def test_the_markdown_shown_keeps_every_line_where_it_was(text: str) -> None:
    # Block boundaries are found in the Markdown shown and cut in the answer by line number.
    assert answer_markdown(text).split("\n") == [answer_markdown(line) for line in text.split("\n")]
