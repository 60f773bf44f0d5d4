"""``qbd-connector export COMPANY --out DIR [--type T] [--raw] [--json]``: synced records out.

Writes one JSON-lines file per data type (``DIR/<type>.jsonl``), one record per line, in the
REST API's normalised form (``--raw``: the record as parsed from qbXML, amounts and dates as
tagged strings, lossless). Deleted records are left out. COMPANY is an id or a name.
Exit codes: 0 written, 2 unknown company or data type, unwritable folder, bad database.
Must not: hold query logic (``connector.store.records``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from connector.cli.admin_cmd import add_database_option, open_database
from connector.settings import Settings, SettingsError
from connector.store import records as store
from connector.store.companies import get_company
from connector.store.db import Database
from connector.store.errors import StoreError
from connector.sync.plan import QUERY_TYPES

EXPORTABLE = ("host", "company", "preferences", *(d.key for d in QUERY_TYPES))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="write a company's synced records as JSON lines, one file per data type"
    )
    parser.add_argument("company", metavar="COMPANY", help="company id or name")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument(
        "--type",
        action="append",
        dest="types",
        metavar="T",
        help="only this data type (repeatable)",
    )
    parser.add_argument("--raw", action="store_true", help="the qbXML-shaped records (lossless)")
    parser.add_argument("--json", action="store_true", help="print the file list as JSON")
    add_database_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    unknown = sorted(set(args.types or ()) - set(EXPORTABLE))
    if unknown:
        print(
            f"qbd-connector export: unknown data type {', '.join(unknown)}; known: {', '.join(EXPORTABLE)}",
            file=sys.stderr,
        )
        return 2
    try:
        database = open_database(Settings.from_env(database_url=args.database_url).database_url)
    except (SettingsError, ValueError) as exc:
        print(f"qbd-connector export: {exc}", file=sys.stderr)
        return 2
    try:
        written = export(database, args.company, args.out, args.types or EXPORTABLE, raw=args.raw)
    except (StoreError, OSError) as exc:
        print(f"qbd-connector export: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    if args.json:
        print(
            json.dumps(
                {
                    "files": {k: str(p) for k, (p, _) in written.items()},
                    "records": {k: n for k, (_, n) in written.items()},
                }
            )
        )
    else:
        for key, (path, count) in written.items():
            print(f"{count:>8}  {key:<26} {path}")
    return 0


def export(
    database: Database, company: str, out: Path, types: Any, *, raw: bool = False
) -> dict[str, tuple[Path, int]]:
    """Write the files; returns data type -> (file, records written) for non-empty types."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[Path, int]] = {}
    with database.begin(write=False) as conn:
        company_id = get_company(conn, company).id
        for key in types:
            path, count = out / f"{key}.jsonl", 0
            with path.open("w", encoding="utf-8") as lines:
                for row in store.iter_records(conn, company_id, key):
                    body = (
                        store.encode_data(row.data)
                        if raw
                        else json.dumps(row.normalised, ensure_ascii=False)
                    )
                    lines.write(body + "\n")
                    count += 1
            if count:
                written[key] = (path, count)
            else:
                path.unlink()
    return written
