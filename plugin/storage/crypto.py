"""Secrets at rest: signing secrets and CRM credentials encrypted, API tokens hashed."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"passion-tagger at-rest encryption").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret_key: str, plaintext: str) -> str:
    """Encrypt with a key derived from the app's SECRET_KEY."""
    return _fernet(secret_key).encrypt(plaintext.encode()).decode()


def decrypt(secret_key: str, token: str) -> str:
    """Reverse of encrypt(); raises cryptography's InvalidToken if the key changed."""
    return _fernet(secret_key).decrypt(token.encode()).decode()


def new_api_token() -> str:
    """A bearer token shown once to the admin; only its hash is stored."""
    return "pt_" + secrets.token_urlsafe(32)


def new_signing_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def hash_token(token: str) -> str:
    """SHA-256 is enough for high-entropy random tokens (no password stretching needed)."""
    return hashlib.sha256(token.encode()).hexdigest()

