"""``qbd-connector company`` and ``qbd-connector connection``: tenants and their logins.

``connection create`` prints the username and the generated password once (the store keeps
only an argon2id hash) and can write the connection's QWC file. Errors (unknown company, a
duplicate name, a QWC the Web Connector would refuse) exit with status 2 and a message on
stderr. Must not: hold logic beyond parsing and printing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from connector.cli.admin_cmd import add_database_option, open_database
from connector.settings import Settings, SettingsError
from connector.store.companies import create_company, get_company, list_companies
from connector.store.db import Database
from connector.store.errors import StoreError
from connector.store.tables_core import ConnectionMethod


class CommandError(Exception):
    """A user error: printed as ``qbd-connector <group>: <message>``, exit status 2."""


def register(subparsers: Any) -> None:
    company = subparsers.add_parser("company", help="create and list companies")
    commands = company.add_subparsers(dest="company_command", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="create a company")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--json", action="store_true", help="print JSON")
    add_database_option(create)
    create.set_defaults(func=_guarded("company", run_company_create))
    listing = commands.add_parser("list", help="list companies")
    listing.add_argument("--json", action="store_true", help="print JSON lines")
    add_database_option(listing)
    listing.set_defaults(func=_guarded("company", run_company_list))
    _register_connection(subparsers)


def _register_connection(subparsers: Any) -> None:
    connection = subparsers.add_parser("connection", help="create Web Connector connections")
    commands = connection.add_subparsers(
        dest="connection_command", metavar="COMMAND", required=True
    )
    create = commands.add_parser(
        "create", help="create a connection; prints its username and password once"
    )
    create.add_argument("company", metavar="COMPANY", help="the company's id or name")
    create.add_argument(
        "--method",
        required=True,
        choices=[m.value for m in ConnectionMethod],
        help="how QuickBooks is reached: our agent (desktop_app) or a hosted Web Connector",
    )
    create.add_argument("--qwc-out", type=Path, metavar="FILE", help="write the QWC file here")
    create.add_argument("--public-url", help="base URL of the service, for the QWC file")
    create.add_argument("--json", action="store_true", help="print JSON")
    add_database_option(create)
    create.set_defaults(func=_guarded("connection", run_connection_create))


def _guarded(group: str, func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            settings = Settings.from_env(
                database_url=args.database_url, public_url=getattr(args, "public_url", None)
            )
            database = open_database(settings.database_url)
        except (SettingsError, ValueError) as exc:
            print(f"qbd-connector {group}: {exc}", file=sys.stderr)
            return 2
        try:
            code: int = func(args, settings, database)
            return code
        except (CommandError, StoreError) as exc:
            print(f"qbd-connector {group}: {exc}", file=sys.stderr)
            return 2
        finally:
            database.dispose()

    return run


def run_company_create(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    row = create_company(database, args.name)
    if args.json:
        print(json.dumps({"id": row.id, "name": row.name, "createdAt": row.created_at.isoformat()}))
    else:
        print(f"company {row.name!r} created: {row.id}")
    return 0


def run_company_list(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    after = None
    while page := list_companies(database, limit=500, after=after):
        for row in page:
            if args.json:
                print(json.dumps({"id": row.id, "name": row.name}))
            else:
                print(f"{row.id}  {row.name}")
        after = page[-1].key
    return 0


def run_connection_create(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    from datetime import UTC, datetime

    from connector.portal.errors import PortalError
    from connector.portal.operations import create_connection_with_link
    from connector.portal.qwc import branded_qwc
    from connector.qbwc.qwc import QwcError, connection_qwc_url

    with database.begin() as conn:  # a QWC we cannot write leaves no connection behind
        company = get_company(conn, args.company)
        try:  # the connection and its setup link, or nothing while the integration is off
            row, password, link_url = create_connection_with_link(
                conn, settings, company.id, args.method, now=datetime.now(UTC)
            )
        except PortalError as exc:
            raise CommandError(exc.message) from exc
        if args.qwc_out is not None:
            try:
                args.qwc_out.write_text(
                    branded_qwc(database, settings, company, row), encoding="utf-8"
                )
            except (QwcError, OSError) as exc:
                raise CommandError(f"cannot write the QWC file: {exc}") from exc
    qwc_url = connection_qwc_url(settings, row)
    out = {
        "id": row.id,
        "companyId": company.id,
        "companyName": company.name,
        "method": row.method.value,
        "username": row.username,
        "password": password,
        "fileId": row.file_id,
        "qwcUrl": qwc_url,
        "linkUrl": link_url,
        "qwcFile": str(args.qwc_out) if args.qwc_out else None,
    }
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"connection {row.id} for company {company.name!r} ({row.method.value})")
    print(f"  username: {row.username}")
    print(f"  password: {password}")
    if args.qwc_out:
        print(f"  QWC file: {args.qwc_out}")
    print("The password is shown once: store it now.", file=sys.stderr)
    return 0
