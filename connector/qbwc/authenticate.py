"""The pure decision behind the ``authenticate`` call (PROTOCOL.md 1.3, 1.5; PG p.21-22, p.62-64).

Owns: the authenticate return array (``[ticket, ""|path|"none"|"nvu"|"busy", postpone?,
min_run_every?]``), the busy / lost-response / superseded rules against the other sessions of
the connection, and the sync-window arithmetic (seconds until the window opens).
Must not: do I/O, read the clock, hash passwords or generate tickets; the shell passes all in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.qbwc.session import (
    BUSY_PHASES,
    Phase,
    SessionState,
    Step,
    Superseded,
    transition,
)


class AuthStatus(Enum):
    """authenticate's element [1] when it is not a company file path (PG p.62)."""

    NVU = "nvu"
    NONE = "none"
    BUSY = "busy"


@dataclass(frozen=True)
class AuthFacts:
    """Everything the shell learnt before deciding (credentials, connection, work)."""

    ticket: str
    credentials_ok: bool
    """Password verified and the username not locked out."""
    connection_id: str = ""
    company_id: str = ""
    paused: bool = False
    window_opens_in: int | None = None
    """Seconds until the sync window opens; ``None`` when inside it or there is no window."""
    has_work: bool = True
    company_file_path: str = ""
    """The bound company file path to return in [1], or ``""`` (the file currently open)."""
    min_run_every_seconds: int | None = None
    ttl_seconds: int = 1800
    max_noops: int = 3
    busy_postpone_seconds: int = 60


@dataclass(frozen=True)
class AuthDecision:
    result: tuple[str, ...]
    session: SessionState | None
    """The new session to store (``None`` for ``nvu``: nothing is stored for bad credentials)."""
    superseded: tuple[Step, ...] = ()
    """Transitions of the connection's older sessions (closed, expired or lost response)."""

    @property
    def status(self) -> str:
        return self.result[1]


def auth_result(
    ticket: str, status: str, postpone: int | None = None, min_run: int | None = None
) -> tuple[str, ...]:
    """The array QBWC reads; optional [2]/[3] only when meaningful (PG p.63 examples)."""
    items = [ticket, status]
    if postpone is not None or min_run is not None:
        items.append("" if postpone is None else str(postpone))
    if min_run is not None:
        items.append(str(min_run))
    return tuple(items)


def decide_authenticate(
    facts: AuthFacts, others: Sequence[SessionState], now: datetime
) -> AuthDecision:
    """Decide authenticate given the connection's other live sessions."""
    if not facts.credentials_ok:
        return AuthDecision(auth_result(facts.ticket, AuthStatus.NVU.value), None)
    if any(_is_busy(other, now) for other in others):
        return _no_work_session(facts, now, AuthStatus.BUSY, facts.busy_postpone_seconds, ())
    superseded = tuple(transition(other, Superseded(), now) for other in others)
    lost = any(other.phase is Phase.AWAITING_RESPONSE for other in others)
    if facts.paused:
        return _no_work_session(facts, now, AuthStatus.NONE, None, superseded)
    if facts.window_opens_in is not None:
        return _no_work_session(facts, now, AuthStatus.NONE, facts.window_opens_in, superseded)
    if not (facts.has_work or lost):
        return _no_work_session(facts, now, AuthStatus.NONE, None, superseded)
    session = _new_session(facts, now, Phase.AUTHENTICATED, has_work=True)
    result = auth_result(facts.ticket, facts.company_file_path, None, facts.min_run_every_seconds)
    return AuthDecision(result, session, superseded)


def _is_busy(other: SessionState, now: datetime) -> bool:
    return other.phase in BUSY_PHASES and now < other.expires_at


def _no_work_session(
    facts: AuthFacts,
    now: datetime,
    status: AuthStatus,
    postpone: int | None,
    superseded: tuple[Step, ...],
) -> AuthDecision:
    session = _new_session(facts, now, Phase.DONE, has_work=False)
    message = {
        AuthStatus.BUSY: "Another session of this connection is running.",
        AuthStatus.NONE: "No data to exchange now.",
    }[status]
    result = auth_result(facts.ticket, status.value, postpone, facts.min_run_every_seconds)
    return AuthDecision(result, _with_message(session, message), superseded)


def _with_message(session: SessionState, message: str) -> SessionState:
    return replace(session, last_error=message, summary=message)


def _new_session(facts: AuthFacts, now: datetime, phase: Phase, *, has_work: bool) -> SessionState:
    return SessionState(
        ticket=facts.ticket,
        connection_id=facts.connection_id,
        company_id=facts.company_id,
        phase=phase,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=facts.ttl_seconds),
        ttl_seconds=facts.ttl_seconds,
        max_noops=facts.max_noops,
        has_work=has_work,
        auth_path=facts.company_file_path,
    )


# ------------------------------------------------------------------------ sync window
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WindowError(ValueError):
    """A stored sync window that cannot be read (bad time, day or time zone)."""


@dataclass(frozen=True)
class SyncWindow:
    """Daily window ``start``-``end`` (may cross midnight) on ``days`` (0=Monday), local time."""

    start: time
    end: time
    days: frozenset[int]
    zone: tzinfo

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> SyncWindow:
        try:
            zone: tzinfo = ZoneInfo(str(raw.get("timezone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise WindowError(f"unknown time zone {raw.get('timezone')!r}") from exc
        days_raw = raw.get("days") or list(range(7))
        if not isinstance(days_raw, list | tuple):
            raise WindowError("window days must be a list")
        return cls(
            _parse_time(raw.get("start")),
            _parse_time(raw.get("end")),
            frozenset(_parse_day(d) for d in days_raw),
            zone,
        )

    def seconds_until_open(self, now: datetime) -> int | None:
        """``None`` when ``now`` is inside the window, else whole seconds until it opens."""
        local = now.astimezone(self.zone)
        for offset in (-1, 0):  # a window that crossed midnight started yesterday
            if self._contains(local, local.date() + timedelta(days=offset)):
                return None
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            opens = datetime.combine(day, self.start, tzinfo=self.zone)
            if day.weekday() in self.days and opens > local:
                return max(1, int((opens - local).total_seconds()))
        return None  # no day selected: treat as "no window" rather than never syncing

    def _contains(self, local: datetime, day: date) -> bool:
        if day.weekday() not in self.days:
            return False
        opens = datetime.combine(day, self.start, tzinfo=self.zone)
        closes_day = day if self.end > self.start else day + timedelta(days=1)
        closes = datetime.combine(closes_day, self.end, tzinfo=self.zone)
        return opens <= local < closes


def _parse_time(raw: object) -> time:
    try:
        return time.fromisoformat(str(raw))
    except ValueError as exc:
        raise WindowError(f"bad window time {raw!r} (expected HH:MM)") from exc


def _parse_day(raw: object) -> int:
    if isinstance(raw, int) and 0 <= raw <= 6:
        return raw
    name = str(raw).strip().lower()[:3]
    if name in _DAY_NAMES:
        return _DAY_NAMES.index(name)
    raise WindowError(f"bad window day {raw!r}")
