"""Financial reports through the sync engine: each session asks the fake QuickBooks for the
standard reports after the data types (six requests), stores them as the API serves them,
and answers a report request queued between sessions in the next one."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from decimal import Decimal

from connector.qbwc.server.work import SessionContext
from connector.store import reports as store
from connector.store.companies import create_company
from connector.store.db import Database
from connector.sync.engine import SyncEngine
from connector.sync.plan import Policy
from connector.sync.reports import ReportSpec, column_periods, pick_column, standard_reports
from qbd_emulator.company.statements import profit_and_loss
from qbd_emulator.generate import generate
from qbd_emulator.generate.gen import NOW
from qbd_emulator.processor import FakeQuickBooks
from tests.e2e.e2e_harness import mutate
from tests.sync.sync_harness import HCP_REQUEST, run_session

WHEN = (NOW + timedelta(hours=1)).astimezone(UTC)
TODAY = WHEN.date()  # the service's date (UTC): it does not know the PC's time zone


def _synced(db: Database, policy: Policy) -> tuple[FakeQuickBooks, SyncEngine, str]:
    qb = FakeQuickBooks(company=generate(4, "tiny"), clock=lambda: WHEN)
    engine = SyncEngine(db, policy)
    company_id = create_company(db, "Books").id
    percents = run_session(engine, qb, company_id, "T1", WHEN)
    assert percents[-1] == 100
    return qb, engine, company_id


def test_a_sync_stores_the_standard_reports_and_they_add_up(db: Database) -> None:
    qb, _, company_id = _synced(db, Policy(page_size=100))
    found = {(r.report_type, r.period_key): r.body for r in store.find_reports(db, company_id)}
    assert len(found) == 6, sorted(found)
    specs = standard_reports(WHEN.date())
    monthly = found[("profit-and-loss", specs[0].period_key)]
    assert len(monthly["columns"]) == 25 and monthly["columns"][-1]["title"] == "TOTAL"
    assert monthly["columns"][0] == {
        "title": "Jul 22",
        "type": "Amount",
        "from": "2022-07-01",
        "to": "2022-07-31",
    }
    # the P&L equals what the fake QuickBooks computes for the same period
    assert specs[0].start is not None
    expected = profit_and_loss(qb.company, "Accrual", specs[0].start, specs[0].end, False)
    net = next(r for r in expected.rows if r.label == "Net Income").values[0]
    assert Decimal(monthly["summary"]["netIncome"]) == net
    # the balance sheet balances at each of the 25 dates, and the rows name account IDs
    sheet = found[("balance-sheet", specs[2].period_key)]
    assert [c["asOf"] for c in sheet["columns"]][-2:] == ["2024-05-31", TODAY.isoformat()]
    for index in range(25):
        one = pick_column(sheet, index)["summary"]
        left = Decimal(one["totalAssets"])
        assert left == Decimal(one["totalLiabilities"]) + Decimal(one["totalEquity"]), index
    assert any("accountId" in row for row in sheet["rows"])
    trial = found[("trial-balance", specs[3].period_key)]["summary"]
    assert trial["totalDebit"] == trial["totalCredit"]
    aging = found[("aged-receivables", specs[4].period_key)]["summary"]
    assert set(aging["buckets"]) == {"Current", "1 - 30", "31 - 60", "61 - 90", "> 90"}


def test_no_standard_reports_when_the_policy_says_so(db: Database) -> None:
    _, _, company_id = _synced(db, Policy(page_size=100, reports=False))
    assert store.find_reports(db, company_id) == []


def test_a_queued_request_is_answered_in_the_next_session(db: Database) -> None:
    qb, engine, company_id = _synced(db, Policy(page_size=100, reports=False))
    asked = store.queue(
        db,
        company_id,
        report_type="profit-and-loss",
        basis="cash",
        from_date=date(2023, 1, 1),
        to_date=date(2023, 12, 31),
        as_of=None,
        by_month=False,
        origin="api",
        now=WHEN,
    )
    assert asked.status == "queued"
    later = WHEN + timedelta(hours=1)
    assert run_session(engine, qb, company_id, "T2", later)[-1] == 100
    answered = store.get_request(db, company_id, asked.id)
    assert answered is not None and answered.status == "done", answered
    (report,) = store.find_reports(db, company_id, "profit-and-loss", "cash")
    assert report.body["from"] == "2023-01-01" and report.body["basis"] == "cash"


def test_a_request_left_by_a_broken_session_is_asked_again(db: Database) -> None:
    qb, engine, company_id = _synced(db, Policy(page_size=100, reports=False))
    asked = store.queue(
        db,
        company_id,
        report_type="trial-balance",
        basis="accrual",
        from_date=None,
        to_date=None,
        as_of=TODAY,
        by_month=False,
        origin="api",
        now=WHEN,
    )
    ctx = SessionContext("conn-1", company_id, "T2", "13.0", "US", WHEN)
    qb.open_connection("", "qbd-connector")
    qb_ticket = qb.begin_session("")
    engine.begin(ctx, qb.process_request(qb_ticket, HCP_REQUEST))
    while (request := engine.next_request(ctx)) is not None:
        if "TrialBalance" in request:
            break  # the session breaks with the report request in flight
        engine.apply_response(ctx, qb.process_request(qb_ticket, request))
    sent = store.get_request(db, company_id, asked.id)
    assert sent is not None and sent.status == "sent"
    assert run_session(engine, qb, company_id, "T3", WHEN + timedelta(hours=1))[-1] == 100
    done = store.get_request(db, company_id, asked.id)
    assert done is not None and done.status == "done"


def test_column_dates_follow_the_request() -> None:
    spec = ReportSpec(
        "profit-and-loss", "accrual", date(2024, 1, 15), date(2024, 3, 10), by_month=True
    )
    assert column_periods(spec, 4) == [
        {"from": "2024-01-15", "to": "2024-01-31"},
        {"from": "2024-02-01", "to": "2024-02-29"},
        {"from": "2024-03-01", "to": "2024-03-10"},
        {"from": "2024-01-15", "to": "2024-03-10"},
    ]
    # an answer whose columns do not match the request gets no dates rather than wrong ones
    assert column_periods(spec, 2) == [{}, {}]


def _report_requests(qb: FakeQuickBooks) -> list[str]:
    """Wrap the fake's processRequest: the report requests it is sent."""
    sent: list[str] = []
    inner = qb.process_request

    def counting(ticket: str, request: str) -> str:
        if "ReportQueryRq" in request:
            sent.append(request)
        return inner(ticket, request)

    qb.process_request = counting  # type: ignore[method-assign]
    return sent


def test_unchanged_books_are_not_asked_again_the_same_day(db: Database) -> None:
    qb, engine, company_id = _synced(db, Policy(page_size=100))
    sent = _report_requests(qb)
    assert run_session(engine, qb, company_id, "T2", WHEN + timedelta(minutes=30))[-1] == 100
    assert sent == []  # nothing changed in QuickBooks: the six reports stand
    changed = mutate(qb.company, 4, WHEN + timedelta(minutes=40))
    assert (
        run_session(engine, qb, company_id, "T3", max(changed, WHEN) + timedelta(minutes=50))[-1]
        == 100
    )
    assert len(sent) == 6
