"""The callback URL as a way in: URLs and resolved addresses the outbound policy refuses, checked at
`connections create` and again on every connection (DNS may answer differently the second time)."""

from __future__ import annotations

import ipaddress
import json
import socket

import pytest
from click.testing import CliRunner

from plugin.outbound import OutboundFailure, OutboundPolicy, RefusedURL, post
from tests.crm_fake import callback_server
from workers.cli import main

STRICT = OutboundPolicy()  # the defaults: https only, public addresses only
LOOPBACK_ALLOWED = OutboundPolicy(http_hosts=frozenset({"127.0.0.1", "crm.test"}),
                                  allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
    "http://example.com/callback",  # plain http to a host nobody listed
    "https://127.0.0.1:6379/",  # the broker
    "https://localhost:5432/",  # resolves to loopback
    "https://10.0.0.5/",
    "https://192.168.1.1/",
    "https://172.16.0.1/",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://100.100.100.200/",  # another cloud's metadata (shared address space)
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "https://[fd00:ec2::254]/",  # IPv6 metadata
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://user:password@example.com/",
    "https:///no-host",
    "not a url",
])
def test_refused_callback_urls(url):
    with pytest.raises(RefusedURL) as refused:
        STRICT.check(url)
    assert str(refused.value).startswith("callback_url: ")


def test_a_public_https_address_passes_and_an_allowed_network_opens_loopback():
    assert STRICT.check("https://93.184.216.34/hook?x=1").path == "/hook?x=1"
    assert LOOPBACK_ALLOWED.check("http://127.0.0.1:8080/cb").port == 8080
    with pytest.raises(RefusedURL):
        LOOPBACK_ALLOWED.check("https://10.0.0.5/")  # only the listed network


def test_every_connection_is_checked_again_dns_rebinding(monkeypatch):
    """The host resolved to a public address when the connection was created; now it answers loopback."""
    answers = {"crm.example": "127.0.0.1"}
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return real(answers.get(host, host), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(OutboundFailure) as failed:
        post("https://crm.example/cb", b"{}", {}, policy=STRICT, deadline_seconds=2)
    assert failed.value.refused and "127.0.0.1" in str(failed.value)


def test_the_client_connects_to_the_address_it_checked(monkeypatch):
    """Resolved once, by the policy: the connection goes to that address with the URL's host name (a
    second lookup, the rebinding window, would fail here: crm.test resolves only through the patch)."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def once(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        lookups.append(host)
        if lookups.count("crm.test") > 1:
            raise socket.gaierror("resolved twice")
        return real("127.0.0.1" if host == "crm.test" else host, port, *args, **kwargs)

    with callback_server() as (receiver, url):
        receiver.secret = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
        port = url.split(":")[2].split("/")[0]
        monkeypatch.setattr(socket, "getaddrinfo", once)
        answer = post(f"http://crm.test:{port}/cb", b"{}", {"content-type": "application/json"},
                      policy=LOOPBACK_ALLOWED, deadline_seconds=5)
    assert answer.status == 401 and receiver.calls == 1  # reached (unsigned, so refused by the CRM)
    assert lookups.count("crm.test") == 1  # the connection went to the literal address checked


@pytest.mark.parametrize("url", ["https://127.0.0.1:6379/", "file:///etc/passwd",
                                 "http://crm.example.com/cb"])
def test_connections_create_refuses_the_url_naming_the_field(tmp_path, monkeypatch, url):
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    for name in ("WRITEBACK_HTTP_HOSTS", "WRITEBACK_ALLOWED_NETWORKS"):
        monkeypatch.delenv(f"PASSION_{name}", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["connections", "create", "--name", "A", "--callback-url", url])
    assert result.exit_code == 2
    assert "--callback-url" in result.output and "callback_url:" in result.output
    listed = runner.invoke(main, ["connections", "list", "--json"])
    assert listed.exit_code == 0 and listed.stdout.strip() == ""  # nothing was stored


def test_connections_create_accepts_loopback_when_the_operator_allows_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.setenv("PASSION_WRITEBACK_HTTP_HOSTS", "127.0.0.1")
    monkeypatch.setenv("PASSION_WRITEBACK_ALLOWED_NETWORKS", "127.0.0.0/8")
    result = CliRunner().invoke(main, ["connections", "create", "--name", "A", "--json",
                                       "--callback-url", "http://127.0.0.1:9/cb"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["id"].startswith("con_")
