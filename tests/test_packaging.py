"""The wheel carries everything the assistant needs at run time: prompts, seeds, tokenizer,
the bundled papers' shipped vectors."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_prompts_seeds_and_tokenizer(tmp_path: Path) -> None:
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
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    prompt_files = {Path(n).name for n in names if n.startswith("assistant/prompts/")}
    assert {p.name for p in (ROOT / "prompts").iterdir()} <= prompt_files
    assert "assistant/seeds/trending_papers.txt" in names
    for name in ("tokenizer.json", "NOTICE.md", "model_qint8.onnx"):
        assert f"assistant/models/all-MiniLM-L6-v2/{name}" in names
    assert "assistant/tui/app.tcss" in names
    assert "assistant/data/bundled_vectors.npz" in names  # a fresh install embeds nothing
    assert "assistant/formats/bibtex.py" in names
    assert "assistant/py.typed" in names  # PEP 561: callers of answer() get its types
