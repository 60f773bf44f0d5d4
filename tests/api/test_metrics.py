"""``GET /metrics`` (issue 19): Web Connector calls by method and outcome with latency
histograms, store latency, and the store's totals (sessions open, records synced by type,
QuickBooks errors by status code), parsed back with prometheus-client's own parser. The SOAP
calls are real calls into the app's ``/qbwc``; both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from connector.api.app import create_app
from connector.settings import Settings
from connector.store import outbox, webhooks
from connector.store.db import Database
from connector.store.sync_runs import RunError, record_error
from connector.store.tables_sync import sync_runs
from tests.api.synced_company import synced_company
from tests.qbwc.scripted_work import cheap_hashing, make_connection, soap_envelope

KEY = "metrics-test-key"


def _call(app: FastAPI, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def _soap(app: FastAPI, operation: str, action: str | None = None, **params: str) -> str:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    headers["SOAPAction"] = f'"http://developer.intuit.com/{action or operation}"'
    response = _call(
        app, "POST", "/qbwc", content=soap_envelope(operation, **params), headers=headers
    )
    return response.text


def _samples(app: FastAPI) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = _call(app, "GET", "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


@pytest.fixture
def app(db: Database, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    cheap_hashing(monkeypatch)
    settings = Settings(database_url=db.url, port=8080, bootstrap_api_key=KEY)
    return create_app(settings, database=db)


def test_web_connector_calls_are_counted_and_timed_by_method_and_outcome(
    app: FastAPI, db: Database
) -> None:
    row, password = make_connection(db, "Metrics Co")
    assert "<" in _soap(app, "serverVersion")
    assert "<" in _soap(app, "clientVersion", strVersion="2.3.0.36")
    answer = _soap(app, "authenticate", strUserName=row.username, strPassword=password)
    assert "nvu" not in answer
    _soap(app, "authenticate", strUserName=row.username, strPassword="wrong")
    # an action the service does not know is refused, and its label is not the caller's text
    _soap(app, "serverVersion", action="<script>x</script>")
    _call(app, "GET", "/qbwc?wsdl")
    samples = _samples(app)

    def calls(method: str, outcome: str) -> float:
        key = ("qbd_qbwc_calls_total", (("method", method), ("outcome", outcome)))
        return samples.get(key, 0.0)

    assert calls("serverVersion", "ok") == 1 and calls("clientVersion", "ok") == 1
    assert calls("authenticate", "ok") == 2 and calls("unknown", "fault") == 1
    assert calls("wsdl", "ok") == 1
    assert samples[("qbd_qbwc_call_seconds_count", (("method", "authenticate"),))] == 2
    assert samples[("qbd_qbwc_call_seconds_sum", (("method", "authenticate"),))] > 0
    assert not any("script" in str(labels) for _, labels in samples)
    assert samples[("qbd_qbwc_sessions_active", ())] == 1  # the right password's session
    assert samples[("qbd_store_query_seconds_count", (("statement", "select"),))] > 0


def test_a_soap_fault_is_counted_as_one(app: FastAPI) -> None:
    _soap(app, "sendRequestXML", ticket="no-such-ticket", strHCPResponse="", strCompanyFileName="",
          qbXMLCountry="US", qbXMLMajorVers="13", qbXMLMinorVers="0")  # fmt: skip
    response = _call(app, "POST", "/qbwc", content=b"<not-soap", headers={"SOAPAction": '""'})
    assert response.status_code >= 400
    samples = _samples(app)
    outcomes = {
        dict(labels)["outcome"]
        for name, labels in samples
        if name == "qbd_qbwc_calls_total" and dict(labels)["method"] == "unknown"
    }
    assert outcomes and outcomes <= {"fault", f"http_{response.status_code}"}
    assert ("qbd_qbwc_calls_total", (("method", "sendRequestXML"), ("outcome", "ok"))) in samples


def test_records_synced_and_quickbooks_errors_come_from_the_store(db: Database) -> None:
    synced = synced_company(db, customers=11, invoices=7)
    with db.begin() as conn:
        run_id = conn.execute(sync_runs.select().limit(1)).mappings().one()["id"]
        for code, hresult in ((3200, None), (3200, None), (None, "0x80040408")):
            error = RunError("customers", code, hresult, "error", "m", datetime.now(UTC))
            record_error(conn, run_id, error)
    samples = _samples(synced.app)
    assert samples[("qbd_records_synced_total", (("data_type", "customers"),))] == 11
    assert samples[("qbd_records_synced_total", (("data_type", "invoices"),))] == 7
    assert samples[("qbd_quickbooks_errors_total", (("status_code", "3200"),))] == 2
    assert samples[("qbd_quickbooks_errors_total", (("status_code", "0x80040408"),))] == 1
    assert samples[("qbd_qbwc_sessions_active", ())] == 0
    assert not any("Acme" in str(labels) for _, labels in samples)  # no tenant in a label


def test_pushes_and_webhook_deliveries_by_status(db: Database) -> None:
    synced = synced_company(db, sync=False)
    now = datetime.now(UTC)
    for i in range(3):
        outbox.create_push(db, synced.company_id, "customers", "add", {"name": f"C{i}"},
                           idempotency_key=None, now=now)  # fmt: skip
    hook = webhooks.create_webhook(db, "http://127.0.0.1:9/h", ["sync.failed"], "s" * 32,
                                   company_ids=None, created_by=None, now=now)  # fmt: skip
    with db.begin() as conn:
        webhooks.emit(conn, "sync.failed", synced.company_id, {}, now)
    samples = _samples(synced.app)
    assert samples[("qbd_pushes", (("status", "pending"),))] == 3
    assert samples[("qbd_webhook_deliveries", (("status", "pending"),))] == 1
    assert len(webhooks.list_deliveries(db, hook.id)) == 1


def test_metrics_need_no_key_and_are_not_in_the_api_document(app: FastAPI) -> None:
    assert _call(app, "GET", "/metrics").status_code == 200
    document = _call(app, "GET", "/api/v1/openapi.json").json()
    assert "/metrics" not in document["paths"]
