"""Fixtures of the page tests: headless Chromium through Playwright (the machine's Chromium,
never a downloaded build; a fresh profile per context), skipped saying how to get it on a
developer machine without it, failed under ``CI=true`` (``tests.requirements``); and where
the test run saves its screenshots (``out/screenshots``, ignored by git)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.requirements import require_chromium, require_module

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "out" / "screenshots"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Chromium as a Playwright ``Browser`` (each ``new_context()`` is a fresh profile)."""
    sync_api = require_module("playwright.sync_api")
    executable = require_chromium()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
