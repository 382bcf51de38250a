"""Recruiter accounts: created by an administrator per connection, signed in with an email and a password.

Passwords are hashed with werkzeug.security (scrypt, salted); a sign-in for an unknown email still checks a
password against a stored-form hash, so the answer takes as long whether or not the account exists."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from plugin.extensions import db
from plugin.storage.models import Connection, Recruiter

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 200  # scrypt reads it all: no megabyte passwords
_NOBODY = generate_password_hash("no account has this password")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


def normal_email(email: str) -> str:
    return email.strip().lower()


def create_recruiter(connection_id: str, email: str, password: str) -> Recruiter:
    """A new enabled account on the connection."""
    email = normal_email(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError("email: must be an email address")
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(f"password: must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    if db.session.get(Connection, connection_id) is None:
        raise AccountError(f"connection: no connection {connection_id}")
    if db.session.scalar(select(Recruiter.id).where(Recruiter.email == email)) is not None:
        raise AccountError("email: an account with this email exists")
    recruiter = Recruiter(connection_id=connection_id, email=email,
                          password_hash=generate_password_hash(password))
    db.session.add(recruiter)
    db.session.commit()
    return recruiter


def authenticate(email: str, password: str) -> Recruiter | None:
    """The enabled account of an enabled connection this email and password open, or None."""
    found = db.session.scalar(
        select(Recruiter).join(Connection, Connection.id == Recruiter.connection_id)
        .where(Recruiter.email == normal_email(email), Recruiter.enabled, Connection.enabled))
    password = password[:MAX_PASSWORD_CHARS + 1]
    if found is None:
        check_password_hash(_NOBODY, password)  # the same work as for an account
        return None
    return found if check_password_hash(found.password_hash, password) else None


def delete_recruiter(email: str) -> bool:
    """Remove the account; its page sessions go with it (foreign key cascade)."""
    found = db.session.scalar(select(Recruiter).where(Recruiter.email == normal_email(email)))
    if found is None:
        return False
    db.session.delete(found)
    db.session.commit()
    return True
