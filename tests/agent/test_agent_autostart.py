"""Autostart: what is written (XDG autostart entry, systemd user unit, the Windows Run key
through a fake winreg) and that the written command starts the agent."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

from connector.agent import autostart
from connector.agent.control import Control, agent_command
from connector.agent.paths import AgentPaths
from tests.agent.agent_harness import wait_for


class FakeWinreg:
    """The part of ``winreg`` autostart uses, over a dict: {(root, key): {name: (type, data)}}."""

    HKEY_CURRENT_USER = 0x80000001
    KEY_SET_VALUE = 0x0002
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[tuple[int, str], dict[str, tuple[int, str]]] = {}
        self.closed = 0

    def CreateKeyEx(self, root: int, sub: str, reserved: int, access: int) -> Any:
        assert access & self.KEY_SET_VALUE
        return self.keys.setdefault((root, sub), {})

    def OpenKey(self, root: int, sub: str, reserved: int, access: int) -> Any:
        if (root, sub) not in self.keys:
            raise FileNotFoundError(sub)
        return self.keys[(root, sub)]

    def SetValueEx(self, key: Any, name: str, reserved: int, kind: int, data: str) -> None:
        key[name] = (kind, data)

    def DeleteValue(self, key: Any, name: str) -> None:
        if name not in key:
            raise FileNotFoundError(name)
        del key[name]

    def CloseKey(self, key: Any) -> None:
        self.closed += 1


def test_windows_run_key_points_at_the_agent() -> None:
    reg = FakeWinreg()
    lines = autostart.install_windows(reg)
    run = reg.keys[(reg.HKEY_CURRENT_USER, autostart.RUN_KEY)]
    kind, data = run["qbd-connector agent"]
    assert kind == reg.REG_SZ
    assert data == subprocess.list2cmdline(agent_command()) and data.endswith("agent run")
    assert lines == [rf"HKCU\{autostart.RUN_KEY}\qbd-connector agent = {data}"]
    assert autostart.uninstall_windows(reg) == [
        rf"removed HKCU\{autostart.RUN_KEY}\qbd-connector agent"
    ]
    assert run == {} and reg.closed == 2
    assert autostart.uninstall_windows(reg) == ["no autostart entry to remove"]


def test_the_desktop_entry_quotes_as_the_spec_says() -> None:
    text = autostart.desktop_entry(["/opt/my apps/qbd", "agent", 'say "hi" $HOME'])
    assert 'Exec="/opt/my apps/qbd" agent "say \\"hi\\" \\$HOME"\n' in text


def test_linux_entries_are_written_and_their_command_starts_the_agent(tmp_path: Path) -> None:
    home = tmp_path / "agent"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "QBD_AGENT_HOME": str(home)}
    asked: list[list[str]] = []
    lines = autostart.install_linux(env, lambda args: asked.append(list(args)) or "ok")
    desktop = tmp_path / "xdg" / "autostart" / autostart.DESKTOP_FILE
    unit = tmp_path / "xdg" / "systemd" / "user" / autostart.UNIT_FILE
    assert lines[:2] == [f"wrote {desktop}", f"wrote {unit}"]
    assert asked == [["daemon-reload"], ["enable", autostart.UNIT_FILE]]
    entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert entry["Type"] == "Application" and entry["X-GNOME-Autostart-enabled"] == "true"
    service = unit.read_text()
    command = shlex.split(entry["Exec"])
    assert command == ["env", f"QBD_AGENT_HOME={home}", *agent_command()]
    assert f"ExecStart={shlex.join([*command, '--no-tray'])}\n" in service
    assert "WantedBy=default.target" in service and "RestartPreventExitStatus=1" in service

    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        paths = AgentPaths(home / "config", home / "state", home / "logs")
        wait_for("the agent", lambda: Control(paths).running, timeout=60)
        assert Control(paths).status()["pid"] == proc.pid  # env execs the agent in place
        assert "stopped the agent" in Control(paths).stop()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()

    removed = autostart.uninstall_linux(env, lambda args: asked.append(list(args)) or "ok")
    assert removed[1:] == [f"removed {desktop}", f"removed {unit}"]
    assert asked[-1] == ["disable", autostart.UNIT_FILE] and not desktop.exists()
    assert autostart.uninstall_linux(env, lambda args: "ok") == ["no autostart entry to remove"]
