"""The OpenAPI document, fit for generating typed clients (issue 19).

Owns: the operation ids (short, stable, camelCase: ``listRecords``, not FastAPI's
``list_records_api_v1_companies__companyId__data__dataType__get``), the one error model
(``Error``: ``{"error": {"code", "message", "details"}}``, ``connector.api.errors``) and
the error statuses every operation documents from what it takes:

- an API key (a security requirement): 401 ``unauthorized``;
- a path parameter: 404 ``not_found`` (also what a scoped key gets for another company);
- any parameter or body: 400 ``bad_request`` (a cursor this API did not issue, a NUL in the
  path or query: ``connector.api.guards``) and 422 (``validation_error`` / ``invalid_value``);
- a body: 413 ``body_too_large``;
- every operation: 500 ``internal_error`` (logged; the answer says nothing more).

Statuses only some routes answer (403 ``admin_key_required``, 409 conflicts, 503 degraded)
are in ``ROUTE_STATUSES`` by operation id, in one place (a route may also declare its own
``responses=``; both end up with the error model). Must not: hold route logic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

API_PREFIX = "/api/v1"

OPERATION_IDS = {
    "api_index": "getApiIndex",
    "health": "getHealth",
    "get_qwc": "getConnectionQwc",
    "pause": "pauseConnection",
    "resume": "resumeConnection",
    "put_schedule": "setConnectionSchedule",
    "rotate_password": "rotateConnectionPassword",
    "put_branding": "setBranding",
    "put_integration": "setIntegration",
}
"""Route function names whose camelCase would not say what they act on."""

ADMIN = 403
ROUTE_STATUSES: dict[str, dict[int, str]] = {
    "getHealth": {503: "The database does not answer (unavailable, status degraded)"},
    "createCompany": {ADMIN: "", 409: "A company of that name exists (conflict)"},
    "getSettings": {ADMIN: ""},
    "setBranding": {ADMIN: ""},
    "setIntegration": {ADMIN: ""},
    "createApiKey": {ADMIN: "", 404: "A company named in companies does not exist"},
    "listApiKeys": {ADMIN: ""},
    "revokeApiKey": {ADMIN: ""},
    "createConnection": {409: "The integration is turned off (integration_disabled)"},
    "createLink": {409: "The integration is turned off (integration_disabled)"},
    "createWebhook": {422: "Unknown events, or a URL the service will not call"},
    "getConnectionQwc": {
        409: "The Web Connector would refuse the service's public URL (qwc_refused)"
    },
}
"""Error statuses particular to an operation ("" = the status's usual description)."""

REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "CompanyIn": {"name": "Acme Plumbing"},
    "ConnectionIn": {"method": "enterprise_cloud"},
    "ScheduleModel": {
        "everyMinutes": 60,
        "window": {"start": "19:00", "end": "07:00", "days": ["mon", "fri"], "timezone": "UTC"},
    },
    "SyncRequestIn": {"dataTypes": ["customers", "invoices"]},
    "BrandingIn": {"appName": "Acme Lending", "accentColor": "#1f5fbf"},
    "IntegrationIn": {"enabled": True},
    "LinkIn": {"kind": "setup", "expiresInDays": 7},
    "ApiKeyIn": {"name": "lender-prod", "companies": ["Acme Plumbing"]},
    "PushIn": {
        "record": {"name": "Acme Plumbing", "billAddress": {"city": "Boston"}},
        "idempotencyKey": "crm-42",
    },
    "ReportRequestIn": {"from": "2025-01-01", "to": "2025-12-31", "basis": "accrual"},
    "WebhookIn": {
        "url": "https://platform.example/hooks",
        "events": ["sync.completed", "sync.failed"],
    },
}
"""A whole example of each request body, by schema name (checked against its schema)."""

DESCRIPTIONS = {
    400: "The request is malformed (bad_request): a cursor this API did not issue, a NUL "
    "character in the path or query",
    401: "No API key, or one that is not valid or was revoked (unauthorized)",
    403: "The API key is scoped to companies; this needs an admin key (admin_key_required)",
    404: "Not found (not_found): also what a key scoped to other companies is answered",
    409: "The request conflicts with the current state (conflict)",
    413: "The request body is over the limit (body_too_large)",
    422: "A value is not valid (validation_error, invalid_value); details name each field",
    500: "An unexpected error (internal_error), logged by the service",
    503: "The service is degraded (unavailable)",
}


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no company with id or name 'Acme'"])
    details: dict[str, Any] = Field(
        description="Context: field errors, the QuickBooks statusCode or hresult",
        examples=[{}],
    )


class Error(BaseModel):
    """Every error answer of the REST API."""

    error: ErrorDetail

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"error": {"code": "not_found", "message": "no company 'x'", "details": {}}}
            ]
        }
    }


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def operation_id(route: APIRoute) -> str:
    """``list_records`` -> ``listRecords`` (``OPERATION_IDS`` where that would be vague)."""
    if route.name in OPERATION_IDS:
        return OPERATION_IDS[route.name]
    head, *rest = route.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _expected(operation: dict[str, Any]) -> dict[int, str]:
    params = operation.get("parameters", [])
    wanted = {500}
    if operation.get("security"):
        wanted.add(401)
    if any(p.get("in") == "path" for p in params):
        wanted.add(404)
    if params or "requestBody" in operation:
        wanted |= {400, 422}
    if "requestBody" in operation:
        wanted.add(413)
    particular = ROUTE_STATUSES.get(operation.get("operationId", ""), {})
    described = {status: DESCRIPTIONS[status] for status in wanted}
    return described | {s: text or DESCRIPTIONS[s] for s, text in particular.items()}


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add each operation's error statuses, all with the ``Error`` model (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["Error"] = error_schema
    for name, example in REQUEST_EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    for path, item in document.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, text in _expected(operation).items():
                responses.setdefault(str(status), {"description": text})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Make ``app.openapi`` serve the documented form (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = document_errors(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
    return openapi
