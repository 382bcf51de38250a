"""docker-compose.yml with the values of .env.example (and the README's secret key line), interpolated as
Compose does and validated against the Compose Specification's JSON schema (tests/compose/README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.test_readme import readme_block

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests" / "compose" / "compose-spec.json").read_text())
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, and $$ for a literal $
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(Exception):
    pass


def dotenv(text: str) -> dict[str, str]:
    """NAME=value lines, as Compose reads an env file (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in text.splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def interpolate(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = values.get(name)
        empty = value is None or (operator is not None and operator.startswith(":") and value == "")
        if operator and operator.endswith("?") and empty:
            raise MissingVariable(f"{name}: {argument}")
        if operator and operator.endswith("-") and empty:
            return argument
        return value or ""

    return _VARIABLE.sub(one, text)


def resolved(values: dict[str, str]) -> Any:
    """The compose file parsed, then interpolated value by value as Compose does: values stay strings."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return interpolate(node, values) if isinstance(node, str) else node

    return walk(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def env_from_readme_steps() -> dict[str, str]:
    """.env as the README's compose quick start leaves it: .env.example plus the secret key line."""
    values = dotenv((ROOT / ".env.example").read_text())
    step = readme_block("compose quickstart")
    assert "cp .env.example .env" in step and 'echo "PASSION_SECRET_KEY=' in step
    values["PASSION_SECRET_KEY"] = "0" * 64  # what `openssl rand -hex 32` gives, in shape
    return values


def test_every_variable_the_compose_file_uses_is_in_env_example_or_has_a_default():
    example = dotenv((ROOT / ".env.example").read_text())
    used = {m.group(1): m.group(2) for m in _VARIABLE.finditer((ROOT / "docker-compose.yml").read_text())
            if m.group(1)}
    assert used, "the compose file takes its settings from .env"
    for name, operator in used.items():
        assert name in example or (operator or "").endswith("-") or name == "PASSION_SECRET_KEY", name
    assert "PASSION_SECRET_KEY" in (ROOT / ".env.example").read_text(), "it says how to set the key"


def test_env_example_alone_is_refused_naming_the_secret_key():
    """No working default key: compose stops and says which variable to set."""
    with pytest.raises(MissingVariable, match="PASSION_SECRET_KEY"):
        resolved(dotenv((ROOT / ".env.example").read_text()))


def test_the_compose_file_is_valid_with_the_readme_values():
    compose = resolved(env_from_readme_steps())
    validator = jsonschema.Draft7Validator(SCHEMA)  # the draft its $schema names
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    web = compose["services"]["web"]["environment"]
    assert web["PASSION_SECRET_KEY"] == "0" * 64
    assert web["PASSION_PUBLIC_URL"] == "http://localhost:8000"


def test_the_schema_catches_a_broken_compose_file():
    """The validation is not vacuous: a misspelt key and a wrong type are errors."""
    compose = resolved(env_from_readme_steps())
    compose["services"]["web"]["depends_onn"] = compose["services"]["web"].pop("depends_on")
    compose["services"]["worker"]["ports"] = "8000:8000"
    validator = jsonschema.Draft7Validator(SCHEMA)  # the draft its $schema names
    assert len(list(validator.iter_errors(compose))) >= 2


def test_the_readme_creates_a_connection_inside_the_compose_deployment():
    step = readme_block("compose quickstart")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    found = re.search(r"docker compose exec (\w+) passion connections create", step)
    assert found and found.group(1) in compose["services"]
    assert "PASSION_DATABASE_URL" in compose["x-passion-env"], "the CLI there uses the deployment's database"
