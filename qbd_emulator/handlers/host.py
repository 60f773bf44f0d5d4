"""HostQuery, CompanyQuery, PreferencesQuery, ListDeletedQuery and TxnDeletedQuery.

Owns: the answers about the product and the file itself (the first three are what the Web
Connector sends as ``strHCPResponse``, PROTOCOL.md 1.2) and the deleted-object queries,
which only look back 90 days and are not paginated (PROTOCOL.md 1.10). The company's
DataExtRet (QBWC's FileID, PG p.36) is returned only for the ``OwnerID``s asked for.
Must not: serialise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from connector.qbxml.values import RecordData, Value

from ..company import DeletedEntry, DeletedKind
from ..errors import NoMatch
from .context import Context, Handler, Reply, Request, ok
from .filters import as_list, parse_when, text

DELETED_WINDOW = timedelta(days=90)


def host_query(ctx: Context, request: Request) -> Reply:
    ret = ctx.company.host.as_ret()
    if ctx.file_mode is not None:
        ret["QBFileMode"] = ctx.file_mode
    return ok(request, (("HostRet", ret),))


def company_query(ctx: Context, request: Request) -> Reply:
    owners = {str(o).lower() for o in as_list(request.body.get("OwnerID"))}
    data: RecordData = dict(ctx.company.company_info)
    ext = [d for d in ctx.company.data_ext if str(d.get("OwnerID", "")).lower() in owners]
    if ext:
        data["DataExtRet"] = list(ext)
    return ok(request, (("CompanyRet", data),))


def preferences_query(ctx: Context, request: Request) -> Reply:
    return ok(request, (("PreferencesRet", dict(ctx.company.preferences)),))


def deleted_query(kind: DeletedKind) -> Handler:
    type_field = "ListDelType" if kind is DeletedKind.LIST else "TxnDelType"

    def handle(ctx: Context, request: Request) -> Reply:
        wanted = {str(v) for v in as_list(request.body.get(type_field))}
        lo, hi = _window(ctx, request)
        entries = [
            e
            for e in ctx.company.deleted
            if e.kind is kind and e.del_type in wanted and lo <= e.time_deleted <= hi
        ]
        if not entries:
            raise NoMatch()
        ret = "ListDeletedRet" if kind is DeletedKind.LIST else "TxnDeletedRet"
        rets: tuple[tuple[str, Value], ...] = tuple((ret, _deleted_ret(e)) for e in entries)
        meta = request.attrs.get("metaData", "NoMetaData")
        return ok(
            request,
            () if meta == "MetaDataOnly" else rets,
            ret_count=len(rets) if meta != "NoMetaData" else None,
        )

    return handle


def _window(ctx: Context, request: Request) -> tuple[datetime, datetime]:
    """DeletedDateRangeFilter, never reaching further back than 90 days."""
    tz = ctx.now.tzinfo
    assert tz is not None
    floor = ctx.now - DELETED_WINDOW
    raw = request.body.get("DeletedDateRangeFilter")
    lo, hi = floor, ctx.now
    if isinstance(raw, dict):
        start, end = text(raw, "FromDeletedDate"), text(raw, "ToDeletedDate")
        if start:
            lo = max(floor, parse_when(start, tz))
        if end:
            hi = parse_when(end, tz, end_of_day=True)
    return lo, hi


def _deleted_ret(entry: DeletedEntry) -> RecordData:
    if entry.kind is DeletedKind.LIST:
        data: RecordData = {"ListDelType": entry.del_type, "ListID": entry.id}
        data |= {"TimeCreated": entry.time_created, "TimeDeleted": entry.time_deleted}
        if entry.name:
            data["FullName"] = entry.name
        return data
    data = {"TxnDelType": entry.del_type, "TxnID": entry.id}
    data |= {"TimeCreated": entry.time_created, "TimeDeleted": entry.time_deleted}
    if entry.name:
        data["RefNumber"] = entry.name
    return data


def host_handlers() -> dict[str, Handler]:
    return {
        "HostQueryRq": host_query,
        "CompanyQueryRq": company_query,
        "PreferencesQueryRq": preferences_query,
        "ListDeletedQueryRq": deleted_query(DeletedKind.LIST),
        "TxnDeletedQueryRq": deleted_query(DeletedKind.TXN),
    }
