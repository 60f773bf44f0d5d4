"""Which version of a record the store holds: what a sync probe compares with QuickBooks.

Owns: one read of the ``records`` table, the EditSequence and TimeModified of the live
records among a list of QuickBooks IDs (``connector.sync.probe_page`` asks it for every
probe page). Must not: write, or decide what is fetched (``connector.sync.probe``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from connector.store.tables_sync import records

CHUNK = 500
"""IDs per statement (well inside SQLite's and PostgreSQL's limits on bound values)."""


def stored_versions(
    conn: Connection, company_id: str, data_type: str, qb_ids: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    """``qb_id -> (edit_sequence, time_modified)`` of the stored, not deleted, ``qb_ids``."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(qb_ids), CHUNK):
        rows = conn.execute(
            select(records.c.qb_id, records.c.edit_sequence, records.c.time_modified).where(
                records.c.company_id == company_id,
                records.c.data_type == data_type,
                records.c.qb_id.in_(qb_ids[start : start + CHUNK]),
                records.c.deleted_at.is_(None),
            )
        )
        found.update({row.qb_id: (row.edit_sequence, row.time_modified) for row in rows})
    return found
