"""Test harness: drive the sync engine against the fake QuickBooks without SOAP.

``run_session`` plays the Web Connector's part (begin with the Host/Company/Preferences
answers, then request/response pairs, then end), optionally cutting the session after a
given number of requests, before or after the response is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from connector.qbwc.server.work import SessionContext
from connector.qbxml.values import RecordData
from connector.store import records as store
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import QUERY_TYPES
from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.scenario_matrix import as_synced

PST = timezone(timedelta(hours=-8))
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=PST)
HCP_REQUEST = (
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="continueOnError">'
    "<HostQueryRq/><CompanyQueryRq/><PreferencesQueryRq/></QBXMLMsgsRq></QBXML>"
)


def make_company(customers: int = 7, invoices: int = 5) -> CompanyFile:
    company = CompanyFile(company_info={"CompanyName": "Acme"}, preferences={})
    for i in range(3):
        company.add("accounts", "AccountRet", {"Name": f"Acct {i}", "AccountType": "Bank"}, T0)
    for i in range(customers):
        company.add(
            "customers",
            "CustomerRet",
            {"Name": f"Cust {i}", "IsActive": i % 4 != 3},
            T0 + timedelta(minutes=i),
        )
    custs = list(company.iter_records("customers"))
    for i in range(invoices):
        cust = custs[i % len(custs)].data
        ref = {"ListID": cust["ListID"], "FullName": cust["FullName"]}
        company.add(
            "invoices",
            "InvoiceRet",
            {"CustomerRef": ref, "TxnDate": T0.date(), "RefNumber": str(1000 + i)},
            T0 + timedelta(minutes=10 * i),
        )
    return company


@dataclass
class Cut:
    after_requests: int
    stored: bool
    """True: the response of the last request is stored before the cut."""


def run_session(
    engine: SyncEngine,
    qb: FakeQuickBooks,
    company_id: str,
    ticket: str,
    now: datetime,
    cut: Cut | None = None,
    version: str = "13.0",
) -> list[int]:
    """One session; returns the percentages answered. ``cut`` abandons it mid-way."""
    ctx = SessionContext("conn-1", company_id, ticket, version, "US", now)
    qb.open_connection("", "qbd-connector")
    qb_ticket = qb.begin_session("")
    try:
        engine.begin(ctx, qb.process_request(qb_ticket, HCP_REQUEST))
        percents: list[int] = []
        sent = 0
        while (request := engine.next_request(ctx)) is not None:
            sent += 1
            response = qb.process_request(qb_ticket, request)
            if cut is not None and sent == cut.after_requests and not cut.stored:
                return percents
            percents.append(engine.apply_response(ctx, response).percent)
            if cut is not None and sent == cut.after_requests:
                return percents
            if percents[-1] == 100:
                break
            assert sent < 10_000, "the engine does not converge"
        engine.end(ctx, "closeConnection")
        return percents
    finally:
        qb.end_session(qb_ticket)
        qb.close_connection()


def store_state(db: Database, company_id: str) -> dict[str, dict[str, RecordData]]:
    with db.begin() as conn:
        return {
            dt.key: {r.qb_id: r.data for r in store.iter_records(conn, company_id, dt.key)}
            for dt in QUERY_TYPES
        }


def company_state(company: CompanyFile) -> dict[str, dict[str, Any]]:
    """The company's records as the sync's queries see them (``as_synced``)."""
    return {
        dt.key: {str(r.data[dt.id_field]): as_synced(r.data) for r in company.iter_records(dt.key)}
        for dt in QUERY_TYPES
    }


def assert_store_equals_company(db: Database, company_id: str, company: CompanyFile) -> None:
    got, want = store_state(db, company_id), company_state(company)
    for key in want:
        missing = set(want[key]) - set(got[key])
        extra = set(got[key]) - set(want[key])
        assert not missing and not extra, (
            f"{key}: missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}"
        )
        for qb_id, data in want[key].items():
            assert got[key][qb_id] == data, f"{key} {qb_id} differs"
