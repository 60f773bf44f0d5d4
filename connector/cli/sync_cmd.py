"""``qbd-connector sync request COMPANY [--type T ...]``: queue a manual sync (issue 19).

The next Web Connector session of the company runs it first, even inside the schedule's
minimum interval; ``GET /api/v1/companies/{id}/syncs`` shows it queued, then running, then
its outcome. Prints the queued run (``--json`` for machines). Must not: hold logic (it calls
``connector.portal.operations.queue_sync``, as the REST API does).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from connector.cli import command_group
from connector.cli.admin_cmd import add_company_argument, store_command
from connector.cli.company_cmd import guarded
from connector.portal.errors import PortalError
from connector.portal.operations import queue_sync
from connector.settings import Settings
from connector.store.companies import get_company
from connector.store.db import Database
from connector.sync.history import run_json


def register(subparsers: Any) -> None:
    commands = command_group(subparsers, "sync", "ask for a manual sync")
    request = commands.add_parser(
        "request", help="queue a manual sync; the next Web Connector session runs it first"
    )
    add_company_argument(request)
    request.add_argument(
        "--type",
        dest="types",
        action="append",
        metavar="T",
        help="a data type to sync first (repeatable; default: every type)",
    )
    run = guarded("sync", run_request, errors=(PortalError,))
    store_command(request, run, "print the queued sync as JSON")


def run_request(args: argparse.Namespace, _settings: Settings, database: Database) -> int:
    company = get_company(database, args.company)
    queued = queue_sync(database, company.id, args.types, datetime.now(UTC))
    if args.json:
        print(json.dumps(run_json(queued.run)))
        return 0
    types = ", ".join(queued.requested) if queued.requested else "every data type"
    print(f"sync {queued.run.id} queued for {company.name!r} ({types}): the next session runs it")
    return 0
