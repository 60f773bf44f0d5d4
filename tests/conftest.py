"""Shared test fixtures and the plugins every test package gets.

Helpers live in modules imported by their full name (``tests.requirements``,
``tests.refpaths``, ``tests.conftest_db``, ``tests.conftest_browser``), never from ``conftest``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import connector  # noqa: F401  (installs connector.spyne_compat before any test imports spyne)

# requirements: the CI-strict skip guard; conftest_db: database fixtures (db, backend, ...);
# conftest_browser: headless Chromium through Playwright (browser, page).
pytest_plugins = ["tests.requirements", "tests.conftest_db", "tests.conftest_browser"]


@pytest.fixture
def reference() -> Path:
    """The reference folder (``tests.refpaths.require_reference``)."""
    # Imported here: a top-level import would load ``tests.requirements`` before pytest
    # registers it as a plugin (assertion rewriting warns, and warnings are errors).
    from tests.refpaths import require_reference

    return require_reference()
