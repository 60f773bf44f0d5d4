"""``qbd-connector agent run``: the agent process, in the foreground.

Owns: the process's life: one agent per user (``lock``), logging, the local UI server and
``runtime.json`` (pid, port, token, UI URL: how the commands find it), the tray icon where a
display exists, the self-update check, and a clean stop on SIGTERM, SIGINT and Windows
console events (close, log off, shut down): sessions end at their next request boundary,
state is saved, ``runtime.json`` is removed and the lock released.
Must not: hold scheduling (``daemon``) or HTTP routes (``localapi``).
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
from types import FrameType
from typing import Any

from connector.agent.credentials import open_credential_store
from connector.agent.daemon import Agent
from connector.agent.files import write_json, write_private
from connector.agent.localapi import LocalServer
from connector.agent.lock import InstanceLock
from connector.agent.logs import close_logging, setup_logging
from connector.agent.paths import AgentPaths


def install_token(paths: AgentPaths) -> str:
    """The per-install token of the local UI: made once, kept in the config folder (0600)."""
    try:
        token = paths.token_file.read_text(encoding="utf-8").strip()
        if token:
            return token
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    write_private(paths.token_file, token.encode())
    return token


def _on_signals(stop: threading.Event, agent: Agent) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        agent.request_stop()

    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGINT", "SIGBREAK", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)
    if os.name == "nt":  # pragma: no cover - Windows console close / log off / shut down
        try:
            import win32api

            def console(event: int) -> bool:
                agent.request_stop()
                stop.wait(20)
                return True

            win32api.SetConsoleCtrlHandler(console, True)
        except ImportError:
            pass


def run_agent(paths: AgentPaths, *, foreground: bool = True, tray: bool = True) -> int:
    paths.create()
    lock = InstanceLock(paths.lock_file)
    lock.acquire()  # AlreadyRunning propagates: the command says so and exits 1
    paths.runtime_file.unlink(missing_ok=True)  # a killed agent's
    log = setup_logging(paths.log_file, to_stderr=foreground)
    done = threading.Event()
    server: LocalServer | None = None
    try:
        agent = Agent(paths, open_credential_store(paths))
        log.info("passwords: %s", agent.credentials.description)
        token = install_token(paths)
        server = LocalServer(agent, token, agent.request_stop)
        server.start()
        agent.pid = os.getpid()
        agent.ui_url = f"http://127.0.0.1:{server.port}/?token={token}"
        write_json(
            paths.runtime_file,
            {"pid": agent.pid, "port": server.port, "token": token, "uiUrl": agent.ui_url},
        )
        log.info("local UI at http://127.0.0.1:%d/", server.port)
        _on_signals(done, agent)
        _updates(agent, paths)
        icon = _tray(agent) if tray else None
        loop = threading.Thread(target=agent.run_loop, name="scheduler")
        loop.start()
        if icon is not None:
            icon.run_until(agent.stop_event)
        while loop.is_alive():
            loop.join(0.5)
        log.info("agent stopped")
        return 0
    finally:
        done.set()
        if server is not None:
            server.stop()
        paths.runtime_file.unlink(missing_ok=True)
        close_logging()
        lock.release()


def _updates(agent: Agent, paths: AgentPaths) -> None:
    """Check the update repository in the background (the running release's, or agent.json's)."""
    from connector.agent.update import Updater, running_release

    release = running_release()
    if release is None:
        return  # a development install: nothing to update
    agent.version = release.version
    url = agent.config.update_url or release.update_url
    if not url:
        return
    agent.updater = Updater(paths, release, url)
    threading.Thread(
        target=agent.updater.run_periodically, args=(agent.stop_event,), daemon=True,
        name="updates",
    ).start()  # fmt: skip


def _tray(agent: Agent) -> Any:
    try:
        from connector.agent.tray import start_tray
    except ImportError:
        return None
    return start_tray(agent)
