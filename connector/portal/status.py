"""A connection's status as the portal and the link flow show it, purely.

Owns: ``never_connected`` (no Web Connector ever passed authenticate), ``paused``,
``syncing`` (its company's latest run is running and the Web Connector was heard within a
session's lifetime), ``error`` (the latest finished run failed or finished with errors) and
``connected``; and the reason syncing is held, when it is (integration off, paused, consent
withdrawn), in plain words. Must not: do I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from connector.store.activity import Activity
from connector.store.sync_runs import SyncRun

SESSION_LIFETIME = timedelta(minutes=30)


class ConnectionStatus(StrEnum):
    NEVER_CONNECTED = "never_connected"
    CONNECTED = "connected"
    SYNCING = "syncing"
    PAUSED = "paused"
    ERROR = "error"

    @property
    def text(self) -> str:
        return {
            "never_connected": "Never connected",
            "connected": "Connected",
            "syncing": "Syncing",
            "paused": "Paused",
            "error": "Error",
        }[self.value]


def connection_status(
    *, paused: bool, activity: Activity | None, latest: SyncRun | None, now: datetime
) -> ConnectionStatus:
    if paused:
        return ConnectionStatus.PAUSED
    if activity is None:
        return ConnectionStatus.NEVER_CONNECTED
    recent = now - activity.last_authenticated_at < SESSION_LIFETIME
    if latest is not None and latest.status == "running" and recent:
        return ConnectionStatus.SYNCING
    if latest is not None and latest.status in ("failed", "partial"):
        return ConnectionStatus.ERROR
    return ConnectionStatus.CONNECTED


HELD_OFF = "The platform turned the QuickBooks Desktop integration off; nothing is synced."
HELD_PAUSED = "Syncing is paused; resume it to sync again."
HELD_WITHDRAWN = "Consent to share data was withdrawn; nothing is synced."


def held_reason(
    *, integration_enabled: bool, paused: bool, consent_active: bool | None
) -> str | None:
    """Why this connection must not sync now, or ``None`` when it may. ``consent_active``:
    whether the company's latest consent stands.

    A company that never went through the link flow has no consent row (``None``): the
    platform created its connection itself (REST API, CLI) and answers for the consent, so it
    syncs.
    """
    if not integration_enabled:
        return HELD_OFF
    if paused:
        return HELD_PAUSED
    if consent_active is False:
        return HELD_WITHDRAWN
    return None
