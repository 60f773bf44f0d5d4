"""The link flow's steps over the store: what a business does through its link.

Owns: opening a link (``LinkUnusable`` when it cannot be used), agreeing to share (the
consent recorded with when, from where, which data types, which wording), choosing how
QuickBooks is reached, the QWC file and the password (both only after consent, on a link
not used yet, with the integration on), pausing, resuming and withdrawing consent, and the
live status the page polls. Must not: know HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connector.portal import links as link_rules
from connector.portal.consent import ConsentWording, wording
from connector.portal.errors import ConsentRequired
from connector.portal.operations import brand, held_by_checks, require_enabled
from connector.portal.status import ConnectionStatus, connection_status
from connector.settings import Settings
from connector.store import activity as activity_store
from connector.store import companies as company_store
from connector.store import connections as connection_store
from connector.store import consents as consent_store
from connector.store import links as link_store
from connector.store import platform as platform_store
from connector.store import sync_runs as run_store
from connector.store.call_checks import read_call_checks
from connector.store.companies import CompanyRow
from connector.store.connections import ConnectionRow
from connector.store.consents import ConsentRow
from connector.store.db import Database
from connector.store.tables_core import ConnectionMethod
from connector.sync.progress import percent


@dataclass(frozen=True)
class Visit:
    """An open link with everything its pages show."""

    view: link_rules.LinkView
    connection: ConnectionRow
    company: CompanyRow
    consent: ConsentRow | None
    """This link's consent, if given and not withdrawn."""

    @property
    def open(self) -> bool:
        return self.view.state is link_rules.LinkState.OPEN


def open_link(db: Database, token: str, now: datetime) -> Visit:
    with db.begin(write=False) as conn:
        link = link_store.find_by_token(conn, token)
        if link is None:
            link_rules.judge(None, None, now)
        assert link is not None
        activity = activity_store.activity_of(conn, [link.connection_id]).get(link.connection_id)
        view = link_rules.judge(link, activity, now)
        connection = connection_store.get_connection(conn, link.connection_id)
        company = company_store.get_company(conn, link.company_id)
        consent = None
        if link.consent_id is not None:
            found = consent_store.get_consent(conn, link.consent_id)
            consent = found if found.active else None
    return Visit(view, connection, company, consent)


def consent_wording(db: Database, settings: Settings) -> ConsentWording:
    platform = platform_store.get_platform(db)
    return wording(brand(db, settings).name, platform.allow_writes)


def agree(
    db: Database, settings: Settings, visit: Visit, *, remote: str, user_agent: str, now: datetime
) -> ConsentRow:
    link_rules.require_open(visit.view)
    require_enabled(db)
    text = consent_wording(db, settings)
    with db.begin() as conn:
        row = consent_store.record_consent(
            conn,
            company_id=visit.company.id,
            connection_id=visit.connection.id,
            link_id=visit.view.link.id,
            wording_version=text.version,
            app_name=text.app_name,
            data_types=text.reads,
            reports=text.reports,
            writes=text.writes,
            agreed_from=remote,
            user_agent=user_agent,
            now=now,
        )
        link_store.set_consent(conn, visit.view.link.id, row.id)
    return row


def _require_setup(db: Database, visit: Visit) -> None:
    link_rules.require_open(visit.view)
    if visit.consent is None:
        raise ConsentRequired()
    require_enabled(db)


def choose_method(db: Database, visit: Visit, method: str) -> ConnectionRow:
    _require_setup(db, visit)
    return connection_store.set_method(db, visit.connection.id, ConnectionMethod(method))


def reveal_password(db: Database, visit: Visit, now: datetime) -> str:
    """A new password for the Web Connector (the old one stops working at once)."""
    _require_setup(db, visit)
    with db.begin() as conn:
        _, password = connection_store.rotate_password(conn, visit.connection.id)
        link_store.mark_revealed(conn, visit.view.link.id, now)
    return password


def setup_qwc(db: Database, settings: Settings, visit: Visit) -> str:
    from connector.portal.qwc import branded_qwc

    _require_setup(db, visit)
    return branded_qwc(db, settings, visit.company, visit.connection)


def set_paused(db: Database, visit: Visit, paused: bool) -> ConnectionRow:
    return connection_store.set_paused(db, visit.connection.id, paused)


def withdraw(
    db: Database, visit: Visit, *, delete_records: bool, remote: str, now: datetime
) -> tuple[ConsentRow | None, int]:
    """Withdraw the company's current consent; with ``delete_records`` its stored
    QuickBooks data goes too. Syncing stops at the next Web Connector call."""
    current = consent_store.latest_consent(db, visit.company.id)
    if current is None:
        if delete_records:
            with db.begin() as conn:
                return None, consent_store.delete_company_data(conn, visit.company.id)
        return None, 0
    return consent_store.withdraw_consent(
        db, current.id, withdrawn_from=remote, delete_records=delete_records, now=now
    )


@dataclass(frozen=True)
class LiveStatus:
    status: ConnectionStatus
    held: str | None
    percent: int | None
    """The running sync's progress (0-100), ``None`` when none runs."""
    last_sync: run_store.SyncRun | None

    def to_json(self) -> dict[str, object]:
        last = self.last_sync
        return {
            "status": self.status.value,
            "statusText": self.status.text,
            "held": self.held,
            "percent": self.percent,
            "lastSync": None
            if last is None
            else {
                "status": last.status,
                "startedAt": last.started_at.isoformat() if last.started_at else None,
                "endedAt": last.ended_at.isoformat() if last.ended_at else None,
                "summary": last.summary,
            },
        }


def live_status(db: Database, connection: ConnectionRow, now: datetime) -> LiveStatus:
    with db.begin(write=False) as conn:
        current = connection_store.get_connection(conn, connection.id)
        activity = activity_store.activity_of(conn, [current.id]).get(current.id)
        recent = [r for r in run_store.list_runs(conn, current.company_id, limit=5)]
        started = [r for r in recent if r.status != "queued"]
        latest = started[0] if started else None
        checks = read_call_checks(conn, current.id)
        progress = None
        if latest is not None and latest.status == "running":
            progress = percent(latest.data_types, run_store.load_cursors(conn, current.company_id))
    status = connection_status(paused=current.paused, activity=activity, latest=latest, now=now)
    return LiveStatus(status, held_by_checks(checks), progress, latest)
