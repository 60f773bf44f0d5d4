"""Tables of the platform side: settings and branding, link-flow links, consents, web
sessions, and when each connection's Web Connector last authenticated.

Owns: the declarations migration ``0005_portal`` creates (keep the two in step).
Must not: hold queries (``platform``, ``links``, ``consents``, ``web_sessions`` and
``activity`` do).
"""

from __future__ import annotations

import sqlalchemy as sa

from connector.store.base import metadata
from connector.store.tables_core import JSONValue, UTCDateTime, cascade, keyed_table

platform_settings = sa.Table(
    "platform_settings",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("integration_enabled", sa.Boolean(), nullable=False),
    sa.Column("allow_writes", sa.Boolean(), nullable=False),
    sa.Column("app_name", sa.String(80), nullable=True),
    sa.Column("description", sa.String(200), nullable=True),
    sa.Column("support_url", sa.String(500), nullable=True),
    sa.Column("accent_color", sa.String(7), nullable=True),
    sa.Column("logo_type", sa.String(32), nullable=True),
    sa.Column("logo_data", sa.LargeBinary(), nullable=True),
    sa.Column("logo_sha256", sa.String(64), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # 0010: the base URL ``serve`` last ran with; ``connection create`` writes QWC files
    # pointing at it when it is given none (issue 11 item 6).
    sa.Column("public_url", sa.String(500), nullable=True),
)
"""One row (id ``platform``); no row means the defaults (integration on, no branding)."""

connection_links = keyed_table(
    "connection_links",
    sa.Column("company_id", sa.String(36), cascade("companies.id"), nullable=False, index=True),
    sa.Column(
        "connection_id", sa.String(36), cascade("connections.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("consent_id", sa.String(36), nullable=True),
    sa.Column("revealed_at", UTCDateTime(), nullable=True),
)

consents = keyed_table(
    "consents",
    sa.Column("company_id", sa.String(36), cascade("companies.id"), nullable=False, index=True),
    sa.Column("connection_id", sa.String(36), nullable=True),
    sa.Column("link_id", sa.String(36), nullable=True),
    sa.Column("wording_version", sa.String(32), nullable=False),
    sa.Column("app_name", sa.String(80), nullable=False),
    sa.Column("data_types", JSONValue(), nullable=False),
    sa.Column("reports", JSONValue(), nullable=False),
    sa.Column("writes", JSONValue(), nullable=False),
    sa.Column("agreed_at", UTCDateTime(), nullable=False),
    sa.Column("agreed_from", sa.String(64), nullable=False),
    sa.Column("user_agent", sa.String(300), nullable=False),
    sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
    sa.Column("withdrawn_from", sa.String(64), nullable=True),
    sa.Column("delete_requested", sa.Boolean(), nullable=False),
    sa.Column("records_deleted_at", UTCDateTime(), nullable=True),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("subject", sa.String(36), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
)
"""Browser sessions: a portal login (subject: the API key id) or a link visit (the link id)."""

connection_activity = sa.Table(
    "connection_activity",
    metadata,
    sa.Column("connection_id", sa.String(36), cascade("connections.id"), primary_key=True),
    sa.Column("first_authenticated_at", UTCDateTime(), nullable=False),
    sa.Column("last_authenticated_at", UTCDateTime(), nullable=False),
)
"""When a connection's Web Connector first and last passed authenticate (``connected``)."""
