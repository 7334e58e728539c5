"""Token budget: sources fit the window, are dropped whole by rank, trimmed only at boundaries."""

from __future__ import annotations

import pytest

from assistant.answering.budget import (
    ELLIPSIS,
    SourceText,
    fit_sources,
    room_for_sources,
    trim_to_tokens,
)
from assistant.errors import ConfigError
from assistant.settings import Settings
from assistant.text import count_tokens

SENTENCES = [
    f"Sentence number {i} reports a finding about method M{i} on dataset D{i}." for i in range(12)
]
LONG = " ".join(SENTENCES)


def render(n: int, source: SourceText) -> str:
    return f"[{n}] {source.title}\n{source.text}"


def sources(count: int) -> list[SourceText]:
    return [SourceText(f"p{i}", f"Paper {i}", " ".join(SENTENCES[:4])) for i in range(count)]


def test_everything_fits_when_there_is_room():
    fitted = fit_sources(sources(3), 10_000, render)
    assert [s.paper_id for s in fitted.kept] == ["p0", "p1", "p2"]
    assert fitted.dropped == [] and not any(s.trimmed for s in fitted.kept)


def test_lower_ranked_sources_are_dropped_whole():
    one = count_tokens(render(1, sources(1)[0]))
    fitted = fit_sources(sources(5), 2 * one + 10, render)
    assert [s.paper_id for s in fitted.kept] == ["p0", "p1"]
    assert [s.paper_id for s in fitted.dropped] == ["p2", "p3", "p4"]
    assert all(s.text == sources(1)[0].text for s in fitted.kept)  # untouched, not cut
    assert fitted.tokens <= fitted.room


def test_a_source_that_does_not_fit_drops_everything_below_it():
    big = SourceText("big", "Big", LONG * 3)
    small = sources(2)
    fitted = fit_sources([small[0], big, small[1]], count_tokens(render(1, small[0])) + 60, render)
    assert [s.paper_id for s in fitted.kept] == ["p0"]
    assert [s.paper_id for s in fitted.dropped] == ["big", "p1"]


def test_the_best_source_alone_too_long_is_trimmed_at_a_sentence_and_marked():
    fitted = fit_sources([SourceText("p", "Title", LONG)], 60, render)
    (kept,) = fitted.kept
    assert kept.trimmed and kept.text.endswith(" " + ELLIPSIS)
    body = kept.text.removesuffix(" " + ELLIPSIS)
    assert body.endswith(".") and LONG.startswith(body)
    assert count_tokens(render(1, kept)) <= 60


def test_trimming_never_cuts_a_word():
    text = (
        "Supercalifragilistic words like antidisestablishmentarianism and "
        "floccinaucinihilipilification go on"
    )
    for budget in range(3, count_tokens(text)):
        trimmed = trim_to_tokens(text, budget)
        assert count_tokens(trimmed) <= budget
        if trimmed:
            words = trimmed.removesuffix(" " + ELLIPSIS).split()
            assert words == text.split()[: len(words)]
    assert trim_to_tokens(text, 1000) == text


def test_room_subtracts_answer_and_prompt_from_the_window(tmp_path):
    settings = Settings(home=tmp_path, context_window=4000, max_tokens=500)
    prompt = "system and question " * 20
    assert room_for_sources(settings, prompt) == 4000 - 500 - count_tokens(prompt) - 12


def test_a_window_too_small_for_any_source_is_a_config_error(tmp_path):
    settings = Settings(home=tmp_path, context_window=700, max_tokens=600)
    with pytest.raises(ConfigError, match="ASSISTANT_CONTEXT_WINDOW"):
        room_for_sources(settings, "a prompt " * 20)
    with pytest.raises(ConfigError, match="tokens of question and instructions; shorten the q"):
        room_for_sources(Settings(home=tmp_path, context_window=4096), "a long question " * 3000)
