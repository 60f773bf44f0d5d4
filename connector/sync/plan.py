"""What a session asks QuickBooks for, and in which order: pure planning.

Owns: which data types a sync visits (every read type of ``connector.qbxml.datatypes``,
lists before the transactions that reference them, deleted-object sweeps last), the sync
policy (page size, clock-skew rewind, bounded retries), the choice of the next data type and
the next query (``QuerySpec``) for a cursor. Must not: do I/O or build XML
(``connector.sync.requests`` renders a ``QuerySpec``).

Facts used (PROTOCOL.md 1.10): FromModifiedDate is inclusive and TimeModified comes from the
workstation's clock, so the watermark is rewound a little; QuickBooks may label times with a
wrong daylight-saving offset and expects the same offset back, so the watermark keeps
QuickBooks' own offset; ListDeletedQuery/TxnDeletedQuery look back 90 days and do not page.

Adding a data type (read by the sync, served by the REST API and the export):
1. One row in ``DATA_TYPES`` of ``connector/qbxml/datatypes.py``: our key, the query, the
   ``*Ret`` names it answers with, the kind, ``iterator`` as the schema declares it
   (``tests/qbxml/test_schema.py`` checks), and for a transaction its ``txn_del_type``. The
   table's order is the sync's order: a list goes before the transactions that refer to it.
2. The emulator's maker, so the fake company has records of it: a transaction in
   ``qbd_emulator/generate/txns.py`` (``MIX``: weight and maker), a list in
   ``qbd_emulator/generate/`` (``lists``, ``names`` or ``items``).
Everything else follows from the row: the plan (``QUERY_TYPES``), the query
(``requests.render`` from the schema), the deletions (``LIST_DEL_TYPES`` from the ``*Ret``
names: a ListDelType value is its Ret's name without "Ret" in the 13.0-16.0 schemas;
``TXN_DEL_TYPES`` from ``txn_del_type``), the store and the REST data routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from connector.qbxml.datatypes import BY_KEY, DATA_TYPES, DataType, Kind
from connector.qbxml.filters import IteratorMode
from connector.store.sync_runs import CursorRow
from connector.sync import probe

IteratorAction = IteratorMode
"""A query's ``iterator`` attribute (``Start``/``Continue``): the request builders' enum,
under the name the plan's callers know."""


class CursorState(Enum):
    IDLE = "idle"
    PENDING = "pending"
    ACTIVE = "active"
    DEFERRED = "deferred"
    DONE = "done"
    ERROR = "error"
    STORING = "storing"
    """Its last page waits in the inbox, applied behind the Web Connector; done once it is
    (``cursors.last_page_received``)."""


@dataclass(frozen=True)
class Policy:
    page_size: int = 250
    """MaxReturned for iterated queries."""
    rewind: timedelta = timedelta(seconds=60)
    """Clock skew allowance subtracted from the watermark (PROTOCOL.md 1.10)."""
    max_attempts: int = 3
    """Tries of one request that QuickBooks answers with a retry-later status."""
    max_restarts: int = 1
    """Iterator restarts of one data type within one session (no loops)."""
    sweep_every: timedelta = timedelta(0)
    """Minimum time between two deleted-object sweeps."""
    reports: bool = True
    """Each run also asks for the standard financial reports (``connector.sync.reports``)."""
    probe: bool = True
    """Incremental runs ask for IDs and EditSequences first and fetch only what is new or
    changed; deleted-object sweeps ask from their watermark (issue 12, ``probe``). False:
    every run fetches its whole rewound window and sweeps 90 days (the old behaviour, kept
    as the benchmark's baseline)."""

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= 10_000:
            raise ValueError(f"page_size must be 1..10000, got {self.page_size}")
        if self.max_attempts < 1 or self.max_restarts < 0:
            raise ValueError("max_attempts must be >= 1 and max_restarts >= 0")


@dataclass(frozen=True)
class QuerySpec:
    """One query request, before rendering."""

    data_type: str
    request_id: str
    iterator: IteratorMode | None = None
    iterator_id: str | None = None
    max_returned: int | None = None
    from_modified: str | None = None
    """FromModifiedDate, or FromDeletedDate for a deleted-object sweep."""
    del_types: tuple[str, ...] = ()
    include_ret: tuple[str, ...] = ()
    """IncludeRetElement: only these elements of each record (a probe)."""
    ids: tuple[str, ...] = ()
    """ListID/TxnID list: these records, whatever their time (a fetch after a probe)."""


HCP_TYPES: tuple[str, ...] = ("host", "company", "preferences")
"""Answered by the Web Connector's ``strHCPResponse``, never asked for (PROTOCOL.md 1.2)."""
QUERY_TYPES: tuple[DataType, ...] = tuple(d for d in DATA_TYPES if d.kind in (Kind.LIST, Kind.TXN))
SWEEP_TYPES: tuple[DataType, ...] = tuple(d for d in DATA_TYPES if d.kind is Kind.DELETED)


def _list_del_types() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for dt in QUERY_TYPES:
        if dt.kind is Kind.LIST:
            for ret in dt.rets:
                name = ret.removesuffix("Ret")  # AccountRet -> ListDelType Account
                table[name] = (*table.get(name, ()), dt.key)
    return table


LIST_DEL_TYPES: dict[str, tuple[str, ...]] = _list_del_types()
"""ListDelType value -> the data types whose records it deletes (ItemSalesTax: both ``items``
and ``sales_tax_items``, whose queries both answer ItemSalesTaxRet)."""

