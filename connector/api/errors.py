"""REST API errors: one JSON shape, ``{"error": {"code", "message", "details"}}`` (DESIGN.md).

Tree::

    ApiError (status, code, message, details: ``portal.errors.CodedError``)
    +-- Unauthorized   401 unauthorized
    +-- BadRequest     400 bad_request (e.g. a cursor we did not issue)

Store errors map by class: NotFound -> 404 ``not_found``, Conflict -> 409 ``conflict``,
InvalidValue -> 422 ``invalid_value``; request validation -> 422 ``validation_error``; a value
the database refuses (SQLAlchemy ``DataError``: a number out of range, a NUL byte on
PostgreSQL) -> 422 ``invalid_value`` (logged, the driver's text never sent);
Starlette's HTTP errors (unknown route, wrong method) keep their status. ``details`` carries
the QuickBooks ``statusCode`` or ``hresult`` when one caused the error.
Must not: hold route logic.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from connector.portal.errors import CodedError
from connector.store.errors import Conflict, InvalidValue, NotFound, StoreError

log = logging.getLogger(__name__)


class ApiError(CodedError):
    """Answered as ``{"error": {"code", "message", "details"}}`` with its status."""


class Unauthorized(ApiError):
    def __init__(self, message: str = "a valid API key is required") -> None:
        super().__init__(401, "unauthorized", message)


class BadRequest(ApiError):
    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(400, "bad_request", message, details)


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details or {})}}
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def _status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def _store_status(exc: StoreError) -> tuple[int, str]:
    if isinstance(exc, NotFound):
        return 404, "not_found"
    if isinstance(exc, Conflict):
        return 409, "conflict"
    if isinstance(exc, InvalidValue):
        return 422, "invalid_value"
    return 500, "store_error"


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


async def _on_store_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreError)
    status, code = _store_status(exc)
    return error_response(status, code, str(exc))


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return error_response(422, "validation_error", "the request is not valid", {"errors": errors})


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return error_response(
        exc.status_code, _status_code_name(exc.status_code), message, headers=exc.headers
    )


async def _on_data_error(request: Request, exc: Exception) -> JSONResponse:
    # A last net: inputs are checked before they reach SQL; the driver's text (which may name
    # hosts and tables) stays in the log (issue 18 items 6, 8).
    log.warning("the database refused a value on %s: %s", request.url.path, exc)
    return error_response(422, "invalid_value", "a value in the request cannot be stored")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DataError, _on_data_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StoreError, _on_store_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
