"""Start the agent when the user logs in: the per-user Run key on Windows; on Linux an XDG
autostart entry (desktop sessions, with the tray) and a systemd user unit (without one).

Owns: what is written where, and removing it again. The command written is
``control.agent_command()`` (the packaged executable's ``agent run``, or this Python's
``-m connector agent run``), with ``QBD_AGENT_HOME`` carried along when it is set. Both Linux
entries may start an agent: the second one finds the first running and exits 1, which the
unit does not restart (``RestartPreventExitStatus=1``).
Must not: start the agent itself. ``winreg`` and the systemctl runner are injected (tests).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from connector.agent.control import agent_command
from connector.agent.paths import HOME_ENV

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "qbd-connector agent"
DESKTOP_FILE = "qbd-connector-agent.desktop"
UNIT_FILE = "qbd-connector-agent.service"

Systemctl = Callable[[Sequence[str]], str]


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _command(environ: Mapping[str, str]) -> list[str]:
    command = agent_command()
    home = environ.get(HOME_ENV, "").strip()
    return ["env", f"{HOME_ENV}={home}", *command] if home and os.name != "nt" else command


# -- Windows ------------------------------------------------------------------------------


def windows_command(environ: Mapping[str, str] | None = None) -> str:
    return subprocess.list2cmdline(agent_command())


def install_windows(winreg: Any, environ: Mapping[str, str] | None = None) -> list[str]:
    key = winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE)
    try:
        winreg.SetValueEx(key, VALUE_NAME, 0, winreg.REG_SZ, windows_command(environ))
    finally:
        winreg.CloseKey(key)
    return [rf"HKCU\{RUN_KEY}\{VALUE_NAME} = {windows_command(environ)}"]


def uninstall_windows(winreg: Any) -> list[str]:
    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE)
    try:
        winreg.DeleteValue(key, VALUE_NAME)
    except FileNotFoundError:
        return ["no autostart entry to remove"]
    finally:
        winreg.CloseKey(key)
    return [rf"removed HKCU\{RUN_KEY}\{VALUE_NAME}"]


# -- Linux --------------------------------------------------------------------------------


def config_home(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    return Path(base) if base else Path(environ.get("HOME", str(Path.home()))) / ".config"


def desktop_entry(command: Sequence[str]) -> str:
    exec_line = " ".join(_desktop_quote(arg) for arg in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=qbd-connector agent\n"
        "Comment=Syncs QuickBooks Desktop companies in the background\n"
        f"Exec={exec_line}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _desktop_quote(arg: str) -> str:
    """Desktop Entry spec: quote arguments with reserved characters; escape \\ " ` $."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def systemd_unit(command: Sequence[str]) -> str:
    return (
        "[Unit]\n"
        "Description=qbd-connector desktop agent (QuickBooks sync)\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart={shlex.join([*command, '--no-tray'])}\n"
        "Restart=on-failure\n"
        "RestartSec=30\n"
        "RestartPreventExitStatus=1\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _systemctl(args: Sequence[str]) -> str:
    if shutil.which("systemctl") is None:
        return "systemctl not found: enable the unit by hand where systemd runs"
    done = subprocess.run(["systemctl", "--user", *args], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip() or f"systemctl --user {' '.join(args)}: ok"


def install_linux(
    environ: Mapping[str, str] | None = None, systemctl: Systemctl = _systemctl
) -> list[str]:
    env = _env(environ)
    command = _command(env)
    base = config_home(env)
    desktop = base / "autostart" / DESKTOP_FILE
    unit = base / "systemd" / "user" / UNIT_FILE
    for path, text in ((desktop, desktop_entry(command)), (unit, systemd_unit(command))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    lines = [f"wrote {desktop}", f"wrote {unit}"]
    lines.append(systemctl(["daemon-reload"]))
    lines.append(systemctl(["enable", UNIT_FILE]))
    return lines


def uninstall_linux(
    environ: Mapping[str, str] | None = None, systemctl: Systemctl = _systemctl
) -> list[str]:
    base = config_home(_env(environ))
    lines = []
    unit = base / "systemd" / "user" / UNIT_FILE
    if unit.exists():
        lines.append(systemctl(["disable", UNIT_FILE]))
    for path in (base / "autostart" / DESKTOP_FILE, unit):
        if path.exists():
            path.unlink()
            lines.append(f"removed {path}")
    return lines or ["no autostart entry to remove"]


def install() -> list[str]:
    return _on_this_platform(install_windows, install_linux, "start the agent at log-in by hand")


def uninstall() -> list[str]:
    return _on_this_platform(uninstall_windows, uninstall_linux, "")


def _on_this_platform(
    windows: Callable[[Any], list[str]], linux: Callable[[], list[str]], hint: str
) -> list[str]:
    """``windows`` (given the ``winreg`` module) on Windows, ``linux`` on Linux; elsewhere a
    line saying autostart is not supported there (and ``hint``, when given)."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import winreg

        return windows(winreg)
    if sys.platform.startswith("linux"):
        return linux()
    return [f"autostart is not supported on {sys.platform}" + (f": {hint}" if hint else "")]
