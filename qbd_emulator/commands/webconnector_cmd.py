"""``qbd-emulator webconnector``: run one Web Connector update against a service.
About 340 lines: one command's argument checks and its human and JSON renderings.

``qbd-emulator webconnector --qwc FILE --password P [--seed N --size S | --company FILE]
[--record FILE | --replay FILE] [--json]`` reads the QWC, opens a fake QuickBooks company
(generated from a seed, or loaded from a file), registers the QWC's FileID in it as QBWC
does when an application is added, and runs one session against AppURL, printing the
session summary. ``--record`` writes what QuickBooks answered to a cassette; ``--replay``
answers from one instead of a company (``qbd_emulator.cassette``); ``--layout indented``
has the fake QuickBooks answer one element a line, as most answers recorded from QuickBooks are.
Exit codes: 0 when the session ended normally (done, nothing to do, no request) and a replay
used its cassette exactly, 1 otherwise, 2 for bad arguments or unreadable input files.
Must not: hold session logic (``connector.qbwc.client`` and ``qbd_emulator.webconnector``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from connector.qbwc.client import ClientConfig, SessionSummary
from connector.qbwc.client.envelopes import (
    HttpReply,
    QbwcMethod,
    SoapCallError,
    read_int_result,
)
from connector.qbwc.client.summary import next_run_in
from connector.qbwc.client.transport import SoapTransport
from connector.qbwc.qwc import Qwc, QwcError, parse_qwc
from qbd_emulator.company import CompanyFile
from qbd_emulator.processor import LAYOUTS

if TYPE_CHECKING:
    from connector.cli.progress import Bars
    from qbd_emulator.cassette import ReplayProcessor
    from qbd_emulator.faults import Scenario
    from qbd_emulator.update import UpdateResult


class UsageError(Exception):
    """Bad arguments or input files: message to stderr, exit code 2."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "webconnector",
        help="run one Web Connector update against a QBWC service with a fake QuickBooks",
        description=(
            "Act as Intuit's Web Connector for one update: read the QWC file, open a fake "
            "QuickBooks company, and run serverVersion, clientVersion, authenticate, "
            "sendRequestXML/receiveResponseXML... against the QWC's AppURL."
        ),
    )
    parser.add_argument("--qwc", required=True, type=Path, help="the QWC file to use")
    parser.add_argument(
        "--password",
        required=True,
        help="the password QBWC would send (write --password=P when P starts with '-', as "
        "generated passwords may)",
    )
    parser.add_argument("--company", type=Path, help="a company file to open (else generated)")
    parser.add_argument(
        "--save-company",
        action="store_true",
        help="write the company back to --company FILE after the session (keeps writes)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of a generated company")
    parser.add_argument(
        "--size", default="tiny", help="tiny|small|medium|large|N for a generated company"
    )
    parser.add_argument(
        "--scenario", type=Path, help="faults to inject on the SOAP or QuickBooks link (JSON)"
    )
    cassette = parser.add_mutually_exclusive_group()
    cassette.add_argument(
        "--record", type=Path, help="record what QuickBooks answered into this cassette"
    )
    cassette.add_argument(
        "--replay",
        type=Path,
        help="answer as QuickBooks from this cassette, strictly in order (no company needed)",
    )
    parser.add_argument("--ca-file", help="CA certificate to verify an https AppURL with")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per SOAP call")
    parser.add_argument("--noop-wait", type=float, default=5.0, help="seconds to wait after a NoOp")
    parser.add_argument("--max-noops", type=int, default=12, help="NoOps before giving up")
    parser.add_argument(
        "--quickbooks-not-running",
        action="store_true",
        help="simulate QuickBooks that cannot start (BeginSession fails with 0x80040408)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="one-line",
        help="how the fake QuickBooks lays its answers out: one-line (default) or indented, "
        "one element a line as QuickBooks writes",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


class ProgressTransport:
    """The SOAP link as it is, showing the update's progress as the service reports it
    (receiveResponseXML's percentage, PG p.70) on a terminal (issue 11 item 14)."""

    def __init__(self, inner: SoapTransport, bars: Bars) -> None:
        self.inner, self.bars, self.requests = inner, bars, 0

    def post(self, method: QbwcMethod, envelope: bytes) -> HttpReply:
        reply = self.inner.post(method, envelope)
        if method is QbwcMethod.RECEIVE_RESPONSE_XML:
            self.requests += 1
            try:
                percent = read_int_result(method, reply)
            except SoapCallError:
                return reply  # the session reads it again and reports the fault
            if percent >= 0:
                self.bars.show(f"update ({self.requests} requests)", percent, 100)
        return reply


@dataclass
class Outcome:
    summary: SessionSummary
    cassette: dict[str, object] = field(default_factory=dict)
    """For --record/--replay: what was recorded, or what did not match."""
    cassette_ok: bool = True
    faults: list[str] = field(default_factory=list)
    """For --scenario: each fault that fired, where."""
    next_run_seconds: int | None = None
    """When Auto Run would start the next update (QWC Scheduler, authenticate [2]/[3])."""


def run(args: argparse.Namespace) -> int:
    from qbd_emulator.update import OK_RESULTS

    try:
        outcome = _session(args)
    except UsageError as exc:
        print(f"qbd-emulator webconnector: {exc}", file=sys.stderr)
        return 2
    ok = outcome.summary.result in OK_RESULTS and outcome.cassette_ok
    try:
        print(_json(outcome) if args.json else _text(outcome))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: the reader is gone, the result stands
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
    return 0 if ok else 1


def _session(args: argparse.Namespace) -> Outcome:
    from qbd_emulator.update import run_update
    from qbd_emulator.webconnector import AddApplicationError

    if args.replay is not None and (args.company is not None or args.quickbooks_not_running):
        raise UsageError("--replay answers from the cassette: no --company or QuickBooks flags")
    if args.save_company and args.company is None:
        raise UsageError("--save-company writes back to --company FILE: give one")
    qwc = _read_qwc(args.qwc)
    scenario = _scenario(args.scenario, args.seed) if args.scenario is not None else None
    replay = _replay(args.replay) if args.replay is not None else None
    company = _company(args) if replay is None else None
    from connector.cli.progress import Bars
    from connector.runtime import gc_tuned

    # The company file (a large one is millions of objects) stays for the whole run: frozen
    # out of the collector as the service freezes its start-up, so that no full collection
    # walks it again (the fake QuickBooks' reports took twice as long without it).
    with gc_tuned(), Bars(enabled=sys.stderr.isatty() and not args.json) as bars:

        def wrap(transport: SoapTransport) -> SoapTransport:
            return ProgressTransport(transport, bars) if bars.enabled else transport

        try:  # the application was added to QBWC while QuickBooks ran: FileID registered then
            result = run_update(
                qwc,
                args.password,
                company=company,
                replay=replay,
                seed=args.seed,
                scenario=scenario,
                record=args.record is not None,
                quickbooks_running=not args.quickbooks_not_running,
                verify=args.ca_file if args.ca_file else True,
                timeout=args.timeout,
                config=ClientConfig(noop_wait_seconds=args.noop_wait, max_noops=args.max_noops),
                wrap_transport=wrap,
                layout=args.layout,
            )
        except AddApplicationError as exc:
            raise UsageError(str(exc)) from None
    if args.save_company and company is not None:
        _save_company(company, args.company)
    outcome = _cassette_outcome(result, args.record)
    outcome.next_run_seconds = next_run_in(result.summary, _scheduler_seconds(qwc))
    outcome.faults = result.faults
    return outcome


def _scheduler_seconds(qwc: Qwc) -> int | None:
    """The QWC's Scheduler interval in seconds (the parser keeps the first element, PG p.38)."""
    if qwc.run_every_seconds is not None:
        return qwc.run_every_seconds
    return None if qwc.run_every_minutes is None else qwc.run_every_minutes * 60


def _read_qwc(path: Path) -> Qwc:
    try:
        return parse_qwc(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except QwcError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _scenario(path: Path, seed: int) -> Scenario:
    from qbd_emulator.faults import Scenario, ScenarioError, load_scenario

    try:
        return Scenario(load_scenario(path), seed)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None


def _save_company(company: CompanyFile, path: Path) -> None:
    """QuickBooks keeps what a session wrote: so does the company file, when asked."""
    from qbd_emulator.company import save

    try:
        save(company, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _replay(path: Path) -> ReplayProcessor:
    from qbd_emulator.cassette import CassetteError, ReplayProcessor, load_cassette

    try:
        return ReplayProcessor(load_cassette(path))
    except CassetteError as exc:
        raise UsageError(str(exc)) from None


def _cassette_outcome(result: UpdateResult, record: Path | None) -> Outcome:
    from qbd_emulator.cassette import save_cassette

    if result.recorded is not None and record is not None:
        try:
            save_cassette(result.recorded, record)
        except OSError as exc:
            raise UsageError(f"cannot write {record}: {exc.strerror}") from None
        report = {"recorded": str(record), "interactions": len(result.recorded)}
        return Outcome(result.summary, report)
    if result.replayed:
        report = result.replay_report()
        return Outcome(result.summary, report, not (result.mismatches or result.unused))
    return Outcome(result.summary)


def _company(args: argparse.Namespace) -> CompanyFile:
    if args.company is not None:
        return _load_company(args.company)
    from qbd_emulator.generate import generate

    try:
        return generate(args.seed, str(args.size))
    except ValueError as exc:
        raise UsageError(f"--size {args.size}: {exc}") from None


def _load_company(path: Path) -> CompanyFile:
    from qbd_emulator.company import load
    from qbd_emulator.errors import CompanyFileError

    try:
        return load(path)
    except CompanyFileError as exc:
        raise UsageError(str(exc)) from None


def _json(outcome: Outcome) -> str:
    data = outcome.summary.to_dict()
    if outcome.cassette:
        data["cassette"] = outcome.cassette
    if outcome.faults:
        data["faults"] = outcome.faults
    data["next_run_seconds"] = outcome.next_run_seconds
    return json.dumps(data, indent=2)


def _text(outcome: Outcome) -> str:
    summary = outcome.summary
    lines = [
        f"result: {summary.result.value}",
        f"calls: {_calls_text(summary.calls)}",
        f"requests processed: {summary.requests_processed} "
        f"(request processor errors: {summary.processor_errors})",
    ]
    if summary.postpone_seconds is not None:
        lines.append(f"update postponed by the application: {summary.postpone_seconds} s")
    if summary.min_run_seconds is not None:
        lines.append(f"minimum run interval: {summary.min_run_seconds} s")
    if outcome.next_run_seconds is not None:
        lines.append(f"next update (Auto Run): in {outcome.next_run_seconds} s")
    if summary.last_error:
        lines.append(f"last error: {summary.last_error}")
    if summary.close_message:
        lines.append(f"closeConnection: {summary.close_message}")
    lines.extend(f"warning: {w}" for w in summary.warnings)
    lines.extend(f"error: {e}" for e in summary.errors)
    lines.extend(f"cassette: {key}: {value}" for key, value in outcome.cassette.items())
    lines.extend(f"fault: {fired}" for fired in outcome.faults)
    return "\n".join(lines)


_PAIR = ("sendRequestXML", "receiveResponseXML")


def _calls_text(calls: tuple[str, ...]) -> str:
    """Calls in order, runs of sendRequestXML/receiveResponseXML pairs folded: ``(...) x31``."""
    words: list[str] = []
    i = 0
    while i < len(calls):
        run = 0
        while tuple(calls[i + 2 * run : i + 2 * run + 2]) == _PAIR:
            run += 1
        if run > 1:
            words.append(f"({' '.join(_PAIR)}) x{run}")
            i += 2 * run
        else:
            words.append(calls[i])
            i += 1
    return " ".join(words)
