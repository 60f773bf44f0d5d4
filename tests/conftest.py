"""Shared test fixtures: where the reference artifacts are, and the PostgreSQL URL."""

from __future__ import annotations

from pathlib import Path

import pytest

import connector  # noqa: F401  (installs connector.spyne_compat before any test imports spyne)
from tests.refpaths import REFERENCE, REPO, reference_path  # noqa: F401  (re-exported)

pytest_plugins = ["tests.conftest_db"]  # database fixtures (db, backend, ...) for every package


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is absent (../shared/reference not beside the checkout)")
    return REFERENCE
