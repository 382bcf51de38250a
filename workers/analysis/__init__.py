"""The analysis engine: pure functions from a candidate history to passions, aversions and skills.

Imports neither Flask nor Celery, so it can be tested, benchmarked and run from the command line alone.
"""

from __future__ import annotations

from workers.analysis.engine import analysis_version, analyze_history

__all__ = ["ANALYSIS_VERSION", "analyze_history"]


def __getattr__(name: str) -> str:
    """ANALYSIS_VERSION is computed on first use: it hashes data files and asks the skills package,
    which imports this package, so it cannot be a plain constant set during import."""
    if name == "ANALYSIS_VERSION":
        return analysis_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
