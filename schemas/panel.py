"""The embedded CRM panel: the origins a connection lets frame it, and the API's signed panel link."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from marshmallow import Schema, fields

MAX_FRAME_ANCESTORS = 10
# a host name of letters, digits, dots and hyphens (IDNs in their xn-- form), or one `*.` wildcard label
_HOST = re.compile(r"(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def frame_origin(value: str) -> str:
    """An https origin as a CSP source (`https://acme.greenhouse.io`, a port if any, lower-cased), or
    ValueError saying what is wrong: the value goes into a header, so nothing else gets through."""
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValueError(f"{value!r} is not a URL") from None
    if parts.scheme.lower() != "https":
        raise ValueError(f"{value!r} must start with https://")
    host = (parts.hostname or "").lower()
    if not _HOST.fullmatch(host) or "." not in host.removeprefix("*."):
        raise ValueError(f"{value!r} needs a host name such as acme.greenhouse.io")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r} must be an origin only: https://host[:port], no path or query")
    return f"https://{host}" + (f":{port}" if port else "")


class PanelLinkSchema(Schema):
    """A signed panel URL: opens one candidate's profile, read-only, until it expires."""

    url = fields.String(metadata={"description": "Open it in the CRM's side panel (an iframe); it signs in "
                                                 "no one and opens nothing else."})
    expires_at = fields.DateTime(metadata={"description": "After this, the URL answers 410 Gone."})
