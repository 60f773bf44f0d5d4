"""The running agent's local HTTP surface: the commands' JSON API and the web UI's guard.

Owns: ``create_app`` (FastAPI: ``/api/...`` for the ``agent`` commands, the pages of ``ui``),
the guard every request passes (``Guard``), and ``LocalServer`` (uvicorn on 127.0.0.1 on a
random port, in a thread). The guard: the Host header must name this loopback port (no
DNS-rebinding access from a web page of another site, no other host); the per-install token
must come as ``Authorization: Bearer`` (the commands) or as the ``qbd_agent`` cookie that
``/?token=...`` sets (the browser: HttpOnly, SameSite=Strict); and a write (POST, PUT,
DELETE) from a browser must carry this origin in Origin (no cross-origin writes).
Must not: run sessions or edit files (``daemon.Agent`` does).
"""

from __future__ import annotations

import hmac
import socket
import threading
import time
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from connector.agent.daemon import Agent
from connector.agent.errors import AgentError, ConfigError, UnknownCompany

COOKIE = "qbd_agent"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Guard(BaseHTTPMiddleware):
    def __init__(self, app: Any, token: str, port_of: Any) -> None:
        super().__init__(app)
        self.token, self.port_of = token, port_of

    def origins(self) -> set[str]:
        port = self.port_of()
        return {f"127.0.0.1:{port}", f"localhost:{port}"}

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        hosts = self.origins()
        if request.headers.get("host", "") not in hosts:
            return JSONResponse({"error": "this agent answers on its loopback address only"}, 403)
        origin = request.headers.get("origin")
        writes = request.method not in SAFE_METHODS
        if writes and origin is not None and origin.removeprefix("http://") not in hosts:
            return JSONResponse({"error": "cross-origin writes are refused"}, 403)
        offered = request.query_params.get("token")
        if request.method == "GET" and offered is not None:
            if not hmac.compare_digest(offered, self.token):
                return JSONResponse({"error": "wrong token"}, 401)
            response = RedirectResponse(request.url.path, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            return response
        if not self.authorised(request):
            return JSONResponse(
                {"error": "open the UI with `qbd-connector agent ui` (the URL has its token)"},
                401,
            )
        referer = request.headers.get("referer", "")
        same_site = referer.startswith(tuple(f"http://{h}/" for h in hosts))
        if writes and origin is None and self.by_cookie(request) and not same_site:
            return JSONResponse({"error": "cross-origin writes are refused"}, 403)
        return await call_next(request)

    def by_cookie(self, request: Request) -> bool:
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.token)

    def authorised(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:], self.token):
            return True
        return self.by_cookie(request)


class AddCompanyBody(BaseModel):
    qwc: str
    password: str
    name: str | None = None
    processor: str = "com"
    companyFile: str | None = None
    seed: int | None = None
    size: str | None = None
    cassette: str | None = None


class ScheduleBody(BaseModel):
    everyMinutes: int


class SyncBody(BaseModel):
    name: str | None = None


def create_app(agent: Agent, token: str, port_of: Any, on_stop: Any) -> FastAPI:
    from connector.agent import ui
    from connector.agent.control import new_company

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(Guard, token=token, port_of=port_of)

    @app.exception_handler(AgentError)
    async def agent_error(_request: Request, exc: AgentError) -> JSONResponse:
        code = 404 if isinstance(exc, UnknownCompany) else 400
        return JSONResponse({"error": str(exc)}, code)

    @app.get("/api/status")
    def status() -> dict[str, Any]:
        return agent.status()

    @app.post("/api/companies")
    def add(body: AddCompanyBody) -> dict[str, Any]:
        company = new_company(
            agent.paths, body.qwc, body.name, body.processor, body.companyFile,
            body.seed, body.size, body.cassette,
        )  # fmt: skip
        agent.add_company(company, body.password)
        return {"name": company.name, "everyMinutes": company.every_minutes}

    @app.delete("/api/companies/{name}")
    def remove(name: str) -> dict[str, Any]:
        agent.remove_company(name)
        return {"removed": name}

    @app.post("/api/companies/{name}/{action}")
    def pause_resume(name: str, action: str) -> dict[str, Any]:
        if action not in ("pause", "resume"):
            raise HTTPException(404)
        agent.set_paused(name, action == "pause")
        return {"name": name, "paused": action == "pause"}

    @app.put("/api/companies/{name}/schedule")
    def set_schedule(name: str, body: ScheduleBody) -> dict[str, Any]:
        agent.set_schedule(name, body.everyMinutes)
        return {"name": name, "everyMinutes": body.everyMinutes}

    @app.post("/api/sync")
    def sync(body: SyncBody) -> dict[str, Any]:
        return {"lines": agent.sync_now(body.name)}

    @app.post("/api/update-check")
    def update_check() -> dict[str, Any]:
        if agent.updater is None:
            raise ConfigError("no update repository is configured for this release")
        staged = agent.updater.check()
        return {"staged": staged, "problem": agent.updater.last_problem}

    @app.post("/api/stop")
    def stop() -> dict[str, Any]:
        on_stop()
        return {"stopping": True}

    app.include_router(ui.router(agent))
    return app


class LocalServer:
    """The app under uvicorn on 127.0.0.1, on a port the system picks, in a daemon thread."""

    def __init__(self, agent: Agent, token: str, on_stop: Any, host: str = "127.0.0.1") -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.port: int = self.sock.getsockname()[1]
        app = create_app(agent, token, lambda: self.port, on_stop)
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True, name="local-ui"
        )

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError("the local UI server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
