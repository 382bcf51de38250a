"""Which callback URLs and which resolved addresses a write-back may reach.

A tenant chooses its callback URL, so without a policy the worker is a way into the internal network
(SSRF): the signed body posted to Redis or a metadata service, and the delivery status telling the tenant
which internal ports answer. https only (plain http for hosts the operator lists), and no address that is
not globally routable (loopback, private, link-local and so the cloud metadata services, shared, reserved,
multicast, unspecified) unless it falls in a network the operator allows. Addresses are checked after DNS
resolution, at creation and on every connection; the client then connects to the address it checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FIELD = "callback_url"


class RefusedURL(ValueError):
    """A callback URL or address the policy refuses; the message names the field, never a secret."""

    def __init__(self, reason: str, *, field: str = FIELD) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """Where a checked URL points: what to connect to and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, never empty


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@dataclass(frozen=True)
class OutboundPolicy:
    """The operator's settings: hosts reachable over plain http, internal networks allowed anyway."""

    http_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OutboundPolicy:
        """WRITEBACK_HTTP_HOSTS and WRITEBACK_ALLOWED_NETWORKS, each a comma-separated list."""
        try:
            networks = tuple(ipaddress.ip_network(value, strict=False)
                             for value in _listed(config.get("WRITEBACK_ALLOWED_NETWORKS")))
        except ValueError as exc:
            raise ValueError(f"WRITEBACK_ALLOWED_NETWORKS: {exc}") from exc
        hosts = frozenset(host.lower() for host in _listed(config.get("WRITEBACK_HTTP_HOSTS")))
        return cls(http_hosts=hosts, allowed_networks=networks)

    def check_url(self, url: str) -> Target:
        """The URL's target if its form is allowed (scheme, host, no credentials); RefusedURL otherwise."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise RefusedURL("is not a valid URL") from exc
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in ("https", "http") or not host:
            raise RefusedURL("must be an https:// URL with a host name")
        if scheme == "http" and host not in self.http_hosts:
            raise RefusedURL(f"must use https (plain http only for the hosts in WRITEBACK_HTTP_HOSTS, "
                             f"not {host})")
        if parts.username is not None or parts.password is not None:
            raise RefusedURL("must not carry credentials (user:password@)")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Target(scheme, host, port or (443 if scheme == "https" else 80), path)

    def check_address(self, address: IPAddress) -> None:
        """RefusedURL unless the address is globally routable or in an allowed network."""
        mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        plain: IPAddress = mapped or address
        if any(plain in network for network in self.allowed_networks):
            return
        if (not plain.is_global or plain.is_multicast or plain.is_reserved or plain.is_unspecified
                or plain.is_loopback or plain.is_link_local):
            raise RefusedURL(f"points at {plain}, a loopback, private, link-local or reserved address "
                             "(allow its network with WRITEBACK_ALLOWED_NETWORKS)")

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address the host resolves to, all of them checked: one refused address refuses the host
        (a DNS answer mixing a public and an internal address is an attack, not a fallback)."""
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise RefusedURL(f"host {host} does not resolve") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found))
        for address in addresses:
            self.check_address(address)
        return addresses

    def check(self, url: str) -> Target:
        """Form and resolved addresses: what `connections create` runs before storing a callback URL."""
        target = self.check_url(url)
        self.resolve(target.host, target.port)
        return target
