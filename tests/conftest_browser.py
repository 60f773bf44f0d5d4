"""Headless Chromium for page tests, through Playwright (a plugin registered in tests/conftest.py).

- ``browser``: a Playwright ``Browser`` (sync API), one launch per test session, from the
  machine's Chromium (``requirements.require_chromium``; never a browser Playwright downloads).
- ``page``: a fresh ``Page`` in its own browser context per test (no cookies or storage shared
  between tests), closed at teardown.

A missing Playwright or Chromium is ``requirements.missing``: a skip saying how to get it on a
developer machine, a failure with ``CI=true``. Tests drive real pages served on loopback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.requirements import require_chromium, require_module

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# As root in a container there is no sandbox; the rest keeps Chromium off a closed network
# (it would try Google's hosts at every start) and off the GPU.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[tuple[Browser, asyncio.AbstractEventLoop]]:
    """One Playwright driver and Chromium per session, and Playwright's event loop.

    Playwright's sync API marks its loop as this thread's running loop between its calls, which
    would break every later test that calls ``asyncio.run``: the mark is set only while a test
    holds ``browser`` (see ``_loop_marked``)."""
    sync_api = require_module("playwright.sync_api")
    executable = require_chromium()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        loop = asyncio.events._get_running_loop()
        assert loop is not None, "Playwright's sync API no longer marks its loop as running"
        asyncio.events._set_running_loop(None)
        try:
            yield launched, loop
        finally:
            asyncio.events._set_running_loop(loop)
            launched.close()


@contextmanager
def _loop_marked(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    asyncio.events._set_running_loop(loop)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(None)


@pytest.fixture
def browser(_chromium: tuple[Browser, asyncio.AbstractEventLoop]) -> Iterator[Browser]:
    launched, loop = _chromium
    with _loop_marked(loop):
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
