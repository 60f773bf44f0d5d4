"""The platform-side operations over the store: settings, branding, links, manual syncs.

Owns: the steps the REST API and the portal pages share (each one call here, whichever
face asked): reading and saving branding and the integration switch, the branded name the
QWC file and pages carry, creating and revoking links, queueing a manual sync, and
``held_reason_for`` (why a connection must not sync now), which the Web Connector service
and the sync engine's wrapper ask. Must not: know HTTP (``connector.api``) or decide
protocol answers (``connector.qbwc``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from connector.portal import links as link_rules
from connector.portal.branding import Brand, brand_of, check_branding
from connector.portal.errors import BrandingRefused, IntegrationDisabled, LogoTooLarge, SyncRefused
from connector.portal.status import held_reason
from connector.portal.svg import MAX_LOGO_BYTES, LogoProblem, check_logo
from connector.settings import Settings
from connector.store import connections as connection_store
from connector.store import links as link_store
from connector.store import platform as platform_store
from connector.store import sync_requests
from connector.store.call_checks import CallChecks, read_call_checks
from connector.store.connections import ConnectionRow
from connector.store.db import Database, transaction
from connector.store.links import LinkKind, LinkRow
from connector.store.platform import Logo, PlatformSettings
from connector.store.tables_core import ConnectionMethod
from connector.sync.plan import QUERY_TYPES, SWEEP_TYPES

SYNCABLE_TYPES = tuple(d.key for d in QUERY_TYPES + SWEEP_TYPES)


# ------------------------------------------------------------------------ settings
def brand(db: Database | Connection, settings: Settings) -> Brand:
    return brand_of(platform_store.get_platform(db).branding, settings.app_name)


@dataclass(frozen=True)
class LogoUpload:
    content_type: str
    data: bytes


def save_branding(
    db: Database,
    *,
    app_name: str | None,
    description: str | None,
    support_url: str | None,
    accent_color: str | None,
    logo: LogoUpload | None = None,
    remove_logo: bool = False,
    now: datetime,
) -> PlatformSettings:
    """Check every field and the logo, then save them together (nothing saved on error)."""
    problems: dict[str, str] = {}
    try:
        branding = check_branding(app_name, description, support_url, accent_color)
    except BrandingRefused as exc:
        problems.update(exc.problems)
    stored: Logo | object | None = None if remove_logo else platform_store.KEEP_LOGO
    if logo is not None:
        if len(logo.data) > MAX_LOGO_BYTES:
            raise LogoTooLarge(MAX_LOGO_BYTES)
        try:
            kind, data = check_logo(logo.content_type, logo.data)
            stored = Logo(kind, data, hashlib.sha256(data).hexdigest())
        except LogoProblem as exc:
            problems["logo"] = str(exc)
    if problems:
        raise BrandingRefused(problems)
    return platform_store.save_branding(db, branding, logo=stored, now=now)


def set_integration(
    db: Database, *, enabled: bool, allow_writes: bool | None = None, now: datetime
) -> PlatformSettings:
    return platform_store.save_integration(db, enabled=enabled, allow_writes=allow_writes, now=now)


def require_enabled(db: Database | Connection) -> PlatformSettings:
    platform = platform_store.get_platform(db)
    if not platform.integration_enabled:
        raise IntegrationDisabled()
    return platform


def held_reason_for(db: Database | Connection, connection: ConnectionRow) -> str | None:
    """Why ``connection`` must not sync now (integration off, paused, consent withdrawn)."""
    with transaction(db, write=False) as conn:
        return held_by_checks(read_call_checks(conn, connection.id))


def held_by_checks(checks: CallChecks) -> str | None:
    """Why a connection must not sync now, from the checks read in one statement
    (``store.call_checks``)."""
    return held_reason(
        integration_enabled=checks.integration_enabled,
        paused=checks.paused,
        consent_active=checks.consent_active,
    )


# --------------------------------------------------------------------------- links
def link_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/link/{token}"


def create_link(
    db: Database | Connection,
    settings: Settings,
    connection: ConnectionRow,
    *,
    kind: LinkKind = LinkKind.SETUP,
    days: int | None = None,
    now: datetime,
) -> tuple[LinkRow, str]:
    """A new link for ``connection`` and its URL (shown once). Setup links need the
    integration on (``IntegrationDisabled``, 409); management links are always allowed."""
    valid = link_rules.valid_for(days)
    with transaction(db) as conn:
        if kind is LinkKind.SETUP:
            require_enabled(conn)
        row, token = link_store.create_link(
            conn,
            company_id=connection.company_id,
            connection_id=connection.id,
            kind=kind,
            valid_for=valid,
            now=now,
        )
    return row, link_url(settings, token)


def create_connection_with_link(
    db: Database | Connection,
    settings: Settings,
    company_id: str,
    method: str | ConnectionMethod,
    *,
    now: datetime,
) -> tuple[ConnectionRow, str, str]:
    """A new connection, its password (shown once) and its setup link's URL, or
    ``IntegrationDisabled`` (nothing created)."""
    with transaction(db) as conn:
        require_enabled(conn)
        row, password = connection_store.create_connection(
            conn,
            company_id,
            method,
            owner_id=settings.owner_id,
            every_minutes=settings.default_every_minutes,
            now=now,
        )
        _, url = create_link(conn, settings, row, now=now)
    return row, password, url


# --------------------------------------------------------------------- manual syncs
def queue_sync(
    db: Database, company_id: str, data_types: Sequence[str] | None, now: datetime
) -> sync_requests.QueuedSync:
    """Queue a manual sync of ``company_id`` (``data_types`` first; ``None`` = all)."""
    if data_types is not None:
        unknown = sorted(set(data_types) - set(SYNCABLE_TYPES))
        if unknown:
            raise SyncRefused(
                422,
                "unknown_data_type",
                f"not a synced data type: {', '.join(unknown)}",
                {"unknown": unknown, "known": list(SYNCABLE_TYPES)},
            )
    with db.begin() as conn:
        return sync_requests.queue_sync(conn, company_id, data_types or None, now)
