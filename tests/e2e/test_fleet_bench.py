"""bench/fleet_bench.py at a small scale, so it does not rot: a few Web Connectors from a
client pool against two ``serve`` processes on one PostgreSQL, the store checked afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from connector.store.db import Database

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fleet_bench.py"


def _databases(server_url: str) -> set[str]:
    database = Database.from_url(server_url)
    try:
        with database.begin(write=False) as conn:
            return {
                str(name)
                for name in conn.exec_driver_sql("SELECT datname FROM pg_database").scalars()
            }
    finally:
        database.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_a_small_fleet_on_two_services_completes_and_matches(postgres_server_url: str) -> None:
    command = [sys.executable, str(BENCH), "--clients", "4", "--services", "2"]
    command += ["--processes", "2", "--apply-workers", "0", "--database-url", postgres_server_url]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        out, _ = proc.communicate(timeout=280)
    assert proc.returncode == 0, out
    assert "sessions completed  4 / 4" in out, out
    assert "errors              0 (none)" in out, out
    assert "store check         4 / 4 companies equal the fake's" in out, out
    for method in ("authenticate", "sendRequestXML", "receiveResponseXML", "closeConnection"):
        assert f"  {method} " in out, out
    assert "service 1 peak RSS" in out, out
    assert f"fleet_{proc.pid}" not in _databases(postgres_server_url)  # dropped at the end
