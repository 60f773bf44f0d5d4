"""``qbd-connector demo [--size tiny|small|medium|large|N] [--seed N] [--exit] [--json]``.

Renders what ``connector.demo`` does: a progress bar per data type while the Web Connector
syncs (rich, on stderr, only on a terminal), then a summary table (records per data type,
time, records per second), the API key and the URLs to explore; keeps serving until Ctrl-C
unless ``--exit``. ``--json`` prints the summary as one JSON document instead.
Exit codes: 0 synced, 1 the sync did not complete, 2 bad arguments or setup failure.
Must not: hold orchestration (``connector.demo``) or sync logic.
"""

from __future__ import annotations

import argparse
import io
import json
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from connector.cli import fail
from connector.cli.progress import Bars
from connector.demo import (
    COMPANY_FILE,
    MIN_RECORDS,
    Demo,
    DemoError,
    DemoOptions,
    DemoResult,
    NoSyncError,
    check_size,
)
from connector.store.db import default_database_url, normalise_url
from connector.store.sync_runs import CursorRow, SyncRun
from connector.sync.history import run_json


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="sync a fake QuickBooks company into the local store and serve the API",
        description=(
            "Start the service on loopback, create a demo company and connection, generate a "
            f"fake QuickBooks company ({COMPANY_FILE}) and run the Web Connector through a "
            "sync. A second run in the same folder changes the fake company and syncs "
            "incrementally. The store is QBD_DATABASE_URL or qbd-connector.db here."
        ),
    )
    parser.add_argument(
        "--size",
        default="small",
        type=_size,
        help=(
            "the fake company's size: tiny (about 100 records), small (2,000), medium "
            "(50,000), large (500,000) or a number N of records (default small). Every "
            f"company has its chart of accounts, the fixed lists and one transaction of each "
            f"type, so it holds at least about {MIN_RECORDS} records whatever N is"
        ),
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the fake company (default 1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 8080, else any free)")
    parser.add_argument("--exit", action="store_true", help="stop after the sync")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--agent",
        action="store_true",
        help="run the desktop agent with two fake companies syncing every minute; print its UI URL",
    )
    parser.set_defaults(func=run)


def _size(text: str) -> str:
    """argparse type of ``--size``: a bad size is refused before anything is created."""
    try:
        return check_size(text)
    except DemoError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    with _sigterm_as_interrupt():
        try:
            return _run_agent_demo(args) if args.agent else _run_demo(args)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM before the sync finished: all closed
            print("stopped", file=sys.stderr)
            return 130


def _run_demo(args: argparse.Namespace) -> int:
    opts = DemoOptions(
        folder=Path.cwd(),
        database_url=default_database_url(),
        size=str(args.size),
        seed=args.seed,
        port=args.port,
    )
    try:
        demo = Demo(opts)
    except DemoError as exc:
        return fail("demo", exc)
    try:
        demo.start()
        with _Bars(enabled=sys.stderr.isatty() and not args.json) as bars:
            result = demo.sync(bars.update)
        ok = result.run.status in ("succeeded", "partial")
        serving = ok and not args.exit
        out = json.dumps(_json(result, serving), indent=2) if args.json else _text(result, serving)
        print(out, flush=True)
        if serving:
            _serve_until_interrupted(result)
        return 0 if ok else 1
    except NoSyncError as exc:
        return fail("demo", exc, 1)
    except DemoError as exc:
        return fail("demo", exc)
    finally:
        demo.close()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the demo as Ctrl-C does: through the ``finally`` blocks, so the service
    and its page workers stop and release what they hold (issue 11 item 4), instead of the
    default death that leaves the workers' semaphores to the resource tracker's warning."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (a test calling main()): nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_agent_demo(args: argparse.Namespace) -> int:
    """``demo --agent``: the service and the agent (``connector.demo_agent``)."""
    from contextlib import ExitStack

    from connector import demo_agent
    from connector.agent.errors import AgentError

    with ExitStack() as stack:
        try:
            demo = demo_agent.start(stack, Path.cwd(), default_database_url(), port=args.port)
        except (DemoError, AgentError) as exc:
            return fail("demo", exc)
        print(f"agent UI:  {demo.ui_url}")
        print(f"service:   {demo.settings.public_url}/api/v1")
        print(f"companies: {', '.join(demo.companies)} (fake QuickBooks, every minute)", flush=True)
        for status in demo_agent.wait_synced(demo.agent_home, demo.companies):
            last = status
        for company in last["companies"]:
            run_ = company["lastRun"]
            print(f"{company['name']}: {run_['outcome']}: {run_['message']}", flush=True)
        if args.json:
            print(json.dumps({"uiUrl": demo.ui_url, "status": last}, indent=2))
        if not args.exit:
            print("The agent syncs on schedule - press Ctrl-C to stop.", file=sys.stderr)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                print("stopping", file=sys.stderr)
        ok = all(c["lastRun"]["outcome"] == "succeeded" for c in last["companies"])
        return 0 if ok else 1


