"""Sync windows, property-based: ``next_open`` is the first open instant at or after ``now``,
across time zones with daylight-saving jumps (including a 30-minute one)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from connector.store.connections import WEEKDAYS, SyncWindow

ZONES = ("UTC", "America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata")

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


def _window(start: time, end: time, days: tuple[str, ...], zone: str) -> SyncWindow | None:
    return None if start == end else SyncWindow(start, end, days, zone)


@settings(max_examples=150, deadline=None)
@given(
    start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    end=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    days=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True).map(tuple),
    zone=st.sampled_from(ZONES),
    now=instants,
    fractions=st.lists(st.floats(min_value=0.0, max_value=1.0, exclude_max=True), max_size=12),
)
def test_next_open_is_the_first_open_instant(
    start: time,
    end: time,
    days: tuple[str, ...],
    zone: str,
    now: datetime,
    fractions: list[float],
) -> None:
    window = _window(start, end, days, zone)
    if window is None:
        return
    opens = window.next_open(now)
    assert now <= opens <= now + timedelta(days=8)
    assert window.contains(opens)
    assert window.contains(now) == (opens == now)
    for fraction in fractions:  # nothing between now and the opening is inside
        probe = now + (opens - now) * fraction
        if probe < opens:
            assert not window.contains(probe), (probe, opens)
