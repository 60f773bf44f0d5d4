"""Tables of the Web Connector protocol: sessions by ticket, auth failures, connection locks.

Owns: ``qbwc_sessions`` (one row per session, keyed by the SHA-256 of its ticket, never the
ticket itself (issue 18 item 10): the persisted ``SessionState`` of
``connector.qbwc_state`` plus a short lease so two calls for one ticket serialize, and the
service process that holds or last held it: ``served_by``),
``qbwc_auth_failures`` (lockout counters per username and source address, also for unknown
usernames; issue 18 item 3) and
``qbwc_connection_locks`` (one row per connection, locked while authenticate decides).
Must not: hold logic; ``connector.store.qbwc_sessions`` reads and writes these rows.
Migrations: ``migrations/versions/0002_qbwc.py``, ``0006_qbwc_served_by.py``,
``0007_auth_failure_source.py``, ``0008_ticket_hash.py`` (keep them in step).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from connector.store.base import metadata
from connector.store.tables_core import UTCDateTime, cascade

qbwc_sessions = Table(
    "qbwc_sessions",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),
    Column("connection_id", String(36), cascade("connections.id"), nullable=False),
    Column("company_id", String(36), nullable=False),
    Column("phase", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("ttl_seconds", Integer, nullable=False),
    Column("max_noops", Integer, nullable=False),
    Column("has_work", Boolean, nullable=False),
    Column("auth_path", Text, nullable=False),
    Column("qbxml_version", String(16), nullable=True),
    Column("country", String(8), nullable=False),
    Column("company_file", Text, nullable=False),
    Column("began", Boolean, nullable=False),
    Column("ended", Boolean, nullable=False),
    Column("requests_sent", Integer, nullable=False),
    Column("responses_received", Integer, nullable=False),
    Column("last_percent", Integer, nullable=False),
    Column("last_response_digest", String(64), nullable=True),
    Column("last_error", Text, nullable=False),
    Column("noop_count", Integer, nullable=False),
    Column("connection_errors", Integer, nullable=False),
    Column("hresult", String(32), nullable=True),
    Column("summary", Text, nullable=False),
    Column("lock_seq", Integer, nullable=False, default=0),
    Column("claim_token", String(64), nullable=True),
    Column("claim_expires_at", UTCDateTime(), nullable=True),
    Column("served_by", String(160), nullable=True),
    Index("ix_qbwc_sessions_connection_phase", "connection_id", "phase"),
    Index("ix_qbwc_sessions_expires_at", "expires_at"),
)

qbwc_auth_failures = Table(
    "qbwc_auth_failures",
    metadata,
    Column("username", String(255), primary_key=True),
    Column("source", String(64), primary_key=True, default=""),
    Column("failures", Integer, nullable=False),
    Column("first_failure_at", UTCDateTime(), nullable=False),
    Column("last_failure_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("locked_until", UTCDateTime(), nullable=True),
)

qbwc_connection_locks = Table(
    "qbwc_connection_locks",
    metadata,
    Column("connection_id", String(36), cascade("connections.id"), primary_key=True),
    Column("lock_seq", Integer, nullable=False, default=0),
    Column("last_ticket_hash", String(64), nullable=True),
)
