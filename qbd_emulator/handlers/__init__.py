"""The fake QuickBooks' qbXML handlers: one function per request type, and the dispatcher.

Owns: the registry ``HANDLERS`` (request element name -> handler) and ``run_message_set``,
which runs a validated message set against a company file: error recovery first, then the
requests in order with ``onError`` (stopOnError: the requests after the first error are
not processed and get no response, as QuickBooks does; continueOnError: all run;
rollbackOnError, which QuickBooks does not support, never gets here: ``envelope`` refuses
it).

Request types the fake does not model: a ``*QueryRq`` answers status 1 (the fake company
file has none of those objects: sales reps, payroll items, ...), any other request answers
status 1030 (an honest "not supported", never a fake success).

Modules: ``envelope`` (parse + validate), ``macros`` (defMacro/useMacro), ``validate``,
``reading``, ``filters``,
``datemacro``, ``selection``, ``query``, ``iterators``, ``host``, ``writes`` (joining
``write_lists``, ``write_txns``, ``write_payments``, ``write_delete``, ``write_common``),
``recovery``, ``render``, ``context``, ``reports`` (GeneralSummaryReportQuery,
AgingReportQuery).
Must not: do I/O.
"""

from __future__ import annotations

import dataclasses

from connector.qbxml.errors import QbxmlBuildError
from connector.qbxml.values import Status

from ..errors import (
    MAX_REQUEST_ID,
    InvalidRequestIdError,
    NoMatch,
    NotSupportedError,
    Severity,
    StatusError,
)
from . import macros, recovery
from .context import Context, Handler, Reply, Request
from .envelope import RequestSet
from .filters import as_list
from .host import host_handlers
from .query import query_handlers
from .render import answer_text, response_document
from .reports import report_handlers
from .writes import write_handlers

HANDLERS: dict[str, Handler] = (
    query_handlers() | host_handlers() | write_handlers() | report_handlers()
)


def dispatch(ctx: Context, request: Request) -> Reply:
    handler = HANDLERS.get(request.name)
    try:
        if request.request_id is not None and len(request.request_id) > MAX_REQUEST_ID:
            raise InvalidRequestIdError(request.request_id)
        if handler is None:
            if request.name.endswith("QueryRq"):
                raise NoMatch()
            raise NotSupportedError.request(request.name)
        return _include_ret_elements(ctx, request, handler(ctx, request))
    except StatusError as exc:
        return Reply(request.response_name, exc.status(request.base))


def _include_ret_elements(ctx: Context, request: Request, answer: Reply) -> Reply:
    """``IncludeRetElement`` on any request: only the named children of each ``*Ret``
    (plus the ones the schema requires, so the answer stays valid; uncertain)."""
    wanted = {str(v) for v in as_list(request.body.get("IncludeRetElement"))}
    if not wanted:
        return answer
    rets = []
    for name, value in answer.rets:
        if isinstance(value, dict) and ctx.schema.has_element(name):
            keep = wanted | {s.name for s in ctx.schema.children(name) if s.min and not s.choice}
            value = {k: v for k, v in value.items() if k in keep}
        rets.append((name, value))
    return dataclasses.replace(answer, rets=tuple(rets))


def _element(ctx: Context, answer: Reply, request_id: str | None) -> str:
    """The ``*Rs``; a record the encoder refuses is a fault of the fake, answered as
    QuickBooks' internal error 1000 with the reason, never a crash or a partial element."""
    try:
        return answer_text(ctx.schema, answer, request_id)
    except QbxmlBuildError as exc:
        fault = Reply(answer.name, Status(1000, Severity.ERROR, f"Internal error: {exc}"))
        return answer_text(ctx.schema, fault, request_id)


def _run_one(ctx: Context, request: Request, defined: dict[str, str]) -> Reply:
    """One request, its ``useMacro`` leaves filled in from ``defined`` (``macros``)."""
    try:
        resolved = macros.resolve(request, defined)
    except StatusError as exc:
        return Reply(request.response_name, exc.status(request.base))
    answer = dispatch(ctx, resolved)
    macros.define(resolved, answer, defined)
    return answer


def run_message_set(ctx: Context, msgset: RequestSet) -> str:
    """The response document for ``msgset`` (requests run against ``ctx.company``)."""
    recovered = recovery.before(ctx.company, msgset)
    if recovered is not None:
        return recovered.response
    elements = []
    defined: dict[str, str] = {}
    for request in msgset.requests:
        answer = _run_one(ctx, request, defined)
        if msgset.response_data == "includeNone" and answer.status.code == 0:
            answer = Reply(answer.name, answer.status)  # QBXMLMsgsRq responseData
        elements.append(_element(ctx, answer, request.request_id))
        if answer.status.severity == Severity.ERROR and msgset.on_error != "continueOnError":
            break
    new_id = msgset.new_message_set_id
    response = response_document(elements, new_message_set_id=new_id)
    if new_id is not None:
        again = response_document(elements, new_message_set_id=new_id, message_set_status=0)
        recovery.after(ctx.company, msgset, response, again)
    return response


__all__ = ["HANDLERS", "Context", "Request", "dispatch", "run_message_set"]
