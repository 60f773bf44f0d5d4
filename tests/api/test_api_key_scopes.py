"""API keys per tenant (issue 19): a key scoped to one company never reaches another's data,
connections, syncs or links (each answers exactly what a company that does not exist
answers), cannot manage keys or settings, and no endpoint ever returns a password, a hash or
a ticket.

The walk is driven by the app's own OpenAPI document, so a route added later under
``/companies/{companyId}`` is covered without editing this file. Both backends.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from connector.api.app import create_app
from connector.settings import Settings
from connector.store.db import Database
from connector.store.schema import metadata
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from qbd_emulator.processor import FakeQuickBooks
from tests.api.synced_company import FIRST, error_of, no_work
from tests.qbwc.scripted_work import cheap_hashing, soap_envelope
from tests.sync.sync_harness import make_company, run_session

ADMIN = "scope-test-bootstrap-key"


class Api:
    """A synchronous face over httpx's ASGI transport that remembers every body it saw."""

    def __init__(self, app: FastAPI, seen: list[str]) -> None:
        self.app, self.seen, self.ok = app, seen, 0

    def call(self, method: str, url: str, key: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} | dict(kwargs.pop("headers", {}))

        async def go() -> httpx.Response:
            asgi = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=asgi, base_url="http://test") as client:
                return await client.request(method, url, headers=headers, **kwargs)

        response = asyncio.run(go())
        self.seen.append(response.text)
        self.ok += response.status_code == 200
        return response


@dataclass
class Tenants:
    db: Database
    api: Api
    mine: dict[str, str]
    """Ids of the scoped key's own company and of things in it (connection, sync, record)."""
    theirs: dict[str, str]
    """The same for the other company."""
    scoped_key: str
    secrets: list[str] = field(default_factory=list)
    """Passwords and tickets handed out once: no later answer may contain them."""


def _sync_company(db: Database, company_id: str, customers: int) -> None:
    qb = FakeQuickBooks(company=make_company(customers, 2), clock=lambda: FIRST)
    run_session(SyncEngine(db, Policy(page_size=4)), qb, company_id, f"T-{company_id}", FIRST)


def _ticket(api: Api, username: str, password: str) -> str:
    body = soap_envelope("authenticate", strUserName=username, strPassword=password)
    text = api.call("POST", "/qbwc", ADMIN, content=body).text
    found = re.findall(r"<tns:string>([^<]*)</tns:string>", text)
    assert found and len(found[0]) >= 16, text
    return found[0]


def _tenant(api: Api, db: Database, name: str, customers: int) -> tuple[dict[str, str], list[str]]:
    company = api.call("POST", "/api/v1/companies", ADMIN, json={"name": name}).json()
    _sync_company(db, company["id"], customers)
    base = f"/api/v1/companies/{company['id']}"
    conn = api.call("POST", f"{base}/connections", ADMIN, json={"method": "enterprise_cloud"})
    assert conn.status_code == 201, conn.text
    sync = api.call("POST", f"{base}/syncs", ADMIN, json={"dataTypes": ["customers"]}).json()
    record = api.call("GET", f"{base}/data/customers", ADMIN).json()["data"][0]
    link = api.call("POST", f"{base}/connections/{conn.json()['id']}/links", ADMIN)
    ids = {
        "companyId": company["id"],
        "name": name,
        "connectionId": conn.json()["id"],
        "syncId": sync["id"],
        "recordId": record["id"],
        "dataType": "customers",
        "linkId": link.json().get("id", "x") if link.status_code == 201 else "x",
    }
    ticket = _ticket(api, conn.json()["username"], conn.json()["password"])
    return ids, [conn.json()["password"], ticket]


@pytest.fixture
def tenants(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tenants]:
    cheap_hashing(monkeypatch)
    settings = Settings(database_url=db.url, port=8080, bootstrap_api_key=ADMIN)
    app = create_app(settings, database=db, work_source_factory=no_work)
    api = Api(app, [])
    mine, mine_secrets = _tenant(api, db, "Mine Ltd", 5)
    theirs, their_secrets = _tenant(api, db, "Theirs Inc", 6)
    created = api.call("POST", "/api/v1/api-keys", ADMIN, json={"companies": ["Mine Ltd"]})
    assert created.status_code == 201, created.text
    scoped = created.json()
    assert scoped["scope"] == "companies" and scoped["companies"] == [mine["companyId"]]
    tenants = Tenants(db, api, mine, theirs, scoped["key"])
    hook = api.call(
        "POST",
        "/api/v1/webhooks",
        ADMIN,
        json={"url": "https://93.184.216.34/hooks", "events": ["sync.completed"]},
    )  # an IP literal: checked without a name lookup, never called (no worker runs here)
    assert hook.status_code == 201, hook.text
    tenants.secrets = mine_secrets + their_secrets + [scoped["key"], hook.json()["secret"]]
    api.seen.clear()  # the answers that handed the secrets out once
    yield tenants


def _operations(api: Api) -> list[tuple[str, str]]:
    document = api.call("GET", "/api/v1/openapi.json", ADMIN).json()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "delete", "patch"}
    ]


