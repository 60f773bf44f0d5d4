"""REST reads of sync history, over runs the real engine recorded while syncing the fake
QuickBooks: the run list newest first with totals, one run with per-type counts and errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from connector.store import sync_runs as run_store
from connector.store.companies import create_company
from connector.store.db import Database
from connector.store.sync_runs import RunError
from tests.api.synced_company import FIRST, Client, Synced, error_of, synced_company

TOTALS = ("fetched", "created", "updated", "unchanged", "deleted", "errors")


@pytest.fixture
def synced(db: Database) -> Synced:
    """Two sessions: a full sync, then an incremental one after a rename and a deletion."""
    synced = synced_company(db)
    later = FIRST + timedelta(days=1)
    customers = list(synced.qb.company.iter_records("customers"))
    first = customers[0].data
    synced.qb.company.modify(
        "customers", str(first["ListID"]), {"Name": "Renamed"}, str(first["EditSequence"]), later
    )
    synced.qb.company.delete("customers", str(customers[1].data["ListID"]), later)
    synced.sync(later)
    return synced


def _syncs(synced: Synced, run_id: str | None = None) -> str:
    base = f"/api/v1/companies/{synced.company_id}/syncs"
    return base if run_id is None else f"{base}/{run_id}"


def _store_runs(synced: Synced) -> list[run_store.SyncRun]:
    """Every run of the company with its details, newest first, from the store."""
    with synced.db.begin(write=False) as conn:
        listed = run_store.list_runs(conn, synced.company_id)
        runs = [run_store.get_run(conn, run.id) for run in listed]
    assert all(run is not None for run in runs)
    return [run for run in runs if run is not None]


def _list_all(synced: Synced, page_size: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"pageSize": page_size}
    while True:
        response = synced.client.get(_syncs(synced), params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["data"]) <= page_size
        seen.extend(body["data"])
        if body["nextCursor"] is None:
            return seen
        params["cursor"] = body["nextCursor"]


@pytest.mark.parametrize("page_size", [pytest.param(1, id="by-1"), pytest.param(50, id="by-50")])
def test_runs_list_newest_first_with_totals(synced: Synced, page_size: int) -> None:
    listed = _list_all(synced, page_size)
    stored = _store_runs(synced)
    assert [r["id"] for r in listed] == [r.id for r in stored]
    assert [r["kind"] for r in listed] == ["incremental", "full"]
    for item, run in zip(listed, stored, strict=True):
        assert "types" not in item and "errors" not in item
        assert item["status"] == run.status == "succeeded"
        assert item["companyId"] == synced.company_id and item["summary"] == run.summary
        assert item["totals"] == {k: sum(getattr(t, k) for t in run.types) for k in TOTALS}
    assert listed[0]["totals"]["updated"] >= 1 and listed[1]["totals"]["created"] > 0


def test_one_run_has_its_counts_per_type(synced: Synced) -> None:
    full, incremental = reversed(_store_runs(synced))
    body = synced.client.get(_syncs(synced, full.id)).json()
    types = {t["dataType"]: t for t in body["types"]}
    assert [t["dataType"] for t in body["types"]] == full.data_types
    assert (types["customers"]["created"], types["invoices"]["created"]) == (11, 7)
    assert all(t["status"] == "done" for t in body["types"])
    assert body["errors"] == [] and body["endedAt"] and body["startedAt"]

    body = synced.client.get(_syncs(synced, incremental.id)).json()
    types = {t["dataType"]: t for t in body["types"]}
    assert types["customers"]["updated"] == 1 and types["deleted_lists"]["deleted"] == 1
    for t in incremental.types:
        assert {k: types[t.data_type][k] for k in TOTALS} == {k: getattr(t, k) for k in TOTALS}


def test_run_errors_carry_their_quickbooks_codes(synced: Synced) -> None:
    run = _store_runs(synced)[0]
    at = FIRST + timedelta(days=1, seconds=5)
    with synced.db.begin() as conn:
        run_store.record_error(
            conn, run.id, RunError("invoices", 3100, None, "duplicate_name", "name in use", at)
        )
        run_store.record_error(
            conn, run.id, RunError(None, None, "0x80040408", "retry_later", "could not start", at)
        )
    body = synced.client.get(_syncs(synced, run.id)).json()
    assert body["errors"] == [
        {
            "dataType": "invoices",
            "statusCode": 3100,
            "hresult": None,
            "class": "duplicate_name",
            "message": "name in use",
            "at": "2026-01-12T17:00:05Z",
        },
        {
            "dataType": None,
            "statusCode": None,
            "hresult": "0x80040408",
            "class": "retry_later",
            "message": "could not start",
            "at": "2026-01-12T17:00:05Z",
        },
    ]
    invoices = next(t for t in body["types"] if t["dataType"] == "invoices")
    assert invoices["errors"] == 1
    assert synced.client.get(_syncs(synced)).json()["data"][0]["totals"]["errors"] == 1


def test_a_company_without_runs_lists_none(db: Database) -> None:
    synced = synced_company(db, sync=False)
    assert synced.client.get(_syncs(synced)).json() == {"data": [], "nextCursor": None}


def test_unknown_company_or_run_is_404(synced: Synced) -> None:
    run_id = _store_runs(synced)[0].id
    error_of(synced.client.get("/api/v1/companies/nope/syncs"), 404, "not_found")
    error_of(synced.client.get(f"/api/v1/companies/nope/syncs/{run_id}"), 404, "not_found")
    error_of(synced.client.get(_syncs(synced, "no-such-run")), 404, "not_found")
    other = create_company(synced.db, "Other").id
    error_of(synced.client.get(f"/api/v1/companies/{other}/syncs/{run_id}"), 404, "not_found")
    assert synced.client.get(f"/api/v1/companies/{other}/syncs").json()["data"] == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-key"),
    ],
)
def test_history_without_a_valid_key_is_401(db: Database, headers: dict[str, str]) -> None:
    synced = synced_company(db, sync=False)
    anonymous = Client(synced.app, token=None)
    for url in (_syncs(synced), _syncs(synced, "some-run")):
        error_of(anonymous.get(url, headers=headers), 401, "unauthorized")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        pytest.param({"cursor": "garbage!"}, 400, "bad_request", id="cursor-garbage"),
        pytest.param({"pageSize": 0}, 422, "validation_error", id="page-size-0"),
        pytest.param({"pageSize": 501}, 422, "validation_error", id="page-size-501"),
    ],
)
def test_bad_list_parameters_answer_the_error_shape(
    db: Database, params: dict[str, Any], status: int, code: str
) -> None:
    synced = synced_company(db, sync=False)
    error_of(synced.client.get(_syncs(synced), params=params), status, code)


def test_openapi_documents_the_history_routes(db: Database) -> None:
    synced = synced_company(db, sync=False)
    spec = synced.client.get("/api/v1/openapi.json").json()
    one = spec["paths"]["/api/v1/companies/{companyId}/syncs/{syncId}"]["get"]
    schema = one["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/SyncRunOut")
    error = spec["components"]["schemas"]["RunErrorOut"]["properties"]
    assert {"dataType", "statusCode", "hresult", "class", "message", "at"} == set(error)
    listing = spec["paths"]["/api/v1/companies/{companyId}/syncs"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SyncRunPage"
    )
