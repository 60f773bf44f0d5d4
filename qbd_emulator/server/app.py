"""The emulator server's HTTP API (``qbd-emulator serve``; DESIGN.md "Emulator server").

Owns: the routes, their request models and the one error shape
``{"error": {"code", "message", "details"}}``. ``POST /companies {seed, size} | {file}``,
``GET /companies[/{id}]`` (counts per type), ``POST /companies/{id}/qbxml`` (the qbXML request
as the body, the response as ``qbd-emulator qbxml`` prints it, ``?layout=`` as its
``--layout``), ``POST /companies/{id}/mutate``,
``POST /webconnector/runs`` (one Web Connector update, answered with its summary when done),
``GET /webconnector/runs/{id}``, ``POST /reset``, ``GET /health``; OpenAPI at /openapi.json.
Work that blocks (generation, a run, a qbXML request) runs in the thread pool, under the
company's lock. Must not: hold QuickBooks or Web Connector logic (``processor``, ``update``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from connector.processors.base import ProcessorError
from connector.qbwc.client import ClientConfig
from connector.qbwc.qwc import QwcError, parse_qwc
from qbd_emulator.cassette import CassetteError, ReplayProcessor, cassette_document, parse_cassette
from qbd_emulator.company import load
from qbd_emulator.errors import CompanyFileError, Refusal
from qbd_emulator.faults import Scenario, ScenarioError, parse_scenario
from qbd_emulator.generate import generate, parse_size
from qbd_emulator.mutate import LEAD, mutate
from qbd_emulator.processor import Clock, Layout, answer_request, printed, system_clock
from qbd_emulator.update import run_update
from qbd_emulator.webconnector import AddApplicationError

from .state import Held, ServerState

__all__ = ["ApiError", "create_app"]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _error(status: int, code: str, message: str, details: object = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status)


class CompanyCreate(BaseModel):
    seed: int | None = Field(None, description="generator seed (default 1)")
    size: str | None = Field(None, description="tiny|small|medium|large|N (default tiny)")
    file: str | None = Field(None, description="a company file on the server to load instead")


class MutateRequest(BaseModel):
    seed: int = 1
    now: datetime | None = Field(None, description="changes end before this (default: now)")


class RunCreate(BaseModel):
    qwc: str = Field(description="the QWC file's XML")
    password: str
    companyId: str | None = Field(None, description="the fake QuickBooks (else: replay)")
    scenario: dict[str, Any] | None = Field(None, description="a qbd-emulator/scenario doc")
    record: bool = Field(False, description="answer with the cassette of this run")
    replay: dict[str, Any] | None = Field(None, description="a cassette to answer from")
    seed: int | None = Field(None, description="the scenario's seed (default the company's)")
    noopWaitSeconds: float = 5.0
    maxNoops: int = 12
    verify: bool = Field(True, description="verify an https AppURL's certificate")
    layout: Layout = Field("one-line", description="the fake QuickBooks' answers: one-line or "
                           "indented, one element a line as QuickBooks writes")  # fmt: skip


def create_app(held_state: ServerState | None = None, clock: Clock = system_clock) -> FastAPI:
    state = held_state if held_state is not None else ServerState()
    app = FastAPI(
        title="qbd-emulator server",
        version="1",
        description="Fake QuickBooks companies and Web Connector runs for tests.",
    )

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        return _error(422, "invalid_request", "the request does not fit its schema", errors)

    def held(company_id: str) -> Held:
        found = state.companies.get(company_id)
        if found is None:
            raise ApiError(404, "not_found", f"no company {company_id!r}")
        return found

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "companies": len(state.companies), "runs": len(state.runs)}

    @app.post("/reset")
    def reset() -> dict[str, int]:
        return {"dropped": state.reset()}

    @app.post("/companies", status_code=201)
    def create_company(body: CompanyCreate) -> dict[str, object]:
        if body.file is not None:
            if body.size is not None:
                raise ApiError(422, "invalid_request", "give {seed, size} or {file}, not both")
            try:
                company = load(Path(body.file))
            except (CompanyFileError, OSError) as exc:
                raise ApiError(422, "bad_company_file", str(exc)) from None
            return state.hold(company, body.seed or 1, file=Path(body.file)).describe()
        seed, size = body.seed if body.seed is not None else 1, body.size or "tiny"
        try:
            parse_size(size)
            company = generate(seed, size)
        except ValueError as exc:
            raise ApiError(422, "invalid_request", f"size {size!r}: {exc}") from None
        return state.hold(company, seed, size).describe()

    @app.get("/companies")
    def list_companies() -> list[dict[str, object]]:
        return [h.describe() for h in list(state.companies.values())]

    @app.get("/companies/{company_id}")
    def get_company(company_id: str) -> dict[str, object]:
        return held(company_id).describe()

    @app.post(
        "/companies/{company_id}/qbxml",
        response_class=Response,
        responses={200: {"content": {"application/xml": {}}}},
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/xml": {}}},
        },
    )
    async def qbxml(
        company_id: str, request: Request, now: datetime | None = None, layout: Layout = "one-line"
    ) -> Response:
        """A qbXML request (the body) answered as ``qbd-emulator qbxml`` answers it
        (``?layout=indented``: one element a line, as ``--layout indented``)."""
        target = held(company_id)
        text = (await request.body()).decode("utf-8", errors="replace")
        if now is not None and now.tzinfo is None:
            raise ApiError(422, "invalid_request", "now needs a UTC offset")
        at: Clock = clock if now is None else (lambda: now)
        try:
            answer = await run_in_threadpool(_answer, target, text, at, layout)
        except ProcessorError as exc:
            detail = f" ({exc.detail})" if isinstance(exc, Refusal) else ""
            message = f"{exc.hresult_text}: {exc.message}{detail}"
            raise ApiError(422, "quickbooks_refused", message, hresult=exc.hresult_text) from None
        return Response(printed(answer), media_type="application/xml")

    @app.post("/companies/{company_id}/mutate")
    def mutate_company(company_id: str, body: MutateRequest) -> dict[str, object]:
        target = held(company_id)
        now = body.now or clock()
        if now.tzinfo is None:
            raise ApiError(422, "invalid_request", "now needs a UTC offset")
        with target.lock:
            done = mutate(target.company, body.seed, now.replace(microsecond=0) - LEAD)
        return {**done.to_dict(), "until": done.until.isoformat() if done.until else None}

    @app.post("/webconnector/runs")
    def create_run(body: RunCreate) -> dict[str, object]:
        run = _run(state, body, held)
        state.keep_run(run)
        return run

    @app.get("/webconnector/runs/{run_id}")
    def get_run(run_id: str) -> dict[str, object]:
        found = state.runs.get(run_id)
        if found is None:
            raise ApiError(404, "not_found", f"no run {run_id!r}")
        return found

    return app


def _answer(target: Held, request: str, clock: Clock, layout: Layout) -> str:
    with target.lock:
        return answer_request(target.company, request, clock=clock, seed=target.seed, layout=layout)


def _run(state: ServerState, body: RunCreate, held: Callable[[str], Held]) -> dict[str, object]:
    if (body.companyId is None) == (body.replay is None):
        raise ApiError(422, "invalid_request", "give companyId or replay (exactly one)")
    target: Held | None = held(body.companyId) if body.companyId is not None else None
    try:
        qwc = parse_qwc(body.qwc.encode("utf-8"))
        seed = body.seed if body.seed is not None else (target.seed if target else 1)
        scenario = Scenario(parse_scenario(body.scenario), seed) if body.scenario else None
        replay = ReplayProcessor(parse_cassette(body.replay)) if body.replay else None
    except (QwcError, ScenarioError, CassetteError) as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    config = ClientConfig(noop_wait_seconds=body.noopWaitSeconds, max_noops=body.maxNoops)
    options: dict[str, Any] = {
        "seed": seed,
        "scenario": scenario,
        "record": body.record,
        "verify": body.verify,
        "config": config,
    }
    if target is not None:
        options["layout"] = body.layout  # a cassette answers as it was recorded
    try:
        if target is None:
            result = run_update(qwc, body.password, replay=replay, **options)
        else:
            with target.lock:
                result = run_update(qwc, body.password, company=target.company, **options)
    except AddApplicationError as exc:
        raise ApiError(409, "file_bound", str(exc)) from None
    run: dict[str, object] = {
        "id": state.next_id("run_"),
        "status": "done",
        "companyId": body.companyId,
        "ok": result.ok,
        "summary": result.summary.to_dict(),
        "faults": result.faults,
    }
    if result.recorded is not None:
        run["cassette"] = cassette_document(result.recorded)
    if result.replayed:
        run["replay"] = result.replay_report()
    return run
