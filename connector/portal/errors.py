"""Errors of the platform-side operations, each with the HTTP status and code the REST API
and the pages answer with.

Tree::

    CodedError (status, code, message, details): also the base of ``api.errors.ApiError``
    +-- PortalError
        +-- IntegrationDisabled   409 integration_disabled
        +-- BrandingRefused       422 invalid_branding (details: field -> problem)
        |   +-- LogoTooLarge      413 logo_too_large
        +-- LinkUnusable          404 link_not_found | 410 link_used, link_expired, link_revoked
        +-- ConsentRequired       403 consent_required
        +-- SyncRefused           409 sync_refused (paused, consent withdrawn) | 422 unknown_data_type

Must not: import HTTP frameworks (the API maps these to its error shape).
"""

from __future__ import annotations

from typing import Any


class CodedError(Exception):
    """An error with the HTTP status and the code the REST API and the pages answer with."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


class PortalError(CodedError):
    """A platform-side operation refused (the API turns it into an ``ApiError``)."""


class IntegrationDisabled(PortalError):
    def __init__(self) -> None:
        super().__init__(
            409,
            "integration_disabled",
            "The QuickBooks Desktop integration is turned off: turn it on in the portal "
            "(Settings > Integrations) or with PUT /api/v1/settings/integration first.",
        )


class BrandingRefused(PortalError):
    def __init__(self, problems: dict[str, str], status: int = 422) -> None:
        text = "; ".join(f"{field}: {why}" for field, why in problems.items())
        code = "logo_too_large" if status == 413 else "invalid_branding"
        super().__init__(status, code, f"Branding not saved: {text}", {"fields": problems})
        self.problems = problems


class LogoTooLarge(BrandingRefused):
    def __init__(self, limit: int) -> None:
        super().__init__({"logo": f"the file is larger than {limit // 1024} KB"}, 413)


class LinkUnusable(PortalError):
    """Why a link cannot be used; ``message`` is written for the business that opened it."""


class ConsentRequired(PortalError):
    def __init__(self) -> None:
        super().__init__(
            403,
            "consent_required",
            "Agree to share your data first: this step comes after the consent step.",
        )


class SyncRefused(PortalError):
    pass
