"""What the CLI prints from the data: bidirectional controls are shown, never obeyed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.cli import main
from assistant.embedding import MiniLMEmbedder
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.terminal import is_printable, printable

# "harmless" followed by a right-to-left override: the rest of the line shows reversed.
REVERSED = "Benign title \u202eexe.kcatta\u202c and \u2066isolated\u2069"
BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


@pytest.fixture
def bidi_home(tmp_path: Path, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch) -> Path:
    papers = tmp_path / "papers.jsonl"
    records = [
        {"title": REVERSED, "abstract": f"Diffusion autoencoders for talking faces {REVERSED}."},
        {"title": "Speech to latents", "abstract": "A Conformer maps speech to video latents."},
    ]
    write_jsonl(papers, records)
    home = tmp_path / "bidi-home"
    Assistant(Settings(home=home), embedder=embedder).ingest([papers])
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    return home


@pytest.mark.parametrize("char", sorted(BIDI))
def test_printable_shows_each_bidi_control_as_an_escape(char: str) -> None:
    shown = printable(f"a{char}b")
    assert shown == f"a\\u{ord(char):04x}b" and not is_printable(f"a{char}b")


@pytest.mark.parametrize(
    "argv",
    [["papers"], ["papers", "--json"], ["search", "diffusion autoencoders talking faces"]],
)
def test_bidi_controls_from_the_collection_never_reach_the_terminal(
    bidi_home: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert not set(out) & BIDI
    assert "\\u202eexe.kcatta\\u202c" in out


def test_json_with_bidi_escapes_still_reads_back_as_the_title(
    bidi_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["papers", "--json"]) == 0
    assert REVERSED in [paper["title"] for paper in json.loads(capsys.readouterr().out)]
