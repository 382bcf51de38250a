"""The hand-written numpy MiniLM forward pass the engine ran before onnxruntime, kept as a reference.

tests/analysis/test_embeddings.py checks the onnxruntime graph against it, and bench/encoder_bench.py times
both. It shares the engine's tokenizer and length batching, so only the runtime differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from safetensors.numpy import load_file

from workers.analysis import embeddings

_HEADS = 12
_EPS = 1e-12


@dataclass(frozen=True)
class _Layer:
    """One transformer block's weights, pre-transposed for ``x @ w``."""

    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1: tuple[np.ndarray, np.ndarray]
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _Model:
    """The BERT weights the forward pass needs."""

    word: np.ndarray
    position: np.ndarray
    token_type: np.ndarray
    ln: tuple[np.ndarray, np.ndarray]
    layers: tuple[_Layer, ...]


def _layer(w: dict[str, np.ndarray], i: int) -> _Layer:
    """Gather layer ``i``; Q, K and V are fused into one matmul for speed."""
    p = f"encoder.layer.{i}."
    a = p + "attention.self."
    qkv_w = np.concatenate([w[a + n + ".weight"] for n in ("query", "key", "value")]).T
    qkv_b = np.concatenate([w[a + n + ".bias"] for n in ("query", "key", "value")])
    return _Layer(
        qkv_w=np.ascontiguousarray(qkv_w), qkv_b=qkv_b,
        out_w=np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
        out_b=w[p + "attention.output.dense.bias"],
        ln1=(w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
        up_w=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
        up_b=w[p + "intermediate.dense.bias"],
        down_w=np.ascontiguousarray(w[p + "output.dense.weight"].T),
        down_b=w[p + "output.dense.bias"],
        ln2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
    )


@lru_cache(maxsize=1)
def _get() -> _Model:
    """The weights, read once."""
    w = load_file(str(embeddings.model_dir() / "model.safetensors"))
    w = {k.removeprefix("bert."): v for k, v in w.items()}
    n_layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
    return _Model(
        word=w["embeddings.word_embeddings.weight"],
        position=w["embeddings.position_embeddings.weight"],
        token_type=w["embeddings.token_type_embeddings.weight"],
        ln=(w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]),
        layers=tuple(_layer(w, i) for i in range(n_layers)),
    )


def _layer_norm(x: np.ndarray, ln: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """LayerNorm over the hidden axis, as BERT defines it."""
    mean = x.mean(-1, keepdims=True)
    x = x - mean
    var = np.mean(x * x, -1, keepdims=True)
    return x / np.sqrt(var + _EPS) * ln[0] + ln[1]


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form, in place (within 1e-5 of cosine of the exact erf form)."""
    inner = x * x
    inner *= np.float32(0.044715 * 0.7978845608028654)
    inner += np.float32(0.7978845608028654)
    inner *= x
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= 0.5
    inner *= x
    return inner


def _attention(qkv: np.ndarray, valid: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Multi-head self-attention; only this step needs the padded (batch, seq) layout."""
    b, n = shape
    d = qkv.shape[1] // 3
    hd = d // _HEADS
    padded = np.zeros((b * n, 3 * d), dtype=np.float32)
    padded[valid] = qkv
    q, k, v = padded.reshape(b, n, 3, _HEADS, hd).transpose(2, 0, 3, 1, 4)
    scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1.0 / np.sqrt(hd))
    scores += np.where(valid.reshape(b, 1, 1, n), np.float32(0.0), np.float32(-1e9))
    scores -= scores.max(-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(-1, keepdims=True)
    ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b * n, d)
    return ctx[valid]


def _block(x: np.ndarray, valid: np.ndarray, shape: tuple[int, int], layer: _Layer) -> np.ndarray:
    """One encoder block over the packed real tokens ``x`` (tokens, dim): no work on padding."""
    ctx = _attention(x @ layer.qkv_w + layer.qkv_b, valid, shape)
    x = _layer_norm(ctx @ layer.out_w + layer.out_b + x, layer.ln1)
    h = _gelu(x @ layer.up_w + layer.up_b)
    return _layer_norm(h @ layer.down_w + layer.down_b + x, layer.ln2)


def _forward(m: _Model, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean-pooled, L2-normalised sentence vectors for one padded batch."""
    b, n = ids.shape
    valid = mask.reshape(-1) > 0
    positions = np.broadcast_to(np.arange(n), (b, n)).reshape(-1)[valid]
    x = m.word[ids.reshape(-1)[valid]] + m.position[positions] + m.token_type[0]
    x = _layer_norm(x, m.ln)
    for layer in m.layers:
        x = _block(x, valid, (b, n), layer)
    lengths = mask.sum(1).astype(np.int64)
    pooled = np.add.reduceat(x, np.concatenate([[0], np.cumsum(lengths)[:-1]]), axis=0)
    pooled /= lengths[:, None]
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def encode(texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """As ``embeddings.encode``, computed by the numpy forward pass."""
    out = np.zeros((len(texts), embeddings.DIM), dtype=np.float32)
    if not texts:
        return out
    m = _get()
    encs = embeddings._get().tokenizer.encode_batch(list(texts))
    for idx in embeddings._batches([len(e.ids) for e in encs], batch_size):
        width = max(len(encs[i].ids) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.float32)
        for row, i in enumerate(idx):
            ids[row, :len(encs[i].ids)] = encs[i].ids
            mask[row, :len(encs[i].ids)] = 1.0
        out[idx] = _forward(m, ids, mask)
    return out
