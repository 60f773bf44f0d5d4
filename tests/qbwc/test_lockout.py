"""Wrong-password throttling and lockout: the pure policy, then through the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.qbwc.server.lockout import (
    FailureRecord,
    LockoutPolicy,
    after_failure,
    delay_after,
    may_attempt,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
POLICY = LockoutPolicy(
    free_attempts=2, base_delay_seconds=1, max_delay_seconds=8, lock_after=6, lock_seconds=600
)


def fail(times: int, start: datetime = T0) -> FailureRecord:
    record: FailureRecord | None = None
    now = start
    for _ in range(times):
        record = after_failure(POLICY, record, now)
        now = record.next_attempt_at or now
    assert record is not None
    return record


def test_delays_grow_then_cap() -> None:
    assert [delay_after(POLICY, n) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 8]


def test_free_attempts_then_throttled() -> None:
    record = fail(3)
    assert record.next_attempt_at is not None
    assert not may_attempt(POLICY, record, record.last_failure_at)
    assert may_attempt(POLICY, record, record.next_attempt_at)


def test_locks_after_the_threshold_and_unlocks_later() -> None:
    record = fail(6)
    assert record.locked_until is not None
    assert not may_attempt(POLICY, record, record.locked_until - timedelta(seconds=1))
    assert may_attempt(POLICY, record, record.locked_until)
    fresh = after_failure(POLICY, record, record.locked_until)
    assert fresh.failures == 1  # a new streak after the lock ran out


def test_old_streaks_are_forgotten() -> None:
    record = fail(4)
    later = record.last_failure_at + timedelta(seconds=POLICY.forget_after_seconds)
    assert after_failure(POLICY, record, later).failures == 1


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError):
        LockoutPolicy(base_delay_seconds=10, max_delay_seconds=1)
    with pytest.raises(ValueError):
        LockoutPolicy(lock_after=0)
