"""REST routes of the platform's settings: ``PUT /settings/branding``,
``PUT /settings/integration`` and ``GET /settings`` (DESIGN.md).

Owns: their JSON shapes. The logo travels as a ``data:`` URL (``data:image/png;base64,...``
or ``image/svg+xml``); ``logo`` absent keeps the stored one, ``null`` removes it. Bodies over
1 MB are refused with 413 before they are read whole. Must not: check branding or write SQL
(``connector.portal.operations`` does, for the portal pages too).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from connector.api.body_limit import limited_route
from connector.api.deps import AdminKeyDep, DatabaseDep, SettingsDep
from connector.api.errors import ApiError, error_response
from connector.portal import operations
from connector.portal.errors import BrandingRefused, PortalError
from connector.settings import Settings
from connector.store.platform import PlatformSettings

MAX_BODY = 1024 * 1024


def _too_large(_request: Request) -> Response:
    return error_response(413, "body_too_large", f"the request body is over {MAX_BODY} bytes")


router = APIRouter(route_class=limited_route(MAX_BODY, _too_large), tags=["settings"])


class BrandingIn(BaseModel):
    appName: str | None = Field(default=None, examples=["Acme Lending"])
    description: str | None = Field(default=None, examples=["Shares your books with Acme"])
    supportUrl: str | None = Field(default=None, examples=["https://acme.example/help"])
    accentColor: str | None = Field(default=None, examples=["#1f5fbf"])
    logo: str | None = Field(
        default=None, description="A data: URL of a PNG or SVG; null removes the logo"
    )


class BrandingOut(BaseModel):
    appName: str | None
    description: str | None
    supportUrl: str | None
    accentColor: str | None
    logoUrl: str | None


class IntegrationIn(BaseModel):
    enabled: bool
    allowWrites: bool | None = Field(
        default=None, description="Whether the consent lists what the platform may write"
    )


class IntegrationOut(BaseModel):
    enabled: bool
    allowWrites: bool


class SettingsOut(BaseModel):
    integration: IntegrationOut
    branding: BrandingOut


def api_error(exc: PortalError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message, exc.details)


def settings_out(settings: Settings, platform: PlatformSettings) -> SettingsOut:
    b = platform.branding
    logo = f"{settings.public_url}/brand/logo?v={b.logo_sha256[:12]}" if b.logo_sha256 else None
    return SettingsOut(
        integration=IntegrationOut(
            enabled=platform.integration_enabled, allowWrites=platform.allow_writes
        ),
        branding=BrandingOut(
            appName=b.app_name,
            description=b.description,
            supportUrl=b.support_url,
            accentColor=b.accent_color,
            logoUrl=logo,
        ),
    )


def _logo(data_url: str) -> operations.LogoUpload:
    head, sep, payload = data_url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise BrandingRefused({"logo": "send the logo as a data: URL with ;base64"})
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise BrandingRefused({"logo": "the logo's base64 is not valid"}) from None
    return operations.LogoUpload(head.removeprefix("data:").removesuffix(";base64"), data)


@router.get("/settings")
def get_settings(database: DatabaseDep, settings: SettingsDep, _key: AdminKeyDep) -> SettingsOut:
    from connector.store.platform import get_platform

    return settings_out(settings, get_platform(database))


@router.put(
    "/settings/branding",
    responses={413: {"description": "Body or logo too large"}, 422: {"description": "Refused"}},
)
def put_branding(
    body: BrandingIn, database: DatabaseDep, settings: SettingsDep, _key: AdminKeyDep
) -> SettingsOut:
    """The branding the link pages, the QWC file and the agent download page show."""
    try:
        logo = _logo(body.logo) if body.logo else None
        saved = operations.save_branding(
            database,
            app_name=body.appName,
            description=body.description,
            support_url=body.supportUrl,
            accent_color=body.accentColor,
            logo=logo,
            remove_logo="logo" in body.model_fields_set and body.logo is None,
            now=datetime.now(UTC),
        )
    except PortalError as exc:
        raise api_error(exc) from exc
    return settings_out(settings, saved)


@router.put("/settings/integration")
def put_integration(
    body: IntegrationIn, database: DatabaseDep, settings: SettingsDep, _key: AdminKeyDep
) -> SettingsOut:
    """Turn the QuickBooks Desktop integration on or off. Off: no new connection or link
    (409 ``integration_disabled``), and every Web Connector is answered "no work"."""
    saved = operations.set_integration(
        database, enabled=body.enabled, allow_writes=body.allowWrites, now=datetime.now(UTC)
    )
    return settings_out(settings, saved)
