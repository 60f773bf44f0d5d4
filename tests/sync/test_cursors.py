"""Cursor rules: pages advance, the watermark moves only on completion, restarts and retries
are bounded, errors stop one type without moving its watermark."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from connector.qbxml.status import StatusClass
from connector.store.sync_runs import CursorRow
from connector.sync import cursors as rules
from connector.sync.cursors import PageResult
from connector.sync.plan import CursorState, IteratorAction, Policy, next_query

NOW = datetime(2026, 3, 1, tzinfo=UTC)
PST = timezone(timedelta(hours=-8))
PDT = timezone(timedelta(hours=-7))
POLICY = Policy(page_size=2, max_attempts=3, max_restarts=1)


def _flying(**kw: object) -> CursorRow:
    base = CursorRow(company_id="c", data_type="customers", **kw)  # type: ignore[arg-type]
    started, _ = rules.begin(base, "c", "customers", "run")
    _, flying = next_query(started, POLICY, "T")
    return flying


def _page(code: int = 0, cls: StatusClass = StatusClass.OK, **kw: object) -> PageResult:
    return PageResult(code, cls, **kw)  # type: ignore[arg-type]


def test_pages_move_the_iterator_and_completion_moves_the_watermark() -> None:
    cursor = _flying(watermark="2026-01-01T00:00:00-08:00")
    t1 = datetime(2026, 2, 1, 9, 0, tzinfo=PST)
    mid, note = rules.page_applied(
        cursor,
        _page(
            iterator_id="{i}", remaining=3, count=2, max_time=t1, min_offset=-480, max_offset=-480
        ),
        POLICY,
        "T",
        NOW,
    )
    assert note is None
    assert mid.state == CursorState.ACTIVE.value and mid.iterator_id == "{i}"
    assert mid.watermark == "2026-01-01T00:00:00-08:00"  # not yet: the run is unfinished
    assert mid.high_water == t1.isoformat() and mid.in_flight_request_id is None
    _, flying = next_query(mid, POLICY, "T")
    t2 = datetime(2026, 1, 15, tzinfo=PST)  # older than t1: the high-water mark stays
    done, _ = rules.page_applied(
        flying, _page(iterator_id="{i}", remaining=0, count=3, max_time=t2), POLICY, "T", NOW
    )
    assert done.state == CursorState.DONE.value and done.full_done
    assert done.watermark == t1.isoformat() and done.iterator_id is None
    assert done.fetched == 5


def test_high_water_compares_instants_across_offsets() -> None:
    cursor = _flying()
    a = datetime(2026, 3, 8, 10, 30, tzinfo=PDT)  # 17:30 UTC
    b = datetime(
        2026, 3, 8, 10, 0, tzinfo=PST
    )  # 18:00 UTC: later although its wall time is earlier
    mid, _ = rules.page_applied(
        cursor, _page(iterator_id="{i}", remaining=1, count=1, max_time=b), POLICY, "T", NOW
    )
    _, flying = next_query(mid, POLICY, "T")
    done, _ = rules.page_applied(
        flying, _page(remaining=0, count=1, max_time=a, iterator_id="{i}"), POLICY, "T", NOW
    )
    assert done.watermark == b.isoformat()


@pytest.mark.parametrize(
    ("remaining", "more"),
    [
        pytest.param(2, True, id="two-left"),
        pytest.param(1, True, id="one-left"),  # the last page's boundary
        pytest.param(0, False, id="none-left"),
        pytest.param(None, False, id="no-count"),
    ],
)
def test_the_iterator_continues_while_records_remain(remaining: int | None, more: bool) -> None:
    """iteratorRemainingCount is the number of records still to come: one left is one more
    page, none left completes the type."""
    cursor = _flying(watermark="2026-01-01T00:00:00-08:00")
    t1 = datetime(2026, 2, 1, 9, 0, tzinfo=PST)
    after, _ = rules.page_applied(
        cursor,
        _page(iterator_id="{i}", remaining=remaining, count=2, max_time=t1),
        POLICY,
        "T",
        NOW,
    )
    if more:
        assert after.state == CursorState.ACTIVE.value and not after.full_done
        assert (after.iterator_id, after.remaining) == ("{i}", remaining)
        assert after.watermark == "2026-01-01T00:00:00-08:00"
        query, _ = next_query(after, POLICY, "T")
        assert (query.iterator, query.iterator_id) == (IteratorAction.CONTINUE, "{i}")
    else:
        assert after.state == CursorState.DONE.value and after.full_done
        assert after.iterator_id is None and after.watermark == t1.isoformat()


def test_no_match_is_success() -> None:
    done, note = rules.page_applied(_flying(), _page(1, StatusClass.NO_MATCH), POLICY, "T", NOW)
    assert done.state == CursorState.DONE.value and note is None


def test_invalid_iterator_restarts_from_watermark_once_then_gives_up() -> None:
    cursor = replace(
        _flying(watermark="2026-01-01T00:00:00+00:00"), iterator_id="{i}", iterator_ticket="T"
    )
    again, note = rules.page_applied(
        cursor, _page(3391, StatusClass.INVALID_ITERATOR, message="bad"), POLICY, "T", NOW
    )
    assert again.state == CursorState.PENDING.value and again.iterator_id is None
    assert note is not None and "watermark 2026-01-01" in note.message and not note.is_error
    _, flying = next_query(again, POLICY, "T")
    stopped, note2 = rules.page_applied(
        flying, _page(3391, StatusClass.INVALID_ITERATOR), POLICY, "T", NOW
    )
    assert stopped.state == CursorState.ERROR.value
    assert note2 is not None and note2.is_error and note2.status_code == 3391
    assert stopped.watermark == "2026-01-01T00:00:00+00:00"


def test_restart_without_watermark_says_it_starts_over() -> None:
    _, note = rules.restart(_flying(), POLICY, "lost")
    assert "from the start" in note.message


def test_retry_later_is_bounded() -> None:
    cursor = _flying()
    for attempt in (1, 2):
        cursor, note = rules.page_applied(
            cursor, _page(3180, StatusClass.RETRY_LATER, message="locked"), POLICY, "T", NOW
        )
        assert cursor.state == CursorState.DEFERRED.value and cursor.attempts == attempt
        assert not note.is_error  # type: ignore[union-attr]
        _, cursor = next_query(cursor, POLICY, "T")
    cursor, note = rules.page_applied(
        cursor, _page(3180, StatusClass.RETRY_LATER), POLICY, "T", NOW
    )
    assert cursor.state == CursorState.ERROR.value and note is not None and note.is_error


@pytest.mark.parametrize(
    "cls",
    [StatusClass.FATAL, StatusClass.PERMISSION, StatusClass.UNSUPPORTED],
    ids=lambda c: c.name,
)
def test_errors_stop_the_type_and_keep_the_watermark(cls: StatusClass) -> None:
    cursor = _flying(watermark="2026-01-01T00:00:00+00:00")
    stopped, note = rules.page_applied(cursor, _page(3000, cls, message="no"), POLICY, "T", NOW)
    assert stopped.state == CursorState.ERROR.value
    assert stopped.watermark == cursor.watermark
    assert note is not None and note.status_code == 3000 and note.is_error


def test_a_new_session_drops_old_iterators_and_reports_it() -> None:
    mid = replace(_flying(), iterator_id="{i}", iterator_ticket="OLD", state="active")
    fresh, note = rules.begin(mid, "c", "customers", "run2")
    assert fresh.iterator_id is None and fresh.state == "pending" and fresh.run_id == "run2"
    assert note is not None and note.status_class == "RESTARTED"
    clean, none = rules.begin(None, "c", "customers", "run3")
    assert none is None and clean.state == "pending"


def test_sweep_completion_stamps_the_sweep_time() -> None:
    cursor = CursorRow(company_id="c", data_type="deleted_lists")
    done = rules.complete(cursor, NOW)
    assert done.last_swept_at == NOW


def test_a_run_that_saw_two_offsets_sets_its_watermark_back_by_the_spread() -> None:
    cursor = _flying()
    late = datetime(2026, 3, 8, 10, 0, tzinfo=PDT)
    page = _page(remaining=0, count=2, max_time=late, min_offset=-480, max_offset=-420)
    done, _ = rules.page_applied(cursor, page, POLICY, "T", NOW)
    assert done.watermark == "2026-03-08T09:00:00-07:00"
    assert done.min_offset is None and done.max_offset is None


@pytest.mark.parametrize(
    ("hresult", "message", "state", "status_class", "kept", "words"),
    [
        pytest.param("", "empty response", "error", "FATAL", None, "empty response", id="empty"),
        pytest.param("xyz", "boom", "error", "FATAL", None, "unreadable hresult", id="garbage"),
        pytest.param("0x80040400", "parse", "error", "FATAL", "0x80040400", "0x80040400", id="hex"),
        pytest.param(
            "-2147220480", "parse", "error", "FATAL", "0x80040400", "parse", id="signed-decimal"
        ),
        pytest.param(
            "0000000000000000002147746816",  # 0x80040400 in decimal, padded past the column
            "parse",
            "error",
            "FATAL",
            "0x80040400",
            "parse",
            id="padded-decimal",
        ),
        pytest.param(
            "0x80040401", "busy", "deferred", "RETRY_LATER", "0x80040401", "busy", id="retry"
        ),
    ],
)
def test_a_processor_failure_stops_or_defers_the_type_and_is_noted(
    hresult: str, message: str, state: str, status_class: str, kept: str | None, words: str
) -> None:
    """issue 18 item 7: an empty or unreadable hresult is an error on the run, never a crash;
    the hresult kept fits the run's column whatever form the client sent it in."""
    moved, note = rules.processor_failed(_flying(), POLICY, hresult, message)
    assert moved.state == state and note.status_class == status_class
    assert note.hresult == kept and words in note.message
    assert note.is_error is (state == "error")


