"""The `passion` console script: the service's commands plus the engine's, which only workers may import."""

from __future__ import annotations

from plugin.cli import main
from workers.cli.analyze import analyze
from workers.cli.explain import explain
from workers.cli.skills import skills

for command in (analyze, explain, skills):
    main.add_command(command)

__all__ = ["main"]
