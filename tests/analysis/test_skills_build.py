"""scripts/build_esco.py: how ESCO v1.1.1 skills are matched to their v1.1.0 wording."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts/build_esco.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_esco", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_key_ignores_case_punctuation_and_nbsp(build: ModuleType) -> None:
    assert build.key("Make health, safety and\xa0environment assessments") == \
        "make health safety and environment assessments"
    assert build.key("C++ / C#") == "c++ c#"


def test_same_concept_needs_most_labels_in_the_other_text(build: ModuleType) -> None:
    renamed = {"label": "carry out parts purchasing", "alts": ["oversee parts purchasing"]}
    text = "purchase vehicle parts oversee parts purchasing carry out parts purchasing Order parts."
    assert build.same_concept(renamed, text)
    reused = {"label": "advise customers", "alts": ["aid customers", "support clients", "help clients"]}
    assert not build.same_concept(reused, "advise on customs regulations advise customers Give info.")


def test_near_spellings_pair_typos_one_to_one(build: ModuleType) -> None:
    skills = {"a": {"label": "install radiators", "alts": []},
              "b": {"label": "bake bread", "alts": []}}
    assert build.near_spellings(skills, ["install radtors", "bake bread", "fly kites"]) == 1
    assert skills["a"]["v110"] == "install radtors"
    assert "v110" not in skills["b"]


def test_longest_label_prefers_the_longest_prefix(build: ModuleType) -> None:
    labels = {build.key(v): v for v in ["manage", "manage staff", "manage staff rotas"]}
    assert build.longest_label("manage staff rotas and holidays", labels) == "manage staff rotas"
    assert build.longest_label("cook", labels) is None
