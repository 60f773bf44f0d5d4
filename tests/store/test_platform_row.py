"""The one platform-settings row when several services start side by side on one database.

CI once caught ``serve`` dying at start with a duplicate key on ``pk_platform_settings``: two
instances each found no row, and each inserted one. Here the race is forced, not hoped for:
one transaction creates the row and holds it uncommitted while a second service records its
URL; the second must wait, then update the row the first created.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from connector.store.db import Database
from connector.store.platform import get_platform, save_integration, save_public_url


def _blocked_backends(db: Database) -> int:
    with db.begin(write=False) as conn:
        count = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        ).scalar_one()
    return int(count)


# PostgreSQL only: SQLite serialises writers on one lock, so the race cannot happen there.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_second_service_waits_for_the_first_row_instead_of_failing(db: Database) -> None:
    errors: list[BaseException] = []

    def second_service() -> None:
        try:
            save_public_url(db, "http://second:8080")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    with db.begin() as first:
        save_integration(first, enabled=True)  # the row exists, uncommitted
        waiter = threading.Thread(target=second_service)
        waiter.start()
        deadline = time.monotonic() + 60
        while _blocked_backends(db) == 0 and waiter.is_alive():
            assert time.monotonic() < deadline, "the second service never reached the row"
            time.sleep(0.02)
    waiter.join(60)

    assert not waiter.is_alive()
    assert errors == []
    settings = get_platform(db)
    assert settings.public_url == "http://second:8080"
    assert settings.integration_enabled is True


def test_recording_the_url_keeps_what_the_platform_last_changed(db: Database) -> None:
    saved = save_integration(db, enabled=False)
    save_public_url(db, "http://here:8080")
    settings = get_platform(db)
    assert settings.public_url == "http://here:8080"
    assert settings.integration_enabled is False
    assert settings.updated_at == saved.updated_at


def test_recording_the_url_first_creates_the_defaults(db: Database) -> None:
    save_public_url(db, "http://here:8080")
    settings = get_platform(db)
    assert settings.public_url == "http://here:8080"
    assert settings.integration_enabled is True
    assert settings.allow_writes is False
