"""The platform's brand as files: the logo, the accent colour's style sheet, the pages'
static files and the AppSupport page of the QWC file (``/support``).

Owns: serving the stored logo (an SVG only ever as an image: ``Content-Security-Policy:
default-src 'none'`` and ``nosniff``, so even a file that slipped past the sanitiser cannot
run), ``/brand/theme.css`` (the accent colour, since the pages allow no inline style) and
``/brand/static/*`` from the package. Must not: hold page logic.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from connector.api.portal import web
from connector.portal import operations
from connector.store import platform as platform_store

router = APIRouter()
STATIC = {"portal.css": "text/css", "status.js": "text/javascript"}


@router.get("/brand/logo")
def logo(request: Request) -> Response:
    found = platform_store.get_logo(web.database_of(request))
    if found is None:
        return Response(status_code=404)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "public, max-age=300",
            "ETag": f'"{found.sha256}"',
        },
    )


@router.get("/brand/theme.css")
def theme(request: Request) -> Response:
    brand = operations.brand(web.database_of(request), web.settings_of(request))
    return Response(f":root {{ --accent: {brand.accent}; }}\n", media_type="text/css")


@router.get("/brand/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    data = (web.HERE / "static" / name).read_bytes()
    return Response(data, media_type=STATIC[name], headers={"Cache-Control": "public, max-age=300"})


@router.get("/support")
def support(request: Request) -> Response:
    """The QWC's AppSupport page: the Web Connector fetches it and wants a 200 (QBWC1003)."""
    brand = operations.brand(web.database_of(request), web.settings_of(request))
    return web.page("support.html", brand, title=f"{brand.name} support")
