"""The service itself under ``/api/v1``: the API's index and ``/health`` (no key needed).

Owns: where a client starts (the index's links) and what health says to anyone: ``ok`` or
``degraded``, never the driver's text (issue 18 item 8: the log gets the detail).
Must not: write SQL (``Database.ping`` is the one probe).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from pydantic import BaseModel

from connector.api.deps import DatabaseDep, SettingsDep
from connector.api.errors import error_response

log = logging.getLogger(__name__)
router = APIRouter(tags=["service"])


class ApiIndex(BaseModel):
    openApi: str
    docs: str
    health: str
    companies: str


@router.get("")
def api_index(settings: SettingsDep) -> ApiIndex:
    """Where to start: the API's description and its top-level collection (no key needed)."""
    base = f"{settings.public_url}/api/v1"
    return ApiIndex(
        openApi=f"{base}/openapi.json",
        docs=f"{base}/docs",
        health=f"{base}/health",
        companies=f"{base}/companies",
    )


@router.get("/health")
def health(database: DatabaseDep) -> Response:
    """Liveness and database reachability; needs no API key."""
    try:
        database.ping()
    except Exception:  # any driver error means "not healthy", never a 500 page
        # The driver's text names hosts, ports and databases: the log gets it, the
        # unauthenticated caller only "degraded" (issue 18 item 8).
        log.exception("health: the database does not answer")
        return error_response(
            503,
            "unavailable",
            "the service is degraded",
            {"status": "degraded", "database": "down"},
        )
    return Response('{"status":"ok","database":"ok"}', media_type="application/json")
