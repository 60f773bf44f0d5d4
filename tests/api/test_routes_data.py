"""REST reads of synced records, over a company synced by the real engine from the fake
QuickBooks: every record back page by page, one by id, filters, deletions, errors."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from connector.qbxml.datatypes import BY_KEY
from connector.store import records as record_store
from connector.store.db import Database
from connector.sync.normalise import normalise
from tests.api.synced_company import FIRST, Client, Synced, error_of, synced_company

SECOND = FIRST + timedelta(days=1)


@pytest.fixture
def synced(db: Database) -> Synced:
    return synced_company(db)


@pytest.fixture
def unsynced(db: Database) -> Synced:
    """The company and the app, no records: enough for errors answered before any read."""
    return synced_company(db, sync=False)


def _url(synced: Synced, data_type: str, record_id: str | None = None) -> str:
    base = f"/api/v1/companies/{synced.company_id}/data/{data_type}"
    return base if record_id is None else f"{base}/{record_id}"


def _read_all(synced: Synced, data_type: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a list, following ``nextCursor`` until it is null."""
    seen: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        response = synced.client.get(_url(synced, data_type), params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"data", "nextCursor"}
        assert len(body["data"]) <= query.get("pageSize", 100)
        seen.extend(body["data"])
        if body["nextCursor"] is None:
            return seen
        query["cursor"] = body["nextCursor"]


def _expected(synced: Synced, data_type: str) -> dict[str, Any]:
    """What the API should serve for each record of the fake company, by QuickBooks id."""
    dt = BY_KEY[data_type]
    want = {}
    for record in synced.qb.company.iter_records(data_type):
        qb_id = record.data[dt.id_field]
        assert isinstance(qb_id, str)
        want[qb_id] = json.loads(json.dumps(normalise(data_type, record.ret, qb_id, record.data)))
    return want


@pytest.mark.parametrize(
    ("data_type", "page_size"),
    [
        pytest.param("customers", 3, id="customers-by-3"),
        pytest.param("invoices", 7, id="invoices-one-exact-page"),
        pytest.param("accounts", 1000, id="accounts-one-page"),
    ],
)
def test_every_record_of_a_type_reads_back_page_by_page(
    synced: Synced, data_type: str, page_size: int
) -> None:
    got = _read_all(synced, data_type, pageSize=page_size)
    want = _expected(synced, data_type)
    assert len(got) == len(want) > 0
    assert {r["id"]: r for r in got} == want
    with synced.db.begin(write=False) as conn:
        stored = list(record_store.iter_records(conn, synced.company_id, data_type))
    assert [r["id"] for r in got] == [s.qb_id for s in stored]  # the store's row order
    assert all("deletedAt" not in r for r in got)


def test_one_record_by_its_quickbooks_id(synced: Synced) -> None:
    want = _expected(synced, "invoices")
    for qb_id, record in list(want.items())[:3]:
        response = synced.client.get(_url(synced, "invoices", qb_id))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json() == record
    company = synced.client.get(_url(synced, "company", "company")).json()
    assert company["id"] == "company" and company["companyName"] == "Acme"


def test_a_company_can_be_named_by_its_name_too(synced: Synced) -> None:
    by_name = synced.client.get("/api/v1/companies/Acme/data/customers").json()
    assert by_name == synced.client.get(_url(synced, "customers")).json()


def test_deleted_records_are_hidden_unless_asked_for(synced: Synced) -> None:
    customer = next(iter(synced.qb.company.iter_records("customers"))).data
    gone = str(customer["ListID"])
    synced.qb.company.delete("customers", gone, SECOND)
    synced.sync(SECOND)

    live = _read_all(synced, "customers", pageSize=4)
    assert gone not in {r["id"] for r in live} and len(live) == len(_expected(synced, "customers"))
    every = _read_all(synced, "customers", pageSize=4, includeDeleted="true")
    assert len(every) == len(live) + 1
    deleted_at = {r["id"]: r["deletedAt"] for r in every}
    assert deleted_at.pop(gone) == SECOND.isoformat().replace("+00:00", "Z")
    assert set(deleted_at.values()) == {None}
    assert [r for r in every if r["id"] != gone] == [dict(r, deletedAt=None) for r in live]

    error = error_of(synced.client.get(_url(synced, "customers", gone)), 404, "not_found")
    assert error["details"] == {"deletedAt": SECOND.isoformat().replace("+00:00", "Z")}
    shown = synced.client.get(_url(synced, "customers", gone), params={"includeDeleted": "true"})
    assert shown.status_code == 200
    assert shown.json() == next(r for r in every if r["id"] == gone)


