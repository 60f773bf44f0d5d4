"""Incremental runs that probe first (issue 12), as pure rules: the phases of a run, the
queries each phase asks and what moves the watermark."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connector.qbxml.status import StatusClass
from connector.store.sync_runs import CursorRow
from connector.sync import cursors as rules
from connector.sync import probe
from connector.sync.cursors import PageResult
from connector.sync.plan import CursorState, Policy, next_query
from connector.sync.requests import render

POLICY = Policy(page_size=2)
MARK = "2026-07-01T10:00:00-07:00"
NOW = datetime(2026, 7, 1, 18, tzinfo=UTC)


def _begun(key: str = "invoices", **kw: object) -> CursorRow:
    base = CursorRow(company_id="c", data_type=key, watermark=MARK, full_done=True, **kw)  # type: ignore[arg-type]
    cursor, _ = rules.begin(base, "c", key, "run-2", probe_first=True)
    return cursor


def _at(minutes: int) -> datetime:
    return datetime.fromisoformat(MARK) + timedelta(minutes=minutes)


def _answer(cursor: CursorRow, page: PageResult) -> CursorRow:
    _, flying = next_query(cursor, POLICY, "T")
    moved, _ = rules.page_applied(flying, page, POLICY, "T", NOW)
    return moved


def _page(
    count: int, latest: datetime | None, found: tuple[str, ...] = (), **kw: object
) -> PageResult:
    items = tuple((i, latest) for i in found)
    return PageResult(0, StatusClass.OK, count=count, max_time=latest, found=items, **kw)  # type: ignore[arg-type]


def test_a_type_with_a_watermark_probes_its_rewound_window_for_ids_only() -> None:
    cursor = _begun()
    assert cursor.phase == probe.PROBE
    spec, flying = next_query(cursor, POLICY, "T")
    assert probe.is_probe(spec.request_id) and len(spec.request_id) <= 50
    assert spec.include_ret == ("TxnID", "EditSequence", "TimeModified")
    assert spec.from_modified == "2026-07-01T09:59:00-07:00"  # the rewind stays
    text = render(spec, "16.0")
    assert "<IncludeRetElement>TxnID</IncludeRetElement>" in text
    assert "<FromModifiedDate>2026-07-01T09:59:00-07:00</FromModifiedDate>" in text
    assert "IncludeLineItems" not in text  # a probe needs no lines
    assert flying.in_flight_request_id == spec.request_id


def test_first_full_sync_and_the_old_policy_do_not_probe() -> None:
    fresh, _ = rules.begin(None, "c", "invoices", "run-1", probe_first=True)
    assert fresh.phase is None
    base = CursorRow(company_id="c", data_type="invoices", watermark=MARK, full_done=True)
    old, _ = rules.begin(base, "c", "invoices", "run-2", probe_first=False)
    assert old.phase is None and not probe.is_probe(next_query(old, POLICY, "T")[0].request_id)


def test_an_unchanged_window_completes_without_fetching() -> None:
    done = _answer(_begun(), _page(3, _at(0)))
    assert done.state == CursorState.DONE.value and done.watermark == MARK
    assert done.phase is None and done.pending is None


def test_new_or_changed_records_are_fetched_by_id_in_chunks_of_the_page_size() -> None:
    cursor = _answer(_begun(), _page(4, _at(2), found=("A", "B", "C")))
    assert cursor.phase == probe.FETCH and cursor.state == CursorState.PENDING.value
    spec, _ = next_query(cursor, POLICY, "T")
    assert spec.ids == ("A", "B") and spec.from_modified is None and spec.iterator is None
    text = render(spec, "16.0")
    assert "<TxnID>A</TxnID><TxnID>B</TxnID>" in text
    assert "<IncludeLineItems>true</IncludeLineItems>" in text
    assert "ModifiedDateRangeFilter" not in text and "IncludeRetElement" not in text
    # a record fetched by ID that changed again since the probe does not move the mark
    cursor = _answer(cursor, _page(2, _at(30)))
    assert cursor.phase == probe.FETCH and probe.chunk(cursor, 2) == ("C",)
    # the last one was deleted since the probe: QuickBooks says 3120, nothing is left
    gone = PageResult(probe.NOT_FOUND, StatusClass.NOT_FOUND, "not found")
    done = _answer(cursor, gone)
    assert done.state == CursorState.DONE.value
    assert done.watermark == _at(2).isoformat()  # the latest time the probe saw


def test_a_probe_of_several_pages_gathers_what_to_fetch_from_each() -> None:
    first = _page(2, _at(1), found=("A",), iterator_id="{it}", remaining=2)
    cursor = _answer(_begun(), first)
    assert cursor.phase == probe.PROBE and cursor.iterator_id == "{it}"
    cursor = _answer(cursor, _page(2, _at(3), found=("B",)))
    assert cursor.phase == probe.FETCH and probe.chunk(cursor, 9) == ("A", "B")


def test_many_changes_catch_up_by_date_from_the_earliest_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(probe, "MAX_PENDING", 2)
    page = PageResult(
        0,
        StatusClass.OK,
        count=5,
        max_time=_at(9),
        found=(("A", _at(5)), ("B", _at(-1)), ("C", _at(9))),
        min_offset=-480,
        max_offset=-420,
    )
    cursor = _answer(_begun(), page)
    assert cursor.phase == probe.CATCH_UP
    spec, _ = next_query(cursor, POLICY, "T")
    # from the earliest change, widened by the offsets the run saw (one hour)
    assert spec.from_modified == (_at(-1) - timedelta(hours=1)).isoformat()
    assert not spec.ids and not spec.include_ret and spec.max_returned == 2
    done = _answer(cursor, _page(3, _at(12)))
    assert done.state == CursorState.DONE.value and done.phase is None


def test_a_restarted_probe_keeps_what_it_found() -> None:
    cursor = _answer(_begun(), _page(2, _at(1), found=("A",), iterator_id="{it}", remaining=5))
    again, _ = rules.restart(cursor, POLICY, "3391")
    assert again.phase == probe.PROBE and again.iterator_id is None
    assert probe.chunk(again, 9) == ("A",)


def test_a_fetch_too_large_is_split_even_for_a_type_without_iterator() -> None:
    cursor = _answer(_begun("accounts"), _page(3, _at(0), found=("A", "B", "C")))
    _, flying = next_query(cursor, POLICY, "T")
    smaller, note = rules.too_large(flying, POLICY, "over the limit")
    assert smaller.page_size == 1 and smaller.phase == probe.FETCH and note.is_error
    assert next_query(smaller, POLICY, "T")[0].ids == ("A",)


def test_a_new_session_probes_again_from_the_watermark() -> None:
    cursor = _answer(_begun(), _page(3, _at(2), found=("A",)))
    again, _ = rules.begin(cursor, "c", "invoices", "run-3", probe_first=True)
    assert again.phase == probe.PROBE and again.pending is None and again.watermark == MARK


def test_sweeps_ask_from_their_rewound_watermark() -> None:
    cursor = replace(_begun("deleted_txns"), watermark=MARK)
    assert cursor.phase is None
    spec, _ = next_query(cursor, POLICY, "T")
    assert "<FromDeletedDate>2026-07-01T09:59:00-07:00</FromDeletedDate>" in render(spec, "16.0")
    old, _ = next_query(cursor, Policy(probe=False), "T")
    assert "DeletedDateRangeFilter" not in render(old, "16.0")  # the 90 days, as before
    first, _ = next_query(replace(cursor, watermark=None), POLICY, "T")
    assert "DeletedDateRangeFilter" not in render(first, "16.0")


def test_pending_keeps_the_earliest_time_and_drops_ids_beyond_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pending = probe.Pending().add([("A", _at(3)), ("B", None), ("A", _at(1))])
    assert pending.ids == ("A", "B") and pending.since == _at(1).isoformat()
    assert probe.Pending.decode(pending.encode()) == pending
    assert probe.Pending().encode() is None and probe.Pending.decode(None) == probe.Pending()
    monkeypatch.setattr(probe, "MAX_PENDING", 2)
    over = pending.add([("C", _at(-5))])
    assert over.over and over.ids == () and over.since == _at(-5).isoformat()
    assert over.add([("D", _at(0))]).over
