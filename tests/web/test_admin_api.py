"""The operator's API (/api/admin/connections): opened by PASSION_ADMIN_TOKEN only, creating each
provider's connection with its credentials tried against the stand-in CRM, never sending a secret back
nor logging one, and the same list, show, update and disable as `passion connections`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests import bullhorn_fake, greenhouse_fake, lever_fake, workable_fake

ADMIN_TOKEN = "operator-token-for-tests"
BASE = "/api/admin/connections"


@pytest.fixture
def fakes() -> Iterator[dict[str, Any]]:
    with ExitStack() as stack:
        yield {"greenhouse": stack.enter_context(greenhouse_fake.greenhouse_server()),
               "lever": stack.enter_context(lever_fake.lever_server()),
               "workable": stack.enter_context(workable_fake.workable_server()),
               "bullhorn": stack.enter_context(bullhorn_fake.bullhorn_server())}


@pytest.fixture
def app_config(fakes: dict[str, Any]) -> dict[str, str]:
    greenhouse = fakes["greenhouse"].base_url
    return {"ADMIN_TOKEN": ADMIN_TOKEN, "GREENHOUSE_API_URL": greenhouse,
            "GREENHOUSE_TOKEN_URL": f"{greenhouse}/token", "LEVER_API_URL": fakes["lever"].base_url,
            "WORKABLE_API_URL": fakes["workable"].api_url, "BULLHORN_AUTH_URL": fakes["bullhorn"].auth_url,
            "BULLHORN_LOGIN_URL": fakes["bullhorn"].login_url}


def admin(token: str = ADMIN_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BODIES: dict[str, dict[str, Any]] = {
    "standard": {},
    "greenhouse": {"client_id": greenhouse_fake.CLIENT_ID, "client_secret": greenhouse_fake.CLIENT_SECRET,
                   "user_id": "77"},
    "lever": {"signature_tokens": [lever_fake.SIGNATURE_TOKEN], "api_key": lever_fake.API_KEY},
    "workable": {"subdomain": workable_fake.SUBDOMAIN, "api_token": workable_fake.API_TOKEN},
    "bullhorn": {"client_id": bullhorn_fake.CLIENT_ID, "client_secret": bullhorn_fake.CLIENT_SECRET,
                 "username": bullhorn_fake.USERNAME, "password": bullhorn_fake.PASSWORD,
                 "field": "customText5"},
}
SECRETS = {"greenhouse": [greenhouse_fake.CLIENT_SECRET],
           "lever": [lever_fake.API_KEY, lever_fake.SIGNATURE_TOKEN],
           "workable": [workable_fake.API_TOKEN],
           "bullhorn": [bullhorn_fake.CLIENT_SECRET, bullhorn_fake.PASSWORD]}
WRONG = {"greenhouse": "client_secret", "lever": "api_key", "workable": "api_token", "bullhorn": "password"}


def test_no_admin_token_configured_means_no_admin_api(app, client, connection):
    app.config["ADMIN_TOKEN"] = None
    answer = client.get(BASE, headers=admin())
    assert answer.status_code == 404 and "PASSION_ADMIN_TOKEN" in answer.get_json()["message"]


def test_missing_wrong_and_recruiter_tokens_are_refused(client, connection):
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, headers=admin("operator-token-for-test")).status_code == 401
    assert client.get(BASE, headers=admin(connection.token)).status_code == 401  # a recruiter's token
    assert client.post(BASE, json={"provider": "standard", "name": "X"},
                       headers=admin(connection.token)).status_code == 401
    assert client.post(f"{BASE}/{connection.id}/disable", headers=admin("")).status_code == 401
    # and the operator's token opens no recruiter's API
    assert client.get("/api/candidates", headers=admin()).status_code == 401
    assert [row["id"] for row in client.get(BASE, headers=admin()).get_json()] == [connection.id]


@pytest.mark.parametrize("provider", list(BODIES))
def test_each_provider_is_created_with_its_credentials_checked(client, fakes, provider, caplog):
    caplog.set_level(logging.DEBUG)
    answer = client.post(BASE, json={"provider": provider, "name": f"{provider} team", **BODIES[provider]},
                         headers=admin())
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    assert created["webhook_url"] == f"http://testserver/webhooks/{created['id']}"
    assert created["token"] and created["next_step"]
    assert (created["secret"] is None) == (provider in ("lever", "workable"))  # the CRM issued it
    if provider != "standard":
        assert fakes[provider].calls, "the credentials were not tried against the CRM"
    if provider == "bullhorn":
        assert len(fakes["bullhorn"].subscriptions) == 1
    shown = client.get(f"{BASE}/{created['id']}", headers=admin())
    listed = client.get(BASE, headers=admin())
    assert sorted(shown.get_json()["credentials_set"]) == sorted(
        {*BODIES[provider], *(["subscription_id"] if provider == "bullhorn" else [])} - {"signature_tokens"})
    for secret in SECRETS.get(provider, []):
        for text in (answer.get_data(as_text=True), shown.get_data(as_text=True),
                     listed.get_data(as_text=True), caplog.text):
            assert secret not in text
    assert ADMIN_TOKEN not in caplog.text


@pytest.mark.parametrize("provider", list(WRONG))
def test_refused_credentials_store_nothing_and_are_not_echoed(client, fakes, provider):
    body = {**BODIES[provider], WRONG[provider]: "wrong-secret-value"}
    answer = client.post(BASE, json={"provider": provider, "name": "N", **body}, headers=admin())
    assert answer.status_code == 422
    assert "did not work" in answer.get_json()["message"]
    assert "wrong-secret-value" not in answer.get_data(as_text=True)
    assert client.get(BASE, headers=admin()).get_json() == []
    if provider == "bullhorn":
        assert fakes["bullhorn"].subscriptions == {}


def test_an_unreachable_crm_is_a_502_and_stores_nothing(app, client):
    app.config["GREENHOUSE_TOKEN_URL"] = "http://127.0.0.1:9/token"
    answer = client.post(BASE, json={"provider": "greenhouse", "name": "GH", **BODIES["greenhouse"]},
                         headers=admin())
    assert answer.status_code == 502
    assert client.get(BASE, headers=admin()).get_json() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"provider": "greenhouse", "name": "GH", "client_id": "x"}, "client_secret"),
    ({"provider": "standard", "name": "S", "api_key": "k"}, "api_key"),
    ({"provider": "lever", "name": "L", "api_key": "k"}, "signature_tokens"),
    ({"provider": "workable", "name": "W", "subdomain": "acme.evil.com", "api_token": "t"}, "subdomain"),
    ({"provider": "bullhorn", "name": "B", **{**BODIES["bullhorn"], "field": "customText41"}}, "field"),
    ({"provider": "standard", "name": "S", "callback_url": "http://10.1.2.3/hook"}, "callback_url"),
    ({"provider": "hubspot", "name": "H"}, "provider"),
    ({"provider": "standard", "name": "S", "colour": 1}, "colour"),
])
def test_a_bad_field_is_named(client, body, field):
    answer = client.post(BASE, json=body, headers=admin())
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]["json"]
    assert client.get(BASE, headers=admin()).get_json() == []


def test_update_disable_and_enable(client, connection):
    url = f"{BASE}/{connection.id}"
    updated = client.patch(url, json={"frame_ancestors": ["https://ACME.greenhouse.io/"]}, headers=admin())
    assert updated.status_code == 200 and updated.get_json()["frame_ancestors"] == ["https://acme.greenhouse.io"]
    bad = client.patch(url, json={"frame_ancestors": ["http://acme.example"]}, headers=admin())
    assert bad.status_code == 422 and "frame_ancestors" in bad.get_json()["errors"]["json"]
    recruiter = {"Authorization": f"Bearer {connection.token}"}
    assert client.get("/api/candidates", headers=recruiter).status_code == 200
    assert client.post(f"{url}/disable", headers=admin()).get_json()["enabled"] is False
    assert client.get("/api/candidates", headers=recruiter).status_code == 401
    assert client.post(f"{url}/enable", headers=admin()).get_json()["enabled"] is True
    assert client.get("/api/candidates", headers=recruiter).status_code == 200
    assert client.post(f"{BASE}/con_nothere/disable", headers=admin()).status_code == 404
    assert client.get(f"{BASE}/con_nothere", headers=admin()).status_code == 404
