"""``qbd-connector demo`` as a new user meets it (issue 11 items 1, 2, 3, 9, 10): arguments
checked before anything is created, a taken port, a sync that did not run said why, what
``--exit`` prints; the real console script in a fresh folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from connector.demo import SIZES, DemoLink, listen, why_no_sync
from connector.portal.operations import set_integration
from connector.settings import DEFAULT_OWNER_ID
from connector.store.companies import create_company
from connector.store.connections import SyncWindow, create_connection, set_paused, set_schedule
from connector.store.db import Database
from qbd_emulator.generate import SIZES as EMULATOR_SIZES
from tests.cli.console import script


def demo(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QBD_DATABASE_URL"}
    return subprocess.run(
        [script(), "demo", *argv],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_size_names_are_the_emulators() -> None:
    assert SIZES == EMULATOR_SIZES


@pytest.mark.parametrize("size", ["huge", "0", "-5", "1.5", ""])
def test_a_bad_size_is_refused_before_anything_is_created(tmp_path: Path, size: str) -> None:
    done = demo(tmp_path, "--size", size, "--exit")
    assert done.returncode == 2, done.stderr
    assert "--size" in done.stderr and "tiny|small|medium|large" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no database, no state file, no company file


@pytest.mark.parametrize(
    "state",
    [
        pytest.param('{"size": "huge", "seed": 1}', id="bad-size"),
        pytest.param("{not json", id="not-json"),
        pytest.param("[1, 2]", id="not-an-object"),
    ],
)
def test_a_bad_saved_state_says_what_to_do(tmp_path: Path, state: str) -> None:
    (tmp_path / "qbd-demo.json").write_text(state, encoding="utf-8")
    done = demo(tmp_path, "--size", "tiny", "--exit")
    assert done.returncode == 2, done.stderr
    assert "qbd-demo.json" in done.stderr and "to start over" in done.stderr
    assert "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["qbd-demo.json"]


def test_a_taken_port_is_said_and_nothing_is_created(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = demo(tmp_path, "--size", "tiny", "--port", str(port), "--exit")
    assert done.returncode == 2, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_listen_binds_once_and_falls_back_when_the_preferred_port_is_taken() -> None:
    """The socket the demo serves on is the one bound when the port was chosen: no window in
    which another program can take it (issue 11 item 1)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        preferred = taken.getsockname()[1]
        with listen("127.0.0.1", preferred=preferred) as sock:
            port = sock.getsockname()[1]
            assert port not in (preferred, 0)
            with socket.create_connection(("127.0.0.1", port), timeout=30):
                pass  # already listening: the kernel accepts before anyone serves


def test_size_help_says_what_n_gives() -> None:
    done = subprocess.run([script(), "demo", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "number N of records" in text and "at least about 110 records" in text


def test_a_sync_that_did_not_run_says_why_then_exit_prints_what_stays_useful(
    tmp_path: Path,
) -> None:
    """First run: synced; ``--exit`` prints the database and how to browse it, not URLs that
    are no longer served. Then the connection paused: exit 1 saying so and what to do."""
    done = demo(tmp_path, "--size", "tiny", "--seed", "4", "--exit")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "database:   sqlite:///" in done.stdout and "qbd-connector.db" in done.stdout
    assert "qbd-connector serve" in done.stdout
    assert "/api/v1/companies/" not in done.stdout and "qbwc:" not in done.stdout
    state: dict[str, Any] = json.loads((tmp_path / "qbd-demo.json").read_text())

    database = Database.from_url(f"sqlite:///{tmp_path / 'qbd-connector.db'}")
    try:
        set_paused(database, state["connection_id"], True)
    finally:
        database.dispose()
    paused = demo(tmp_path, "--size", "tiny", "--seed", "4", "--exit")
    assert paused.returncode == 1, paused.stderr[-3000:]
    assert "no sync ran" in paused.stderr and "paused" in paused.stderr
    assert "qbd-connector connection resume" in paused.stderr
    assert paused.stdout == ""


def _link(database: Database) -> DemoLink:
    company = create_company(database, "Demo Company")
    row, password = create_connection(
        database, company.id, "desktop_app", owner_id=DEFAULT_OWNER_ID
    )
    return DemoLink(company.id, row.id, password, "key", "tiny", 1)


def test_why_no_sync_names_the_window_and_when_it_opens(sqlite_db: Database) -> None:
    link = _link(sqlite_db)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon
    window = SyncWindow(time(19, 0), time(7, 0), ("mon",), "UTC")
    set_schedule(sqlite_db, link.connection_id, 60, window)
    why = why_no_sync(sqlite_db, link, {"result": "no_work"}, now)
    assert "outside the connection's sync window until 2026-03-02T19:00+00:00" in why
    assert "--window none" in why


def test_why_no_sync_names_an_integration_turned_off(sqlite_db: Database) -> None:
    link = _link(sqlite_db)
    set_integration(sqlite_db, enabled=False, now=datetime.now(UTC))
    why = why_no_sync(sqlite_db, link, {"result": "no_work"}, datetime.now(UTC))
    assert "integration off" in why and "/api/v1/settings/integration" in why


def test_why_no_sync_falls_back_on_what_the_service_said(sqlite_db: Database) -> None:
    link = _link(sqlite_db)
    session = {"result": "no_work", "close_message": "No data to exchange now.", "errors": []}
    why = why_no_sync(sqlite_db, link, session, datetime.now(UTC))
    assert why.endswith("No data to exchange now.")
