"""Alembic revisions, chained by area: ``0001_core`` -> ``0002_qbwc`` -> ``0003_sync`` -> ``0004_inbox``."""
