"""What every web page shares: templates, security headers, sessions, CSRF, error pages.

Owns: the Jinja2 environment (autoescaping on), rendering a page with the platform's brand,
the headers every page carries (a strict Content-Security-Policy: no inline script, our own
files only; ``Referrer-Policy: no-referrer`` so a link's token never leaks to another site;
no framing; no caching), the browser session cookies (``HttpOnly``, ``SameSite=Strict``,
``Secure`` over HTTPS, path-scoped: the portal's to ``/portal``, a link visit's to its own
``/link/{token}``) and the CSRF check every form goes through. Must not: hold page logic.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from connector.api.deps import get_database, get_settings
from connector.portal.branding import Brand
from connector.store import web_sessions
from connector.store.web_sessions import WebSession

HERE = Path(__file__).resolve().parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
MAX_FORM_BYTES = 1024 * 1024
"""Largest form accepted (a logo of at most 256 KB fits with room to spare)."""

CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def now() -> datetime:
    return datetime.now(UTC)


def page(
    name: str, brand: Brand, *, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any
) -> HTMLResponse:
    html = ENV.get_template(name).render(brand=brand, **ctx)
    return HTMLResponse(html, status_code=status, headers=HEADERS | (headers or {}))


def error_page(brand: Brand, status: int, title: str, message: str, **ctx: Any) -> HTMLResponse:
    return page("error.html", brand, status=status, title=title, message=message, **ctx)


settings_of = get_settings
"""The app's ``Settings`` (the REST API's dependency, called directly by the pages)."""
database_of = get_database
"""The app's ``Database`` (the REST API's dependency, called directly by the pages)."""


def client_address(request: Request) -> str:
    """Where a request came from, as the consent records it (the peer address; a proxy in
    front should be configured to pass the real one through uvicorn's proxy headers)."""
    return request.client.host if request.client else "unknown"


# -------------------------------------------------------------------------- sessions
def set_session_cookie(
    response: Response, request: Request, name: str, token: str, path: str, ttl: timedelta
) -> None:
    response.set_cookie(
        name,
        token,
        max_age=int(ttl.total_seconds()),
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def load(request: Request, name: str, kind: str) -> tuple[str | None, WebSession | None]:
    token = request.cookies.get(name)
    return token, web_sessions.load_session(database_of(request), token, kind=kind, now=now())


def csrf_ok(session: WebSession | None, sent: object) -> bool:
    """The form's token equals its session's (compared in constant time)."""
    if session is None or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(session.csrf.encode(), sent.encode())


def forged(brand: Brand, back: str) -> HTMLResponse:
    return error_page(
        brand,
        403,
        "This form could not be checked",
        "The form was too old, came from another site, or your session ended. Nothing was "
        "changed. Go back, reload the page and try again.",
        back=back,
    )
