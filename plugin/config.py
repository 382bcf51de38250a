"""Layered configuration: defaults, then PASSION_* environment variables, then a test mapping."""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "PASSION_"
MAX_BODY_BYTES = 256 * 1024

# Environment variable (without prefix) -> (config key, parser). Documented in the README.
_ENV_KEYS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "DATA_DIR": ("DATA_DIR", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "BROKER_URL": ("BROKER_URL", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "PUBLIC_URL": ("PUBLIC_URL", str),
    "WEBHOOK_TOLERANCE_SECONDS": ("WEBHOOK_TOLERANCE_SECONDS", int),
    "WRITEBACK_TIMEOUT_SECONDS": ("WRITEBACK_TIMEOUT_SECONDS", float),
    "WRITEBACK_HTTP_HOSTS": ("WRITEBACK_HTTP_HOSTS", str),
    "WRITEBACK_ALLOWED_NETWORKS": ("WRITEBACK_ALLOWED_NETWORKS", str),
    "WRITEBACK_CONCURRENCY_PER_CONNECTION": ("WRITEBACK_CONCURRENCY_PER_CONNECTION", int),
    "LOG_LEVEL": ("LOG_LEVEL", str),
    "BROKER_VISIBILITY_TIMEOUT": ("BROKER_VISIBILITY_TIMEOUT", int),
    "SWEEP_INTERVAL_SECONDS": ("SWEEP_INTERVAL_SECONDS", int),
    "SWEEP_GRACE_SECONDS": ("SWEEP_GRACE_SECONDS", int),
    "EVENT_RETENTION_DAYS": ("EVENT_RETENTION_DAYS", int),
    "INTAKE_MAX_BACKLOG": ("INTAKE_MAX_BACKLOG", int),
    "INTAKE_RETRY_AFTER_SECONDS": ("INTAKE_RETRY_AFTER_SECONDS", int),
    "METRICS_TOKEN": ("METRICS_TOKEN", str),
    "ADMIN_TOKEN": ("ADMIN_TOKEN", str),
    "WORKSHEET_RATE_LIMIT": ("WORKSHEET_RATE_LIMIT", int),
    "PANEL_LINK_MINUTES": ("PANEL_LINK_MINUTES", int),
    # CRM connectors that call the vendor's API (docs/connectors.md)
    "GREENHOUSE_API_URL": ("GREENHOUSE_API_URL", str),
    "GREENHOUSE_TOKEN_URL": ("GREENHOUSE_TOKEN_URL", str),
    "GREENHOUSE_RATE_WINDOW_SECONDS": ("GREENHOUSE_RATE_WINDOW_SECONDS", float),
    "GREENHOUSE_RATE_LIMIT": ("GREENHOUSE_RATE_LIMIT", int),
    "CRM_INLINE_WAIT_SECONDS": ("CRM_INLINE_WAIT_SECONDS", float),
    "RECONCILE_INTERVAL_SECONDS": ("RECONCILE_INTERVAL_SECONDS", int),
    "LEVER_WEBHOOK_TOLERANCE_SECONDS": ("LEVER_WEBHOOK_TOLERANCE_SECONDS", int),
    "LEVER_API_URL": ("LEVER_API_URL", str),
    "LEVER_RATE_WINDOW_SECONDS": ("LEVER_RATE_WINDOW_SECONDS", float),
    "LEVER_RATE_LIMIT": ("LEVER_RATE_LIMIT", int),
    "WORKABLE_API_URL": ("WORKABLE_API_URL", str),
    "WORKABLE_RATE_WINDOW_SECONDS": ("WORKABLE_RATE_WINDOW_SECONDS", float),
    "WORKABLE_RATE_LIMIT": ("WORKABLE_RATE_LIMIT", int),
    "BULLHORN_AUTH_URL": ("BULLHORN_AUTH_URL", str),
    "BULLHORN_LOGIN_URL": ("BULLHORN_LOGIN_URL", str),
    "BULLHORN_RATE_WINDOW_SECONDS": ("BULLHORN_RATE_WINDOW_SECONDS", float),
    "BULLHORN_RATE_LIMIT": ("BULLHORN_RATE_LIMIT", int),
    "BULLHORN_POLL_INTERVAL_SECONDS": ("BULLHORN_POLL_INTERVAL_SECONDS", int),
    # browser-facing security (docs/security.md)
    "PROXY_HOPS": ("PROXY_HOPS", int),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda raw: raw.lower() in ("1", "true", "yes")),
}


