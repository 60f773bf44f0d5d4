"""Web pages: the portal (``/portal``), the link flow (``/link/{token}``) and the brand's
files, server-rendered with Jinja2 (no JavaScript framework, no build step; one small script
for the link flow's live status).

``router`` gathers them; ``connector.api.app`` includes it at the root.
"""

from __future__ import annotations

from fastapi import APIRouter

from connector.api.portal import brand_files, pages_link, pages_portal

router = APIRouter(include_in_schema=False)
router.include_router(pages_portal.router)
router.include_router(pages_link.router)
router.include_router(brand_files.router)
