"""How a data type's cursor moves: pure transitions over ``CursorRow`` values.

Owns: the rules of issue 5 for one data type: a run starts from the watermark; pages
advance the iterator and the run's high-water mark; the watermark moves only when a run
completes; an invalid or abandoned iterator restarts the run from the watermark (from zero
only while the first full sync is unfinished, and said so), at most ``Policy.max_restarts``
times per session; retry-later answers are retried a bounded number of times; any other
error stops that type for this session and is reported. Must not: do I/O.
About 320 lines: every move of one cursor, read together, in one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.qbxml.datatypes import BY_KEY
from connector.qbxml.status import StatusClass, classify_hresult, parse_hresult
from connector.store.sync_runs import CursorRow
from connector.sync import probe
from connector.sync.plan import CursorState, Policy, page_size

_OK = (StatusClass.OK, StatusClass.NO_MATCH, StatusClass.WARNING)
MESSAGE_MAX = 2000
"""The request processor's message as kept in a run's error (it comes from the client)."""


@dataclass(frozen=True)
class PageResult:
    """What one stored response said, reduced to what moves the cursor."""

    status_code: int
    status_class: StatusClass
    message: str = ""
    iterator_id: str | None = None
    remaining: int | None = None
    count: int = 0
    max_time: datetime | None = None
    """Latest TimeModified (or TimeDeleted) in the page, with QuickBooks' offset."""
    min_offset: int | None = None
    max_offset: int | None = None
    found: tuple[tuple[str, datetime | None], ...] = ()
    """A probe page's new or changed records: ID and TimeModified (``probe``)."""


@dataclass(frozen=True)
class Note:
    """Something the sync history must show (an error, a retry, a restart)."""

    status_class: str
    message: str
    status_code: int | None = None
    hresult: str | None = None
    is_error: bool = False
    """True when it counts against the data type on the run: the type stopped for this
    session, or one of its pages could not be taken (``too_large``)."""


def begin(
    cursor: CursorRow | None, company_id: str, key: str, run_id: str, *, probe_first: bool = False
) -> tuple[CursorRow, Note | None]:
    """A new session plans ``key``: iterators of earlier sessions are dead (PROTOCOL.md 1.10).
    With ``probe_first`` a type with a watermark starts with a probe (``probe``)."""
    base = cursor or CursorRow(company_id=company_id, data_type=key)
    note = None
    if base.iterator_id is not None or base.state in (
        CursorState.ACTIVE.value,
        CursorState.DEFERRED.value,
        CursorState.STORING.value,  # its last page never applied (not in the inbox either)
    ):
        note = _restart_note(base, "the previous session ended mid-run")
    phase = probe.first_phase(base, probe_first)
    started = _rewound(_landed(base), run_id=run_id, attempts=0, restarts=0)
    return replace(started, phase=phase, pending=None), note


def _landed(cursor: CursorRow, **changes: Any) -> CursorRow:
    """Nothing in flight any more (the answer came, or the request is dropped)."""
    return replace(
        cursor, in_flight_request_id=None, in_flight_ticket=None, in_flight_request=None, **changes
    )


def _rewound(cursor: CursorRow, **changes: Any) -> CursorRow:
    """Pending again with no iterator: the type asks again from its watermark."""
    return replace(_paging(cursor, CursorState.PENDING, None, None, None), fetched=0, **changes)


def _paging(
    cursor: CursorRow,
    state: CursorState,
    iterator_id: str | None,
    ticket: str | None,
    remaining: int | None,
) -> CursorRow:
    """In ``state``, paging ``iterator_id`` (of the session ``ticket``) that leaves
    ``remaining`` records to fetch, or no iterator: the three always move together."""
    return replace(
        cursor,
        state=state.value,
        iterator_id=iterator_id,
        iterator_ticket=ticket,
        remaining=remaining,
    )


def _with_page(cursor: CursorRow, page: PageResult, *, counted: bool) -> CursorRow:
    """The page's latest time joins the high-water mark, its offsets the spread seen, and
    (``counted``) its records the progress. Records fetched by ID after a probe leave the
    high-water mark alone: it is the latest time the probe saw (``probe``)."""
    high = _parse(cursor.high_water)
    if cursor.phase != probe.FETCH:
        high = _later(high, page.max_time)
    return replace(
        probe.found(cursor, page.found),
        fetched=cursor.fetched + page.count if counted else cursor.fetched,
        high_water=None if high is None else high.isoformat(),
        min_offset=_merge_offset(cursor.min_offset, page.min_offset, min),
        max_offset=_merge_offset(cursor.max_offset, page.max_offset, max),
    )


def _restart_note(cursor: CursorRow, why: str) -> Note:
    return Note("RESTARTED", f"{cursor.data_type}: {why}; restarting {_from_where(cursor)}")


