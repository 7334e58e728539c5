"""Reasoning kept apart from the answer while a reply streams."""

from __future__ import annotations

import pytest

from assistant.answering.reasoning import ReasoningSplitter, split_reasoning


def stream(deltas: list[str]) -> tuple[str, str, list[str]]:
    """Feed ``deltas``; the joined answer and reasoning, and the answer as it was shown."""
    splitter = ReasoningSplitter()
    answer, reasoning, shown = [], [], []
    for delta in [*deltas, None]:
        a, r = splitter.finish() if delta is None else splitter.feed(delta)
        answer.append(a)
        reasoning.append(r)
        shown.append(a)
    assert splitter.reasoning == "".join(reasoning)
    return "".join(answer), "".join(reasoning), shown


@pytest.mark.parametrize(
    ("deltas", "answer", "reasoning"),
    [
        (
            ["<think>source 1 fits [3]</think>\n\nLUKE is X [1]."],
            "LUKE is X [1].",
            "source 1 fits [3]",
        ),
        (["<thinking>hm</thinking>Answer [2]."], "Answer [2].", "hm"),
        # Tags split across deltas, in any case.
        (["<th", "ink>a", "b</th", "INK>", " Done [1]."], "Done [1].", "ab"),
        (["<", "t", "h", "i", "n", "k", "i", "n", "g", ">x</thinking", ">y"], "y", "x"),
        # An unclosed leading <think> is reasoning until the end.
        (["<think>still thinking about [1]", " and more"], "", "still thinking about [1] and more"),
        # No tags: everything is answer; a '<' that is no tag is released.
        (["a < b and ", "c <th"], "a < b and c <th", ""),
        (["x <b>bold</b>"], "x <b>bold</b>", ""),
        # Leading white space before the thinking block does not start the answer.
        (["\n <think>r</think>\n", "\nA [1]."], "A [1].", "r"),
        # Magistral's and Kimi's tags, split across deltas too.
        (["[THINK]see [2][/THINK]A [1]."], "A [1].", "see [2]"),
        (["[TH", "INK]x[/TH", "INK]", "A [1]."], "A [1].", "x"),
        (["◁think▷see [3]◁/think▷A [1]."], "A [1].", "see [3]"),
        # A tag the answer mentions once it has begun is answer text, and so is its pair.
        (
            ["A [1]. Models wrap it in <th", "ink> tags [1]."],
            "A [1]. Models wrap it in <think> tags [1].",
            "",
        ),
        (["A [1]. In <think> and </think> [1]."], "A [1]. In <think> and </think> [1].", ""),
        (["A [1]. It ends at `</think>` [1]."], "A [1]. It ends at `</think>` [1].", ""),
        (["`<think>` opens it [1]."], "`<think>` opens it [1].", ""),
        (["<think>r</think>A uses [THINK] tags [1]."], "A uses [THINK] tags [1].", "r"),
    ],
)
def test_splits_answer_from_reasoning(deltas, answer, reasoning):
    got_answer, got_reasoning, _ = stream(deltas)
    assert (got_answer, got_reasoning) == (answer, reasoning)


def test_no_reasoning_is_ever_shown_as_answer_text_while_streaming():
    _, _, shown = stream(["<thi", "nk>[3] is", " wrong</thi", "nk>Right [1]."])
    assert all("[3]" not in piece and "think" not in piece for piece in shown)
    assert "".join(shown) == "Right [1]."


def test_answer_text_streams_without_waiting_for_the_end():
    splitter = ReasoningSplitter()
    assert splitter.feed("<think>x</think>The an") == ("The an", "x")
    assert splitter.feed("swer [1].") == ("swer [1].", "")


def test_split_reasoning_on_a_whole_reply():
    assert split_reasoning("<think>a</think>b") == ("b", "a")
    assert split_reasoning("plain") == ("plain", "")
