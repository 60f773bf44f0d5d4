"""Tables of the sync area: cursors, synced records, sync history, the write outbox (webhooks:
``tables_webhooks``).

Owns: the table declarations (on the shared ``metadata``) that migrations ``0003_sync`` and
``0004_inbox`` create.
Must not: hold queries (see ``records``, ``sync_runs`` and ``connector.sync.cursors``).

Times are stored as UTC. QuickBooks' own ``TimeModified`` strings are kept verbatim beside
their UTC instant, because QuickBooks expects its own (possibly wrong, daylight-saving)
offset back in modified-date filters (PROTOCOL.md 1.10).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.schema import SchemaItem

from connector.store.base import metadata
from connector.store.tables_core import cascade, keyed_table

_ID = String(36)
_TYPE = String(40)
_QBTIME = String(40)
"""A QuickBooks date-time as QuickBooks sent it, offset included."""
_TICKET = String(64)
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_ROWID = BigInteger().with_variant(Integer(), "sqlite")


def _rowid_table(name: str, *items: SchemaItem) -> Table:
    """A table whose primary key is ``id``, a row id the database numbers, then ``items``."""
    return Table(name, metadata, Column("id", _ROWID, primary_key=True, autoincrement=True), *items)


sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("company_id", _ID, cascade("companies.id"), primary_key=True),
    Column("data_type", _TYPE, primary_key=True),
    Column("watermark", _QBTIME, nullable=True),
    Column("full_done", Boolean, nullable=False, default=False),
    Column("run_id", _ID, nullable=True),
    Column("state", String(16), nullable=False, default="idle"),
    Column("iterator_id", String(64), nullable=True),
    Column("iterator_ticket", _TICKET, nullable=True),
    Column("remaining", Integer, nullable=True),
    Column("fetched", Integer, nullable=False, default=0),
    Column("high_water", _QBTIME, nullable=True),
    Column("min_offset", Integer, nullable=True),
    Column("max_offset", Integer, nullable=True),
    Column("seq", Integer, nullable=False, default=0),
    Column("in_flight_request_id", String(50), nullable=True),
    Column("in_flight_ticket", _TICKET, nullable=True),
    Column("in_flight_request", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("restarts", Integer, nullable=False, default=0),
    Column("last_swept_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("page_size", Integer, nullable=True),
    Column("phase", String(16), nullable=True),  # 0014: incremental runs probe first
    Column("pending", Text, nullable=True),
)

records = _rowid_table(
    "records",
    Column("company_id", _ID, cascade("companies.id"), nullable=False),
    Column("data_type", _TYPE, nullable=False),
    Column("qb_id", String(64), nullable=False),
    Column("ret", String(64), nullable=False),
    Column("time_modified", _QBTIME, nullable=True),
    Column("time_modified_utc", DateTime(timezone=True), nullable=True),
    Column("edit_sequence", String(32), nullable=True),
    Column("data", Text, nullable=False),
    Column("normalised", Text, nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "data_type", "qb_id", name="uq_records_company_type_qb_id"),
    Index("ix_records_company_type_modified", "company_id", "data_type", "time_modified_utc"),
    Index("ix_records_company_type_id", "company_id", "data_type", "id"),  # 0004: REST pages
)

sync_inbox = _rowid_table(
    "sync_inbox",
    Column("company_id", _ID, cascade("companies.id"), nullable=False),
    Column("run_id", _ID, nullable=False),
    Column("data_type", _TYPE, nullable=False),
    Column("request_id", String(50), nullable=False),
    Column("qbxml_version", String(8), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_sync_inbox_company", "company_id", "id"),
)
"""Iterator pages stored on arrival, applied behind the Web Connector (migration 0004_inbox)."""

sync_runs = keyed_table(
    "sync_runs",
    Column("company_id", _ID, cascade("companies.id"), nullable=False),
    Column("connection_id", _ID, nullable=True),
    Column("ticket", _TICKET, nullable=True, index=True),
    Column("status", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("data_types", JSON, nullable=False),
    Column("requested_types", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("summary", Text, nullable=True),
    Index("ix_sync_runs_company_created", "company_id", "created_at"),
)

sync_run_types = Table(
    "sync_run_types",
    metadata,
    Column("run_id", _ID, cascade("sync_runs.id"), primary_key=True),
    Column("data_type", _TYPE, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("fetched", Integer, nullable=False, default=0),
    Column("created", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("deleted", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
)

sync_run_errors = _rowid_table(
    "sync_run_errors",
    Column("run_id", _ID, cascade("sync_runs.id"), nullable=False),
    Column("data_type", _TYPE, nullable=True),
    Column("status_code", Integer, nullable=True),
    Column("hresult", String(12), nullable=True),
    Column("status_class", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_sync_run_errors_run", "run_id"),
)

outbox = keyed_table(
    "outbox",
    Column("company_id", _ID, cascade("companies.id"), nullable=False),
    Column("data_type", _TYPE, nullable=False),
    Column("operation", String(16), nullable=False),
    Column("payload", Text, nullable=False),
    Column("idempotency_key", String(128), nullable=True),
    Column("status", String(16), nullable=False),
    Column("message_set_id", String(24), nullable=True),
    Column("request_id", String(50), nullable=True),
    Column("result_qb_id", String(64), nullable=True),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "idempotency_key", name="uq_outbox_company_idempotency"),
    Index("ix_outbox_company_status", "company_id", "status"),
)
