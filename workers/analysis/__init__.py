"""The analysis engine: pure functions from a candidate history to passions, aversions and skills.

Imports neither Flask nor Celery (nor anything of ours but `schemas`), so it can be tested, benchmarked
and run from the command line alone.
"""

from __future__ import annotations

from workers.analysis.engine import analysis_version, analyze_history

__all__ = ["analysis_version", "analyze_history"]
