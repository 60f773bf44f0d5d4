"""A recorded first full sync replays onto any connection (issue 10): recorded on a connection
of one store, replayed as the first full sync of a fresh connection in a fresh store, it gives
the same store contents (the FileID, OwnerID and requestIDs mapped); a one-byte change in a
recorded request fails with the line that differs and the nearest recorded requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connector.qbwc.client import ClientConfig
from connector.qbwc.qwc import connection_qwc, parse_qwc
from connector.store.companies import create_company
from connector.store.connections import create_connection
from connector.store.db import Database
from qbd_emulator.cassette import ReplayProcessor, load_cassette, save_cassette
from qbd_emulator.generate import generate
from qbd_emulator.update import UpdateResult, run_update
from tests.e2e.e2e_harness import live_service
from tests.sync.sync_harness import company_state, store_state

FAST = ClientConfig(noop_wait_seconds=0, max_noops=1)


@pytest.fixture
def make_sqlite(tmp_path: Path) -> Callable[[], str]:
    names = iter(range(100))
    return lambda: f"sqlite:///{tmp_path / f'store{next(names)}.db'}"


def _first_sync(database_url: str, **how: Any) -> tuple[UpdateResult, dict[str, Any]]:
    """A fresh store, served on loopback; one connection; one update (``run_update`` ``how``)."""
    db = Database.from_url(database_url)
    db.migrate()
    try:
        with live_service(db) as settings:
            with db.begin() as conn:
                row = create_company(conn, "Replayed Co")
                made, password = create_connection(
                    conn, row.id, "desktop_app", owner_id=settings.owner_id
                )
            qwc = parse_qwc(connection_qwc(settings, row, made))
            result = run_update(qwc, password, config=FAST, **how)
            return result, store_state(db, row.id)
    finally:
        db.dispose()


@pytest.fixture
def recording(tmp_path: Path, make_sqlite: Callable[[], str]) -> tuple[Path, dict[str, Any]]:
    """A first full sync of a tiny company on a connection of its own store, recorded."""
    company = generate(6, "tiny")
    result, state = _first_sync(make_sqlite(), company=company, record=True)
    assert result.ok and result.recorded, result.summary
    assert state == company_state(company)
    path = tmp_path / "first-sync.json"
    save_cassette(result.recorded, path)
    return path, state


def _replay(
    cassette: Path, database_url: str
) -> tuple[ReplayProcessor, UpdateResult, dict[str, Any]]:
    replay = ReplayProcessor(load_cassette(cassette))
    result, state = _first_sync(database_url, replay=replay)
    return replay, result, state


def test_a_first_full_sync_replays_onto_a_fresh_connection(
    recording: tuple[Path, dict[str, Any]], make_sqlite: Callable[[], str]
) -> None:
    cassette, recorded_state = recording
    replay, result, state = _replay(cassette, make_sqlite())
    assert result.ok and replay.mismatches == [] and replay.unused() == []
    assert state == recorded_state


def test_a_one_byte_change_fails_with_the_nearest_recorded_request(
    recording: tuple[Path, dict[str, Any]], make_sqlite: Callable[[], str]
) -> None:
    cassette, _ = recording
    document = json.loads(cassette.read_text())
    changed = next(
        n
        for n, item in enumerate(document["interactions"])
        if "<MaxReturned>250</MaxReturned>" in item.get("request", "")
    )
    request = document["interactions"][changed]["request"]
    document["interactions"][changed]["request"] = request.replace(">250<", ">251<", 1)
    cassette.write_text(json.dumps(document))

    replay, result, _ = _replay(cassette, make_sqlite())
    assert not result.ok
    (message,) = replay.mismatches
    assert message.startswith(f"interaction {changed}: the request differs at line ")
    assert "MaxReturned = 251'" in message and "MaxReturned = 250'" in message
    assert f"nearest recorded: #{changed}: " in message
