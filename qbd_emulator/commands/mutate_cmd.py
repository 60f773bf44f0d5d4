"""``qbd-emulator mutate FILE [--seed N] [--json]``: change a saved company file in place.

Adds, edits and deletes a few list and transaction records (``qbd_emulator.mutate``) stamped
with the current time, as a bookkeeper would between two syncs, then saves the file. Used by
``qbd-connector demo`` on its second run so the incremental sync has something to fetch.
Exit codes: 0 done, 2 unreadable or unwritable file. Must not: hold mutation logic.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from qbd_emulator.commands.company_cmd import loaded, saved
from qbd_emulator.mutate import LEAD, mutate
from qbd_emulator.processor import system_clock


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mutate", help="add, edit and delete a few records of a saved company file"
    )
    parser.add_argument("file", help="a company file written by `company generate`")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--json", action="store_true", help="print what changed as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    company = loaded(args.file, "mutate")
    if company is None:
        return 2
    # The fake QuickBooks stamps with the local wall clock and its offset (processor.py), in
    # whole seconds (qbXML date-times carry none); the changes end before "now".
    done = mutate(company, args.seed, system_clock().replace(microsecond=0) - LEAD)
    if not saved(company, args.file, "mutate"):
        return 2
    out = done.to_dict()
    if args.json:
        print(json.dumps(out))
    else:
        for verb, table in out.items():
            print(f"{verb}: " + (", ".join(f"{k} {n}" for k, n in table.items()) or "none"))
    return 0
