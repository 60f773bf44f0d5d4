"""Released migrations keep running the same statements (``connector/store/migrations/kit.py``
is frozen: a helper that changed what it emits would change every revision using it).

Every schema statement the revisions run, upgrading an empty database to head and
downgrading it to base, is compared with the snapshot ``migration_ddl/<backend>.sql``.
Left out: reads (SQLite's batch mode reflects tables), and 0015's lz4 statements, which
depend on how the PostgreSQL server was built (``test_migration_lz4`` covers them). SQLite's
batch copy recreates a table's indexes in no fixed order, so adjacent ``CREATE INDEX``
statements are compared sorted. A new revision adds its statements to the snapshots: write
them with ``QBD_WRITE_MIGRATION_DDL=1 pytest tests/store/test_migration_ddl.py``, then read
the diff (only the new revision's statements may appear).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event

from connector.store.db import Database
from tests.conftest_db import downgrade_to_base

SNAPSHOTS = Path(__file__).resolve().parent / "migration_ddl"
WRITES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")


def _statements(database_url: str) -> list[str]:
    """The writing statements run by upgrade to head, then downgrade to base, in order."""
    ran: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        text = "\n".join(line.rstrip() for line in statement.strip().splitlines())
        if text.upper().startswith(WRITES) and "SET COMPRESSION" not in text:
            ran.append(text)

    database = Database.from_url(database_url)
    event.listen(database.engine, "before_cursor_execute", keep)
    try:
        database.migrate()
        downgrade_to_base(database)
    finally:
        database.dispose()
    return ran


def _canonical(statements: list[str]) -> str:
    out: list[str] = []
    indexes: list[str] = []
    for statement in [*statements, ""]:
        if statement.startswith("CREATE INDEX"):
            indexes.append(statement)
            continue
        out += sorted(indexes)
        indexes = []
        if statement:
            out.append(statement)
    return "\n\n".join(out) + "\n"


def test_the_revisions_run_the_statements_of_the_snapshot(backend: str, database_url: str) -> None:
    got = _canonical(_statements(database_url))
    snapshot = SNAPSHOTS / f"{backend}.sql"
    if os.environ.get("QBD_WRITE_MIGRATION_DDL") == "1":
        snapshot.write_text(got, encoding="utf-8")
    want = snapshot.read_text(encoding="utf-8")
    diff = difflib.unified_diff(
        want.splitlines(), got.splitlines(), str(snapshot), "this run", lineterm=""
    )
    assert got == want, "\n".join(diff)
