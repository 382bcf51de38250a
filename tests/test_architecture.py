"""The house rules that keep the layers apart: imports run schemas <- plugin <- workers, and the web
process never loads the engine."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "plugin", "workers")
# what each part may import of ours
ALLOWED = {
    "schemas": {"schemas"},
    "plugin": {"schemas", "plugin"},
    "workers": {"schemas", "plugin", "workers"},
    "workers.analysis": {"schemas", "workers.analysis"},
}


def _part(module: str) -> str:
    return "workers.analysis" if module.startswith("workers.analysis") else module.split(".")[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of our packages in a file, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] in PACKAGES]


def _violations() -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            allowed = ALLOWED[_part(module)]
            for line, imported in _imports(path):
                if not any(imported == ok or imported.startswith(ok + ".") for ok in allowed):
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return problems


def test_imports_run_one_way() -> None:
    assert _violations() == []


def test_the_walk_sees_a_wrong_way_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule check itself: a plugin module importing workers, even inside a function, is caught."""
    fake_root = tmp_path
    for package in PACKAGES:
        (fake_root / package).mkdir()
    (fake_root / "plugin" / "bad.py").write_text("def f():\n    from workers.tasks import x\n")
    (fake_root / "workers" / "analysis").mkdir()
    (fake_root / "workers" / "analysis" / "eng.py").write_text("import plugin.models\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    assert _violations() == ["plugin/bad.py:2 imports workers.tasks",
                             "workers/analysis/eng.py:1 imports plugin.models"]


def test_create_app_loads_neither_the_engine_nor_numpy(tmp_path: Path) -> None:
    """In a fresh interpreter: the web process must start without the engine's weight."""
    code = (
        "import sys\n"
        "from plugin import create_app\n"
        f"create_app({{'TESTING': True, 'DATA_DIR': {str(tmp_path)!r}, 'BROKER_URL': 'memory://',\n"
        "            'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'k'})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'tokenizers', 'workers'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=60)
    assert out.stdout.strip() == ""


def test_worker_processes_run_blas_on_one_thread(tmp_path: Path) -> None:
    """Pool processes share the cores: each one's numpy must not start BLAS threads of its own."""
    code = (
        "import workers.worker\n"
        "import numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "print(max(pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas'))\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env.update(PASSION_DATA_DIR=str(tmp_path), PASSION_BROKER_URL="memory://",
               PASSION_DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=60, env=env)
    assert out.stdout.strip() == "1"
