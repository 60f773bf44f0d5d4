"""Branding values: what the platform may set, checked purely, and what the business sees.

Owns: the limits of each field (application name as the Web Connector shows it, a short
description, an http(s) support URL, a ``#rrggbb`` accent colour) and ``Brand``, the
branding with the service's defaults filled in, which the link pages, the agent download
page, the support page and the QWC file use. Must not: do I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from connector.portal.errors import BrandingRefused
from connector.store.platform import Branding

MAX_NAME = 80
MAX_DESCRIPTION = 80
"""The QWC's AppDescription: the Web Connector shows about 80 characters (PROTOCOL.md 1.6)."""
MAX_URL = 500
DEFAULT_ACCENT = "#1f5fbf"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: str | None, limit: int, field: str, problems: dict[str, str]) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        return None
    if _CONTROL.search(value.replace("\n", " ").replace("\t", " ")):
        problems[field] = "must not contain control characters"
    elif len(cleaned) > limit:
        problems[field] = f"at most {limit} characters"
    return cleaned


def _url(value: str | None, problems: dict[str, str]) -> str | None:
    if value is None or not value.strip():
        return None
    url = value.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        problems["supportUrl"] = f"an http:// or https:// address of at most {MAX_URL} characters"
    return url


def check_branding(
    app_name: str | None,
    description: str | None,
    support_url: str | None,
    accent_color: str | None,
) -> Branding:
    """The branding to store; ``BrandingRefused`` naming every field in error."""
    problems: dict[str, str] = {}
    name = _text(app_name, MAX_NAME, "appName", problems)
    text = _text(description, MAX_DESCRIPTION, "description", problems)
    url = _url(support_url, problems)
    colour = (accent_color or "").strip() or None
    if colour is not None and not _COLOUR.fullmatch(colour):
        problems["accentColor"] = "a colour written #rrggbb, for example #1f5fbf"
    if problems:
        raise BrandingRefused(problems)
    return Branding(name, text, url, colour.lower() if colour else None)


@dataclass(frozen=True)
class Brand:
    """Branding with defaults: what a page or the QWC file shows."""

    name: str
    description: str
    support_url: str | None
    accent: str
    has_logo: bool
    logo_version: str


def brand_of(branding: Branding, default_name: str) -> Brand:
    name = branding.app_name or default_name
    return Brand(
        name=name,
        description=branding.description or f"Shares your QuickBooks data with {name}",
        support_url=branding.support_url,
        accent=branding.accent_color or DEFAULT_ACCENT,
        has_logo=branding.logo_type is not None,
        logo_version=(branding.logo_sha256 or "")[:12],
    )