def source_checkout() -> Path | None:
    """The project folder when this code runs from a checkout of it (`make run`, `pip install -e .`)."""
    root = Path(__file__).resolve().parents[1]
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return root if project.get("project", {}).get("name") == "passion-tagger" else None


def default_data_dir() -> Path:
    """`var/` in the checkout the code runs from, else the user's data dir: never the current folder,
    so the CLI finds the same database from anywhere (docs/decisions.md, "Running")."""
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "var"
    import platformdirs

    return Path(platformdirs.user_data_dir("passion-tagger", appauthor=False))


def default_config() -> dict[str, Any]:
    """Settings that make a fresh checkout run with nothing else installed."""
    return {
        "DATA_DIR": str(default_data_dir()),
        "SQLALCHEMY_DATABASE_URI": None,  # derived from DATA_DIR when unset
        "BROKER_URL": None,  # None: the embedded Redis on a unix socket in DATA_DIR
        "SECRET_KEY": None,  # None: generated once and kept in DATA_DIR/secret.key
        "PUBLIC_URL": "http://127.0.0.1:8000",
        "WEBHOOK_TOLERANCE_SECONDS": 300,
        "WRITEBACK_TIMEOUT_SECONDS": 10.0,  # the whole call, however slowly the CRM answers
        "WRITEBACK_HTTP_HOSTS": "",  # hosts a callback may reach over plain http (comma-separated)
        "WRITEBACK_ALLOWED_NETWORKS": "",  # internal networks a callback may reach (CIDRs, comma-separated)
        "WRITEBACK_CONCURRENCY_PER_CONNECTION": 1,  # write-backs in flight to one CRM at a time
        "LOG_LEVEL": "INFO",
        "BROKER_VISIBILITY_TIMEOUT": 600,
        "SWEEP_INTERVAL_SECONDS": 60,
        "SWEEP_GRACE_SECONDS": 300,
        "EVENT_RETENTION_DAYS": 30,
        # back-pressure (docs/performance.md, "Webhook intake"): deliveries are answered 503 + Retry-After
        # while this many analyses wait in the broker's queue; 0 turns it off
        "INTAKE_MAX_BACKLOG": 3_000,
        "INTAKE_RETRY_AFTER_SECONDS": 30,
        "METRICS_TOKEN": None,  # None: /metrics (aggregates only) is served without a token
        "ADMIN_TOKEN": None,  # None: the admin API (/api/admin/) answers 404 to everything
        "GREENHOUSE_API_URL": "https://harvest.greenhouse.io",
        "GREENHOUSE_TOKEN_URL": "https://auth.greenhouse.io/token",
        "GREENHOUSE_RATE_WINDOW_SECONDS": 10.0,  # v1 documents a 10 s window; v3's is unconfirmed
        "GREENHOUSE_RATE_LIMIT": 50,  # calls per window until the API's X-RateLimit-Limit says otherwise
        "CRM_INLINE_WAIT_SECONDS": 5.0,  # a longer rate-limit wait goes back to the queue
        "RECONCILE_INTERVAL_SECONDS": 900,  # the updated_after sweep of each connection that pulls
        # Lever signs triggeredAt but documents no window nor retry schedule: a day bounds a captured
        # delivery's replay well inside EVENT_RETENTION_DAYS, where its delivery id is remembered anyway
        "LEVER_WEBHOOK_TOLERANCE_SECONDS": 86_400,
        "LEVER_API_URL": "https://api.lever.co",  # the sandbox: https://api.sandbox.lever.co
        # Lever documents 10 requests a second per key with bursts of 20: 10 a 1 s window never sends
        # more than 20 in any moment (the end of one window and the start of the next)
        "LEVER_RATE_WINDOW_SECONDS": 1.0,
        "LEVER_RATE_LIMIT": 10,
        # each account has its own host; `{subdomain}` is the connection's
        "WORKABLE_API_URL": "https://{subdomain}.workable.com",
        # Workable documents 10 calls per 10 s window for an account token (50 for OAuth/partner tokens)
        "WORKABLE_RATE_WINDOW_SECONDS": 10.0,
        "WORKABLE_RATE_LIMIT": 10,
        # the OAuth server and the REST login of the account's data centre (a wrong one answers 307)
        "BULLHORN_AUTH_URL": "https://auth.bullhornstaffing.com",
        "BULLHORN_LOGIN_URL": "https://rest.bullhornstaffing.com/rest-services",
        # Bullhorn documents no quota, only "on 429 wait 1 second then retry": a 1 s window (a 429 holds
        # every call of the connection for it) and a modest number of calls in it
        "BULLHORN_RATE_WINDOW_SECONDS": 1.0,
        "BULLHORN_RATE_LIMIT": 5,
        # Bullhorn's guide polls every 30 minutes or hourly; events expire after 7 days unread
        "BULLHORN_POLL_INTERVAL_SECONDS": 600,
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "WORKSHEET_RATE_LIMIT": 300,  # requests per worksheet link per 10 minutes (docs/worksheet.md)
        "PANEL_LINK_MINUTES": 15,  # how long a signed CRM panel URL opens the panel (docs/workspace.md)
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # browser-facing security (plugin/security.py, docs/security.md)
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,  # False: Secure whenever the request came over https
        "PROXY_HOPS": 0,  # proxies in front that set X-Forwarded-For/-Proto/-Host; 0 trusts none
        "WTF_CSRF_CHECK_DEFAULT": False,  # only the pages' forms carry CSRF tokens (plugin/pages)
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as its page session (12 h at most)
        "API_TITLE": "Passion Tagger",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Swagger UI's assets come from the flask-swagger-ui package: no CDN, works offline
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    }