# TxnDelType enumerates fewer types than we read: Transfer is absent from the 13.0-16.0
# schemas, so deleted transfers are not reported by TxnDeletedQuery; ``requests`` sends only
# the values the negotiated version's schema enumerates.
TXN_DEL_TYPES: dict[str, tuple[str, ...]] = {
    d.txn_del_type: (d.key,)
    for d in QUERY_TYPES
    if d.kind is Kind.TXN and d.txn_del_type is not None
}


def sweep_due(cursor: CursorRow | None, now: datetime, policy: Policy) -> bool:
    if cursor is None or cursor.last_swept_at is None:
        return True
    return now - cursor.last_swept_at >= policy.sweep_every


def plan_types(
    cursors: Mapping[str, CursorRow],
    now: datetime,
    policy: Policy,
    requested: Iterable[str] | None = None,
) -> list[str]:
    """The data types one session visits, in order; ``requested`` narrows it (unknown: error)."""
    wanted = None if requested is None else set(requested)
    if wanted is not None:
        unknown = wanted - {d.key for d in QUERY_TYPES + SWEEP_TYPES}
        if unknown:
            raise KeyError(f"not a synced data type: {', '.join(sorted(unknown))}")
    keys = [d.key for d in QUERY_TYPES if wanted is None or d.key in wanted]
    keys += [
        d.key
        for d in SWEEP_TYPES
        if (wanted is None or d.key in wanted) and sweep_due(cursors.get(d.key), now, policy)
    ]
    return keys


def run_kind(plan: Sequence[str], cursors: Mapping[str, CursorRow]) -> str:
    """``full`` when no type has completed a full sync, ``incremental`` when all have."""
    done = [
        cursors[k].full_done for k in plan if k in cursors and BY_KEY[k].kind is not Kind.DELETED
    ]
    if not any(done):
        return "full"
    return (
        "incremental"
        if all(done) and len(done) == len([k for k in plan if BY_KEY[k].kind is not Kind.DELETED])
        else "mixed"
    )


def pick_next(plan: Sequence[str], cursors: Mapping[str, CursorRow]) -> str | None:
    """The data type to ask for next: in plan order, deferred ones after all others."""
    for wanted in ((CursorState.ACTIVE, CursorState.PENDING), (CursorState.DEFERRED,)):
        for key in plan:
            cursor = cursors.get(key)
            if cursor is not None and CursorState(cursor.state) in wanted:
                return key
    return None


def from_modified(cursor: CursorRow, policy: Policy) -> str | None:
    """FromModifiedDate for an incremental query, in QuickBooks' own offset."""
    if cursor.watermark is None:
        return None
    if cursor.phase == probe.CATCH_UP:
        return probe.catch_up_from(cursor, _spread(cursor))
    mark = datetime.fromisoformat(cursor.watermark)
    return (mark - policy.rewind - _spread(cursor)).isoformat()


def _spread(cursor: CursorRow) -> timedelta:
    """Offsets changed during the run (a daylight-saving switch, or QuickBooks' wrong-offset
    quirk): the rewind is widened by the difference so no wall-clock hour is skipped."""
    if cursor.min_offset is None or cursor.max_offset is None:
        return timedelta(0)
    return timedelta(minutes=cursor.max_offset - cursor.min_offset)


def page_size(cursor: CursorRow, policy: Policy) -> int:
    """MaxReturned for ``cursor``'s type: the policy's, or less after a page was too large."""
    if cursor.page_size is None:
        return policy.page_size
    return max(1, min(cursor.page_size, policy.page_size))


def next_query(cursor: CursorRow, policy: Policy, ticket: str) -> tuple[QuerySpec, CursorRow]:
    """The next query for ``cursor`` and the cursor with that request in flight."""
    dt = BY_KEY[cursor.data_type]
    seq = cursor.seq + 1
    request_id = f"{seq}.{dt.key}"[:50]
    probing = cursor.phase == probe.PROBE
    if probing:
        request_id = f"{seq}.{dt.key}"[: 50 - len(probe.PROBE_SUFFIX)] + probe.PROBE_SUFFIX
    include_ret = (dt.id_field, *probe.PROBE_FIELDS) if probing else ()
    if dt.kind is Kind.DELETED:
        table = LIST_DEL_TYPES if dt.key == "deleted_lists" else TXN_DEL_TYPES
        since = from_modified(cursor, policy) if policy.probe else None
        spec = QuerySpec(dt.key, request_id, from_modified=since, del_types=tuple(table))
    elif cursor.phase == probe.FETCH:
        spec = QuerySpec(dt.key, request_id, ids=probe.chunk(cursor, page_size(cursor, policy)))
    elif dt.iterator:
        continuing = cursor.iterator_id is not None and cursor.iterator_ticket == ticket
        spec = QuerySpec(
            dt.key,
            request_id,
            iterator=IteratorMode.CONTINUE if continuing else IteratorMode.START,
            iterator_id=cursor.iterator_id if continuing else None,
            max_returned=page_size(cursor, policy),
            from_modified=None if continuing else from_modified(cursor, policy),
            include_ret=include_ret,
        )
    else:
        since = from_modified(cursor, policy)
        spec = QuerySpec(dt.key, request_id, from_modified=since, include_ret=include_ret)
    flying = replace(
        cursor,
        seq=seq,
        state=CursorState.ACTIVE.value,
        in_flight_request_id=request_id,
        in_flight_ticket=ticket,
    )
    return spec, flying
