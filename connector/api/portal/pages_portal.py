"""The portal: ``/portal`` pages for the platform, behind an API-key login.
About 340 lines: one thin route per portal button, over one login and CSRF check.

Owns: the login (an API key checked as the REST API checks it; then a session cookie),
logout, the integration switch, the branding form (multipart, logo upload), the companies
list, a company's page and its buttons (create a link, pause, resume, sync now, schedule,
revoke a link). Every POST carries the session's CSRF token; every page is rendered on the
server and works without JavaScript. Must not: hold business rules: each button is one call
of ``connector.portal`` or the store, the same code the REST API runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from connector.api.body_limit import limited_route
from connector.api.deps import check_key
from connector.api.errors import ApiError
from connector.api.portal import web
from connector.portal import operations
from connector.portal.consent import label
from connector.portal.errors import PortalError
from connector.portal.financials import financials
from connector.portal.overview import company_detail, list_company_views
from connector.store import api_keys, web_sessions
from connector.store import companies as company_store
from connector.store import connections as connection_store
from connector.store import links as link_store
from connector.store import platform as platform_store
from connector.store.db import Database
from connector.store.errors import NotFound, StoreError
from connector.store.links import LinkKind
from connector.store.tables_core import ConnectionMethod
from connector.store.web_sessions import WebSession
from connector.sync.history import totals

COOKIE, LOGIN_COOKIE, PATH = "qbd_portal", "qbd_portal_login", "/portal"
SESSION_TTL = timedelta(hours=8)
METHOD_NAMES = {
    "desktop_app": "QuickBooks Desktop app",
    "enterprise_cloud": "QuickBooks Enterprise Cloud",
    "rightworks": "Rightworks",
}


def _too_large(request: Request) -> Response:
    return web.error_page(
        operations.brand(web.database_of(request), web.settings_of(request)),
        413,
        "That upload is too large",
        f"Forms and logos are limited to {web.MAX_FORM_BYTES // 1024} KB. Nothing was changed.",
        back=PATH,
    )


router = APIRouter(route_class=limited_route(web.MAX_FORM_BYTES, _too_large))


def _brand(request: Request) -> Any:
    return operations.brand(web.database_of(request), web.settings_of(request))


def _session(request: Request) -> WebSession | None:
    _, session = web.load(request, COOKIE, "portal")
    if session is None:
        return None
    if session.subject != "bootstrap":
        try:
            if api_keys.get_api_key(web.database_of(request), session.subject).revoked_at:
                return None
        except NotFound:
            return None
    return session


def _login_page(request: Request, problem: str | None = None, status: int = 200) -> Response:
    csrf = secrets.token_urlsafe(32)
    response = web.page(
        "portal_login.html",
        _brand(request),
        title="Sign in",
        csrf=csrf,
        problem=problem,
        status=status,
    )
    web.set_session_cookie(response, request, LOGIN_COOKIE, csrf, PATH, timedelta(hours=1))
    return response


def _home(request: Request, session: WebSession, **extra: Any) -> Response:
    db = web.database_of(request)
    platform = platform_store.get_platform(db)
    return web.page(
        "portal_home.html",
        _brand(request),
        title="Portal",
        csrf=session.csrf,
        platform=platform,
        branding=platform.branding,
        companies=list_company_views(db, web.now()),
        methods=METHOD_NAMES,
        **extra,
    )


async def _form(
    request: Request,
) -> tuple[WebSession | None, dict[str, Any], Response | None]:
    """The session and the form of a POST (an uploaded file read whole: the route's body
    limit bounds it), or the response refusing it."""
    session = _session(request)
    async with request.form(max_files=1, max_fields=20) as parsed:
        form: dict[str, Any] = {}
        for name, value in parsed.items():
            if isinstance(value, str):
                form[name] = value
            elif value.filename:
                form[name] = operations.LogoUpload(value.content_type or "", await value.read())
    if session is None:
        return None, form, RedirectResponse(PATH, status_code=303)
    if not web.csrf_ok(session, form.get("csrf")):
        return None, form, web.forged(_brand(request), PATH)
    return session, form, None


@router.get(PATH)
def portal_home(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _login_page(request)
    return _home(request, session)


@router.post(PATH + "/login")
async def login(request: Request) -> Response:
    async with request.form(max_files=0, max_fields=5) as parsed:
        form = {k: v for k, v in parsed.items() if isinstance(v, str)}
    if not web.csrf_ok(
        WebSession("login", "", request.cookies.get(LOGIN_COOKIE, ""), web.now()), form.get("csrf")
    ):
        return web.forged(_brand(request), PATH)
    key = str(form.get("api_key") or "").strip()
    db, settings = web.database_of(request), web.settings_of(request)
    try:
        caller = check_key(db, settings, request.app.state.key_cache, key) if key else None
    except ApiError:
        caller = None
    if caller is None:
        return _login_page(request, "That API key is not valid (or was revoked).", 401)
    if not caller.is_admin:  # the portal shows every company and the platform's settings
        return _login_page(request, "The portal needs an admin API key (this one is scoped).", 403)
    token, _ = web_sessions.create_session(
        db, kind="portal", subject=caller.key_id, ttl=SESSION_TTL, now=web.now()
    )
    response = RedirectResponse(PATH, status_code=303)
    web.set_session_cookie(response, request, COOKIE, token, PATH, SESSION_TTL)
    response.delete_cookie(LOGIN_COOKIE, path=PATH)
    return response


@router.post(PATH + "/logout")
async def logout(request: Request) -> Response:
    *_, refused = await _form(request)
    if refused is not None:
        return refused
    token = request.cookies.get(COOKIE)
    if token:
        web_sessions.delete_session(web.database_of(request), token)
    response = RedirectResponse(PATH, status_code=303)
    response.delete_cookie(COOKIE, path=PATH)
    return response


@router.post(PATH + "/integration")
async def integration(request: Request) -> Response:
    _, form, refused = await _form(request)
    if refused is not None:
        return refused
    enabled = form.get("enabled") == "true"
    operations.set_integration(web.database_of(request), enabled=enabled, now=web.now())
    return RedirectResponse(PATH, status_code=303)


@router.post(PATH + "/branding")
async def branding(request: Request) -> Response:
    session, form, refused = await _form(request)
    if refused is not None:
        return refused
    assert session is not None
    upload = form.get("logo")
    logo = upload if isinstance(upload, operations.LogoUpload) and upload.data else None
    try:
        operations.save_branding(
            web.database_of(request),
            app_name=str(form.get("app_name") or ""),
            description=str(form.get("description") or ""),
            support_url=str(form.get("support_url") or ""),
            accent_color=str(form.get("accent_color") or ""),
            logo=logo,
            remove_logo=form.get("remove_logo") == "1",
            now=web.now(),
        )
    except PortalError as exc:
        problems = exc.details.get("fields") or {"branding": exc.message}
        response = _home(request, session, problems=problems)
        response.status_code = exc.status
        return response
    return RedirectResponse(PATH + "?saved=branding", status_code=303)


@router.post(PATH + "/companies")
async def create_company(request: Request) -> Response:
    session, form, refused = await _form(request)
    if refused is not None:
        return refused
    try:
        company = company_store.create_company(
            web.database_of(request), str(form.get("name") or "")
        )
    except StoreError as exc:
        assert session is not None
        response = _home(request, session, notice=str(exc))
        response.status_code = 409
        return response
    return RedirectResponse(f"{PATH}/companies/{company.id}", status_code=303)


def _company_page(request: Request, session: WebSession, company_id: str, **extra: Any) -> Response:
    db = web.database_of(request)
    try:
        detail = company_detail(db, company_id, web.now())
    except NotFound:
        return web.error_page(
            _brand(request), 404, "No such company", "That company does not exist.", back=PATH
        )
    return web.page(
        "portal_company.html",
        _brand(request),
        title=detail.view.company.name,
        csrf=session.csrf,
        detail=detail,
        books=financials(db, detail.view.company.id),
        methods=METHOD_NAMES,
        totals=totals,
        label=label,
        now=web.now(),
        **extra,
    )


@router.get(PATH + "/companies/{company_id}")
def company_page(request: Request, company_id: str) -> Response:
    session = _session(request)
    if session is None:
        return RedirectResponse(PATH, status_code=303)
    return _company_page(request, session, company_id)


@router.post(PATH + "/companies/{company_id}/links")
async def create_link(request: Request, company_id: str) -> Response:
    session, form, refused = await _form(request)
    if refused is not None:
        return refused
    assert session is not None
    db, settings = web.database_of(request), web.settings_of(request)
    kind = LinkKind.MANAGE if form.get("kind") == "manage" else LinkKind.SETUP
    try:
        company = company_store.get_company(db, company_id)
        wanted = str(form.get("connection_id") or "")
        if wanted:
            connection = connection_store.get_connection(db, wanted, company_id=company.id)
            _, url = operations.create_link(db, settings, connection, kind=kind, now=web.now())
        else:
            _, _, url = operations.create_connection_with_link(
                db, settings, company.id, ConnectionMethod.DESKTOP_APP, now=web.now()
            )
    except PortalError as exc:
        response = _company_page(request, session, company_id, problem=exc.message)
        response.status_code = exc.status
        return response
    except NotFound as exc:
        return web.error_page(_brand(request), 404, "Not found", str(exc), back=PATH)
    return _company_page(request, session, company_id, created_link=url, link_days=7)


async def _then_company_page(request: Request, act: Callable[[Database], str]) -> Response:
    """A button that acts (after the session and CSRF checks) and shows the company page of
    the company id ``act`` returns; ``NotFound`` answers the not-found page."""
    *_, refused = await _form(request)
    if refused is not None:
        return refused
    try:
        company_id = act(web.database_of(request))
    except NotFound as exc:
        return web.error_page(_brand(request), 404, "Not found", str(exc), back=PATH)
    return RedirectResponse(f"{PATH}/companies/{company_id}", status_code=303)


@router.post(PATH + "/companies/{company_id}/sync")
async def sync_now(request: Request, company_id: str) -> Response:
    def queue(db: Database) -> str:
        company = company_store.get_company(db, company_id)
        operations.queue_sync(db, company.id, None, web.now())
        return company.id

    return await _then_company_page(request, queue)


async def _connection_action(request: Request, connection_id: str, action: str) -> Response:
    _, form, refused = await _form(request)
    if refused is not None:
        return refused
    db = web.database_of(request)
    try:
        row = connection_store.get_connection(db, connection_id)
        if action == "schedule":
            every = int(str(form.get("every_minutes") or "0"))
            connection_store.set_schedule(db, row.id, every, row.sync_window)
        else:
            connection_store.set_paused(db, row.id, action == "pause")
    except (StoreError, ValueError) as exc:
        return web.error_page(_brand(request), 422, "Not changed", str(exc), back=PATH)
    return RedirectResponse(f"{PATH}/companies/{row.company_id}", status_code=303)


@router.post(PATH + "/connections/{connection_id}/pause")
async def pause(request: Request, connection_id: str) -> Response:
    return await _connection_action(request, connection_id, "pause")


@router.post(PATH + "/connections/{connection_id}/resume")
async def resume(request: Request, connection_id: str) -> Response:
    return await _connection_action(request, connection_id, "resume")


@router.post(PATH + "/connections/{connection_id}/schedule")
async def schedule(request: Request, connection_id: str) -> Response:
    return await _connection_action(request, connection_id, "schedule")


@router.post(PATH + "/links/{link_id}/revoke")
async def revoke(request: Request, link_id: str) -> Response:
    return await _then_company_page(
        request, lambda db: link_store.revoke_link(db, link_id).company_id
    )