def _from_where(cursor: CursorRow) -> str:
    if cursor.watermark:
        return f"from its watermark {cursor.watermark}"
    return "from the start (its first full sync had not finished)"


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return a if _instant(a) >= _instant(b) else b


def _instant(value: datetime) -> datetime:
    # An offset-less time from QuickBooks is its local time; compare it as if UTC (it is
    # only ever compared with other offset-less times of the same company file).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _merge_offset(a: int | None, b: int | None, pick: Callable[[int, int], int]) -> int | None:
    if a is None or b is None:
        return a if b is None else b
    return pick(a, b)


def page_applied(
    cursor: CursorRow, page: PageResult, policy: Policy, ticket: str, now: datetime
) -> tuple[CursorRow, Note | None]:
    """The response to the in-flight request was stored: where the type stands now."""
    landed = _landed(cursor)
    if cursor.phase == probe.FETCH and page.status_code == probe.NOT_FOUND:
        page = replace(page, status_class=StatusClass.NO_MATCH)  # all deleted since the probe
    if page.status_class in _OK:
        return _advance(landed, page, policy, ticket, now), _warning(cursor, page)
    if page.status_class is StatusClass.INVALID_ITERATOR:
        return restart(
            landed, policy, f"QuickBooks said {page.status_code} ({page.message})", page.status_code
        )
    if page.status_class is StatusClass.RETRY_LATER:
        return retry_later(landed, policy, page.status_code, None, page.message)
    return failed(landed, page.status_class.name, page.message, page.status_code, None)


def page_received(cursor: CursorRow, iterator_id: str, remaining: int, ticket: str) -> CursorRow:
    """An iterator page that leaves more to fetch arrived and waits in the inbox: the
    iterator moves on now (the next Continue needs only its ID); what the page holds
    (count, latest time) joins the cursor when it is applied (``page_stored``)."""
    return _paging(_landed(cursor, attempts=0), CursorState.ACTIVE, iterator_id, ticket, remaining)


def last_page_received(cursor: CursorRow) -> CursorRow:
    """The last page of a plain fetch arrived and waits in the inbox while other types are
    asked: the type is asked no more (``STORING``); it is done when the page is applied
    (``page_stored``), since the watermark moves to the run's latest time, this page's
    included."""
    return _paging(_landed(cursor, attempts=0), CursorState.STORING, None, None, 0)


def more_to_come(iterator_id: str | None, remaining: int | None) -> bool:
    """A page of an iterator that leaves records to fetch (a page applied behind, and its
    cursor when it is stored: ``behind``, ``page_stored``)."""
    return bool(iterator_id) and (remaining or 0) > 0


def page_stored(cursor: CursorRow, page: PageResult, run_id: str, now: datetime) -> CursorRow:
    """A page from the inbox was applied: its latest time joins the run's high-water mark
    (whatever the cursor did meanwhile, the records are stored); its count joins the
    progress only while the cursor still pages the same run, and a type whose last page
    it was is done (the pages before it were applied before it: ``behind``)."""
    storing = cursor.run_id == run_id and cursor.state == CursorState.STORING.value
    same_run = cursor.run_id == run_id and (cursor.iterator_id is not None or storing)
    moved = _with_page(cursor, page, counted=same_run)
    last = storing and not more_to_come(page.iterator_id, page.remaining)
    return complete(moved, now) if last else moved


def _warning(cursor: CursorRow, page: PageResult) -> Note | None:
    if page.status_class is not StatusClass.WARNING:
        return None
    return Note("WARNING", f"{cursor.data_type}: {page.message}", page.status_code)


def _advance(
    cursor: CursorRow, page: PageResult, policy: Policy, ticket: str, now: datetime
) -> CursorRow:
    moved = replace(_with_page(cursor, page, counted=True), attempts=0)
    more = (
        page.status_class is not StatusClass.NO_MATCH
        and page.iterator_id is not None
        and (page.remaining or 0) > 0
    )
    if more:
        return _paging(moved, CursorState.ACTIVE, page.iterator_id, ticket, page.remaining)
    return _run_on(moved, policy, now)


def _run_on(cursor: CursorRow, policy: Policy, now: datetime) -> CursorRow:
    """A query of the run was answered in full: the run's next phase, or its end."""
    phase: str | None = None
    if cursor.phase == probe.PROBE:
        phase = probe.after_probe(cursor)
    elif cursor.phase == probe.FETCH:
        cursor = probe.fetched(cursor, page_size(cursor, policy))
        phase = probe.FETCH if cursor.pending is not None else None
    if phase is None:
        return complete(cursor, now)
    return _rewound(cursor, phase=phase)


def complete(cursor: CursorRow, now: datetime) -> CursorRow:
    """The run of this type finished: the watermark moves to the highest time seen."""
    swept = cursor.last_swept_at
    if cursor.data_type.startswith("deleted_"):
        swept = now
    return replace(
        cursor,
        state=CursorState.DONE.value,
        watermark=_safe_mark(cursor),
        full_done=True,
        iterator_id=None,
        iterator_ticket=None,
        remaining=0,
        min_offset=None,
        max_offset=None,
        last_swept_at=swept,
        phase=None,
        pending=None,
    )


