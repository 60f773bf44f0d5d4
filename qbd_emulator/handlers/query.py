"""The list and transaction query handler: select, page, shape.

Owns: one handler for every ``*QueryRq`` of ``selection.SOURCES``: ``MaxReturned``, the
``metaData`` attribute (retCount), iterators (``Start``/``Continue``/``Stop``, pages of
``MaxReturned``, ``iteratorRemainingCount``; PROTOCOL.md 1.10) and the shaping QuickBooks
applies to each record: transaction lines only with ``IncludeLineItems`` true, LinkedTxn
only with ``IncludeLinkedTxns`` true, DataExtRet only for the ``OwnerID``s asked for,
``IncludeRetElement`` keeps only the named top-level elements. No match gives status 1.
Must not: serialise (see ``render``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from functools import cache

from connector.qbxml.datatypes import Kind
from connector.qbxml.schema import Schema
from connector.qbxml.values import RecordData, Status, Value

from ..errors import OK_MESSAGE, InvalidFieldError, NoMatch, ObjectNotFoundError, Severity
from .context import Context, Handler, Reply, Request
from .filters import as_list, owner_data_ext, text
from .iterators import QueryIterator, RecordKey
from .selection import SOURCES, PartialMatch, Source, select

LINE_SUFFIXES = ("LineRet", "LineGroupRet")
JOURNAL_LINES = ("JournalDebitLine", "JournalCreditLine")


def query_handler(source: Source) -> Handler:
    def handle(ctx: Context, request: Request) -> Reply:
        mode = request.attrs.get("iterator")
        if mode in ("Continue", "Stop"):
            return _continue(ctx, request, source, mode)
        warning: Status | None = None
        limit = _max_returned(request.body)
        scan_limit = None if mode == "Start" else limit
        try:
            keys = select(ctx.company, source, request.body, ctx.now, scan_limit)
        except PartialMatch as partial:
            keys, warning = partial.found, partial.warning.status()
        if mode == "Start":
            it = ctx.iterators.start(request.name, tuple(keys), request.body)
            return _page(ctx, request, source, it, limit if limit is not None else len(keys))
        if limit is not None:
            keys = keys[:limit]
        return _answer(ctx, request, source, keys, request.body, warning)

    return handle


def _max_returned(body: Mapping[str, Value]) -> int | None:
    raw = text(body, "MaxReturned")
    if not raw:
        return None
    value = int(raw)  # the schema check made sure it is an integer of at least 1
    if value < 0:
        raise InvalidFieldError(f'The value "{raw}" of "MaxReturned" is not valid.')
    return min(value, sys.maxsize)


def _continue(ctx: Context, request: Request, source: Source, mode: str) -> Reply:
    iterator_id = request.attrs.get("iteratorID", "")
    it = ctx.iterators.resume(request.name, iterator_id)
    if mode == "Stop":
        ctx.iterators.stop(iterator_id)
        return Reply(
            request.response_name,
            Status(0, Severity.INFO, OK_MESSAGE),
            iterator_remaining=0,
            iterator_id=iterator_id,
        )
    limit = _max_returned(request.body) or _max_returned(it.options) or it.remaining
    return _page(ctx, request, source, it, limit)


def _page(ctx: Context, request: Request, source: Source, it: QueryIterator, size: int) -> Reply:
    """One page. The page that leaves ``iteratorRemainingCount`` at 0 ends the iterator:
    a further Continue gets 3391, like one after the session ended. Medium confidence:
    Conductor, whose cursor is QuickBooks' iteratorID, documents that asking for another
    page once none remain "will result in an error" (docs.conductor.is/api-ref/pagination);
    the QBFC-based clients found stop there too."""
    keys = list(it.next_page(max(size, 0)))
    if it.remaining == 0:
        ctx.iterators.stop(it.iterator_id)
    answer = _answer(ctx, request, source, keys, it.options, None)
    return Reply(
        answer.name,
        answer.status,
        answer.rets,
        answer.ret_count,
        iterator_remaining=it.remaining,
        iterator_id=it.iterator_id,
    )


def _answer(
    ctx: Context,
    request: Request,
    source: Source,
    keys: list[RecordKey],
    options: Mapping[str, Value],
    warning: Status | None,
) -> Reply:
    records = [_fetch(ctx, key) for key in keys]
    present = [r for r in records if r is not None]
    meta = request.attrs.get("metaData", "NoMetaData")
    ret_count = len(present) if meta != "NoMetaData" else None
    rets: tuple[tuple[str, Value], ...] = ()
    if meta != "MetaDataOnly":
        shaped = shaper(source.kind, options)
        rets = tuple((ret, shaped(data, _required(ctx.schema, ret))) for ret, data in present)
    if warning is not None:
        status = warning
    elif not present:
        status = NoMatch().status()
    else:
        status = Status(0, Severity.INFO, OK_MESSAGE)
    return Reply(request.response_name, status, rets, ret_count)


def _fetch(ctx: Context, key: RecordKey) -> tuple[str, RecordData] | None:
    """The record now (it may have changed or gone since an iterator's Start)."""
    try:
        record = ctx.company.get(key.data_type, key.record_id)
    except ObjectNotFoundError:  # deleted since the iterator's snapshot: skipped
        return None
    return record.ret, record.data


@cache
def _required(schema: Schema, ret: str) -> frozenset[str]:
    return frozenset(s.name for s in schema.children(ret) if s.min and not s.choice)


def shape(
    data: RecordData,
    kind: Kind,
    options: Mapping[str, Value],
    required: frozenset[str] = frozenset(),
) -> RecordData:
    """What QuickBooks returns of ``data`` for these query options. ``IncludeRetElement``
    keeps the named elements plus ``required`` (the ``*Ret``'s mandatory children, so the
    answer stays schema-valid; QuickBooks itself may omit them: uncertain)."""
    return shaper(kind, options)(data, required)


def shaper(
    kind: Kind, options: Mapping[str, Value]
) -> Callable[[RecordData, frozenset[str]], RecordData]:
    """``shape`` with the options read once (for a page of records)."""
    lines = kind is not Kind.TXN or text(options, "IncludeLineItems") in ("true", "1")
    linked = text(options, "IncludeLinkedTxns") in ("true", "1")
    data_ext = owner_data_ext(as_list(options.get("OwnerID")))
    wanted = {str(v) for v in as_list(options.get("IncludeRetElement"))}

    def shaped(data: RecordData, required: frozenset[str]) -> RecordData:
        # the usual case, lines kept: a dict copy in C (a comprehension over every key here
        # was 9% of a medium sync's client process)
        if lines:
            out = dict(data)
            if not linked:
                out.pop("LinkedTxn", None)
        else:
            out = {
                k: v for k, v in data.items() if not _is_line(k) and (linked or k != "LinkedTxn")
            }
        out = data_ext(out)
        if wanted:
            out = {k: v for k, v in out.items() if k in wanted or k in required}
        return out

    return shaped


def _is_line(name: str) -> bool:
    return name.endswith(LINE_SUFFIXES) or name in JOURNAL_LINES


def query_handlers() -> dict[str, Handler]:
    return {name: query_handler(source) for name, source in SOURCES.items()}


__all__ = ["query_handler", "query_handlers", "shape", "shaper"]
