"""Looking a reference up among a company's synced records and queued pushes (issue 19,
writes): does the record a pushed ``customerRef`` names exist?

Owns: ``ref_exists`` (a live record of one of the data types whose ``ListID`` is the given
ID or whose ``FullName`` is the given name, ``Name`` for types without one such as vendors;
the name is matched in the stored JSON text, then confirmed on the decoded record) and ``queued_name`` (a pending or sent Add push of
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
        return full_name is None or _full_name(found[0]) == full_name
    if full_name is None:
        return False
    text = json.dumps(full_name, ensure_ascii=False)
    needles = [records.c.normalised.contains(f'"{key}":{text}', autoescape=True)
               for key in ("fullName", "name")]  # fmt: skip
    query = base.where(sa.or_(*needles)).limit(50)
    return any(_full_name(row[0]) == full_name for row in conn.execute(query))


def _full_name(normalised: str) -> object:
    """A record's full name: ``fullName``, or ``name`` where the type has none (vendors)."""
    data = json.loads(normalised)
    return data.get("fullName", data.get("name"))


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
