"""``qbd-emulator scenarios report [--json] [--dir DIR] [--out FILE]``: the fault matrix.

Runs every scenario file of DIR (default ``fixtures/scenarios`` under the current folder)
against the connector (``qbd_emulator.scenario_matrix``: a fresh store and service each) and
prints the matrix: scenario, faults fired, what the connector did, outcome. ``--out`` also
saves it as JSON. Exit codes: 0 every scenario passes, 1 one fails, 2 no scenario to run.
Must not: hold the matrix logic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scenarios", help="fault scenarios (fixtures/scenarios) against the connector"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    report = actions.add_parser(
        "report", help="run every scenario file against the connector and print the matrix"
    )
    report.add_argument(
        "--dir", type=Path, default=Path("fixtures/scenarios"), help="scenario files' folder"
    )
    report.add_argument("--seed", type=int, default=1, help="company and fault seed")
    report.add_argument("--size", default="tiny", help="generated company size (default tiny)")
    report.add_argument("--out", type=Path, help="also save the matrix here as JSON")
    report.add_argument("--json", action="store_true", help="print the matrix as JSON")
    report.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qbd_emulator.scenario_matrix import render, run_matrix

    paths = sorted(args.dir.glob("*.json")) if args.dir.is_dir() else []
    if not paths:
        print(f"qbd-emulator scenarios: no scenario files in {args.dir}", file=sys.stderr)
        return 2
    rows = run_matrix(paths, seed=args.seed, size=args.size)
    document = json.dumps([row.to_dict() for row in rows], indent=1)
    if args.out is not None:
        args.out.write_text(document + "\n", encoding="utf-8")
    print(document if args.json else render(rows))
    return 0 if all(row.outcome == "pass" for row in rows) else 1
