"""Worker entry point, the only module that builds the app at import: `celery -A workers.worker worker`."""

import os

# Each pool process analyses one candidate at a time: BLAS threads of its own would only fight the other
# processes for the same cores (docs/performance.md, "Worker BLAS threads").
# Set before anything loads numpy; an operator's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from plugin import create_app  # noqa: E402
from plugin.logging_setup import configure_logging  # noqa: E402
from workers.celery_app import celery_init_app  # noqa: E402

flask_app = create_app()
configure_logging(flask_app.config["LOG_LEVEL"])
celery_app = celery_init_app(flask_app)
