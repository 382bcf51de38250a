"""A real Celery worker whose analyses take SLOW_ANALYSIS_SECONDS, so a test can kill it mid-task.

Used as `celery -A tests.faults.slow_worker worker`; the delay wraps the engine and changes nothing else.
"""

import os
import time
from pathlib import Path

from workers import pipeline
from workers.worker import celery_app, flask_app  # noqa: F401 - the app Celery loads

_analyze_history = pipeline.analyze_history


def _slow_analyze_history(history):  # type: ignore[no-untyped-def]
    """Announce which process is analysing (a file named by its pid), then take our time."""
    marker_dir = os.environ.get("SLOW_ANALYSIS_MARKER_DIR")
    if marker_dir:
        Path(marker_dir, f"analysing-{os.getpid()}").touch()
    time.sleep(float(os.environ.get("SLOW_ANALYSIS_SECONDS", "0")))
    return _analyze_history(history)


pipeline.analyze_history = _slow_analyze_history