def _serve_until_interrupted(result: DemoResult) -> None:
    try:
        print(f"Serving on {result.settings.public_url} - press Ctrl-C to stop.", file=sys.stderr)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)


class _Bars(Bars):
    """One rich progress bar per data type, fed from the store while the sync runs."""

    def update(self, run: SyncRun, cursors: dict[str, CursorRow]) -> None:
        if self._progress is None:
            return
        for counts in run.types:
            cursor = cursors.get(counts.data_type)
            finished = counts.status in ("done", "error")
            if counts.data_type not in self._tasks and (
                counts.fetched or finished or counts.status == "running"
            ):
                self._tasks[counts.data_type] = self._progress.add_task(
                    counts.data_type, total=None
                )
            task = self._tasks.get(counts.data_type)
            if task is None:
                continue
            remaining = cursor.remaining if cursor is not None and cursor.remaining else 0
            total = counts.fetched + remaining if (remaining or finished) else None
            label = counts.data_type + (" (error)" if counts.status == "error" else "")
            self._progress.update(task, completed=counts.fetched, total=total, description=label)


def _shown_url(url: str) -> str:
    return normalise_url(url).render_as_string(hide_password=True)


def _json(result: DemoResult, serving: bool) -> dict[str, Any]:
    return {
        "serving": serving,
        "database": _shown_url(result.settings.database_url),
        "companyId": result.link.company_id,
        "connectionId": result.link.connection_id,
        "apiKey": result.link.api_key,
        "incremental": result.incremental,
        "seconds": round(result.seconds, 3),
        "recordsFetched": result.fetched,
        "recordsPerSecond": round(result.records_per_second, 1),
        "records": result.records,
        "urls": result.urls(),
        "notes": list(result.notes),
        "session": result.session,
        "run": run_json(result.run),
    }


def _text(result: DemoResult, serving: bool) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Sync {result.run.status} ({result.run.kind})")
    for name in ("data type", "stored", "fetched", "new", "changed", "deleted", "errors"):
        table.add_column(name, justify="left" if name == "data type" else "right")
    for t in result.run.types:
        stored = result.records.get(t.data_type, "")
        table.add_row(
            t.data_type,
            str(stored),
            str(t.fetched),
            str(t.created),
            str(t.updated),
            str(t.deleted),
            str(t.errors),
        )
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(table)
    lines = [console.export_text().rstrip(), *result.notes]
    lines.append(
        f"{result.fetched} records in {result.seconds:.1f} s "
        f"({result.records_per_second:.0f} records/s)"
    )
    for error in result.run.errors:
        lines.append(
            f"  {error.status_class} {error.status_code or error.hresult or ''}: {error.message}"
        )
    lines.append(f"company id: {result.link.company_id}")
    lines.append(f"API key:    {result.link.api_key}  (Authorization: Bearer ...)")
    lines.append(f"database:   {_shown_url(result.settings.database_url)}")
    if serving:
        for name, url in result.urls().items():
            lines.append(f"{name + ':':<11} {url}")
    else:  # --exit: the service stopped with the demo; say how to browse what was synced
        lines.append(
            "browse it:  `qbd-connector serve` in this folder, then "
            "http://localhost:8080/api/v1/docs with the API key above"
        )
    return "\n".join(lines)
