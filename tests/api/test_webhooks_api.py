"""``/api/v1/webhooks`` (issue 19): create (secret shown once), list, delete, the delivery log;
URL checks; scoped keys see only their own; and events queued by the real code paths: a
sync run that ends (the real engine), a connection paused through the API. Both backends."""

from __future__ import annotations

import json

import pytest

from connector.api.app import create_app
from connector.settings import Settings
from connector.store.api_keys import create_api_key
from connector.store.db import Database
from tests.api.synced_company import Client, Synced, error_of, no_work, synced_company

URL = "http://127.0.0.1:9/hooks"  # loopback: allowed because the settings say so below


@pytest.fixture
def synced(db: Database) -> Synced:
    return synced_company(db, sync=False)


def _app_client(
    db: Database, *, allow_private: bool, token: str = "data-routes-test-key"
) -> Client:
    settings = Settings(
        database_url=db.url, port=8080, bootstrap_api_key="data-routes-test-key",
        webhook_allow_private=allow_private,
    )  # fmt: skip
    return Client(create_app(settings, database=db, work_source_factory=no_work), token)


def _post(client: Client, url: str, body: object) -> object:
    import asyncio

    import httpx

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            headers = {"Authorization": f"Bearer {client.token}"}
            if body is None:
                return await c.delete(url, headers=headers)
            return await c.post(url, json=body, headers=headers)

    return asyncio.run(go())


def test_create_list_delete_and_the_secret_is_shown_once(synced: Synced) -> None:
    client = _app_client(synced.db, allow_private=True)
    made = _post(client, "/api/v1/webhooks", {"url": URL, "events": ["sync.completed"]})
    assert made.status_code == 201, made.text  # type: ignore[attr-defined]
    hook = made.json()  # type: ignore[attr-defined]
    assert hook["secret"].startswith("whsec_") and hook["companies"] is None
    listed = client.get("/api/v1/webhooks")
    assert [h["id"] for h in listed.json()["data"]] == [hook["id"]]
    assert hook["secret"] not in listed.text
    gone = _post(client, f"/api/v1/webhooks/{hook['id']}", None)
    assert gone.status_code == 204  # type: ignore[attr-defined]
    assert client.get("/api/v1/webhooks").json()["data"] == []
    error_of(client.get(f"/api/v1/webhooks/{hook['id']}/deliveries"), 404, "not_found")


# IP literals only: no test resolves a name (no network here)
@pytest.mark.parametrize(
    ("body", "allow", "code"),
    [
        pytest.param({"url": URL, "events": ["sync.completed"]}, False, "invalid_webhook_url",
                     id="loopback"),
        pytest.param({"url": "http://10.0.0.1/h", "events": ["sync.completed"]}, False,
                     "invalid_webhook_url", id="private"),
        pytest.param({"url": "ftp://10.0.0.1/h", "events": ["sync.completed"]}, True,
                     "invalid_webhook_url", id="scheme"),
        pytest.param({"url": URL, "events": ["nope"]}, True, "invalid_value", id="event"),
        pytest.param({"url": URL, "events": []}, True, "validation_error", id="no-events"),
        pytest.param({"url": URL, "events": ["sync.failed"], "secret": "short"}, True,
                     "validation_error", id="short-secret"),
    ],
)  # fmt: skip
def test_bad_webhooks_are_refused_and_nothing_is_stored(
    synced: Synced, body: dict[str, object], allow: bool, code: str
) -> None:
    client = _app_client(synced.db, allow_private=allow)
    answer = _post(client, "/api/v1/webhooks", body)
    error_of(answer, 422, code)  # type: ignore[arg-type]
    assert client.get("/api/v1/webhooks").json()["data"] == []


def test_real_changes_queue_signed_events_with_one_id_per_event(synced: Synced) -> None:
    client = _app_client(synced.db, allow_private=True)
    events = ["sync.completed", "sync.failed", "connection.paused", "connection.connected"]
    hook = _post(client, "/api/v1/webhooks", {"url": URL, "events": events}).json()  # type: ignore[attr-defined]
    synced.sync(synced.qb.clock())  # the real engine ends a run: sync.completed
    base = f"/api/v1/companies/{synced.company_id}/connections"
    connection = _post(client, base, {"method": "rightworks"}).json()  # type: ignore[attr-defined]
    for _ in range(2):  # pausing twice is one change
        _post(client, f"{base}/{connection['id']}/pause", {})
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["data"]
    assert sorted(d["event"] for d in log) == ["connection.paused", "sync.completed"]
    assert all(d["status"] == "pending" and d["attempts"] == 0 for d in log)
    assert len({d["eventId"] for d in log}) == 2


def test_a_scoped_key_sees_and_deletes_only_webhooks_of_its_companies(synced: Synced) -> None:
    admin = _app_client(synced.db, allow_private=True)
    everyone = _post(admin, "/api/v1/webhooks", {"url": URL, "events": ["sync.failed"]}).json()  # type: ignore[attr-defined]
    _, key = create_api_key(synced.db, "scoped", companies=[synced.company_id])
    scoped = _app_client(synced.db, allow_private=True, token=key)
    own = _post(scoped, "/api/v1/webhooks", {"url": URL, "events": ["sync.failed"]}).json()  # type: ignore[attr-defined]
    assert own["companies"] == [synced.company_id]
    assert [h["id"] for h in scoped.get("/api/v1/webhooks").json()["data"]] == [own["id"]]
    error_of(scoped.get(f"/api/v1/webhooks/{everyone['id']}/deliveries"), 404, "not_found")
    refused = _post(scoped, f"/api/v1/webhooks/{everyone['id']}", None)
    error_of(refused, 404, "not_found")  # type: ignore[arg-type]
    assert len(admin.get("/api/v1/webhooks").json()["data"]) == 2
    body = json.dumps(scoped.get("/api/v1/webhooks").json())
    assert "secret" not in body
