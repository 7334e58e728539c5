"""The wheel carries everything the assistant needs at run time: prompts, seeds, tokenizer,
the bundled papers' shipped vectors; and nothing of the work around it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The files of a wheel built from this (used) source tree."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = folder.glob("*.whl")
    return zipfile.ZipFile(wheel).namelist()


def test_wheel_ships_prompts_seeds_and_tokenizer(wheel_names: list[str]) -> None:
    names = set(wheel_names)
    prompt_files = {Path(n).name for n in names if n.startswith("assistant/prompts/")}
    assert {p.name for p in (ROOT / "prompts").iterdir()} <= prompt_files
    assert "assistant/seeds/trending_papers.txt" in names
    for name in ("tokenizer.json", "NOTICE.md", "model_qint8.onnx"):
        assert f"assistant/models/all-MiniLM-L6-v2/{name}" in names
    for name in ("NOTICE.md", "reader_qint8.onnx"):
        assert f"assistant/models/answer-reader/{name}" in names
    assert "assistant/tui/app.tcss" in names
    assert "assistant/data/bundled_vectors.npz" in names  # a fresh install embeds nothing
    assert "assistant/data/bundled_sentence_vectors.npz" in names  # nor its first answer
    assert "assistant/formats/bibtex.py" in names
    assert "assistant/py.typed" in names  # PEP 561: callers of answer() get its types


def test_wheel_holds_the_package_and_nothing_of_the_work_around_it(
    wheel_names: list[str],
) -> None:
    # The tree it is built from has been used: bytecode, the model's checksum stamp, caches.
    outside = [n for n in wheel_names if not n.startswith(("assistant/", "paper_assistant-"))]
    assert outside == []  # no tests/, benchmarks/, eval/, docs/, .ci/
    leftovers = [
        n
        for n in wheel_names
        if "__pycache__" in n or n.endswith((".pyc", ".sha256-ok", ".log", ".sqlite3"))
    ]
    assert leftovers == []
