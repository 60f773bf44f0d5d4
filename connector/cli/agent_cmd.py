"""``qbd-connector agent ...``: the desktop agent's commands (DESIGN.md names them).

``run`` is the agent in the foreground (what autostart launches); ``start`` runs it detached
and returns once it answers; the others talk to the running agent over its local API, or,
when none runs, edit its configuration and say so (``connector.agent.control``).
Exit codes: 0 done, 1 the agent refused or is not in the needed state (e.g. a second
``run``), 2 bad arguments or input files.
Must not: hold agent logic.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from connector.agent.errors import AgentError, ConfigError
from connector.cli import fail


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "agent",
        help="the desktop agent: background sync of QuickBooks companies",
        description="The desktop agent: a Web Connector that runs in the background, with a "
        "local web UI. QBD_AGENT_HOME selects its folder instead of the per-user default.",
    )
    sub = parser.add_subparsers(dest="agent_command", metavar="ACTION", required=True)

    def add(name: str, help_: str, func: Any) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=_safely(func))
        return p

    run = add("run", "run the agent in the foreground (what autostart launches)", _run)
    run.add_argument("--no-tray", action="store_true", help="no tray icon even with a display")
    add("start", "start the agent in the background and return", _start)
    add("stop", "stop the running agent (sessions end cleanly)", _stop)
    for name in ("status", "list"):
        p = add(
            name, f"{name} the companies and their state", _status if name == "status" else _list
        )
        p.add_argument("--json", action="store_true", help="print JSON")
    p = add("add-company", "add a company from its QWC file and password", _add)
    p.add_argument("--qwc", required=True, type=Path, help="the QWC file from the service")
    p.add_argument("--password", required=True, help="the password given with the QWC file")
    p.add_argument("--name", help="the company's name here (default: from the QWC)")
    p.add_argument("--processor", default="com", choices=("com", "emulator", "replay"))
    p.add_argument("--company-file", help="the QuickBooks company file (default: the open one)")
    p.add_argument("--seed", type=int, help="emulator: seed of a generated fake company")
    p.add_argument("--size", help="emulator: tiny|small|medium|large|N")
    p.add_argument("--cassette", help="replay: the cassette to answer from")
    p = add("sync-now", "sync a company (or all) now", _sync_now)
    p.add_argument("name", nargs="?")
    for name in ("pause", "resume", "remove"):
        p = add(name, f"{name} a company", _named(name))
        p.add_argument("name")
    p = add("schedule", "set how often a company syncs", _schedule)
    p.add_argument("name")
    p.add_argument("--every-minutes", type=int, required=True)
    add("install-autostart", "start the agent when this user logs in", _autostart(True))
    add("uninstall-autostart", "no longer start the agent at log-in", _autostart(False))
    p = add("ui", "open the local web UI in the browser (starting the agent if needed)", _ui)
    p.add_argument("--print", action="store_true", help="print the URL instead of opening it")


def _safely(func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = func(args)
            return code
        except ConfigError as exc:
            return fail("agent", exc)
        except AgentError as exc:
            return fail("agent", exc, 1)

    return run


def _paths() -> Any:
    from connector.agent.paths import agent_paths

    return agent_paths()


def _control() -> Any:
    from connector.agent.control import Control

    return Control(_paths())


def _run(args: argparse.Namespace) -> int:
    from connector.agent.main import run_agent
    from connector.agent.update import next_release, running_release

    paths = _paths()
    newer = next_release(paths, running_release())
    if newer is not None:  # a verified update was staged: run it instead (self-update)
        argv = [str(newer.executable), "agent", "run", *(["--no-tray"] if args.no_tray else [])]
        os.execv(argv[0], argv)
    return run_agent(paths, foreground=True, tray=not args.no_tray)


def _start(_args: argparse.Namespace) -> int:
    from connector.agent.control import start_detached

    info = start_detached(_paths())
    print(f"agent started (pid {info['pid']}); UI: {info['uiUrl']}")
    return 0


def _stop(_args: argparse.Namespace) -> int:
    print(_control().stop())
    return 0


def _status(args: argparse.Namespace) -> int:
    data = _control().status()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"agent: {'running, pid ' + str(data['pid']) if data['running'] else 'not running'}")
    if data["uiUrl"]:
        print(f"UI: {data['uiUrl']}")
    for c in data["companies"]:
        last = c["lastRun"]
        print(f"{c['name']}: {c['state']} {c['progress']}%  next: {c['nextRun'] or '-'}")
        if last:
            print(f"  last run {last['at']}: {last['outcome']}: {last['message']}")
            if last["outcome"] == "failed" and last.get("advice"):
                print(f"  what to do: {last['advice']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    data = _control().status()
    rows = [
        {"name": c["name"], "processor": c["processor"], "everyMinutes": c["everyMinutes"],
         "paused": c["state"] == "paused"}
        for c in data["companies"]
    ]  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            paused = " (paused)" if row["paused"] else ""
            print(f"{row['name']}\t{row['processor']}\tevery {row['everyMinutes']} min{paused}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from connector.agent.control import new_company

    try:
        text = args.qwc.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {args.qwc}: {exc}") from None
    control = _control()
    company = new_company(
        control.paths, text, args.name, args.processor, args.company_file, args.seed,
        args.size, args.cassette,
    )  # fmt: skip
    print(control.add_company(company, args.password))
    return 0


def _sync_now(args: argparse.Namespace) -> int:
    for line in _control().sync_now(args.name):
        print(line)
    return 0


def _named(action: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        control = _control()
        if action == "remove":
            print(control.remove(args.name))
        else:
            print(control.set_paused(args.name, action == "pause"))
        return 0

    return run


def _schedule(args: argparse.Namespace) -> int:
    print(_control().schedule(args.name, args.every_minutes))
    return 0


def _autostart(install: bool) -> Any:
    def run(_args: argparse.Namespace) -> int:
        from connector.agent import autostart

        lines = autostart.install() if install else autostart.uninstall()
        for line in lines:
            print(line)
        return 0

    return run


def _ui(args: argparse.Namespace) -> int:
    """The UI's URL; starts the agent first when none runs (the Start-menu entry runs this)."""
    from connector.agent.control import start_detached

    control = _control()
    url = control.ui_url() if control.running else str(start_detached(control.paths)["uiUrl"])
    if args.print:
        print(url)
        return 0
    import webbrowser

    if not webbrowser.open(url):
        print(url)
    return 0
