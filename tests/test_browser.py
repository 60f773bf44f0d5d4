"""The ``browser``/``page`` fixtures (tests/conftest_browser.py) drive the machine's headless
Chromium against a page served on loopback, and leave no event loop behind for other tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

PAGE = b"""<!doctype html><title>probe</title>
<button data-testid="go" onclick="this.textContent = 'clicked ' + location.pathname">go</button>
"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def served() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_page_served_on_loopback_is_clicked(page: Page, served: str) -> None:
    page.goto(f"{served}/portal")
    assert page.title() == "probe"
    page.get_by_test_id("go").click()
    assert page.get_by_test_id("go").text_content() == "clicked /portal"


def test_no_event_loop_is_left_running_between_tests() -> None:
    """After a browser test (above), ``asyncio.run`` still works in this thread."""

    async def answer() -> int:
        return 42

    assert asyncio.run(answer()) == 42


def test_each_test_gets_a_fresh_context(page: Page, served: str) -> None:
    page.goto(served)
    assert page.context.cookies() == []
    page.context.add_cookies([{"name": "k", "value": "v", "url": served}])
    assert [c["name"] for c in page.context.cookies()] == ["k"]
