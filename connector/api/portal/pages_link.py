"""The link flow: ``/link/{token}`` pages the business opens (DESIGN.md).
About 350 lines: one short route per step of one flow, over the guards they share.

Owns: the steps (consent, method, downloads, password, live status) and the management
view of a used setup link or a management link (status, pause, resume, withdraw consent),
the QWC and agent downloads, the status JSON the page polls. A visit's session cookie is
scoped to its link's path and carries the CSRF token of its forms; a link that cannot be
used answers a plain page saying why (404 unknown, 410 used/expired/revoked), and nothing
changes. Must not: hold the rules (``connector.portal.linkflow`` and ``links`` do).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from connector.api.body_limit import limited_route
from connector.api.portal import web
from connector.api.portal.pages_portal import METHOD_NAMES
from connector.portal import linkflow, operations
from connector.portal.errors import PortalError
from connector.portal.linkflow import Visit
from connector.store import web_sessions
from connector.store.tables_core import ConnectionMethod
from connector.store.web_sessions import WebSession

COOKIE = "qbd_link"
VISIT_TTL = timedelta(hours=12)
METHOD_LINES = {
    "desktop_app": "QuickBooks runs on your own Windows computer: you install our connector.",
    "enterprise_cloud": "You use QuickBooks Enterprise hosted in the cloud: no installation needed.",
    "rightworks": "Your QuickBooks is hosted by Rightworks: no installation needed.",
}
HOSTED_STEPS = {
    "enterprise_cloud": (
        "Sign in to your hosted QuickBooks Enterprise desktop and open your company file as the administrator.",
        "Copy the configuration file to the hosted desktop (through its file transfer or cloud drive).",
        "Open the Web Connector from the hosted desktop's Start menu and choose Add an application.",
    ),
    "rightworks": (
        "Sign in to your Rightworks workspace and open your company file as the administrator.",
        "Upload the configuration file to your Rightworks drive.",
        "Open the Web Connector in Rightworks (File > Update Web Services) and choose Add an application.",
    ),
}
STEPS = ("method", "download", "status")


def _too_large(request: Request) -> Response:
    return web.error_page(_brand(request), 413, "That request is too large", "Nothing was changed.")


router = APIRouter(route_class=limited_route(64 * 1024, _too_large))


def _brand(request: Request) -> Any:
    return operations.brand(web.database_of(request), web.settings_of(request))


def _path(token: str) -> str:
    return f"/link/{token}"


def _open(request: Request, token: str) -> Visit | Response:
    try:
        return linkflow.open_link(web.database_of(request), token, web.now())
    except PortalError as exc:
        title = "This link cannot be used" if exc.status != 404 else "Link not found"
        return web.error_page(_brand(request), exc.status, title, exc.message)


def _visit_session(request: Request, visit: Visit) -> tuple[WebSession, str | None]:
    """The visit's session (a new one, with its cookie token, when there is none)."""
    _, session = web.load(request, COOKIE, "link")
    if session is not None and session.subject == visit.view.link.id:
        return session, None
    token, created = web_sessions.create_session(
        web.database_of(request),
        kind="link",
        subject=visit.view.link.id,
        ttl=VISIT_TTL,
        now=web.now(),
    )
    return created, token


def _render(request: Request, token: str, visit: Visit, name: str, **ctx: Any) -> Response:
    session, new_cookie = _visit_session(request, visit)
    response = web.page(
        name, _brand(request), token=token, csrf=session.csrf, company=visit.company, **ctx
    )
    if new_cookie is not None:
        web.set_session_cookie(response, request, COOKIE, new_cookie, _path(token), VISIT_TTL)
    return response


def _step_page(
    request: Request, token: str, visit: Visit, step: str, title: str, **ctx: Any
) -> Response:
    """The page of one step of the flow (consent, method, download, password):
    ``link_<step>.html``, its step marked in the steps bar."""
    return _render(request, token, visit, f"link_{step}.html", title=title, step=step, **ctx)


def _status_page(
    request: Request, token: str, visit: Visit, step: str | None, **ctx: Any
) -> Response:
    live = linkflow.live_status(web.database_of(request), visit.connection, web.now())
    current = linkflow.open_link(web.database_of(request), token, web.now())
    return _render(
        request,
        token,
        visit,
        "link_status.html",
        title="Your connection" if step is None else "Connect",
        step=step,
        live=live,
        connection=current.connection,
        consent_active=_consent_active(request, visit),
        **ctx,
    )


def _consent_active(request: Request, visit: Visit) -> bool:
    from connector.store.consents import latest_consent

    latest = latest_consent(web.database_of(request), visit.company.id)
    return latest is not None and latest.active


@router.get("/link/{token}")
def link_page(request: Request, token: str, step: str | None = None) -> Response:
    visit = _open(request, token)
    if not isinstance(visit, Visit):
        return visit
    if not visit.open:
        return _status_page(request, token, visit, None)
    if visit.consent is None:
        wording = linkflow.consent_wording(web.database_of(request), web.settings_of(request))
        return _step_page(
            request, token, visit, "consent", "Share your QuickBooks data", wording=wording
        )
    chosen = visit.connection.method.value
    if step == "download":
        return _step_page(
            request,
            token,
            visit,
            "download",
            "Download",
            desktop=chosen == ConnectionMethod.DESKTOP_APP.value,
            method_name=METHOD_NAMES[chosen],
            hosted_steps=HOSTED_STEPS.get(chosen, ()),
        )
    if step == "status":
        return _status_page(request, token, visit, "status")
    methods = [(key, METHOD_NAMES[key], METHOD_LINES[key]) for key in METHOD_NAMES]
    return _step_page(
        request,
        token,
        visit,
        "method",
        "How do you use QuickBooks?",
        methods=methods,
        chosen=chosen,
    )