def test_a_page_too_large_is_asked_again_in_halves_until_one_record() -> None:
    """issue 18 item 2: the type restarts from its watermark with half the page size, an
    error on the run; the size stays for later sessions; one record too large stops it."""
    cursor = _flying(watermark="2026-01-01T00:00:00-08:00", page_size=None)
    policy = Policy(page_size=8)
    again, note = rules.too_large(cursor, policy, "over the limit")
    assert again.page_size == 4 and again.state == CursorState.PENDING.value
    assert again.iterator_id is None and again.in_flight_request_id is None
    assert note.is_error and "pages of 4" in note.message and "watermark" in note.message
    spec, _ = next_query(rules.begin(again, "c", "customers", "run2")[0], policy, "T2")
    assert spec.max_returned == 4 and spec.iterator is IteratorAction.START
    tiny, _ = rules.too_large(replace(cursor, page_size=1), policy, "over the limit")
    assert tiny.state == CursorState.ERROR.value
    accounts = replace(cursor, data_type="accounts")  # AccountQuery cannot page
    assert rules.too_large(accounts, policy, "over")[0].state == CursorState.ERROR.value


def test_a_last_page_left_in_the_inbox_ends_the_type_when_applied_as_in_line() -> None:
    """The same two pages, the last applied in line or received (``STORING``: asked no more)
    and applied from the inbox later: the same cursor in the end."""
    t1 = datetime(2026, 2, 1, 9, 0, tzinfo=PST)
    t2 = datetime(2026, 2, 3, 9, 0, tzinfo=PST)
    first = _page(iterator_id="{i}", remaining=3, count=2, max_time=t1)
    mid, _ = rules.page_applied(
        _flying(watermark="2026-01-01T00:00:00-08:00"), first, POLICY, "T", NOW
    )
    _, flying = next_query(mid, POLICY, "T")
    last = _page(iterator_id="{i}", remaining=0, count=3, max_time=t2)
    in_line, _ = rules.page_applied(flying, last, POLICY, "T", NOW)
    waiting = rules.last_page_received(flying)
    assert waiting.state == CursorState.STORING.value and waiting.in_flight_request_id is None
    assert waiting.watermark == "2026-01-01T00:00:00-08:00" and not waiting.full_done
    applied = rules.page_stored(waiting, last, waiting.run_id or "", NOW)
    assert applied == in_line
    assert applied.state == CursorState.DONE.value and applied.watermark == t2.isoformat()
    assert applied.fetched == 5


