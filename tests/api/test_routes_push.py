"""``/companies/{companyId}/push`` (issue 19, writes): queueing a push over a company the real
engine synced, the idempotency key, every field error at once (422), references that must
exist in the store or in a push queued before, and the list's status filter and cursor."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from connector.store.db import Database
from tests.api.synced_company import KEY, Synced, error_of, synced_company


def post(synced: Synced, url: str, body: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=synced.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.post(url, json=body, headers={"Authorization": f"Bearer {KEY}"})

    return asyncio.run(go())


@pytest.fixture
def synced(sqlite_db: Database) -> Synced:
    return synced_company(sqlite_db, customers=3, invoices=1)


def _push(synced: Synced, data_type: str = "") -> str:
    base = f"/api/v1/companies/{synced.company_id}/push"
    return f"{base}/{data_type}" if data_type else base


def test_a_push_is_queued_pending_and_its_key_answers_the_same_push(synced: Synced) -> None:
    body = {"record": {"name": "New Co", "companyName": "New Co LLC"}, "idempotencyKey": "k1"}
    created = post(synced, _push(synced, "customers"), body)
    assert created.status_code == 201, created.text
    push = created.json()
    assert push["status"] == "pending" and push["operation"] == "add"
    assert push["record"] == body["record"] and push["qbId"] is None and push["error"] is None
    again = post(synced, _push(synced, "customers"), body)
    assert again.status_code == 200 and again.json()["id"] == push["id"]
    other = post(synced, _push(synced, "customers"), {**body, "record": {"name": "Other"}})
    error_of(other, 409, "conflict")
    got = synced.client.get(f"{_push(synced)}/{push['id']}")
    assert got.status_code == 200 and got.json() == push
    error_of(synced.client.get(f"{_push(synced)}/nope"), 404, "not_found")


def test_every_field_error_is_answered_at_once(synced: Synced) -> None:
    record = {"companyName": "x" * 100, "nope": 1, "isActive": "maybe"}
    error = error_of(post(synced, _push(synced, "customers"), {"record": record}), 422,
                     "invalid_record")  # fmt: skip
    fields = {e["field"] for e in error["details"]["errors"]}
    assert fields == {"name", "companyName", "nope", "isActive"}
    assert synced.client.get(_push(synced)).json()["data"] == []  # nothing queued


def test_references_must_exist_in_the_store_or_in_an_earlier_push(synced: Synced) -> None:
    line = {"itemRef": {"fullName": "Anything"}, "amount": "10.00"}  # items: none synced here
    invoice = {"customerRef": {"fullName": "Cust 1"}, "invoiceLineAdd": [line]}
    refused = post(synced, _push(synced, "invoices"), {"record": invoice})
    errors = error_of(refused, 422, "invalid_record")["details"]["errors"]
    assert [e["field"] for e in errors] == ["invoiceLineAdd[0].itemRef"]
    item = {"type": "ItemService", "name": "Anything",
            "salesOrPurchase": {"price": "10.00", "accountRef": {"fullName": "Acct 0"}}}  # fmt: skip
    assert post(synced, _push(synced, "items"), {"record": item}).status_code == 201
    assert post(synced, _push(synced, "invoices"), {"record": invoice}).status_code == 201
    unknown = {**invoice, "customerRef": {"fullName": "Nobody"}}
    errors = error_of(post(synced, _push(synced, "invoices"), {"record": unknown}), 422,
                      "invalid_record")["details"]["errors"]  # fmt: skip
    assert [e["field"] for e in errors] == ["customerRef"]


def test_operations_the_table_does_not_allow_and_unknown_types(synced: Synced) -> None:
    error_of(post(synced, _push(synced, "host"), {"record": {}}), 404, "not_found")
    refused = post(
        synced, _push(synced, "accounts"), {"record": {"listId": "1"}, "operation": "void"}
    )
    error_of(refused, 422, "invalid_value")
    gone = post(
        synced, _push(synced, "invoices"), {"record": {"txnId": "1-1"}, "operation": "void"}
    )
    assert gone.status_code == 201 and gone.json()["operation"] == "void"


def test_the_list_filters_by_status_and_pages_in_the_order_received(synced: Synced) -> None:
    ids = [
        post(synced, _push(synced, "customers"), {"record": {"name": f"C{i}"}}).json()["id"]
        for i in range(3)
    ]
    seen: list[str] = []
    params: dict[str, Any] = {"pageSize": 2, "status": "pending"}
    while True:
        body = synced.client.get(_push(synced), params=params).json()
        seen += [p["id"] for p in body["data"]]
        if body["nextCursor"] is None:
            break
        params["cursor"] = body["nextCursor"]
    assert seen == ids
    assert synced.client.get(_push(synced), params={"status": "failed"}).json()["data"] == []
    error_of(synced.client.get(_push(synced), params={"status": "nope"}), 422, "validation_error")
