"""Creating CRM connections and issuing their credentials (shown once, stored encrypted or hashed)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from plugin.extensions import db
from plugin.outbound import OutboundPolicy
from plugin.storage.crypto import hash_token, new_api_token, new_signing_secret
from plugin.storage.models import Connection
from schemas.panel import MAX_FRAME_ANCESTORS, frame_origin


@dataclass(frozen=True)
class IssuedConnection:
    """What the admin needs to configure the CRM side; the token is never retrievable again."""

    id: str
    webhook_url: str
    secret: str
    token: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "webhook_url": self.webhook_url, "secret": self.secret,
                "token": self.token}


def webhook_url(connection_id: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/webhooks/{connection_id}"


def create_connection(*, provider: str, name: str, callback_url: str | None = None,
                      credentials: dict[str, str] | None = None,
                      vendor_secrets: list[str] | None = None) -> IssuedConnection:
    """A new connection with a fresh signing secret and API token; RefusedURL when the callback URL fails
    the outbound policy (checked again on every write-back, where DNS may answer differently). The CRM
    API's credentials, if any, are stored encrypted; the caller has checked them against the CRM. A CRM
    that issues its own signing secrets (Lever's per-webhook signature tokens) gives them as
    `vendor_secrets`, which replace the generated one."""
    if callback_url is not None:
        OutboundPolicy.from_config(current_app.config).check(callback_url)
    secrets = vendor_secrets or [new_signing_secret()]
    secret, token = secrets[0], new_api_token()
    connection = Connection(provider=provider, name=name, token_hash=hash_token(token),
                            callback_url=callback_url)
    connection.set_signing_secrets(current_app.config["SECRET_KEY"], secrets)
    if credentials:
        connection.set_credentials(current_app.config["SECRET_KEY"], credentials)
    db.session.add(connection)
    db.session.flush()
    issued = IssuedConnection(connection.id, webhook_url(connection.id), secret, token)
    db.session.commit()
    return issued


def reissue_token(connection: Connection) -> IssuedConnection:
    """Replace a connection's API token (the old one stops working) and show its secret again."""
    token = new_api_token()
    connection.token_hash = hash_token(token)
    db.session.commit()
    secret = connection.signing_secrets(current_app.config["SECRET_KEY"])[0]
    return IssuedConnection(connection.id, webhook_url(connection.id), secret, token)


def find_by_name(name: str, provider: str) -> Connection | None:
    return db.session.scalar(select(Connection).where(
        Connection.name == name, Connection.provider == provider).order_by(Connection.created_at))


def rotate_secret(connection: Connection) -> str:
    """Add a new signing secret in front; the previous one stays valid until drop_old_secrets()."""
    key = current_app.config["SECRET_KEY"]
    secret = new_signing_secret()
    connection.set_signing_secrets(key, [secret, *connection.signing_secrets(key)[:1]])
    db.session.commit()
    return secret


def drop_old_secrets(connection: Connection) -> None:
    """End a rotation's overlap: only the newest secret verifies from now on."""
    key = current_app.config["SECRET_KEY"]
    connection.set_signing_secrets(key, connection.signing_secrets(key)[:1])
    db.session.commit()


def set_enabled(connection: Connection, enabled: bool) -> None:
    """A disabled connection refuses every webhook (403) and every token (401)."""
    connection.enabled = enabled
    db.session.commit()


def set_frame_ancestors(connection: Connection, origins: list[str]) -> list[str]:
    """Replace the origins that may frame the connection's CRM panel ([]: none may); ValueError names a
    value that is not an https origin. Returns them as stored (normalised, without repeats)."""
    cleaned = list(dict.fromkeys(frame_origin(origin) for origin in origins))
    if len(cleaned) > MAX_FRAME_ANCESTORS:
        raise ValueError(f"at most {MAX_FRAME_ANCESTORS} origins")
    connection.frame_ancestors = " ".join(cleaned) or None
    db.session.commit()
    return cleaned