def test_modified_since_returns_what_the_connector_wrote_since(synced: Synced) -> None:
    customers = list(synced.qb.company.iter_records("customers"))
    first, second = (str(c.data["ListID"]) for c in customers[:2])
    renamed = synced.qb.company.modify(
        "customers", first, {"Name": "Renamed"}, str(customers[0].data["EditSequence"]), SECOND
    )
    added = synced.qb.company.add("customers", "CustomerRet", {"Name": "Newcomer"}, SECOND)
    synced.qb.company.delete("customers", second, SECOND)
    synced.sync(SECOND)

    changed = {renamed.data["ListID"], added.data["ListID"]}
    assert SECOND.isoformat() == "2026-01-12T17:00:00+00:00"
    for since in ("2026-01-12T17:00:00Z", "2026-01-13T01:00:00+08:00", "2026-01-12T17:00:00"):
        got = _read_all(synced, "customers", modifiedSince=since, pageSize=1)
        assert {r["id"] for r in got} == changed, since
        assert next(r for r in got if r["id"] == first)["name"] == "Renamed"
    with_deleted = _read_all(synced, "customers", modifiedSince="2026-01-12", includeDeleted="true")
    assert {r["id"] for r in with_deleted} == changed | {second}
    later = (SECOND + timedelta(seconds=1)).isoformat()
    assert _read_all(synced, "customers", modifiedSince=later) == []
    everything = _read_all(synced, "customers", modifiedSince=FIRST.isoformat())
    assert len(everything) == len(_expected(synced, "customers"))


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-key"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic-auth"),
    ],
)
def test_reads_without_a_valid_key_are_401(unsynced: Synced, headers: dict[str, str]) -> None:
    anonymous = Client(unsynced.app, token=None)
    for url in (_url(unsynced, "customers"), _url(unsynced, "customers", "80000001-1")):
        response = anonymous.get(url, headers=headers)
        error_of(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_company_type_or_record_is_404(synced: Synced) -> None:
    client = synced.client
    error_of(client.get("/api/v1/companies/nope/data/customers"), 404, "not_found")
    error_of(client.get("/api/v1/companies/nope/data/customers/80000001-1"), 404, "not_found")
    for unknown in ("widgets", "deleted_txns", "Customers"):
        error = error_of(client.get(_url(synced, unknown)), 404, "not_found")
        assert "customers" in error["details"]["dataTypes"]
        assert "deleted_txns" not in error["details"]["dataTypes"]
        error_of(client.get(_url(synced, unknown, "x")), 404, "not_found")
    error_of(client.get(_url(synced, "customers", "no-such-id")), 404, "not_found")
    invoice_id = next(iter(_expected(synced, "invoices")))
    error_of(client.get(_url(synced, "customers", invoice_id)), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        pytest.param({"modifiedSince": "yesterday"}, 400, "bad_request", id="since-not-iso"),
        pytest.param({"modifiedSince": "2026-13-01"}, 400, "bad_request", id="since-month-13"),
        pytest.param({"cursor": "garbage!"}, 400, "bad_request", id="cursor-garbage"),
        pytest.param({"cursor": "eyJpIjoxfQ"}, 400, "bad_request", id="cursor-without-type"),
        pytest.param({"pageSize": 0}, 422, "validation_error", id="page-size-0"),
        pytest.param({"pageSize": 1001}, 422, "validation_error", id="page-size-1001"),
        pytest.param({"pageSize": "ten"}, 422, "validation_error", id="page-size-text"),
        pytest.param({"includeDeleted": "perhaps"}, 422, "validation_error", id="deleted-text"),
    ],
)
def test_bad_parameters_answer_the_error_shape(
    unsynced: Synced, params: dict[str, Any], status: int, code: str
) -> None:
    error_of(unsynced.client.get(_url(unsynced, "customers"), params=params), status, code)


def test_a_cursor_only_continues_the_type_it_came_from(synced: Synced) -> None:
    body = synced.client.get(_url(synced, "customers"), params={"pageSize": 2}).json()
    assert body["nextCursor"]
    error = error_of(
        synced.client.get(_url(synced, "invoices"), params={"cursor": body["nextCursor"]}),
        400,
        "bad_request",
    )
    assert error["details"] == {"cursor": body["nextCursor"]}


def test_openapi_documents_the_record_routes(synced: Synced) -> None:
    spec = synced.client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    listing = paths["/api/v1/companies/{companyId}/data/{dataType}"]["get"]
    one = paths["/api/v1/companies/{companyId}/data/{dataType}/{recordId}"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "modifiedSince",
        "includeDeleted",
        "pageSize",
        "cursor",
    }
    page_schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert page_schema["$ref"].endswith("/RecordPage")
    assert one["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RecordOut"
    )
    record = spec["components"]["schemas"]["RecordOut"]
    assert {"id", "dataType", "type", "modifiedAt", "deletedAt"} <= set(record["properties"])
