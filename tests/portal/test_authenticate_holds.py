"""authenticate with the platform's holds (issue 13): the service over the real store with
``PlatformWork`` around a scripted engine. Held (integration off, paused, consent withdrawn):
``none``, never ``nvu``, and closeConnection says why; a successful authenticate marks the
connection as having connected; a wrong password is still ``nvu`` and marks nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.portal.work import PlatformWork
from connector.qbwc.server.service import QbwcService
from connector.settings import DEFAULT_OWNER_ID
from connector.store import activity, consents
from connector.store import platform as platform_store
from connector.store.companies import create_company
from connector.store.connections import create_connection, set_paused
from connector.store.db import Database
from tests.portal.test_platform_work import Recorder

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _service(db: Database) -> QbwcService:
    return QbwcService(db, PlatformWork(db, Recorder()), clock=lambda: NOW)


def test_a_held_connection_is_told_none_with_the_reason(db: Database) -> None:
    row, password = create_connection(
        db, create_company(db, "Hold Co").id, "rightworks", owner_id=DEFAULT_OWNER_ID
    )
    service = _service(db)
    ticket, status, *_ = service.authenticate(row.username, password)
    assert status == "" and activity.activity_of(db, [row.id])[row.id].first_authenticated_at == NOW
    service.close_connection(ticket)
    platform_store.save_integration(db, enabled=False, now=NOW)
    ticket, status, *_ = service.authenticate(row.username, password)
    assert status == "none"
    assert "turned the QuickBooks Desktop integration off" in service.close_connection(ticket)
    platform_store.save_integration(db, enabled=True, now=NOW)
    set_paused(db, row.id, True)
    ticket, status, *_ = service.authenticate(row.username, password)
    assert status == "none" and "paused" in service.close_connection(ticket)
    set_paused(db, row.id, False)
    agreed = consents.record_consent(
        db,
        company_id=row.company_id,
        connection_id=row.id,
        link_id=None,
        wording_version="v",
        app_name="A",
        data_types=[],
        reports=[],
        writes=[],
        agreed_from="x",
        user_agent="y",
        now=NOW,
    )
    consents.withdraw_consent(db, agreed.id, withdrawn_from="x", delete_records=True, now=NOW)
    ticket, status, *_ = service.authenticate(row.username, password)
    assert status == "none" and "withdrawn" in service.close_connection(ticket)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_wrong_password_is_nvu_and_is_not_activity(db: Database) -> None:
    row, _ = create_connection(
        db, create_company(db, "Wrong Co").id, "rightworks", owner_id=DEFAULT_OWNER_ID
    )
    assert _service(db).authenticate(row.username, "not-the-password")[1] == "nvu"
    assert activity.activity_of(db, [row.id]) == {}
