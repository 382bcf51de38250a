"""all-MiniLM-L6-v2 on onnxruntime: what bench/encoder_bench.py times against the engine's numpy pass.

The graph is built in memory from the same safetensors weights the engine reads, with onnxruntime's fused
transformer ops (com.microsoft EmbedLayerNormalization, Attention, SkipLayerNormalization, BiasGelu): what
its transformer optimizer makes of a plain BERT export, written directly, so no export and no file. Mean
pooling and the L2 norm are in the graph too. ``load(int8=True)`` quantises the MatMul weights to int8 per
channel with onnxruntime.quantization (activations dynamically to uint8). The engine does not use this
module: on one core it was not faster in float32, and int8 lost skill-benchmark points (docs/decisions.md).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import quantize_dynamic
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from workers.analysis import embeddings

__all__ = ["OnnxEncoder", "build", "load"]

_HEADS = 12
_EPS = 1e-12
_MS = "com.microsoft"


class _Graph:
    """Nodes and initializers collected while the graph is written."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], out: str, *, domain: str = "", **attrs: object) -> str:
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, domain=domain, **attrs))
        return out


def _layer(g: _Graph, w: dict[str, np.ndarray], i: int, x: str, mask_index: str) -> str:
    """One encoder block: fused attention, then the feed-forward, each closed by skip + LayerNorm."""
    p = f"encoder.layer.{i}."
    a = p + "attention.self."
    qkv_w = np.concatenate([w[a + n + ".weight"] for n in ("query", "key", "value")]).T
    qkv_b = np.concatenate([w[a + n + ".bias"] for n in ("query", "key", "value")])
    att = g.op("Attention", [x, g.const(f"l{i}.qkv_w", qkv_w), g.const(f"l{i}.qkv_b", qkv_b), mask_index],
               f"l{i}.att", domain=_MS, num_heads=_HEADS)
    out = g.op("MatMul", [att, g.const(f"l{i}.out_w", w[p + "attention.output.dense.weight"].T)], f"l{i}.out")
    x1 = g.op("SkipLayerNormalization",
              [out, x, g.const(f"l{i}.ln1_g", w[p + "attention.output.LayerNorm.weight"]),
               g.const(f"l{i}.ln1_b", w[p + "attention.output.LayerNorm.bias"]),
               g.const(f"l{i}.out_b", w[p + "attention.output.dense.bias"])],
              f"l{i}.x1", domain=_MS, epsilon=_EPS)
    up = g.op("MatMul", [x1, g.const(f"l{i}.up_w", w[p + "intermediate.dense.weight"].T)], f"l{i}.up")
    h = g.op("BiasGelu", [up, g.const(f"l{i}.up_b", w[p + "intermediate.dense.bias"])], f"l{i}.gelu",
             domain=_MS)
    down = g.op("MatMul", [h, g.const(f"l{i}.down_w", w[p + "output.dense.weight"].T)], f"l{i}.down")
    return g.op("SkipLayerNormalization",
                [down, x1, g.const(f"l{i}.ln2_g", w[p + "output.LayerNorm.weight"]),
                 g.const(f"l{i}.ln2_b", w[p + "output.LayerNorm.bias"]),
                 g.const(f"l{i}.down_b", w[p + "output.dense.bias"])],
                f"l{i}.x2", domain=_MS, epsilon=_EPS)


def _pool(g: _Graph, x: str) -> str:
    """Mean over the real tokens, then unit length (as sentence-transformers' Pooling + Normalize)."""
    mask = g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    summed = g.op("ReduceSum", [g.op("Mul", [x, g.op("Unsqueeze", [mask, g.const("axis2", np.array([2]))],
                                                      "mask3")], "masked"),
                                g.const("axis1", np.array([1]))], "summed", keepdims=0)
    count = g.op("ReduceSum", [mask, "axis1"], "count", keepdims=1)
    mean = g.op("Div", [summed, count], "mean")
    norm = g.op("ReduceL2", [mean, "axis1"], "norm", keepdims=1)
    floor = g.op("Max", [norm, g.const("eps", np.array(1e-12, dtype=np.float32))], "norm_floor")
    return g.op("Div", [mean, floor], "sentence_embedding")


def build(weights: dict[str, np.ndarray]) -> onnx.ModelProto:
    """The model graph: inputs ``input_ids`` and ``attention_mask`` (int32, batch x tokens, padding on the
    right), output ``sentence_embedding`` (float32, batch x 384, unit rows)."""
    w = {k.removeprefix("bert."): v for k, v in weights.items()}
    g = _Graph()
    # Every sentence is one segment (token type 0): its embedding is folded into the position table.
    position = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    g.nodes.append(helper.make_node(
        "EmbedLayerNormalization",
        ["input_ids", "", g.const("word", w["embeddings.word_embeddings.weight"]),
         g.const("position", position), "", g.const("emb_ln_g", w["embeddings.LayerNorm.weight"]),
         g.const("emb_ln_b", w["embeddings.LayerNorm.bias"]), "attention_mask"],
        ["emb", "mask_index"], name="emb", domain=_MS, epsilon=_EPS))
    x = "emb"
    n_layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
    for i in range(n_layers):
        x = _layer(g, w, i, x, "mask_index")
    _pool(g, x)
    ints = [helper.make_tensor_value_info(n, TensorProto.INT32, ["batch", "tokens"])
            for n in ("input_ids", "attention_mask")]
    out = helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", 384])
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", ints, [out], g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(_MS, 1)],
                             producer_name="passion-tagger")


def _session(model: onnx.ModelProto | str) -> ort.InferenceSession:
    """One thread and no pool, as one worker pool process on one core; every graph optimisation on."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    data = model if isinstance(model, str) else model.SerializeToString()
    return ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])


def _int8(model: onnx.ModelProto) -> ort.InferenceSession:
    """The graph with MatMul weights in int8 per channel (quantize_dynamic writes a file: a temporary one).

    Attention's fused QKV weights and the embedding table stay float32: quantising them as well cost 2.6
    RP@5 on HOUSE validation, per-tensor weights cost far more (mean cosine 0.96).
    """
    logging.disable(logging.WARNING)  # its advice to pre-process a graph it reads as image-model shaped
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "int8.onnx"
        quantize_dynamic(model, path, per_channel=True, op_types_to_quantize=["MatMul"],
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
        logging.disable(logging.NOTSET)
        return _session(str(path))


@dataclass(frozen=True)
class OnnxEncoder:
    """The engine's tokenizer and length batching, with onnxruntime in place of the numpy pass."""

    tokenizer: Tokenizer
    session: ort.InferenceSession

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """As ``embeddings.encode``: float32 unit rows, shape (len(texts), 384)."""
        out = np.zeros((len(texts), embeddings.DIM), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer.encode_batch(list(texts))
        for idx in embeddings._batches([len(e.ids) for e in encs], batch_size):
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int32)
            mask = np.zeros((len(idx), width), dtype=np.int32)
            for row, i in enumerate(idx):
                ids[row, :len(encs[i].ids)] = encs[i].ids
                mask[row, :len(encs[i].ids)] = 1
            out[idx] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out


def load(*, int8: bool = False) -> OnnxEncoder:
    """Build the graph from the installed model package's weights and open a session on it."""
    path = embeddings.model_dir()
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))  # its own: the engine's stays unloaded
    tokenizer.enable_truncation(max_length=embeddings.MAX_TOKENS)
    tokenizer.no_padding()
    model = build(load_file(str(path / "model.safetensors")))
    return OnnxEncoder(tokenizer, _int8(model) if int8 else _session(model))
