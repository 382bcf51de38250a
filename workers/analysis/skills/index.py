"""The ESCO skill index: skills, every label of each, label embeddings, loaded once per process.

Only the preferred labels (and the v1.1.0 wording where it differs) are embedded: on the validation
splits the alternative labels add nothing through the encoder, while they help as words
(lexical.py). The vectors ship as int8 next to the index (scripts/build_esco.py writes both); if
they are missing or stale they are computed in memory at load, with a warning.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workers.analysis import embeddings
from workers.analysis.skills.lexical import LexicalIndex

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
INDEX_FILE = DATA / "esco_skills.json.gz"
VECTORS_FILE = DATA / "esco_label_vectors.npz"
_ENCODER_TAG = "all-MiniLM-L6-v2/numpy-1"

_lock = threading.Lock()
_index: SkillIndex | None = None


@dataclass
class SkillIndex:
    """Skills in a fixed order, and all their labels grouped by skill (``starts`` marks groups)."""

    uri_prefix: str
    ids: list[str]
    labels: list[str]  # preferred label (ESCO v1.1.1 wording)
    v110: list[str]  # the v1.1.0 wording, which the benchmark uses
    groups: list[list[str]]
    label_text: list[str]  # every label, grouped by skill
    starts: np.ndarray  # where each skill's labels start in label_text
    sem_text: list[str]  # the embedded labels (preferred, then v1.1.0 if different), by skill
    sem_starts: np.ndarray
    by_id: dict[str, int] = field(default_factory=dict)
    vectors: np.ndarray | None = None
    _lexical: LexicalIndex | None = None

    def uri(self, i: int) -> str:
        """The ESCO URI of skill ``i``."""
        return self.uri_prefix + self.ids[i]

    def find(self, ref: str) -> int | None:
        """The skill with this URI, uuid or label (preferred or v1.1.0, any case), if any."""
        ref = ref.strip()
        uid = ref.rsplit("/", 1)[-1]
        if uid in self.by_id:
            return self.by_id[uid]
        return self.by_id.get("label:" + ref.lower())

    @property
    def lexical(self) -> LexicalIndex:
        """Word index over every label, built on first use (about a second)."""
        if self._lexical is None:
            self._lexical = LexicalIndex(self.label_text)
        return self._lexical


def _read(path: Path) -> SkillIndex:
    """Parse the gzip'd JSON that scripts/build_esco.py writes."""
    doc = json.loads(gzip.decompress(path.read_bytes()))
    ids: list[str] = []
    labels: list[str] = []
    v110: list[str] = []
    groups: list[list[str]] = []
    text: list[str] = []
    sem: list[str] = []
    starts: list[int] = []
    sem_starts: list[int] = []
    for s in doc["skills"]:
        ids.append(s["id"])
        labels.append(s["label"])
        v110.append(s.get("v110", s["label"]))
        groups.append(s["groups"])
        starts.append(len(text))
        sem_starts.append(len(sem))
        names = [s["label"]] + ([s["v110"]] if "v110" in s else [])
        sem.extend(names)
        text.extend(names + s["alts"])
    idx = SkillIndex(doc["uri_prefix"], ids, labels, v110, groups, text,
                     np.asarray(starts, dtype=np.int64), sem, np.asarray(sem_starts, dtype=np.int64))
    idx.by_id = {u: i for i, u in enumerate(ids)}
    for i, lab in [*enumerate(labels), *enumerate(v110)]:
        idx.by_id.setdefault("label:" + lab.lower(), i)
    return idx


def labels_digest(texts: list[str]) -> str:
    """Fingerprint of the embedded labels and the encoder, to detect stale vectors."""
    h = hashlib.sha256(_ENCODER_TAG.encode())
    for t in texts:
        h.update(t.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


def quantize(vecs: np.ndarray) -> dict[str, np.ndarray]:
    """int8 rows with one float32 scale each: a quarter of the size, cosines off by ~1e-3."""
    scale = np.maximum(np.abs(vecs).max(axis=1, keepdims=True), 1e-12) / 127.0
    return {"q": np.round(vecs / scale).astype(np.int8), "scale": scale.astype(np.float32)}


def dequantize(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Back to float32 unit rows."""
    vecs = q.astype(np.float32) * scale
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _vectors(idx: SkillIndex, shipped: Path) -> np.ndarray:
    """Label embeddings: the shipped file when it matches the labels, else computed now (slow, logged:
    the shipped file is rebuilt by scripts/build_esco.py)."""
    digest = labels_digest(idx.sem_text)
    if shipped.exists():
        with np.load(shipped) as z:
            if str(z["digest"]) == digest:
                return dequantize(z["q"], z["scale"])
    log.warning("computing %d ESCO label embeddings: %s is missing or stale", len(idx.sem_text), shipped.name)
    return dequantize(**quantize(embeddings.encode(idx.sem_text, batch_size=256)))


def save_vectors(path: Path, vecs: np.ndarray, digest: str) -> None:
    """Write quantised vectors atomically, so concurrent workers never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    q = quantize(vecs)
    np.savez(tmp, digest=np.asarray(digest), q=q["q"], scale=q["scale"])
    os.replace(tmp, path)


def load(path: Path = INDEX_FILE, *, vectors: Path | None = VECTORS_FILE) -> SkillIndex:
    """Read an index file, and its label vectors unless ``vectors`` is None."""
    idx = _read(path)
    if vectors is not None:
        idx.vectors = _vectors(idx, vectors)
    return idx


def get() -> SkillIndex:
    """The process-wide index with vectors, loaded on first call."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = load()
    return _index
