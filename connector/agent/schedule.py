"""When each company runs next: pure functions over the clock's value.

Owns the rules: a company just added or never run is due at once, and so is one overdue when
the agent starts; after a session the next run follows what the service answered, as QBWC
does (``next_run_in``: authenticate [2] postpones, [3] is a minimum interval; ``none`` and
``busy`` come with either, PROTOCOL.md 1.3, PG p.62-64; the service's sync window arrives as
``none`` + [2]); after a failure the agent retries with a growing backoff (``backoff``),
never later than the schedule itself and never sooner than the service's minimum interval;
a paused company is never due. ``sync-now`` is a queued request served at once (or right
after the session in progress). Must not: read the clock or touch files.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from connector.agent.advice import Outcome, OutcomeKind
from connector.agent.config import CompanyConfig
from connector.agent.state import CompanyState, LastRun
from connector.qbwc.client import SessionResult, SessionSummary, next_run_in

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


def is_due(company: CompanyConfig, state: CompanyState, now: datetime, queued: bool) -> bool:
    if company.paused:
        return False
    return queued or state.next_run is None or state.next_run <= now


def backoff(failures: int, every_minutes: int) -> int:
    """Seconds before retry number ``failures`` (1, 2, ...): 30 s doubling, capped by the
    schedule's interval and by an hour."""
    grown: int = FIRST_RETRY_SECONDS * 2 ** min(max(failures - 1, 0), 16)
    return min(grown, every_minutes * 60, MAX_RETRY_SECONDS)


def after_session(
    company: CompanyConfig,
    state: CompanyState,
    outcome: Outcome,
    started: datetime,
    ended: datetime,
) -> CompanyState:
    """The company's state once a session that started at ``started`` ended at ``ended``."""
    last = LastRun.of(ended, outcome)
    every = company.every_minutes * 60
    if outcome.kind is OutcomeKind.STOPPED:
        # The agent is stopping: run again as soon as it starts (nothing is lost meanwhile).
        return replace(state, last_run=last, next_run=ended)
    if outcome.kind is OutcomeKind.FAILED:
        failures = state.failures + 1
        wait = max(backoff(failures, company.every_minutes), outcome.min_run_seconds or 0)
        return CompanyState(ended + timedelta(seconds=wait), last, failures)
    answered = SessionSummary(
        result=SessionResult.DONE,
        calls=(),
        postpone_seconds=outcome.postpone_seconds,
        min_run_seconds=outcome.min_run_seconds,
    )
    wait = next_run_in(answered, every) or every
    return CompanyState(started + timedelta(seconds=wait), last, 0)