def test_a_last_page_of_an_earlier_run_only_joins_the_high_water_mark() -> None:
    t2 = datetime(2026, 2, 3, 9, 0, tzinfo=PST)
    waiting = rules.last_page_received(_flying())
    later_run = replace(waiting, run_id="another-run")
    applied = rules.page_stored(later_run, _page(count=3, max_time=t2), "run", NOW)
    assert applied.state == CursorState.STORING.value and applied.fetched == waiting.fetched
    assert applied.high_water == t2.isoformat()


def test_a_new_session_asks_again_a_type_whose_last_page_never_came_in() -> None:
    waiting = rules.last_page_received(_flying(watermark="2026-01-01T00:00:00-08:00"))
    again, note = rules.begin(waiting, "c", "customers", "run-2")
    assert again.state == CursorState.PENDING.value and note is not None
    assert "restarting from its watermark" in note.message


def test_a_page_before_the_last_applied_after_it_arrived_does_not_end_the_type() -> None:
    """Pages are applied behind in the order they came, but the last may arrive (the type
    asked no more) while the one before it is still being applied: that one counts and
    only the last ends the type."""
    t1 = datetime(2026, 2, 1, 9, 0, tzinfo=PST)
    t2 = datetime(2026, 2, 3, 9, 0, tzinfo=PST)
    flying = _flying(watermark="2026-01-01T00:00:00-08:00")
    received = rules.page_received(flying, "{i}", 3, "T")
    _, again = next_query(received, POLICY, "T")
    waiting = rules.last_page_received(again)
    run_id = waiting.run_id or ""
    middle = rules.page_stored(
        waiting, _page(iterator_id="{i}", remaining=3, count=2, max_time=t1), run_id, NOW
    )
    assert middle.state == CursorState.STORING.value and middle.fetched == 2
    assert middle.watermark == "2026-01-01T00:00:00-08:00"
    last = rules.page_stored(
        middle, _page(iterator_id="{i}", remaining=0, count=3, max_time=t2), run_id, NOW
    )
    assert last.state == CursorState.DONE.value and last.fetched == 5
    assert last.watermark == t2.isoformat()
