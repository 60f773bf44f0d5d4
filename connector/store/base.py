"""The one SQLAlchemy ``MetaData`` every table of the store is declared on.

Tables live in small modules by area (``tables_core``, ``tables_qbwc``, ``tables_sync``);
``connector.store.schema`` imports them all so Alembic and tests see the whole schema.
Alembic revisions are chained by area: ``0001_core`` -> ``0002_qbwc`` -> ``0003_sync`` -> ``0004_inbox``.
"""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
