"""Looking a reference up among a company's synced records and queued pushes (issue 19,
writes): does the record a pushed ``customerRef`` names exist?

Owns: ``ref_exists`` (a live record of one of the data types whose ``ListID`` is the given
ID or whose ``FullName`` is the given name; the name is matched in the stored JSON text,
then confirmed on the decoded record) and ``queued_name`` (a pending or sent Add push of
one of those types carrying that name: the dependency a push may wait for).
Must not: decide which data types a reference may name (``connector.portal.pushes``).
"""

from __future__ import annotations

import json
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.store.tables_sync import outbox, records


def ref_exists(
    conn: Connection,
    company_id: str,
    data_types: Collection[str],
    *,
    list_id: str | None = None,
    full_name: str | None = None,
) -> bool:
    base = sa.select(records.c.normalised).where(
        records.c.company_id == company_id,
        records.c.data_type.in_(list(data_types)),
        records.c.deleted_at.is_(None),
    )
    if list_id is not None:
        found = conn.execute(base.where(records.c.qb_id == list_id).limit(1)).first()
        if found is None:
            return False
        if full_name is None:
            return True
        return bool(json.loads(found[0]).get("fullName") == full_name)
    if full_name is None:
        return False
    needle = '"fullName":' + json.dumps(full_name, ensure_ascii=False)
    query = base.where(records.c.normalised.contains(needle, autoescape=True)).limit(20)
    return any(json.loads(row[0]).get("fullName") == full_name for row in conn.execute(query))


def queued_name(conn: Connection, company_id: str, data_types: Collection[str], name: str) -> bool:
    """A pending or sent Add push of these types whose record is named ``name``."""
    needle = '"name":' + json.dumps(name, sort_keys=True)
    query = sa.select(outbox.c.payload).where(
        outbox.c.company_id == company_id,
        outbox.c.data_type.in_(list(data_types)),
        outbox.c.operation == "add",
        outbox.c.status.in_(("pending", "sent")),
        outbox.c.payload.contains(needle, autoescape=True),
    )
    return any(json.loads(row[0]).get("name") == name for row in conn.execute(query))
