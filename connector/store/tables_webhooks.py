"""Webhook tables (issue 19): the platform's subscriptions and the delivery queue.

``webhooks``: a URL, the events it wants, the signing secret, and the companies it hears
about (``company_ids`` null: every company; a webhook made with a scoped API key hears only
that key's companies). ``webhook_deliveries``: one row per event per subscribed webhook,
written in the transaction of the change it reports (so none is lost), taken by delivery
workers of any instance under a lease (``claim_token``/``claimed_until``) and kept as the
delivery log. Must not: hold queries (``connector.store.webhooks``).
"""

from __future__ import annotations

import sqlalchemy as sa

from connector.store.tables_core import JSONValue, UTCDateTime, cascade, keyed_table

webhooks = keyed_table(
    "webhooks",
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("events", sa.JSON(), nullable=False),
    # HMAC needs the secret itself (a hash cannot sign): it is never shown again after the
    # answer that creates the webhook.
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("company_ids", JSONValue(), nullable=True),
    sa.Column("created_by", sa.String(36), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

webhook_deliveries = keyed_table(
    "webhook_deliveries",
    sa.Column("webhook_id", sa.String(36), cascade("webhooks.id"), nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("company_id", sa.String(36), nullable=True),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("claim_token", sa.String(36), nullable=True),
    sa.Column("claimed_until", UTCDateTime(), nullable=True),
    sa.Column("last_status_code", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("latency_ms", sa.Integer(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("delivered_at", UTCDateTime(), nullable=True),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "created_at"),
)
