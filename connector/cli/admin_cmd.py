"""``qbd-connector admin``: administration of the service (API keys).

Must not: hold logic beyond parsing and printing (the store does the work).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.exc import OperationalError

from connector.store.api_keys import create_api_key
from connector.store.db import Database, default_database_url
from connector.store.errors import StoreError


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL (default QBD_DATABASE_URL or ./qbd-connector.db)"
    )


def open_database(url: str) -> Database:
    """The database at ``url``, migrated to head. ``ValueError`` with a message fit for the
    user when the URL is bad or the database cannot be opened (no such folder, no server)."""
    database = Database.from_url(url)
    try:
        database.migrate()
    except OperationalError as exc:
        database.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ValueError(f"cannot open the database {database.url}: {reason}") from exc
    return database


def register(subparsers: Any) -> None:
    admin = subparsers.add_parser("admin", help="administration: API keys")
    commands = admin.add_subparsers(dest="admin_command", metavar="COMMAND", required=True)
    create = commands.add_parser(
        "create-api-key", help="create a REST API key and print it (shown once)"
    )
    create.add_argument("--name", default="default", help="a label for the key")
    create.add_argument("--json", action="store_true", help="print JSON")
    add_database_option(create)
    create.set_defaults(func=run_create_api_key)


def run_create_api_key(args: argparse.Namespace) -> int:
    try:
        database = open_database(args.database_url or default_database_url())
    except ValueError as exc:
        print(f"qbd-connector admin: {exc}", file=sys.stderr)
        return 2
    try:
        row, key = create_api_key(database, args.name)
    except StoreError as exc:
        print(f"qbd-connector admin: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    if args.json:
        print(json.dumps({"id": row.id, "name": row.name, "key": key}))
    else:
        print(key)
        print(f"API key {row.name!r} ({row.id}): shown once, store it now.", file=sys.stderr)
    return 0
