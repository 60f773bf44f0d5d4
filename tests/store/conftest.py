"""Store test fixtures. ``db`` (parametrised over SQLite and PostgreSQL) comes from the
``tests/conftest_db.py`` plugin so every package can use it; here: rows most tests need."""

from __future__ import annotations

import pytest

from connector.store.companies import CompanyRow, create_company
from connector.store.db import Database


@pytest.fixture
def company(db: Database) -> CompanyRow:
    return create_company(db, "Acme Plumbing")
