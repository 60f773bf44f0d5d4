"""Companies: create, find by id or name, list in keyset pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.store.companies import create_company, get_company, list_companies
from connector.store.db import Database
from connector.store.errors import CompanyExists, CompanyNotFound, InvalidValue


def test_a_created_company_is_found_by_id_and_by_name(db: Database) -> None:
    created = create_company(db, "  Acme   Plumbing ")
    assert created.name == "Acme Plumbing"
    assert get_company(db, created.id) == created
    assert get_company(db, "Acme Plumbing") == created
    assert created.created_at.tzinfo is not None


def test_an_unknown_company_is_a_clear_error(db: Database) -> None:
    with pytest.raises(CompanyNotFound, match="'nope'"):
        get_company(db, "nope")


def test_names_are_unique(db: Database) -> None:
    create_company(db, "Acme")
    with pytest.raises(CompanyExists, match="already exists"):
        create_company(db, "Acme")


def test_a_duplicate_inside_a_callers_transaction_leaves_it_usable(db: Database) -> None:
    with db.begin() as conn:
        create_company(conn, "Acme")
        with pytest.raises(CompanyExists):
            create_company(conn, "Acme")
        create_company(conn, "Beta")
    assert [c.name for c in list_companies(db)] == ["Acme", "Beta"]


@pytest.mark.parametrize(
    "name", [pytest.param("", id="empty"), pytest.param("   ", id="blank"), "x" * 201]
)
def test_bad_names_are_refused(db: Database, name: str) -> None:
    with pytest.raises(InvalidValue):
        create_company(db, name)


def test_list_pages_through_every_company_once_in_creation_order(db: Database) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    names = [f"Company {i:02d}" for i in range(7)]
    for i, name in enumerate(names):
        # two companies share each timestamp: the id breaks the tie
        create_company(db, name, now=start + timedelta(seconds=i // 2))
    seen: list[str] = []
    page = list_companies(db, limit=3)
    while page:
        seen.extend(c.name for c in page)
        page = list_companies(db, limit=3, after=page[-1].key)
    assert sorted(seen) == names
    assert len(seen) == len(set(seen))
    stamps = [get_company(db, n).created_at for n in seen]
    assert stamps == sorted(stamps)


def test_deleting_a_company_takes_everything_it_owns_and_nothing_else(db: Database) -> None:
    """Issue 11 item 8 (``company delete``): connections, records and sync history go with
    it (ON DELETE CASCADE on both backends); another company keeps its own."""
    from connector.settings import DEFAULT_OWNER_ID
    from connector.store.companies import company_footprint, delete_company
    from connector.store.connections import create_connection, find_connection_by_username
    from connector.store.records import IncomingRecord, upsert_records
    from connector.store.sync_requests import queue_sync

    now = datetime(2026, 3, 2, tzinfo=UTC)
    kept, gone = create_company(db, "Kept"), create_company(db, "Gone")
    for company in (kept, gone):
        row, _ = create_connection(db, company.id, "desktop_app", owner_id=DEFAULT_OWNER_ID)
        record = IncomingRecord("customers", "80000001-1", "CustomerRet", {}, {"name": "A"})
        with db.begin() as conn:
            upsert_records(conn, company.id, [record], now)
            queue_sync(conn, company.id, None, now)
    before = company_footprint(db, gone.id)
    assert before == {"connections": 1, "records": 1, "syncs": 1, "pushes": 0}
    delete_company(db, gone.id)
    assert company_footprint(db, gone.id) == dict.fromkeys(before, 0)
    assert company_footprint(db, kept.id) == before
    assert find_connection_by_username(db, row.username) is None
    with pytest.raises(CompanyNotFound):
        get_company(db, "Gone")
    with pytest.raises(CompanyNotFound):
        delete_company(db, gone.id)
