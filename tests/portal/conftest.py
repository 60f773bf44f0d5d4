"""Fixtures of the page tests: where the test run saves its screenshots (``out/screenshots``,
ignored by git). Headless Chromium is the shared ``browser`` fixture (``tests.conftest_browser``:
the machine's Chromium through Playwright, a skip on a developer machine without it, a
failure under ``CI=true``)."""

from __future__ import annotations

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "out" / "screenshots"


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
