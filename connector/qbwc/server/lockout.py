"""Wrong-password throttling and lockout for Web Connector usernames (pure policy).

Owns: how repeated failed ``authenticate`` calls for one username are slowed down (a growing
delay before the next attempt is even checked) and then locked for a while. The same rules
apply to usernames that do not exist, and the answer is always ``nvu``, so neither timing nor
the reply reveals whether a username exists (DESIGN.md: secrets; PG p.21 ``nvu``).
Must not: do I/O; ``connector.store.qbwc_sessions`` stores the ``FailureRecord`` rows and
``connector.qbwc.server.service`` applies the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from connector.qbwc_state import FailureRecord


@dataclass(frozen=True)
class LockoutPolicy:
    free_attempts: int = 3
    """Failures allowed back to back before any delay applies."""
    base_delay_seconds: float = 1.0
    """Delay after the first failure past ``free_attempts``; doubles with each further one."""
    max_delay_seconds: float = 60.0
    lock_after: int = 10
    """Failures (within ``forget_after_seconds``) that lock the username."""
    lock_seconds: int = 900
    forget_after_seconds: int = 3600
    """A failure streak older than this (since its last failure) starts again from zero."""

    def __post_init__(self) -> None:
        if self.free_attempts < 0 or self.lock_after < 1 or self.lock_seconds < 0:
            raise ValueError("lockout policy: counts and durations must be positive")
        if self.base_delay_seconds < 0 or self.max_delay_seconds < self.base_delay_seconds:
            raise ValueError("lockout policy: need 0 <= base_delay_seconds <= max_delay_seconds")


def current(
    policy: LockoutPolicy, record: FailureRecord | None, now: datetime
) -> FailureRecord | None:
    """The record still in force at ``now`` (``None`` once forgotten)."""
    if record is None:
        return None
    if record.locked_until is not None and now < record.locked_until:
        return record
    if now - record.last_failure_at >= timedelta(seconds=policy.forget_after_seconds):
        return None
    if record.locked_until is not None:  # the lock ran out: start a fresh streak
        return None
    return record


def may_attempt(policy: LockoutPolicy, record: FailureRecord | None, now: datetime) -> bool:
    """Whether a password may be checked now (not locked, past the throttle delay)."""
    live = current(policy, record, now)
    if live is None:
        return True
    if live.locked_until is not None:
        return False
    return live.next_attempt_at is None or now >= live.next_attempt_at


def delay_after(policy: LockoutPolicy, failures: int) -> float:
    """Seconds to wait after the ``failures``-th failure: 0, then 1, 2, 4 ... capped."""
    over = failures - policy.free_attempts
    if over <= 0:
        return 0.0
    delay: float = policy.base_delay_seconds * 2.0 ** (over - 1)
    return min(policy.max_delay_seconds, delay)


def after_failure(
    policy: LockoutPolicy, record: FailureRecord | None, now: datetime
) -> FailureRecord:
    """The record after one more wrong password at ``now``."""
    live = current(policy, record, now)
    failures = 1 if live is None else live.failures + 1
    first = now if live is None else live.first_failure_at
    if failures >= policy.lock_after:
        locked = now + timedelta(seconds=policy.lock_seconds)
        return FailureRecord(failures, first, now, locked, locked)
    wait = delay_after(policy, failures)
    next_at = now + timedelta(seconds=wait) if wait > 0 else None
    return FailureRecord(failures, first, now, next_at, None)