def env_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """The PASSION_* variables that are set, parsed to their types."""
    found: dict[str, Any] = {}
    for name, (key, parse) in _ENV_KEYS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw not in (None, ""):
            found[key] = parse(raw)
    return found


def database_uri(config: Mapping[str, Any]) -> str:
    """The database a configuration uses: the explicit URL, else the SQLite file in DATA_DIR."""
    explicit = config.get("SQLALCHEMY_DATABASE_URI")
    return str(explicit) if explicit else f"sqlite:///{Path(config['DATA_DIR']).resolve() / 'passion.db'}"


def planned_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults and the environment, before anything is created on disk (for the CLI's checks)."""
    return {**default_config(), **env_config(os.environ if environ is None else environ)}


def resolve_config(config: dict[str, Any]) -> dict[str, Any]:
    """Fill in what derives from DATA_DIR once every layer has been applied."""
    data_dir = Path(config["DATA_DIR"]).resolve()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # the database, keys and broker socket
    config["DATA_DIR"] = str(data_dir)
    config["SQLALCHEMY_DATABASE_URI"] = database_uri(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _local_secret(data_dir / "secret.key")
    return config


def build_config(overrides: Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults, then the environment, then explicit overrides (tests)."""
    config = default_config()
    config.update(env_config(os.environ if environ is None else environ))
    config.update(overrides or {})
    return resolve_config(config)


def _local_secret(path: Path) -> str:
    """A per-installation key for the embedded setup; production sets PASSION_SECRET_KEY."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def embedded_broker_url(data_dir: str) -> str:
    """The unix-socket URL of the Redis server that `passion` starts itself."""
    return f"redis+socket://{Path(data_dir) / 'redis.sock'}"
