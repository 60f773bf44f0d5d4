"""Browser sessions of the web pages: a portal login or a visit of one link.

Owns: the ``web_sessions`` rows. The cookie carries a 256-bit random token; the store keeps
its SHA-256 (a leaked table gives no usable cookie), what it is for (``portal``: the API key
id that logged in; ``link``: the link id) and the CSRF token every form of that session must
send back. Rows live in the store so any service instance can serve any request.
Must not: set cookies or read requests (``connector.api.portal.web`` does).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from connector.secrets import token_digest
from connector.store.db import Database, transaction
from connector.store.tables_portal import web_sessions

MAX_TOKEN = 128


@dataclass(frozen=True)
class WebSession:
    kind: str
    subject: str
    csrf: str
    expires_at: datetime


def create_session(
    db: Database | Connection, *, kind: str, subject: str, ttl: timedelta, now: datetime
) -> tuple[str, WebSession]:
    """A new session and its cookie token (shown once)."""
    token = secrets.token_urlsafe(32)
    session = WebSession(kind, subject, secrets.token_urlsafe(32), now + ttl)
    with transaction(db) as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at <= now))
        conn.execute(
            web_sessions.insert().values(
                id_hash=token_digest(token),
                kind=kind,
                subject=subject,
                csrf=session.csrf,
                created_at=now,
                expires_at=session.expires_at,
            )
        )
    return token, session


def load_session(
    db: Database | Connection, token: str | None, *, kind: str, now: datetime
) -> WebSession | None:
    """The live session of this kind for ``token``, else ``None``."""
    if not token or len(token) > MAX_TOKEN:
        return None
    query = sa.select(web_sessions).where(
        web_sessions.c.id_hash == token_digest(token), web_sessions.c.kind == kind
    )
    with transaction(db, write=False) as conn:
        row = conn.execute(query).mappings().first()
    if row is None or row["expires_at"] <= now:
        return None
    return WebSession(row["kind"], row["subject"], row["csrf"], row["expires_at"])


def delete_session(db: Database | Connection, token: str) -> None:
    with transaction(db) as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.id_hash == token_digest(token)))
