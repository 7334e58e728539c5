"""The package keeps the shape its readers rely on: short functions, every module explained."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
MAX_FUNCTION_LINES = 60
MODULES = sorted(PACKAGE.rglob("*.py"))


def long_functions(source: str, max_lines: int) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function or method longer than ``max_lines``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > max_lines:
                found.append((node.name, lines))
    return found


def test_the_check_finds_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def long():\n{body}\n", MAX_FUNCTION_LINES) == [
        ("long", MAX_FUNCTION_LINES + 1)
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_longer_than_60_lines(path: Path) -> None:
    assert long_functions(path.read_text(encoding="utf-8"), MAX_FUNCTION_LINES) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_says_what_it_is_for(path: Path) -> None:
    if path.name == "__init__.py" and not path.read_text(encoding="utf-8").strip():
        pytest.skip("an empty package marker")
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
