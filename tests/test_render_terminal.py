"""``assistant ask`` on a colour terminal, read back through a terminal emulator (pyte): line
breaks as written, the newest lines in view while streaming, and a scrollback that holds the
final answer exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply
from terminal_emulator import COLUMNS, ROWS, EmulatedTerminal

from assistant.answer_notes import OFFLINE_HINT
from assistant.cli import main

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
SEVERAL_PAPERS = "How do language models handle long contexts?"  # three papers, offline


@pytest.fixture
def terminal_env(seeded_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    monkeypatch.setenv("COLUMNS", str(COLUMNS))
    monkeypatch.setenv("LINES", str(ROWS))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def run_ask(
    monkeypatch: pytest.MonkeyPatch, *flags: str, question: str = QUESTION
) -> EmulatedTerminal:
    terminal = EmulatedTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["ask", question, *flags]) == 0
    return terminal


def words(text: str) -> list[str]:
    """The stream deltas a model sends: a word with the whitespace before it."""
    pieces: list[str] = []
    for word in text.split(" "):
        pieces.append(word if not pieces else " " + word)
    return pieces


def test_offline_answer_keeps_one_line_per_paper(
    terminal_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    coloured = run_ask(monkeypatch, question=SEVERAL_PAPERS).transcript()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run_ask(monkeypatch, question=SEVERAL_PAPERS).getvalue()
    answer = plain.split(OFFLINE_HINT)[0].splitlines()
    assert len(answer) >= 3, plain  # one line per paper
    for line in answer:
        # Each paper's line starts a line of its own on the colour terminal too (a long one
        # wraps onto more rows, but never runs on into the next paper's).
        first_words = line[:20].rstrip()
        assert any(row.startswith(first_words) for row in coloured), (first_words, coloured)


def test_model_lines_stay_lines_and_markdown_stays_markdown(
    terminal_env: None, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    text = (
        "## Findings\n"
        "DAE-Talker uses diffusion latents [1].\n"
        "A Conformer maps speech to them [1].\n\n"
        "- first point [1]\n- second point [1]\n\n"
        "| model | input |\n|---|---|\n| DAE-Talker | speech |\n\n"
        "```\nlatents = encode(video)\n```\n\n"
        "[bold red]not markup[/] [link=http://x]here[/link]"
    )
    openai_server.enqueue(text)
    rows = run_ask(monkeypatch).transcript()
    assert "DAE-Talker uses diffusion latents [1]." in rows
    assert "A Conformer maps speech to them [1]." in rows
    assert "Findings" in rows and "## Findings" not in rows  # a heading
    assert " • first point [1]" in rows and " • second point [1]" in rows  # a list
    table = rows.index(" model       input")
    assert rows[table + 1 : table + 3] == [" " + "─" * 18, " DAE-Talker  speech"]  # a table
    assert " latents = encode(video)" in rows  # a code block, as written
    assert "[bold red]not markup[/] [link=http://x]here[/link]" in rows  # data, never markup


def test_streaming_shows_the_newest_lines_and_prints_the_answer_once(
    terminal_env: None, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    points = [f"Point {i} of a long answer [1]." for i in range(1, 25)]
    text = (
        "An answer taller than the terminal [1].\n\n"
        + "\n".join(points[:12])
        + "\n\n- "
        + "\n- ".join(points[12:18])
        + "\n\n"
        + "\n".join(points[18:])
    )
    openai_server.enqueue(Reply(chunks=words(text)))
    streamed = run_ask(monkeypatch)

    # While it streamed, every line was on the screen at some moment: the view followed the
    # newest text instead of stopping at the top of the answer.
    # (Exact rows: a warning under the answer may quote a point.)
    for point in points:
        shown = (point, f" • {point}")
        assert any(row in shown for screen in streamed.seen for row in screen), point

    # The scrollback holds the answer exactly as printed in one go: nothing twice, nothing lost.
    openai_server.enqueue(text)
    whole = run_ask(monkeypatch, "--no-stream")
    assert streamed.transcript() == whole.transcript()
    rows = streamed.transcript()
    for point in points:
        assert rows.count(point) + rows.count(f" • {point}") == 1, point


# A reply whose chat template opened the thinking block: only its end arrives.
THOUGHT = ["Let me think.", "\n\nThe user asks about", " DAE-Talker [1].", "</think>"]
ANSWER = ["\n\nDAE-Talker uses", " diffusion latents [1]."]


def test_thinking_the_template_opened_is_taken_back_once_it_closes(
    terminal_env: None, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    openai_server.enqueue(Reply(chunks=THOUGHT + ANSWER))
    streamed = run_ask(monkeypatch)
    # While it streamed, the thinking was on screen (nothing said it was thinking yet) ...
    assert any("Let me think." in row for screen in streamed.seen for row in screen)
    # ... and once </think> came it went: the scrollback holds the answer alone.
    rows = streamed.transcript()
    assert "DAE-Talker uses diffusion latents [1]." in rows
    assert not any("think" in row for row in rows), rows


def test_plain_output_marks_the_thinking_it_could_not_take_back(
    seeded_home: Path, openai_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(seeded_home))
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    openai_server.enqueue(Reply(chunks=THOUGHT + ANSWER))
    assert main(["ask", QUESTION]) == 0
    captured = capsys.readouterr()
    thought, answer = "".join(THOUGHT[:-1]), "DAE-Talker uses diffusion latents [1]."
    assert captured.out.startswith(f"{thought}\n\n{answer}\n")
    assert "note: the text above was the model's thinking; its answer follows" in captured.err


@pytest.mark.parametrize(
    ("variable", "value", "coloured"),
    [("TERM", "dumb", False), ("NO_COLOR", "1", False), ("FORCE_COLOR", "1", True)],
)
def test_the_colour_conventions_of_the_environment_are_followed(
    terminal_env: None,
    variable: str,
    value: str,
    coloured: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    monkeypatch.setenv(variable, value)
    if variable == "FORCE_COLOR":  # asks for colour where stdout is no terminal (capsys)
        assert main(["ask", QUESTION]) == 0
        out = capsys.readouterr().out
    else:
        out = run_ask(monkeypatch).getvalue()
    assert ("\x1b[" in out) is coloured
    assert "DAE-Talker" in out
    if not coloured:  # plain text, not a rendering padded to the terminal's width
        assert not any(line.endswith(" ") for line in out.splitlines())


def test_a_link_in_the_answer_shows_where_it_leads(
    terminal_env: None, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    openai_server.enqueue("DAE-Talker is described in [the paper](http://evil.example/x) [1].")
    terminal = run_ask(monkeypatch)
    assert "\x1b]8;" not in terminal.getvalue()  # no hyperlink hiding its target
    assert any("the paper (http://evil.example/x)" in row for row in terminal.transcript())


def test_angle_brackets_and_definition_lines_in_an_answer_stay_text(
    terminal_env: None, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    lines = [
        "BERT hides tokens behind <mask> and wraps them in <s> [1].",
        "It holds when a<b and c>d [1].",
        "[1]: the paper itself",
    ]
    openai_server.enqueue(Reply(chunks=words("\n".join(lines))))
    rows = run_ask(monkeypatch).transcript()
    # Read as HTML or a link definition, these would vanish from the colour view.
    assert "BERT hides tokens behind <mask> and wraps them in <s> [1]." in rows
    assert "It holds when a<b and c>d [1]." in rows
    assert "[1]: the paper itself" in rows


def test_a_terminal_claiming_no_columns_still_shows_the_answer(
    terminal_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "0")
    rows = run_ask(monkeypatch).transcript()
    assert any("DAE-Talker" in row for row in rows) and "References" in rows


def test_a_title_cannot_start_a_line_of_its_own_in_the_references() -> None:
    from assistant.cli.render import reference
    from assistant.results import Source

    source = Source(n=1, paper_id="p", title="A title\n  [2] A forged reference\r", passages=[])
    assert reference(source) == "A title\\n  [2] A forged reference\\x0d"
