"""``AnswerStream``: the one place that turns pipeline events into deltas and an ``Answer``."""

from __future__ import annotations

import pytest

from assistant.answering import AnswerRestarted, AnswerStream, ReasoningDelta, SourcesReady
from assistant.answering.stream import RESTART_BREAK
from assistant.errors import AssistantError, StreamCutOff
from assistant.results import Answer, Source

SOURCES = [Source(1, "p1", "First", ["a passage"]), Source(2, "p2", "Second", ["another"])]


class Events:
    """A scripted pipeline run that records how far it got."""

    def __init__(self, deltas: list[str], *, fail_after: int | None = None) -> None:
        self.deltas = deltas
        self.fail_after = fail_after
        self.steps: list[str] = []

    def run(self):
        self.steps.append("retrieved")
        yield SourcesReady(SOURCES)
        try:
            for index, delta in enumerate(self.deltas):
                if index == self.fail_after:
                    raise StreamCutOff("the stream was cut off")
                self.steps.append(delta)
                yield delta
        finally:
            self.steps.append("closed")
        text = "".join(self.deltas)
        cited = [Source(1, "p1", "First", ["a passage"], cited=True), SOURCES[1]]
        return Answer("q", text, True, "llm", cited, [1])


def test_sources_come_before_the_first_delta_and_nothing_runs_before_asked():
    events = Events(["One ", "two [1]."])
    stream = AnswerStream(events.run())
    assert events.steps == []  # lazy: building the stream runs nothing
    assert stream.sources == SOURCES
    assert events.steps == ["retrieved"]  # no delta was produced to learn the sources
    assert list(stream) == ["One ", "two [1]."]
    assert stream.answer.text == "One two [1]."
    assert [s.cited for s in stream.sources] == [True, False]  # the final ones, once done


def test_reading_the_answer_drains_and_later_iteration_is_empty():
    events = Events(["a", "b", "c"])
    stream = AnswerStream(events.run())
    assert next(stream) == "a"
    assert stream.answer.text == "abc"
    assert list(stream) == [] and events.steps[-1] == "closed"


def test_close_cancels_the_run_and_the_answer_is_then_an_error():
    events = Events(["a", "b", "c"])
    with AnswerStream(events.run()) as stream:
        assert next(stream) == "a"
    assert events.steps == ["retrieved", "a", "closed"]  # the run's cleanup ran, "b" never did
    with pytest.raises(AssistantError, match="cancelled"):
        stream.answer  # noqa: B018 - reading it is the test
    assert list(stream) == []


def test_an_error_in_the_run_reaches_the_reader():
    stream = AnswerStream(Events(["a", "b"], fail_after=1).run())
    assert next(stream) == "a"
    with pytest.raises(StreamCutOff):
        next(stream)
    with pytest.raises(StreamCutOff, match="cut off"):  # what went wrong, not only "failed"
        stream.answer  # noqa: B018 - reading it is the test


def test_sources_of_a_finished_stream_are_the_answers():
    stream = AnswerStream(Events(["x"]).run())
    answer = stream.answer
    assert stream.sources == answer.sources and stream.done


def test_a_restart_is_counted_when_its_break_arrives_and_the_thinking_becomes_reasoning():
    def run():
        yield SourcesReady(SOURCES)
        yield "Let me think."  # the template opened <think>: this looked like answer text
        yield ReasoningDelta("Let me think.")
        yield AnswerRestarted()
        yield "Latents [1]."
        return Answer("q", "Latents [1].", True, "llm", SOURCES, [1], reasoning="Let me think.")

    stream = AnswerStream(run())
    seen = [(text, stream.restarts) for text in stream]
    assert seen == [("Let me think.", 0), (RESTART_BREAK, 1), ("Latents [1].", 1)]
    assert stream.reasoning == "Let me think."
