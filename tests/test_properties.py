"""Property-based tests: arbitrary text never produces a traceback or a control character
on the terminal — through the sanitiser, the citation checker, the collection loaders and
the settings loader."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.citations import CitationFilter, check_citations
from assistant.errors import CollectionError, ConfigError
from assistant.settings import Settings
from assistant.sources import load_file
from assistant.terminal import is_printable, printable, printable_line, repaired

CONTROLS = frozenset(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))
# Any code point, lone surrogates included (what a bad byte on the command line becomes).
ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF))
MARKERISH = st.text(st.sampled_from("[]0123456789,-– .abc\n\x1b"), max_size=60)
RELAXED = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)


# -- the sanitiser -------------------------------------------------------------------------


@given(ANY_TEXT)
def test_printable_emits_no_control_character_and_always_encodes(text: str) -> None:
    shown = printable(text)
    assert not set(shown) & CONTROLS
    shown.encode("utf-8")  # no lone surrogate left
    assert is_printable(shown)


@given(ANY_TEXT)
def test_printable_keeps_safe_text_and_is_idempotent(text: str) -> None:
    shown = printable(text)
    assert printable(shown) == shown
    if is_printable(text):
        assert shown == text
    assert "\n" not in printable_line(text) and "\t" not in printable_line(text)


@given(ANY_TEXT)
def test_repaired_text_is_valid_unicode(text: str) -> None:
    repaired(text).encode("utf-8")


# -- the citation parser -------------------------------------------------------------------


@given(MARKERISH | ANY_TEXT, st.integers(min_value=0, max_value=12))
def test_checked_citations_point_at_sources_only(text: str, source_count: int) -> None:
    check = check_citations(text, source_count)
    assert all(1 <= n <= source_count for n in check.cited)
    again = check_citations(check.text, source_count)
    assert again.invalid == [] and again.text == check.text


@given(MARKERISH, st.integers(min_value=1, max_value=8), st.data())
def test_streaming_in_any_pieces_gives_the_same_text(
    text: str, sources: int, data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    stream = CitationFilter(sources)
    streamed = "".join(stream.feed(piece) for piece in pieces) + stream.finish()
    assert streamed == check_citations(text, sources).text


# -- collection loaders --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3)
    ),
    max_leaves=8,
)
RECORDS = st.dictionaries(
    st.sampled_from(["title", "abstract", "year", "authors", "url", "id", "x"]), JSON_VALUES
)


def _load(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            papers = load_file(path)
        except CollectionError as exc:
            assert "\n" not in str(exc)
            return
        for paper in papers:
            assert paper.title.strip() and paper.abstract.strip()


@RELAXED
@given(st.lists(RECORDS | JSON_VALUES, max_size=4))
def test_jsonl_loader_reads_or_names_the_line(records: list[object]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    _load("papers.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"))


@RELAXED
@given(st.binary(max_size=300))
def test_jsonl_loader_survives_arbitrary_bytes(content: bytes) -> None:
    _load("papers.jsonl", content)


@RELAXED
@given(
    st.lists(ANY_TEXT, max_size=6) | st.binary(max_size=300).map(lambda b: [b.decode("latin-1")])
)
def test_txt_loader_reads_or_names_the_line(lines: list[str]) -> None:
    _load("papers.txt", "\n".join(lines).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", ["papers.jsonl", "zotero.json"])
def test_deeply_nested_json_is_one_line(name: str) -> None:
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(b"[" * 100_000 + b"\n")
    with pytest.raises(CollectionError, match="nested too deeply"):
        load_file(path)


# -- settings ------------------------------------------------------------------------------

ENV_VALUES = st.one_of(
    ANY_TEXT.filter(lambda s: "\x00" not in s),
    st.sampled_from(
        ["-5", "0", "nan", "inf", "-inf", "1e9", "http://127.0.0.1:abc/v1", "http://[::1"]
    ),
    st.integers().map(str),
    st.floats().map(str),
)
SETTING_NAMES = st.sampled_from(
    [
        "TIMEOUT",
        "TEMPERATURE",
        "MAX_TOKENS",
        "MAX_RETRIES",
        "K",
        "BASE_URL",
        "CHROMA_URL",
        "MODEL",
        "CHUNK_TOKENS",
        "FUSION",
        "MIN_RELEVANCE",
        "THEME",
        "PROMPTS_DIR",
    ]
)


@RELAXED
@given(st.dictionaries(SETTING_NAMES, ENV_VALUES, max_size=3))
def test_settings_from_any_environment_load_or_raise_config_error(env: dict[str, str]) -> None:
    environment = {f"ASSISTANT_{name}": value for name, value in env.items()}
    try:
        Settings.load(env=environment, config_file=Path("/nonexistent/config.toml"))
    except ConfigError as exc:
        assert "\n" not in str(exc)


def test_an_infinite_year_is_one_line() -> None:
    path = Path(tempfile.mkdtemp()) / "papers.jsonl"
    path.write_text('{"title": "T", "abstract": "An abstract.", "year": Infinity}\n')
    with pytest.raises(CollectionError, match="'year' must be a number"):
        load_file(path)
