"""What pyproject.toml lets pip install can run the shipped embedding model.

onnxruntime refuses a model whose ONNX IR version is newer than it knows ("Unsupported model
IR version: 14, max supported IR version: 13"), and every command then fails. So the lowest
onnxruntime the package accepts must load the shipped model, and the Pythons it accepts must
have such an onnxruntime.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "assistant" / "models" / "all-MiniLM-L6-v2" / "model_qint8.onnx"

# The newest IR version each onnxruntime release loads, newest release first (from the
# releases' own refusals); and the last release with wheels for Python 3.10.
NEWEST_IR_LOADED = ((Version("1.32"), 14), (Version("1.24"), 13), (Version("1.18"), 10))
LAST_ONNXRUNTIME_FOR_PY310 = Version("1.23.2")


def model_ir_version(path: Path) -> int:
    """Field 1 of the ModelProto (a varint), which ONNX writes first."""
    data = path.read_bytes()[:16]
    assert data[0] == 0x08, "not an ONNX model starting with its ir_version"
    value, shift = 0, 0
    for byte in data[1:]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value
    raise AssertionError("unterminated ir_version")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def lowest_allowed(specifier: SpecifierSet) -> Version:
    bounds = [Version(s.version) for s in specifier if s.operator in (">=", "==", "~=")]
    assert bounds, f"onnxruntime needs a lower bound, got {specifier!r}"
    return max(bounds)


def onnxruntime_lower_bound() -> Version:
    for text in project()["dependencies"]:
        requirement = Requirement(text)
        if requirement.name == "onnxruntime":
            return lowest_allowed(requirement.specifier)
    raise AssertionError("onnxruntime is not a dependency")


def test_the_lowest_onnxruntime_allowed_loads_the_shipped_model() -> None:
    lowest = onnxruntime_lower_bound()
    loads = next((ir for release, ir in NEWEST_IR_LOADED if release <= lowest), 0)
    assert loads >= model_ir_version(MODEL), f"onnxruntime {lowest} cannot load the model"


def test_every_python_allowed_has_an_onnxruntime_that_loads_it() -> None:
    if onnxruntime_lower_bound() > LAST_ONNXRUNTIME_FOR_PY310:
        assert not SpecifierSet(project()["requires-python"]).contains("3.10")
