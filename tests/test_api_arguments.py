"""The Python API refuses bad arguments with one typed line, before anything is retrieved:
``k`` that is not a whole number 1–100, a question that is not text or is blank, history
that is not ``Turn``s, settings that are not a ``Settings``, malformed filters."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from paper_files import write_jsonl

import assistant
from assistant import ConfigError, FilterError, Turn
from assistant.embedding import MiniLMEmbedder
from assistant.service import Assistant
from assistant.settings import Settings

QUESTION = "How does CoCoMix extend next-token prediction?"

PAPERS = [
    {
        "title": "Talking Heads by Diffusion",
        "abstract": "We generate talking heads from speech audio with a diffusion model.",
        "authors": ["Ann Smith", "Bo Li"],
        "year": 2021,
    },
    {
        "title": "Contrastive Video Pretraining",
        "abstract": "Contrastive learning on videos gives strong action recognition features.",
        "authors": ["Carl Jones"],
        "year": 2023,
    },
    {
        "title": "Entity Aware Attention",
        "abstract": "An entity-aware self-attention improves relation extraction.",
        "authors": ["Dana None"],
        "year": 2019,
    },
]


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Assistant:
    """A collection whose papers have years and authors, so filters can match."""
    home = tmp_path_factory.mktemp("dated")
    settings = Settings(home=home, collection="dated")
    made = Assistant(settings, embedder=embedder)
    made.ingest([write_jsonl(home / "papers.jsonl", PAPERS)])
    return made


@pytest.mark.parametrize(
    ("k", "message"),
    [
        (0, "k must be from 1 to 100, got 0"),
        (-1, "k must be from 1 to 100, got -1"),
        (10**9, "k must be from 1 to 100, got 1000000000"),
        (2.5, "k must be a whole number from 1 to 100, got 2.5"),
        (float("nan"), "k must be a whole number"),
        ("3", "k must be a whole number"),
        (True, "k must be a whole number"),
    ],
)
def test_a_bad_k_is_one_config_error_for_search_and_answer(
    seeded_assistant: Assistant, k: Any, message: str
) -> None:
    # Before: 0 meant the default in answer() and [] in search(); 10**9 quoted all 290
    # papers; a float or a string was a TypeError from deep inside ranking.
    with pytest.raises(ConfigError, match=message):
        seeded_assistant.search(QUESTION, k=k)
    with pytest.raises(ConfigError, match=message):
        seeded_assistant.stream_answer(QUESTION, k=k)  # refused at once, before reading
    with pytest.raises(ConfigError, match=message):
        seeded_assistant.answer(QUESTION, k=k)


def test_k_within_bounds_and_integer_like_values_still_work(seeded_assistant: Assistant) -> None:
    import numpy as np

    assert len(seeded_assistant.search(QUESTION, k=np.int64(3))) == 3
    assert len(seeded_assistant.search(QUESTION, k=100)) == 100
    assert len(seeded_assistant.answer(QUESTION, k=2).sources) <= 2


def test_search_without_k_lists_what_an_answer_would_draw_on(seeded_home: Path) -> None:
    # As `assistant search` does: the k setting, not a number of its own.
    settings = Settings.load({"home": seeded_home, "k": 4})
    assert len(assistant.search(QUESTION, settings=settings)) == 4
    assert len(assistant.search(QUESTION, k=6, settings=settings)) == 6


@pytest.mark.parametrize("question", [None, 42, b"What is LUKE?", ["What is LUKE?"]])
def test_a_question_that_is_not_text_is_one_config_error(
    seeded_assistant: Assistant, question: Any
) -> None:
    with pytest.raises(ConfigError, match="the question must be text"):
        seeded_assistant.search(question)
    with pytest.raises(ConfigError, match="the question must be text"):
        seeded_assistant.answer(question)


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_a_blank_question_is_refused_when_asked_not_when_read(
    seeded_assistant: Assistant, question: str
) -> None:
    with pytest.raises(ConfigError, match="the question is empty"):
        seeded_assistant.stream_answer(question)


@pytest.mark.parametrize(
    "history",
    [
        "What is LUKE?",
        None,
        [("What is LUKE?", "An entity model [1].")],
        [{"question": "What is LUKE?", "answer": "An entity model [1]."}],
        [Turn(None, "x")],  # type: ignore[arg-type]
        [Turn("What is LUKE?", None)],  # type: ignore[arg-type]
    ],
)
def test_history_that_is_not_turns_is_one_config_error(
    seeded_assistant: Assistant, history: Any
) -> None:
    with pytest.raises(ConfigError, match=r"history must|a Turn's answer must be text"):
        seeded_assistant.answer("What datasets did it use?", history=history)


def test_a_model_name_that_is_not_text_is_refused(seeded_assistant: Assistant) -> None:
    with pytest.raises(ConfigError, match="model must be a model name"):
        seeded_assistant.answer(QUESTION, model=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("settings", [{"k": 3}, "k=3", 3])
def test_settings_that_are_not_a_settings_object_say_how_to_make_one(settings: Any) -> None:
    # A dict failed as "unhashable type: 'dict'", a string as an AttributeError.
    with pytest.raises(ConfigError, match=r"settings must be a Settings.*Settings\.load"):
        assistant.search(QUESTION, settings=settings)
    with pytest.raises(ConfigError, match=r"settings must be a Settings"):
        assistant.answer(QUESTION, settings=settings)


def test_a_model_asked_for_without_an_endpoint_is_a_warning(seeded_home: Path) -> None:
    # As `assistant ask --model` warns; the answer silently offline told a script nothing.
    settings = Settings.load({"home": seeded_home})
    with pytest.warns(UserWarning, match=r"^model='gpt-4o' is ignored: no model endpoint"):
        answer = assistant.answer(QUESTION, model="gpt-4o", settings=settings)
    assert answer.mode == "extractive"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert assistant.answer(QUESTION, settings=settings).mode == "extractive"


def test_filter_error_is_part_of_the_public_api() -> None:
    assert assistant.FilterError is FilterError and "FilterError" in assistant.__all__


def test_every_error_the_library_raises_is_part_of_the_public_api() -> None:
    # A script catching assistant.DiskFull must not meet an AttributeError instead.
    import assistant.errors

    errors = {
        name
        for name, value in vars(assistant.errors).items()
        if isinstance(value, type) and issubclass(value, assistant.AssistantError)
    }
    assert errors <= set(assistant.__all__)
    assert all(getattr(assistant, name) is getattr(assistant.errors, name) for name in errors)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"year": "abc"}, "the year filter must be a whole year such as 2021, got 'abc'"),
        ({"since": 2023.7}, "the since filter must be a whole year"),
        ({"until": True}, "the until filter must be a whole year"),
        ({"year": "9" * 5000}, "the year filter must be a whole year"),
        ({"author": ""}, "the author filter must be part of an author's name"),
        ({"author": 5}, "the author filter must be part of an author's name, got 5"),
        ({"since": 2024, "until": 2020}, "since 2024 is after until 2020, so no year can match"),
        ({"year": 2019, "since": 2020}, "year 2019 lies outside since/until"),
        ({"venue": "ICML"}, "unknown filter 'venue'; use year, since, until or author"),
        ("year=2023", "where must be a mapping such as"),
        ([("year", 2023)], "where must be a mapping such as"),
    ],
)
def test_malformed_filters_are_one_filter_error(dated: Assistant, where: Any, message: str) -> None:
    # Before: 'abc' was a ValueError and None a TypeError from int(); 2023.7 matched 2023;
    # an empty author matched every paper; since > until looked like "no paper matches".
    with pytest.raises(FilterError, match=message):
        dated.search("talking heads", where=where)
    with pytest.raises(FilterError, match=message):
        dated.stream_answer("How are talking heads generated?", where=where)


def test_a_filter_given_as_none_is_no_filter(dated: Assistant) -> None:
    # Before, author=None matched "None" in a name: only "Dana None" was found.
    everything = {h.title for h in dated.search("learning", k=5)}
    assert len(everything) == 3
    assert {h.title for h in dated.search("learning", k=5, where={"author": None})} == everything
    assert {h.title for h in dated.search("learning", k=5, where={"year": None})} == everything


def test_filters_given_as_text_years_still_select(dated: Assistant) -> None:
    def titles(where: dict[str, Any]) -> set[str]:
        return {h.title for h in dated.search("learning", k=5, where=where)}

    assert titles({"since": "2021", "until": 2022}) == {"Talking Heads by Diffusion"}
    assert titles({"author": "  jones "}) == {"Contrastive Video Pretraining"}


def test_search_json_carries_the_metadata_filters_act_on(
    dated: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_HOME", str(Path(dated.settings.home)))
    assert main(["search", "talking", "--collection", "dated", "--since", "2021", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    first = next(r for r in results if r["title"] == "Talking Heads by Diffusion")
    assert first["year"] == 2021 and first["authors"] == ["Ann Smith", "Bo Li"]
    assert first["url"] is None


def test_impossible_year_range_on_the_command_line_is_one_line(
    dated: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_HOME", str(Path(dated.settings.home)))
    args = ["search", "talking", "--collection", "dated", "--since", "2024", "--until", "2020"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.strip() == "error: since 2024 is after until 2020, so no year can match"
