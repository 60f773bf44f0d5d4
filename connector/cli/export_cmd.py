"""``qbd-connector export COMPANY --out DIR [--type T] [--include-deleted] [--format jsonl|csv]
[--raw] [--reports] [--json]``: synced records out, one file per data type
(``connector.cli.export_files``); ``--reports`` also writes ``DIR/reports.jsonl``, every
financial report taken from QuickBooks, one per line as ``GET /reports/{reportType}``
answers it (with ``--type``: only the reports).

``DIR/<type>.jsonl`` (the REST API's normalised records; ``--raw``: as parsed from qbXML,
lossless) or ``DIR/<type>.csv`` for a spreadsheet; deleted records only with
``--include-deleted`` (each record then has ``deletedAt``). A progress bar per data type on
a terminal (stderr), nothing when piped. COMPANY is an id or a name.
Exit codes: 0 written, 2 unknown company or data type, bad flags, unwritable folder, bad
database. Must not: hold query logic (``connector.store.records``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from connector.cli import fail
from connector.cli.admin_cmd import add_company_argument, store_command
from connector.cli.company_cmd import guarded
from connector.cli.export_files import export, export_reports
from connector.cli.progress import Bars
from connector.settings import Settings
from connector.store import records as store
from connector.store.companies import get_company
from connector.store.db import Database
from connector.sync.plan import QUERY_TYPES

EXPORTABLE = ("host", "company", "preferences", *(d.key for d in QUERY_TYPES))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a company's synced records, one file per data type (JSON lines or CSV)",
    )
    add_company_argument(parser)
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument(
        "--type",
        action="append",
        dest="types",
        metavar="T",
        help="only this data type (repeatable)",
    )
    parser.add_argument(
        "--include-deleted",
        action="store_true",
        help="also records deleted in QuickBooks, each with deletedAt (null for the others)",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="jsonl (default): one JSON record per line; csv: one row per record for a "
        "spreadsheet (nested fields as dotted columns, lines as JSON text)",
    )
    parser.add_argument("--raw", action="store_true", help="the qbXML-shaped records (lossless)")
    parser.add_argument(
        "--reports",
        action="store_true",
        help="also the financial reports taken from QuickBooks (reports.jsonl)",
    )
    store_command(parser, run, "print the file list as JSON")


def _refusal(args: argparse.Namespace) -> str | None:
    unknown = sorted(set(args.types or ()) - set(EXPORTABLE))
    if unknown:
        return f"unknown data type {', '.join(unknown)}; known: {', '.join(EXPORTABLE)}"
    if args.raw and args.format == "csv":
        return "--raw writes the lossless qbXML shape as JSON lines: leave out --format csv"
    return None


def run(args: argparse.Namespace) -> int:
    refusal = _refusal(args)
    if refusal is not None:
        return fail("export", refusal)
    return _write_files(args)


def _export(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    with database.begin(write=False) as conn:
        company_id = get_company(conn, args.company).id
        totals = store.count_records(conn, company_id)
        types = args.types or EXPORTABLE
        with Bars(enabled=sys.stderr.isatty() and not args.json) as bars:
            written = export(
                conn, company_id, args.out, types, raw=args.raw, fmt=args.format,
                include_deleted=args.include_deleted,
                progress=lambda key, n: bars.show(key, n, totals.get(key)),
            )  # fmt: skip
        if args.reports:
            written |= export_reports(conn, company_id, args.out)
    if args.json:
        files = {k: str(p) for k, (p, _) in written.items()}
        print(json.dumps({"files": files, "records": {k: n for k, (_, n) in written.items()}}))
    else:
        for key, (path, count) in written.items():
            print(f"{count:>8}  {key:<26} {path}")
    return 0


_write_files = guarded("export", _export, errors=(OSError,))
