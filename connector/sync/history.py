"""Sync history as people and machines read it: run summaries and JSON.

Owns: the text closeConnection shows in the Web Connector (PROTOCOL.md 1.2: a
human-readable summary), and the JSON shape of a run for the CLI and the REST API
(``created``/``updated``/``deleted`` per data type, errors with their QuickBooks codes,
start and end times). Must not: do I/O.
"""

from __future__ import annotations

from typing import Any

from connector.store.sync_runs import SyncRun


def totals(run: SyncRun) -> dict[str, int]:
    keys = ("fetched", "created", "updated", "unchanged", "deleted", "errors")
    return {k: sum(getattr(t, k) for t in run.types) for k in keys}


def summary_text(run: SyncRun, status: str, reason: str = "") -> str:
    """One line, e.g. ``Sync succeeded: 2013 records fetched (2013 new, 0 changed, 0 deleted)
    across 31 data types, 0 errors.``"""
    t = totals(run)
    failed = [x.data_type for x in run.types if x.status == "error"]
    text = (
        f"Sync {status}: {t['fetched']} records fetched ({t['created']} new, "
        f"{t['updated']} changed, {t['deleted']} deleted) across {len(run.types)} data types"
    )
    # a type can end done with errors: a page too large for the service, asked again smaller
    erred = failed + [x.data_type for x in run.types if x.errors and x.status != "error"]
    text += f", {len(erred)} with errors ({', '.join(erred)})." if erred else ", no errors."
    if status == "interrupted" and reason:
        text += f" Session ended: {reason}; the next session resumes where this one stopped."
    return text


def run_json(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "companyId": run.company_id,
        "connectionId": run.connection_id,
        "status": run.status,
        "kind": run.kind,
        "dataTypes": run.data_types,
        "createdAt": run.created_at.isoformat(),
        "startedAt": run.started_at.isoformat() if run.started_at else None,
        "endedAt": run.ended_at.isoformat() if run.ended_at else None,
        "summary": run.summary,
        "totals": totals(run),
        "types": [
            {
                "dataType": t.data_type,
                "status": t.status,
                "fetched": t.fetched,
                "created": t.created,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "deleted": t.deleted,
                "errors": t.errors,
            }
            for t in run.types
        ],
        "errors": [
            {
                "dataType": e.data_type,
                "statusCode": e.status_code,
                "hresult": e.hresult,
                "class": e.status_class,
                "message": e.message,
                "at": e.at.isoformat(),
            }
            for e in run.errors
        ],
    }
