"""``qbd-connector company``: the tenants: create, list, delete (with all they own).

Errors (unknown company, a duplicate name) exit with status 2 and a message on stderr;
``guarded`` gives every command of this group, of ``connection`` (``connection_cmd``),
``export`` and ``sync`` its settings, its migrated database and that error handling. Must not: hold logic beyond
parsing and printing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from connector.cli import command_group, fail
from connector.cli.admin_cmd import (
    add_company_argument,
    open_database,
    settings_from_args,
    store_command,
)
from connector.settings import Settings, SettingsError
from connector.store.companies import (
    company_footprint,
    create_company,
    delete_company,
    get_company,
    list_companies,
)
from connector.store.db import Database
from connector.store.errors import StoreError


class CommandError(Exception):
    """A user error: printed as ``qbd-connector <group>: <message>``, exit status 2."""


def register(subparsers: Any) -> None:
    commands = command_group(subparsers, "company", "create, list and delete companies")
    create = commands.add_parser("create", help="create a company")
    create.add_argument("name", metavar="NAME")
    store_command(create, guarded("company", run_company_create), "print JSON")
    listing = commands.add_parser("list", help="list companies")
    store_command(listing, guarded("company", run_company_list), "print JSON lines")
    delete = commands.add_parser(
        "delete",
        help="delete a company with everything it owns (asks first; --yes does not)",
        description="Delete a company and everything it owns: its connections (their Web "
        "Connectors are refused from then on), synced records, sync history, pushes, links "
        "and consents. Shows what would go and asks; without a terminal, give --yes.",
    )
    add_company_argument(delete)
    delete.add_argument("--yes", action="store_true", help="delete without asking")
    store_command(delete, guarded("company", run_company_delete), json_help="")


def guarded(
    group: str,
    func: Callable[[argparse.Namespace, Settings, Database], int],
    *,
    errors: tuple[type[Exception], ...] = (),
) -> Callable[[argparse.Namespace], int]:
    """``func(args, settings, database)`` as an argparse ``func``: exit 2 with the message of
    a bad setting, a database that cannot be opened, a ``CommandError``, a store error or
    one of ``errors`` (the command's own: ``OSError`` for a folder it writes, ...)."""
    caught: tuple[type[Exception], ...] = (CommandError, StoreError, *errors)

    def run(args: argparse.Namespace) -> int:
        try:
            settings = settings_from_args(args)
            database = open_database(settings.database_url)
        except (SettingsError, ValueError) as exc:
            return fail(group, exc)
        try:
            return func(args, settings, database)
        except caught as exc:
            return fail(group, exc)
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


def run_company_delete(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    company = get_company(database, args.company)
    counts = company_footprint(database, company.id)
    what = ", ".join(f"{n} {name}" for name, n in counts.items())
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(
                f"deleting {company.name!r} also deletes {what}; "
                "add --yes to confirm (no terminal to ask on)"
            )
        answer = input(f"Delete company {company.name!r} ({company.id}) and {what}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted", file=sys.stderr)
            return 1
    delete_company(database, company.id)
    print(f"company {company.name!r} deleted with {what}")
    return 0
