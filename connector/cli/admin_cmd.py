"""``qbd-connector admin``: administration of the service: API keys (create, list, revoke).

Must not: hold logic beyond parsing and printing (the store does the work).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import OperationalError

from connector.cli import command_group, fail
from connector.settings import Settings
from connector.store.api_keys import (
    ApiKeyRow,
    create_api_key,
    find_api_key,
    list_api_keys,
    revoke_api_key,
)
from connector.store.db import Database, default_database_url
from connector.store.errors import StoreError


def add_company_argument(parser: argparse.ArgumentParser, nargs: str | None = None) -> None:
    parser.add_argument("company", nargs=nargs, metavar="COMPANY", help="the company's id or name")


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL (default QBD_DATABASE_URL or ./qbd-connector.db)"
    )


def store_command(
    parser: argparse.ArgumentParser, func: Callable[[argparse.Namespace], int], json_help: str
) -> None:
    """The options every store command ends with (``--json`` unless ``json_help`` is empty,
    ``--database-url``) and the function that runs it."""
    if json_help:
        parser.add_argument("--json", action="store_true", help=json_help)
    add_database_option(parser)
    parser.set_defaults(func=func)


SETTING_FLAGS = ("host", "port", "database_url", "public_url", "ssl_certfile", "ssl_keyfile")
"""The settings a command-line flag can set, each by the flag of its name (``--ssl-certfile``
sets ``ssl_certfile``); ``serve`` has them all, the store commands ``--database-url`` and
some ``--public-url``."""


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings from ``QBD_*`` variables, overridden by the flags of ``SETTING_FLAGS`` that
    the command has and that were given."""
    return Settings.from_env(**{name: getattr(args, name, None) for name in SETTING_FLAGS})


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
    commands = command_group(subparsers, "admin", "administration: API keys")
    create = commands.add_parser(
        "create-api-key",
        help="create a REST API key and print it (shown once)",
        description="Create a REST API key and print it once. Without --company it is an "
        "admin key (every company, key management); with --company it reaches only the "
        "companies named (404 for any other) and cannot manage keys.",
    )
    create.add_argument("--name", default="default", help="a label for the key")
    create.add_argument(
        "--company",
        action="append",
        metavar="COMPANY",
        help="scope the key to this company (id or name); repeat for several",
    )
    store_command(create, run_create_api_key, "print JSON")
    listing = commands.add_parser("list-api-keys", help="list API keys (never the keys)")
    store_command(listing, run_list_api_keys, "print JSON")
    revoke = commands.add_parser(
        "revoke-api-key", help="revoke an API key: it stops working at once, on every instance"
    )
    revoke.add_argument("key", metavar="NAME_OR_PREFIX", help="the key's name, prefix or id")
    store_command(revoke, run_revoke_api_key, "print JSON")


def key_json(row: ApiKeyRow) -> dict[str, Any]:
    """A key's public description (never its hash; the key itself only when created)."""
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "scope": "admin" if row.is_admin else "companies",
        "companies": None if row.company_ids is None else list(row.company_ids),
        "createdAt": row.created_at.isoformat(),
        "revokedAt": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def _with_database(args: argparse.Namespace, work: Callable[[Database], int]) -> int:
    try:
        database = open_database(args.database_url or default_database_url())
    except ValueError as exc:
        return fail("admin", exc)
    try:
        return work(database)
    except StoreError as exc:
        return fail("admin", exc)
    finally:
        database.dispose()


def run_create_api_key(args: argparse.Namespace) -> int:
    def work(database: Database) -> int:
        row, key = create_api_key(database, args.name, companies=args.company)
        if args.json:
            print(json.dumps(key_json(row) | {"key": key}))
            return 0
        print(key)
        scope = "admin" if row.is_admin else f"scoped to {len(row.company_ids or ())} company(ies)"
        print(
            f"API key {row.name!r} ({row.id}, {scope}): shown once, store it now.", file=sys.stderr
        )
        return 0

    return _with_database(args, work)


def run_list_api_keys(args: argparse.Namespace) -> int:
    def work(database: Database) -> int:
        rows = list_api_keys(database)
        if args.json:
            print(json.dumps([key_json(r) for r in rows]))
            return 0
        for row in rows:
            scope = "admin" if row.company_ids is None else ",".join(row.company_ids) or "(none)"
            state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "live"
            print(f"{row.prefix}  {row.name}  {scope}  {state}")
        return 0

    return _with_database(args, work)


def run_revoke_api_key(args: argparse.Namespace) -> int:
    def work(database: Database) -> int:
        row = revoke_api_key(database, find_api_key(database, args.key).id)
        if args.json:
            print(json.dumps(key_json(row)))
        else:
            print(f"API key {row.name!r} ({row.prefix}) revoked")
        return 0

    return _with_database(args, work)