async def _post(request: Request, token: str) -> tuple[Visit, dict[str, str]] | Response:
    visit = _open(request, token)
    if not isinstance(visit, Visit):
        return visit
    async with request.form(max_files=0, max_fields=10) as parsed:
        form = {k: v for k, v in parsed.items() if isinstance(v, str)}
    _, session = web.load(request, COOKIE, "link")
    if (
        session is None
        or session.subject != visit.view.link.id
        or not web.csrf_ok(session, form.get("csrf"))
    ):
        return web.forged(_brand(request), _path(token))
    return visit, form


def _refused(request: Request, token: str, exc: PortalError) -> Response:
    return web.error_page(
        _brand(request), exc.status, "Not possible", exc.message, back=_path(token)
    )


Act = Callable[[Visit, dict[str, str]], Response]


async def _act(request: Request, token: str, act: Act) -> Response:
    """One POST of the flow: the visit and its form (link usable, CSRF token right), then
    ``act``; a ``PortalError`` it raises answers the "Not possible" page."""
    posted = await _post(request, token)
    if isinstance(posted, Response):
        return posted
    visit, form = posted
    try:
        return act(visit, form)
    except PortalError as exc:
        return _refused(request, token, exc)


def _to_step(token: str, step: str) -> Response:
    return RedirectResponse(_path(token) + f"?step={step}", status_code=303)


@router.post("/link/{token}/consent")
async def consent(request: Request, token: str) -> Response:
    def agree(visit: Visit, _form: dict[str, str]) -> Response:
        linkflow.agree(
            web.database_of(request),
            web.settings_of(request),
            visit,
            remote=web.client_address(request),
            user_agent=request.headers.get("user-agent", ""),
            now=web.now(),
        )
        return _to_step(token, "method")

    return await _act(request, token, agree)


@router.post("/link/{token}/method")
async def method(request: Request, token: str) -> Response:
    def choose(visit: Visit, form: dict[str, str]) -> Response:
        chosen = str(form.get("method") or "")
        if chosen not in METHOD_NAMES:
            return web.error_page(
                _brand(request),
                422,
                "Choose an option",
                "Choose one of the three options.",
                back=_path(token),
            )
        linkflow.choose_method(web.database_of(request), visit, chosen)
        return _to_step(token, "download")

    return await _act(request, token, choose)


@router.post("/link/{token}/password")
async def password(request: Request, token: str) -> Response:
    def reveal(visit: Visit, _form: dict[str, str]) -> Response:
        secret = linkflow.reveal_password(web.database_of(request), visit, web.now())
        return _step_page(request, token, visit, "password", "Your password", password=secret)

    return await _act(request, token, reveal)


@router.get("/link/{token}/qwc")
def qwc(request: Request, token: str) -> Response:
    visit = _open(request, token)
    if not isinstance(visit, Visit):
        return visit
    from connector.qbwc.qwc import QwcError

    try:
        text = linkflow.setup_qwc(web.database_of(request), web.settings_of(request), visit)
    except PortalError as exc:
        return _refused(request, token, exc)
    except QwcError as exc:
        return web.error_page(
            _brand(request), 409, "The file cannot be made", str(exc), back=_path(token)
        )
    return Response(
        text,
        media_type="application/xml",
        headers=web.HEADERS
        | {"Content-Disposition": f'attachment; filename="{visit.connection.username}.qwc"'},
    )


@router.get("/link/{token}/agent")
def agent(request: Request, token: str) -> Response:
    visit = _open(request, token)
    if not isinstance(visit, Visit):
        return visit
    url = web.settings_of(request).agent_download_url or None
    return _render(
        request,
        token,
        visit,
        "agent.html",
        title="Download the connector",
        download_url=url,
        back=_path(token) + "?step=download",
    )


@router.get("/link/{token}/status.json")
def status_json(request: Request, token: str) -> Response:
    visit = _open(request, token)
    if not isinstance(visit, Visit):
        return JSONResponse(
            {"error": "link unusable"},
            status_code=visit.status_code,
            headers={"Cache-Control": "no-store"},
        )
    live = linkflow.live_status(web.database_of(request), visit.connection, web.now())
    return JSONResponse(live.to_json(), headers={"Cache-Control": "no-store"})


async def _pause(request: Request, token: str, paused: bool) -> Response:
    def set_paused(visit: Visit, _form: dict[str, str]) -> Response:
        linkflow.set_paused(web.database_of(request), visit, paused)
        step = "?step=status" if visit.open else ""
        return RedirectResponse(_path(token) + step, status_code=303)

    return await _act(request, token, set_paused)


@router.post("/link/{token}/pause")
async def pause(request: Request, token: str) -> Response:
    return await _pause(request, token, True)


@router.post("/link/{token}/resume")
async def resume(request: Request, token: str) -> Response:
    return await _pause(request, token, False)


@router.post("/link/{token}/withdraw")
async def withdraw(request: Request, token: str) -> Response:
    def withdraw_consent(visit: Visit, form: dict[str, str]) -> Response:
        delete = form.get("delete_records") == "1"
        _, deleted = linkflow.withdraw(
            web.database_of(request),
            visit,
            delete_records=delete,
            remote=web.client_address(request),
            now=web.now(),
        )
        notice = "Your consent is withdrawn: syncing has stopped."
        if delete:
            notice += f" The data already shared was deleted ({deleted} records)."
        return _status_page(request, token, visit, None, notice=notice)

    return await _act(request, token, withdraw_consent)
