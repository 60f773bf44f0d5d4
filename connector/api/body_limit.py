"""Request-body limits per router: a route class that refuses bodies over a size.

Owns: ``limited_route(limit, refuse)``, an ``APIRoute`` subclass for routers whose
requests carry uploads (branding, portal forms). A declared ``Content-Length`` over the limit
is refused before any byte is read; a body without one (chunked) is counted while it
arrives and refused as soon as the count passes the limit, so a 50 MB upload costs at most
one chunk over the limit in memory. ``refuse`` builds the answer (JSON for the API, a page
for the portal). Must not: hold route logic.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive


class BodyTooLarge(Exception):
    pass


def counting(
    receive: Receive, limit: int, error: Callable[[], Exception] = BodyTooLarge
) -> Receive:
    """``receive`` raising ``error()`` as soon as the body's bytes pass ``limit``."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise error()
        return message

    return wrapped


def limited_route(limit: int, refuse: Callable[[Request], Response]) -> type[APIRoute]:
    class LimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    return refuse(request)
                wrapped = Request(request.scope, counting(request.receive, limit))
                try:
                    return await handler(wrapped)
                except BodyTooLarge:
                    return refuse(request)

            return limited

    return LimitedRoute
