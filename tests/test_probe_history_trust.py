"""What `assistant ask` says about trust under an answer, `assistant history show` says
again for the saved answer, in the same words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.answer_notes import shortened
from assistant.cli import main

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
# Source 4 for QUESTION is ViT-Lens, which gives 52.0% on Objaverse-LVIS and 87.4% on
# ModelNet40: 81.0%, written twice, is given by neither.
TWICE_WRONG = (
    "In zero-shot 3D classification, ViT-Lens shows 81.0% accuracy on Objaverse-LVIS "
    "and 81.0% on ModelNet40 [4]."
)


def _warnings(output: str) -> list[str]:
    return [line.removeprefix("- ") for line in output.splitlines() if "⚠" in line]


def test_a_number_written_twice_is_named_once_by_ask_and_by_history_show(
    model_home: Path, openai_server: Any, capsys: Any
) -> None:
    openai_server.enqueue(TWICE_WRONG)
    assert main(["ask", QUESTION]) == 0
    asked = _warnings(capsys.readouterr().out)
    assert asked == [f"⚠ 81.0% not given by [4]: {shortened(TWICE_WRONG)}"]

    assert main(["history", "--json"]) == 0
    conversation_id = capsys.readouterr().out.split('"conversation_id": ')[1].split(",")[0]
    assert main(["history", "show", conversation_id]) == 0
    assert _warnings(capsys.readouterr().out) == asked
