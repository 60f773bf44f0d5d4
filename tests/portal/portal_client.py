"""A browser-like client over httpx's ASGI transport for the web pages: keeps cookies, reads
the CSRF token out of a page's forms, posts forms. Used by the page tests (no Chromium)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from fastapi import FastAPI

from connector.settings import Settings
from connector.store.db import Database

KEY = "portal-test-key"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def make_settings(db: Database, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db.url,
        "port": 8080,
        "public_url": "https://qbd.example.com",
        "bootstrap_api_key": KEY,
    }
    return Settings(**(values | overrides))


class PageClient:
    """Synchronous requests against the app, one cookie jar per client (one browser)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.cookies = httpx.Cookies()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="https://qbd.example.com", cookies=self.cookies
            ) as client:
                response = await client.request(method, url, **kwargs)
                self.cookies = client.cookies
                return response

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def api(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {KEY}"} | kw.pop("headers", {})
        return self.request(method, "/api/v1" + url, headers=headers, **kw)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: PageClient) -> str:
    """Sign in with the bootstrap key; the portal page's CSRF token."""
    page = client.get("/portal")
    if 'data-testid="integration-enabled"' in page.text:
        return csrf_of(page.text)  # signed in already
    done = client.post(
        "/portal/login", data={"csrf": csrf_of(page.text), "api_key": KEY}, follow_redirects=True
    )
    assert done.status_code == 200 and 'data-testid="integration-enabled"' in done.text
    return csrf_of(done.text)
