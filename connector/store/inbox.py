"""The sync inbox: pages stored as they arrive, applied right after (``connector.sync.behind``).

Owns: the queries of ``sync_inbox``. A page the Web Connector delivered is put here in the
same transaction that moves its cursor past it, so the answer the Web Connector gets means
"stored"; applying it (records, counts) happens in a later transaction that also takes the
row out, so a page is applied exactly once whoever applies it and whenever (issue 5: a
service killed between the two finds the row on its next call). Must not: parse or apply
responses (``connector.sync.engine``), commit (callers pass their transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select

from connector.store.tables_sync import sync_inbox


@dataclass(frozen=True)
class InboxPage:
    id: int
    company_id: str
    run_id: str
    data_type: str
    request_id: str
    qbxml_version: str


def put(
    conn: Connection,
    *,
    company_id: str,
    run_id: str,
    data_type: str,
    request_id: str,
    qbxml_version: str,
    response: str,
    now: datetime,
) -> InboxPage:
    result = conn.execute(
        insert(sync_inbox)
        .values(
            company_id=company_id,
            run_id=run_id,
            data_type=data_type,
            request_id=request_id,
            qbxml_version=qbxml_version,
            response=response,
            created_at=now,
        )
        .returning(sync_inbox.c.id)
    )
    page_id: int = result.scalar_one()
    return InboxPage(page_id, company_id, run_id, data_type, request_id, qbxml_version)


_META = (
    sync_inbox.c.id,
    sync_inbox.c.company_id,
    sync_inbox.c.run_id,
    sync_inbox.c.data_type,
    sync_inbox.c.request_id,
    sync_inbox.c.qbxml_version,
)


def waiting(conn: Connection, company_id: str) -> list[InboxPage]:
    """The pages of ``company_id`` not applied yet, oldest first (no response text)."""
    rows = conn.execute(
        select(*_META).where(sync_inbox.c.company_id == company_id).order_by(sync_inbox.c.id)
    )
    return [InboxPage(*row) for row in rows]


def _this(page: InboxPage) -> ColumnElement[bool]:
    """The row of ``page`` itself: SQLite gives a new row the ID of one taken since (the
    table is often empty), so a late applier holding an old page must not find a newer
    one by its ID alone; the request ID (``seq.type``) and run tell them apart."""
    return and_(
        sync_inbox.c.id == page.id,
        sync_inbox.c.run_id == page.run_id,
        sync_inbox.c.data_type == page.data_type,
        sync_inbox.c.request_id == page.request_id,
    )


def response(conn: Connection, page: InboxPage) -> str | None:
    """The stored response text, or None when the page was applied (taken) already."""
    text: str | None = conn.execute(
        select(sync_inbox.c.response).where(_this(page))
    ).scalar_one_or_none()
    return text


def take(conn: Connection, page: InboxPage) -> bool:
    """Remove the page as part of applying it; False when someone applied it first."""
    return conn.execute(delete(sync_inbox).where(_this(page))).rowcount == 1
