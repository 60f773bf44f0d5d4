"""What every REST request passes before a route sees it, and the last word on errors
(issue 18 item 6).

Owns: an ASGI middleware (inside Starlette's error middleware) over the REST API
(``/api/v1``; the portal's pages answer with pages, ``/qbwc`` with SOAP faults) that
- refuses a body over ``Settings.api_max_body_bytes`` with 413 (by Content-Length at once, and
  while the body arrives when it has none), before any route parses it;
- refuses a NUL character in the path or the query with 400 (PostgreSQL cannot store or even
  compare one: before, it became a 500 ``DataError``);
- answers an unexpected error as the documented JSON error with 500, logged here with its
  traceback, instead of letting it reach uvicorn: there it became a text/plain 500 and the
  keep-alive connection was closed.
Every answer is ``{"error": {"code", "message", "details"}}`` (``connector.api.errors``).
Must not: know routes or read the store. Routers with smaller limits of their own
(``connector.api.body_limit``) keep them.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connector.api.body_limit import counting

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEFAULT_MAX_BODY = 1024 * 1024


class ApiGuard:
    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _send_error(send, *refusal)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._limited(receive), tracked_send)
        except Exception:
            if started:
                raise
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            await _send_error(send, 500, "internal_error", "the service failed on this request")

    def _refusal(self, scope: Scope) -> tuple[int, str, str, dict[str, Any]] | None:
        raw_path = scope.get("raw_path") or str(scope.get("path", "")).encode()
        query = scope.get("query_string", b"")
        if b"\x00" in unquote_to_bytes(raw_path) or b"\x00" in unquote_to_bytes(query):
            return 400, "bad_request", "NUL characters are not allowed in the path or query", {}
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.strip().isdigit():
                    return 400, "bad_request", "Content-Length is not a number", {}
                if int(value) > self.max_body:
                    return self._too_large()
        return None

    def _too_large(self) -> tuple[int, str, str, dict[str, Any]]:
        return (
            413,
            "payload_too_large",
            f"the request body is too large (the limit is {self.max_body} bytes)",
            {"limit": self.max_body},
        )

    def _limited(self, receive: Receive) -> Receive:
        # an HTTPException passes FastAPI's body reading unchanged and becomes the JSON 413
        # of connector.api.errors
        _, _, text, _ = self._too_large()
        return counting(receive, self.max_body, lambda: HTTPException(413, text))


async def _send_error(
    send: Send, status: int, code: str, message: str, details: Any = None
) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": details or {}}})
    payload = body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
