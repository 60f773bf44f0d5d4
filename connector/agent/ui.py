"""The agent's web pages: server-rendered (Jinja2 through FastAPI), no build step.

Owns: the pages (companies with live progress, add a company from a QWC file, a company's
schedule and last error, the recent log) and their form posts, which call the same
``daemon.Agent`` controls as the JSON API. The live parts poll ``/api/status`` with a few
lines of plain JavaScript (``static/agent.js``). Key controls carry DESIGN.md's data-testids
(``company-{name}``, ``sync-now``, ``pause``, ``resume``, ``progress``, ``add-company``).
Must not: hold the guard (``localapi.Guard`` runs before every route here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from connector.agent.daemon import Agent
from connector.agent.errors import AgentError
from connector.agent.logs import tail

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
MAX_QWC_UPLOAD = 256 * 1024


def _see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def router(agent: Agent) -> APIRouter:
    r = APIRouter()

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("status", agent.status())
        return TEMPLATES.TemplateResponse(request, template, context, status_code=status)

    @r.get("/", response_class=HTMLResponse)
    def companies(request: Request) -> HTMLResponse:
        return page(request, "companies.html", message=request.query_params.get("message"))

    @r.get("/add", response_class=HTMLResponse)
    def add_form(request: Request) -> HTMLResponse:
        return page(request, "add.html", error=None, form={})

    @r.post("/add", response_class=HTMLResponse)
    async def add(
        request: Request,
        qwc: Annotated[UploadFile, File()],
        password: Annotated[str, Form()],
        name: Annotated[str, Form()] = "",
        processor: Annotated[str, Form()] = "com",
        company_file: Annotated[str, Form()] = "",
        seed: Annotated[str, Form()] = "",
        size: Annotated[str, Form()] = "",
        cassette: Annotated[str, Form()] = "",
    ) -> Response:
        from connector.agent.control import new_company

        form = {"name": name, "processor": processor, "company_file": company_file,
                "seed": seed, "size": size, "cassette": cassette}  # fmt: skip
        try:
            raw = await qwc.read(MAX_QWC_UPLOAD + 1)
            if len(raw) > MAX_QWC_UPLOAD or not raw:
                raise AgentError("choose a QWC file (a few hundred bytes)")
            if not password:
                raise AgentError("type the password the service gave with the QWC file")
            seed_value = int(seed) if seed.strip() else None
            company = new_company(
                agent.paths, raw.decode("utf-8", errors="replace"), name.strip() or None,
                processor, company_file.strip() or None, seed_value, size.strip() or None,
                cassette.strip() or None,
            )  # fmt: skip
            agent.add_company(company, password)
        except (AgentError, ValueError) as exc:
            return page(request, "add.html", status=400, error=str(exc), form=form)
        return _see(f"/?message=Added {company.name}")

    @r.get("/companies/{name}", response_class=HTMLResponse)
    def company(request: Request, name: str) -> HTMLResponse:
        agent.company(name)
        return page(request, "company.html", name=name, error=None)

    @r.post("/companies/{name}/schedule", response_class=HTMLResponse)
    def schedule(request: Request, name: str, every_minutes: Annotated[str, Form()]) -> Response:
        try:
            agent.set_schedule(name, int(every_minutes))
        except (AgentError, ValueError) as exc:
            return page(request, "company.html", status=400, name=name, error=str(exc))
        return _see(f"/companies/{name}")

    @r.post("/companies/{name}/sync")
    def sync(name: str) -> Response:
        lines = agent.sync_now(name)
        return _see("/?message=" + "; ".join(lines))

    @r.post("/sync")
    def sync_all() -> Response:
        return _see("/?message=" + "; ".join(agent.sync_now(None)))

    @r.post("/companies/{name}/pause")
    def pause(name: str) -> Response:
        agent.set_paused(name, True)
        return _see(f"/?message={name} paused")

    @r.post("/companies/{name}/resume")
    def resume(name: str) -> Response:
        agent.set_paused(name, False)
        return _see(f"/?message={name} resumed")

    @r.get("/log", response_class=HTMLResponse)
    def log_page(request: Request) -> HTMLResponse:
        return page(request, "log.html", lines=tail(agent.paths.log_file, 200))

    @r.get("/static/agent.js")
    def script() -> PlainTextResponse:
        text = (HERE / "templates" / "agent.js").read_text(encoding="utf-8")
        return PlainTextResponse(text, media_type="text/javascript")

    return r
