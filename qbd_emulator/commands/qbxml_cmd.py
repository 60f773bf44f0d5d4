"""``qbd-emulator qbxml``: one qbXML request on stdin, the fake QuickBooks' response on stdout.

    qbd-emulator qbxml [--seed N] [--size S | --company FILE [--save]] [--qbxml-version V]
                       [--now DATETIME] [--layout one-line|indented]

The company file is generated from ``--seed``/``--size`` (default seed 1, size tiny) or
loaded from ``--company`` (``--save`` writes it back, so writes and error-recovery state
persist between runs). ``--qbxml-version`` makes the fake product support qbXML only up to
V (HostQuery's SupportedQBXMLVersion list, and requests for a higher version are refused as
QuickBooks refuses them: 0x80040423). A refused request (the COM error QBWC would report)
prints ``<hresult>: <message> (<why>)`` on stderr and exits 1. ``--now`` sets QuickBooks'
clock (default: this machine's, as QuickBooks uses the workstation's): generated files are
dated around the generator's fixed "now", so their last 90 days of deletions only show in
ListDeletedQuery/TxnDeletedQuery at a matching ``--now``. ``--layout indented`` lays the
response out one element a line, as most answers recorded from QuickBooks are (default: one
line). Must not: hold processor logic.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import datetime
from typing import Any

from connector.processors.base import ProcessorError
from qbd_emulator.company import CompanyFile, load, save
from qbd_emulator.errors import CompanyFileError, Refusal
from qbd_emulator.generate import generate, parse_size
from qbd_emulator.processor import LAYOUTS, Clock, answer_request, printed, system_clock


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "qbxml",
        help="answer one qbXML request (stdin) from a fake company file (stdout)",
        description="Read a qbXML request on stdin and print the fake QuickBooks' response.",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--size", default="tiny", help="tiny|small|medium|large or a number")
    source.add_argument("--company", metavar="FILE", help="a company file to load instead")
    parser.add_argument("--save", action="store_true", help="write --company FILE back after")
    parser.add_argument(
        "--qbxml-version", metavar="V", help="highest qbXML version the product supports"
    )
    parser.add_argument(
        "--now",
        metavar="DATETIME",
        help="QuickBooks' clock, ISO 8601 with offset (e.g. 2024-06-28T17:00:00-07:00)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="one-line",
        help="one-line (default) or indented, one element a line as QuickBooks writes",
    )
    parser.set_defaults(func=run)


def _clock(now: str | None) -> Clock:
    if now is None:
        return system_clock
    try:
        when = datetime.fromisoformat(now)
    except ValueError:
        raise ValueError(f"--now {now!r} is not an ISO 8601 date-time") from None
    if when.tzinfo is None:
        raise ValueError(f"--now {now!r} needs a UTC offset (QuickBooks keeps offsets)")
    return lambda: when


def _company(args: argparse.Namespace) -> CompanyFile:
    if args.company:
        return load(args.company)
    parse_size(args.size)
    return generate(args.seed, args.size)


def _cap(company: CompanyFile, version: str | None) -> None:
    if version is None:
        return
    try:
        top = float(version)
    except ValueError:
        raise ValueError(f"--qbxml-version {version!r} is not a version like 13.0") from None
    kept = tuple(v for v in company.host.supported_qbxml_versions if float(v) <= top)
    if not kept:
        raise ValueError(f"--qbxml-version {version} is below every version QuickBooks supports")
    company.host = dataclasses.replace(company.host, supported_qbxml_versions=kept)


def run(args: argparse.Namespace) -> int:
    if args.save and not args.company:
        print("qbd-emulator qbxml: --save needs --company FILE", file=sys.stderr)
        return 2
    try:
        company = _company(args)
        _cap(company, args.qbxml_version)
        clock = _clock(args.now)
    except (ValueError, CompanyFileError, OSError) as exc:
        print(f"qbd-emulator qbxml: {exc}", file=sys.stderr)
        return 2
    request = sys.stdin.read()
    try:
        response = answer_request(company, request, clock=clock, seed=args.seed, layout=args.layout)
    except ProcessorError as exc:
        detail = f" ({exc.detail})" if isinstance(exc, Refusal) else ""
        print(f"{exc.hresult_text}: {exc.message}{detail}", file=sys.stderr)
        return 1
    sys.stdout.write(printed(response))
    if args.save:
        save(company, args.company)
    return 0
