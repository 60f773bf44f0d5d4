"""A company file stays bound to the connection it was first authorised for (issue 10): the
Web Connector of a second connection is refused when it is added (QBWC1026, the FileID under
our OwnerID is already another one), the file keeps its first FileID, and even a session run
regardless is refused by the service: nothing of the file merges into the second company."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connector.qbwc.client import SessionResult
from connector.qbwc.qwc import connection_qwc, parse_qwc
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from qbd_emulator.generate import generate
from qbd_emulator.processor import FakeQuickBooks
from qbd_emulator.webconnector import (
    QBWC1026,
    AddApplicationError,
    FileIdOutcome,
    add_application,
)
from tests.e2e.e2e_harness import Link, latest_now, link_company, live_service, session
from tests.sync.sync_harness import assert_store_equals_company, store_state


def test_a_file_bound_to_one_connection_is_refused_for_another(sqlite_db: Database) -> None:
    company = generate(4, "tiny")
    now = latest_now(company)
    with live_service(sqlite_db) as settings:
        first = link_company(sqlite_db, settings, "Bound Co", company)
        assert session(first, company, now).result is SessionResult.DONE
        assert_store_equals_company(sqlite_db, first.company_id, company)
        bound = list(company.data_ext)

        with sqlite_db.begin() as conn:
            row = create_company(conn, "Other Co")
            connection, password = create_connection(
                conn, row.id, "desktop_app", owner_id=settings.owner_id
            )
            qwc = parse_qwc(connection_qwc(settings, row, connection))
        with pytest.raises(AddApplicationError) as refused:
            add_application(qwc, FakeQuickBooks(company=company))
        assert str(refused.value).startswith(QBWC1026)
        assert first.qwc.file_id in str(refused.value)
        assert company.data_ext == bound  # the first FileID stays; nothing overwritten

        # A Web Connector that runs the second QWC against the file all the same (its own
        # FileID never made it in) is stopped by the service's company check.
        summary = session(Link(row.id, qwc, password), company, now)
        assert summary.result is not SessionResult.DONE
        assert all(not records for records in store_state(sqlite_db, row.id).values())
        assert company.data_ext == bound
        # ...and the first connection goes on syncing its file.
        assert add_application(first.qwc, FakeQuickBooks(company=company)) is (
            FileIdOutcome.PRESENT
        )
        assert add_application(
            replace(first.qwc, file_id=first.qwc.file_id.lower()), FakeQuickBooks(company=company)
        ) is (FileIdOutcome.PRESENT)
