"""The complete schema: imports every ``tables_*`` module so ``metadata`` holds all tables.

Alembic's ``env.py`` and the tests use ``connector.store.schema.metadata``. Modules are
imported explicitly (no discovery), one line per area, added once that area's tables and
migration have landed: ``tables_core`` (0001), ``tables_qbwc`` (0002), ``tables_sync`` (0003),
``tables_portal`` (0005), ``tables_webhooks`` (0011), ``tables_reports`` (0013, 0016).
Must not: declare tables itself.
"""

from __future__ import annotations

from connector.store import (
    tables_core,
    tables_portal,
    tables_qbwc,
    tables_reports,
    tables_sync,
    tables_webhooks,
)
from connector.store.base import metadata

__all__ = [
    "metadata",
    "tables_core",
    "tables_portal",
    "tables_qbwc",
    "tables_reports",
    "tables_sync",
    "tables_webhooks",
]