def _fill(path: str, ids: dict[str, str], company: str) -> str:
    filled = path.replace("{companyId}", company)
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), filled)


def _company_paths(api: Api) -> list[tuple[str, str]]:
    found = [(m, p) for m, p in _operations(api) if "{companyId}" in p]
    assert len(found) >= 15, found  # the walk is over the real API, not an empty list
    return found


def test_a_scoped_key_gets_not_found_for_every_route_of_another_company(
    tenants: Tenants,
) -> None:
    api, theirs = tenants.api, tenants.theirs
    for method, path in _company_paths(api):
        for company in (theirs["companyId"], theirs["name"]):
            url = _fill(path, theirs, company)
            response = api.call(method, url, tenants.scoped_key, json={})
            error = error_of(response, 404, "not_found")
            # exactly what the same key is answered for a company that does not exist
            missing = str(uuid.uuid4())
            absent = api.call(method, _fill(path, theirs, missing), tenants.scoped_key, json={})
            absent_error = error_of(absent, 404, "not_found")
            assert error["message"].replace(company, "?") == absent_error["message"].replace(
                missing, "?"
            ), (method, path)


def test_a_scoped_key_reaches_its_own_company(tenants: Tenants) -> None:
    api, mine, key = tenants.api, tenants.mine, tenants.scoped_key
    base = f"/api/v1/companies/{mine['companyId']}"
    for url in (
        base,
        f"/api/v1/companies/{mine['name']}",
        f"{base}/connections",
        f"{base}/connections/{mine['connectionId']}",
        f"{base}/syncs",
        f"{base}/syncs/{mine['syncId']}",
        f"{base}/data/customers",
        f"{base}/data/customers/{mine['recordId']}",
    ):
        assert api.call("GET", url, key).status_code == 200, url
    listed = api.call("GET", "/api/v1/companies", key).json()
    assert [c["id"] for c in listed["data"]] == [mine["companyId"]]
    paused = api.call("POST", f"{base}/connections/{mine['connectionId']}/pause", key)
    assert paused.status_code == 200 and paused.json()["paused"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/api/v1/api-keys", {"name": "x"}, id="create-key"),
        pytest.param("GET", "/api/v1/api-keys", None, id="list-keys"),
        pytest.param("DELETE", "/api/v1/api-keys/x", None, id="revoke-key"),
        pytest.param("POST", "/api/v1/companies", {"name": "Sneaky"}, id="create-company"),
        pytest.param("GET", "/api/v1/settings", None, id="settings"),
        pytest.param("PUT", "/api/v1/settings/integration", {"enabled": False}, id="integration"),
    ],
)
def test_a_scoped_key_cannot_administer(
    tenants: Tenants, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = tenants.api.call(method, path, tenants.scoped_key, json=body)
    error_of(response, 403, "admin_key_required")
    assert tenants.api.call("GET", "/api/v1/companies", ADMIN).json()["data"][-1]["name"] != (
        "Sneaky"
    )


def test_a_revoked_key_fails_at_once_even_after_it_was_cached(tenants: Tenants) -> None:
    api, key = tenants.api, tenants.scoped_key
    assert api.call("GET", "/api/v1/companies", key).status_code == 200  # cached now
    prefix = key.split("_")[1]
    revoked = api.call("DELETE", f"/api/v1/api-keys/{prefix}", ADMIN)
    assert revoked.status_code == 200 and revoked.json()["revokedAt"] is not None
    error_of(api.call("GET", "/api/v1/companies", key), 401, "unauthorized")
    # another instance over the same database (its own key cache) refuses it too
    other = create_app(
        Settings(database_url=tenants.db.url, port=8080, bootstrap_api_key=ADMIN),
        database=tenants.db,
        work_source_factory=no_work,
    )
    error_of(Api(other, []).call("GET", "/api/v1/companies", key), 401, "unauthorized")


def _stored_hashes(db: Database) -> list[str]:
    found: list[str] = []
    with db.begin() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if "hash" in c.name or c.name == "ticket"]
            for column in columns:
                found += [v for v in conn.execute(sa.select(column)).scalars() if v]
    return found


def test_no_answer_ever_contains_a_password_a_hash_or_a_ticket(tenants: Tenants) -> None:
    api = tenants.api
    for key, ids in (
        (ADMIN, tenants.mine),
        (tenants.scoped_key, tenants.mine),
        (ADMIN, tenants.theirs),
    ):
        for method, path in _operations(api):
            if method == "GET" and "{linkId}" not in path:
                api.call(method, _fill(path, ids, ids["companyId"]), key)
    api.call("GET", "/api/v1/api-keys", ADMIN)
    assert api.ok >= 30  # the walk read real answers, not a row of 404s
    forbidden = tenants.secrets + _stored_hashes(tenants.db)
    assert len(forbidden) >= 6
    leaks = [(s[:12], i) for i, body in enumerate(api.seen) for s in forbidden if s in body]
    assert leaks == []
    assert not any(re.search(r"\$argon2|password_?hash|key_?hash", body) for body in api.seen)
