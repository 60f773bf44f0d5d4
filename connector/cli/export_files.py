"""What ``qbd-connector export`` writes: one file per data type, JSON lines or CSV.

Owns: the file formats. JSON lines: one record per line, the REST API's normalised shape
(``raw``: the record as parsed from qbXML, tagged and lossless). CSV (for a spreadsheet):
one row per record, nested objects flattened to dotted columns (``billAddress.city``),
lists (transaction lines) as JSON text in their cell, the columns being every key any record
of the type has (a first pass collects them, a second writes: memory stays flat).
``include_deleted`` adds records deleted in QuickBooks, each with ``deletedAt`` (null for
the others). Must not: query beyond ``connector.store.records`` or print.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection

from connector.store import records as store
from connector.store import reports
from connector.store.records import StoredRow

Format = Literal["jsonl", "csv"]
Progress = Callable[[str, int], None]
"""Called with a data type and how many of its records were written so far."""


def _rows(
    conn: Connection, company_id: str, key: str, include_deleted: bool
) -> Iterator[StoredRow]:
    return store.iter_records(conn, company_id, key, include_deleted=include_deleted)


def _normalised(row: StoredRow, include_deleted: bool) -> dict[str, Any]:
    if not include_deleted:
        return row.normalised
    deleted = row.deleted_at.isoformat() if row.deleted_at else None
    return {**row.normalised, "deletedAt": deleted}


def write_jsonl(
    path: Path, rows: Iterable[StoredRow], *, raw: bool, include_deleted: bool, progress: Progress
) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            if raw:
                body = store.encode_data(row.data)
            else:
                body = json.dumps(_normalised(row, include_deleted), ensure_ascii=False)
            out.write(body + "\n")
            count += 1
            progress(row.data_type, count)
    return count


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A record as CSV cells: nested objects to dotted keys, lists as JSON text (pure)."""
    cells: dict[str, str] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            cells.update(flatten(item, f"{name}."))
        elif isinstance(item, list):
            cells[name] = json.dumps(item, ensure_ascii=False)
        elif item is None:
            cells[name] = ""
        elif isinstance(item, bool):
            cells[name] = "true" if item else "false"
        else:
            cells[name] = str(item)
    return cells


def write_csv(
    path: Path,
    rows: Callable[[], Iterable[StoredRow]],
    *,
    include_deleted: bool,
    progress: Progress,
) -> int:
    """``rows`` is called twice: once for the columns, once to write."""
    columns: dict[str, None] = {}
    for row in rows():
        columns.update(dict.fromkeys(flatten(_normalised(row, include_deleted))))
    if not columns:
        return 0
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), restval="")
        writer.writeheader()
        for row in rows():
            writer.writerow(flatten(_normalised(row, include_deleted)))
            count += 1
            progress(row.data_type, count)
    return count


def export(
    conn: Connection,
    company_id: str,
    out: Path,
    types: Iterable[str],
    *,
    raw: bool = False,
    include_deleted: bool = False,
    fmt: Format = "jsonl",
    progress: Progress = lambda _key, _count: None,
) -> dict[str, tuple[Path, int]]:
    """Write the files; data type -> (file, records written), for the types that have any
    (an empty type leaves no file)."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[Path, int]] = {}
    for key in types:
        path = out / f"{key}.{fmt}"
        if fmt == "csv":
            count = write_csv(
                path,
                lambda key=key: _rows(conn, company_id, key, include_deleted),  # type: ignore[misc]
                include_deleted=include_deleted,
                progress=progress,
            )
        else:
            rows = _rows(conn, company_id, key, include_deleted)
            count = write_jsonl(
                path, rows, raw=raw, include_deleted=include_deleted, progress=progress
            )
        if count:
            written[key] = (path, count)
        else:
            path.unlink(missing_ok=True)
    return written


def export_reports(conn: Connection, company_id: str, out: Path) -> dict[str, tuple[Path, int]]:
    """``out/reports.jsonl``: every stored report, one per line (the REST API's JSON)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "reports.jsonl"
    found = reports.find_reports(conn, company_id)
    with path.open("w", encoding="utf-8") as stream:
        for report in found:
            stream.write(json.dumps(report.body, ensure_ascii=False) + "\n")
    return {"reports": (path, len(found))} if found else {}
