"""``qbd-connector connection``: a company's Web Connector logins (issue 11 item 8).

``create COMPANY --method M [--qwc-out FILE]`` prints the username and the generated password
once (the store keeps only an argon2id hash) and can write the QWC file; ``list [COMPANY]``,
``pause|resume|rotate-password|delete CONN`` and ``schedule CONN --every-minutes N [--window
HH:MM-HH:MM --days D,D --timezone TZ | --window none]``. CONN is a connection's id or
username. Errors (unknown company or connection, bad values: every one of them at once,
a QWC the Web Connector would refuse) exit with status 2 and a message on stderr.
Must not: hold logic beyond parsing and printing (the store and ``connector.portal`` do it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connector.cli import command_group
from connector.cli.admin_cmd import add_company_argument, store_command
from connector.cli.company_cmd import CommandError, guarded
from connector.settings import Settings
from connector.store import connections as store
from connector.store.companies import get_company, list_companies
from connector.store.connections import ConnectionRow, SyncWindow
from connector.store.db import Database
from connector.store.errors import ConnectionNotFound
from connector.store.platform import get_platform
from connector.store.tables_core import ConnectionMethod

_GROUP = "connection"


def register(subparsers: Any) -> None:
    commands = command_group(
        subparsers, _GROUP, "create, list, pause, schedule and delete Web Connector connections"
    )
    create = commands.add_parser(
        "create", help="create a connection; prints its username and password once"
    )
    add_company_argument(create)
    create.add_argument(
        "--method",
        required=True,
        choices=[m.value for m in ConnectionMethod],
        help="how QuickBooks is reached: our agent (desktop_app) or a hosted Web Connector",
    )
    create.add_argument("--qwc-out", type=Path, metavar="FILE", help="write the QWC file here")
    create.add_argument(
        "--public-url",
        help="the service's base URL the QWC points at (default QBD_PUBLIC_URL, else the one "
        "`serve` last ran with on this database, else http://localhost:8080)",
    )
    _command(create, run_create)
    listing = commands.add_parser("list", help="list connections (of one company, or all)")
    add_company_argument(listing, nargs="?")
    _command(listing, run_list, "print JSON lines")
    for name, help_, func in (
        ("pause", "pause syncing: the Web Connector is told there is nothing to do", run_pause),
        ("resume", "resume syncing", run_resume),
        ("rotate-password", "a new password (printed once); the old one stops at once", run_rotate),
        ("delete", "delete the connection (its Web Connector is refused from then on)", run_delete),
    ):
        command = commands.add_parser(name, help=help_)
        command.add_argument("conn", metavar="CONN", help="the connection's id or username")
        _command(command, func)
    _register_schedule(commands)


def _register_schedule(commands: Any) -> None:
    schedule = commands.add_parser(
        "schedule",
        help="how often to sync, and the hours syncs may run in",
        description="Set how often the Web Connector syncs and, optionally, a window of hours "
        "(in the business's time zone) syncs may run in; outside it the Web Connector is "
        "told to come back when it opens. Without --window the current window is kept.",
    )
    schedule.add_argument("conn", metavar="CONN", help="the connection's id or username")
    schedule.add_argument(
        "--every-minutes",
        required=True,
        type=int,
        metavar="N",
        help=f"minutes between syncs, 1 to {store.MAX_EVERY_MINUTES}",
    )
    schedule.add_argument(
        "--window",
        metavar="START-END|none",
        help="e.g. 19:00-07:00 (spans midnight when START > END); none: any time",
    )
    schedule.add_argument(
        "--days",
        default=",".join(store.WEEKDAYS),
        help="days a window starts on, e.g. mon,tue,wed,thu,fri (default every day)",
    )
    schedule.add_argument(
        "--timezone", default="UTC", help="the window's IANA time zone (default UTC)"
    )
    _command(schedule, run_schedule)


def _command(parser: argparse.ArgumentParser, func: Any, json_help: str = "print JSON") -> None:
    store_command(parser, guarded(_GROUP, func), json_help)


def find_connection(database: Database, key: str) -> ConnectionRow:
    """The connection whose id or username is ``key``."""
    try:
        return store.get_connection(database, key)
    except ConnectionNotFound:
        found = store.find_connection_by_username(database, key)
        if found is None:
            raise ConnectionNotFound(key) from None
        return found


def connection_json(row: ConnectionRow, company_name: str | None = None) -> dict[str, Any]:
    window = row.sync_window
    out: dict[str, Any] = {
        "id": row.id,
        "companyId": row.company_id,
        "method": row.method.value,
        "username": row.username,
        "paused": row.paused,
        "schedule": {
            "everyMinutes": row.schedule_every_minutes,
            "window": window.to_json() if window else None,
        },
        "boundCompany": row.bound_company.to_json() if row.bound_company else None,
        "createdAt": row.created_at.isoformat(),
    }
    if company_name is not None:
        out["companyName"] = company_name
    return out


def _line(row: ConnectionRow, company_name: str) -> str:
    window = row.sync_window
    hours = (
        f" {window.start:%H:%M}-{window.end:%H:%M} {','.join(window.days)} {window.timezone}"
        if window
        else ""
    )
    state = "paused" if row.paused else "active"
    return (
        f"{row.id}  {row.username}  {company_name}  {row.method.value}  {state}  "
        f"every {row.schedule_every_minutes} min{hours}"
    )


def _show(args: argparse.Namespace, row: ConnectionRow, said: str) -> int:
    print(json.dumps(connection_json(row)) if args.json else f"connection {row.username}: {said}")
    return 0


# ------------------------------------------------------------------------------- create
def service_settings(args: argparse.Namespace, settings: Settings, database: Database) -> Settings:
    """``settings`` with the public URL of the service: ``--public-url``, else
    ``QBD_PUBLIC_URL``, else the one ``serve`` last ran with on this database (issue 11
    item 6), else the default (``http://localhost:8080``)."""
    if args.public_url or os.environ.get("QBD_PUBLIC_URL", "").strip():
        return settings
    recorded = get_platform(database).public_url
    return replace(settings, public_url=recorded) if recorded else settings


def run_create(args: argparse.Namespace, settings: Settings, database: Database) -> int:
    from connector.portal.errors import PortalError
    from connector.portal.operations import create_connection_with_link
    from connector.portal.qwc import branded_qwc
    from connector.qbwc.qwc import QwcError, connection_qwc_url

    settings = service_settings(args, settings, database)
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
    out = {
        **connection_json(row, company.name),
        "password": password,
        "fileId": row.file_id,
        "qwcUrl": connection_qwc_url(settings, row),
        "linkUrl": link_url,
        "qwcFile": str(args.qwc_out) if args.qwc_out else None,
        "publicUrl": settings.public_url,
    }
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"connection {row.id} for company {company.name!r} ({row.method.value})")
    print(f"  username: {row.username}")
    print(f"  password: {password}")
    if args.qwc_out:
        print(f"  QWC file: {args.qwc_out} (AppURL {settings.public_url}/qbwc)")
    print("The password is shown once: store it now.", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------ list, change
def run_list(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    if args.company is not None:
        chosen = [get_company(database, args.company)]
    else:
        chosen, after = [], None
        while page := list_companies(database, limit=500, after=after):
            chosen.extend(page)
            after = page[-1].key
    for company in chosen:
        for row in store.list_connections(database, company.id):
            print(
                json.dumps(connection_json(row, company.name))
                if args.json
                else _line(row, company.name)
            )
    return 0


def run_pause(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    row = store.set_paused(database, find_connection(database, args.conn).id, True)
    return _show(args, row, "paused (its Web Connector is told there is nothing to do)")


def run_resume(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    row = store.set_paused(database, find_connection(database, args.conn).id, False)
    return _show(args, row, "resumed")


def run_rotate(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    row, password = store.rotate_password(database, find_connection(database, args.conn).id)
    if args.json:
        print(json.dumps({**connection_json(row), "password": password}))
    else:
        print(f"connection {row.username}: new password {password}")
        print(
            "Shown once: type it in the Web Connector; the old one no longer works.",
            file=sys.stderr,
        )
    return 0


def run_delete(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    row = find_connection(database, args.conn)
    store.delete_connection(database, row.id)
    if args.json:
        print(json.dumps({"id": row.id, "username": row.username, "deleted": True}))
    else:
        print(f"connection {row.username} deleted; the company's synced data stays")
    return 0


def run_schedule(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    row = find_connection(database, args.conn)
    problems: list[str] = []
    if not 1 <= args.every_minutes <= store.MAX_EVERY_MINUTES:
        problems.append(
            f"--every-minutes must be 1 to {store.MAX_EVERY_MINUTES}, not {args.every_minutes}"
        )
    window = row.sync_window
    if args.window is not None and args.window.lower() == "none":
        window = None
    elif args.window is not None:
        start, dash, end = args.window.partition("-")
        data = {
            "start": start.strip() if dash else args.window,
            "end": end.strip() if dash else "",
            "days": [d.strip() for d in args.days.split(",") if d.strip()],
            "timezone": args.timezone,
        }
        found = store.window_problems(data)
        problems.extend(f"--{_flag(name)}: {problem}" for name, problem in found.items())
        if not found:
            window = SyncWindow.from_json(data)
    if problems:  # every problem at once, so one more try is enough (issue 11 item 12)
        raise CommandError("; ".join(problems))
    updated = store.set_schedule(database, row.id, args.every_minutes, window)
    hours = (
        f", {window.start:%H:%M}-{window.end:%H:%M} on {','.join(window.days)} ({window.timezone})"
        if window
        else ", any time"
    )
    return _show(args, updated, f"every {updated.schedule_every_minutes} min{hours}")


def _flag(field: str) -> str:
    return {"start": "window", "end": "window", "timezone": "timezone", "days": "days"}[field]
