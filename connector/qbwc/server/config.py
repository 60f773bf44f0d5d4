"""The QBWC service's configuration and the two outside sources it draws on (clock, tickets).

Owns: ``QbwcConfig`` (ticket lifetime, NoOp cap, minimum Web Connector version, lockout policy,
qbXML versions spoken, lease length, idle windows) and its mapping from ``connector.settings.Settings``.
Must not: read the environment (Settings does, once, at start-up).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from connector.qbwc.server.lockout import LockoutPolicy
from connector.qbxml.versions import OUR_VERSIONS
from connector.settings import Settings

SERVER_VERSION = "qbd-connector 0.1.0"


@dataclass(frozen=True)
class QbwcConfig:
    """The service's knobs; ``from_settings`` maps ``connector.settings.Settings``."""

    ttl_seconds: int = 1800
    max_noops: int = 3
    min_qbwc_version: str = "2.1.0.30"
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    supported_versions: tuple[str, ...] = OUR_VERSIONS
    lease_seconds: float = 120.0
    """How long one call may hold a ticket while the WorkSource works (then it is stale);
    a lease whose process is known to be gone is stale at once (``holder``)."""
    idle_seconds: int = 120
    """A READY session silent this long no longer makes a new authenticate ``busy``."""
    start_idle_seconds: int = 600
    """The same for an AUTHENTICATED session (QuickBooks may take minutes to open)."""
    busy_postpone_seconds: int = 60
    purge_after_seconds: int = 7 * 24 * 3600
    purge_every_seconds: int = 60
    """authenticate deletes lapsed session rows at most this often in one process (a
    DELETE on every authenticate was one of its statements for nothing, issue 12)."""
    server_version: str = SERVER_VERSION

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QbwcConfig:
        policy = LockoutPolicy(
            free_attempts=1,
            base_delay_seconds=settings.lockout_base_delay_seconds,
            max_delay_seconds=max(60.0, settings.lockout_base_delay_seconds),
            lock_after=settings.lockout_threshold,
            lock_seconds=settings.lockout_seconds,
            forget_after_seconds=settings.lockout_seconds,
        )
        base = cls(
            ttl_seconds=settings.ticket_ttl_seconds,
            lease_seconds=float(settings.qbwc_lease_seconds),
            idle_seconds=settings.qbwc_idle_seconds,
            start_idle_seconds=settings.qbwc_start_idle_seconds,
            min_qbwc_version=settings.min_qbwc_version,
            lockout=policy,
        )
        return replace(base, **overrides)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_ticket() -> str:
    """128 random bits (DESIGN.md; PROTOCOL.md section 2 item 6: colliding tickets mixed tenants)."""
    return secrets.token_hex(16)
