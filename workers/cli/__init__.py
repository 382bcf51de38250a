"""The `passion` console script: the service's commands plus the engine's, which only workers may import."""

from __future__ import annotations

from plugin.cli import main
from plugin.cli.services import PREFLIGHT_CHECKS
from workers.cli.analyze import analyze
from workers.cli.explain import explain
from workers.cli.install_check import missing_model
from workers.cli.skills import skills

for command in (analyze, explain, skills):
    main.add_command(command)

# `passion run` and `passion worker` check the engine's files before starting anything
PREFLIGHT_CHECKS.append(missing_model)

__all__ = ["main"]