def _safe_mark(cursor: CursorRow) -> str | None:
    """The new watermark: the run's latest time, moved back by the spread of UTC offsets
    seen in the run. QuickBooks may label times with a wrong daylight-saving offset
    (PROTOCOL.md 1.10); when a run saw two offsets, the latest instant may be off by that
    much, so the next run starts early enough either way (re-fetched records are
    recognised as unchanged by their EditSequence)."""
    if cursor.high_water is None:
        return cursor.watermark
    spread = (cursor.max_offset or 0) - (cursor.min_offset or 0)
    if spread == 0:
        return cursor.high_water
    return (datetime.fromisoformat(cursor.high_water) - timedelta(minutes=spread)).isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def restart(
    cursor: CursorRow, policy: Policy, why: str, status_code: int | None = None
) -> tuple[CursorRow, Note]:
    """Drop the iterator and run again from the watermark, or give up after max_restarts."""
    if cursor.restarts >= policy.max_restarts:
        stopped, note = failed(
            cursor,
            "INVALID_ITERATOR",
            f"{why}; restarted {cursor.restarts} time(s) already, giving up for this session",
            status_code,
            None,
        )
        return stopped, note
    note = _restart_note(cursor, why)
    again = _rewound(cursor, restarts=cursor.restarts + 1)
    return again, Note(note.status_class, note.message, status_code)


def retry_later(
    cursor: CursorRow, policy: Policy, status_code: int | None, hresult: str | None, message: str
) -> tuple[CursorRow, Note]:
    attempts = cursor.attempts + 1
    if attempts >= policy.max_attempts:
        return failed(
            cursor,
            "RETRY_LATER",
            f"{message} (gave up after {attempts} tries)",
            status_code,
            hresult,
        )
    deferred = replace(cursor, state=CursorState.DEFERRED.value, attempts=attempts)
    return deferred, Note(
        "RETRY_LATER",
        f"{cursor.data_type}: {message} (try {attempts}, will retry)",
        status_code,
        hresult,
    )


def failed(
    cursor: CursorRow, status_class: str, message: str, status_code: int | None, hresult: str | None
) -> tuple[CursorRow, Note]:
    """This type stops for the session; the watermark stays, so nothing is skipped."""
    stopped = _landed(cursor, state=CursorState.ERROR.value, iterator_id=None, iterator_ticket=None)
    note = Note(status_class, f"{cursor.data_type}: {message}", status_code, hresult, True)
    return stopped, note


def processor_failed(
    cursor: CursorRow, policy: Policy, hresult: str, message: str
) -> tuple[CursorRow, Note]:
    """receiveResponseXML carried an hresult (the request processor threw, PROTOCOL.md 1.2)
    or no response at all. A retry-later hresult is retried; any other, an unreadable one
    and an empty response with no hresult stop the type for this session (unknown hresults
    are fatal, ``describe_hresult``); the hresult is kept in its canonical ``0x`` form."""
    message = message.strip()[:MESSAGE_MAX]
    try:
        value = parse_hresult(hresult)
    except ValueError:
        said = (
            f"the Web Connector sent an empty response and no hresult ({message})"
            if not hresult.strip()
            else f"the request processor failed with an unreadable hresult {hresult[:40]!r}: "
            f"{message}"
        )
        return failed(cursor, StatusClass.FATAL.name, said, None, None)
    code = f"0x{value:08X}"
    text = f"the request processor failed with {code}: {message}"
    status_class = classify_hresult(value)
    if status_class is StatusClass.RETRY_LATER:
        return retry_later(cursor, policy, None, code, text)
    return failed(cursor, status_class.name, text, None, code)


def too_large(cursor: CursorRow, policy: Policy, why: str) -> tuple[CursorRow, Note]:
    """The service could not take the page in flight (over its body limit, issue 18 item 2):
    the type runs again from its watermark with pages half as large, in this session and the
    next ones, instead of failing on the same page for good. The page is lost (QuickBooks
    moved its iterator past it), so it is an error on the run; a type that cannot page, or
    pages of one record, stop for this session."""
    size = page_size(cursor, policy)
    by_ids = cursor.phase == probe.FETCH  # a list of IDs can be split, paged or not
    if (not BY_KEY[cursor.data_type].iterator and not by_ids) or size <= 1:
        return failed(
            cursor, "TOO_LARGE", f"{why}; it cannot be asked in smaller pages", None, None
        )
    smaller = size // 2
    again = _rewound(_landed(cursor), page_size=smaller)
    message = f"{cursor.data_type}: {why}; asking again {_from_where(cursor)} in pages of {smaller}"
    return again, Note("TOO_LARGE", message, is_error=True)
