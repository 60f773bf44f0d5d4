"""The tray menu through pystray's backend-independent layer (its ``dummy`` backend): each
item acts on a real agent; the icon's colour follows the companies' states."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from connector.agent.config import CompanyConfig, ProcessorKind
from connector.agent.credentials import EncryptedFileStore
from connector.agent.daemon import Agent
from connector.agent.paths import AgentPaths
from connector.agent.tray import TrayActions, build_menu, has_display, start_tray, tray_colour
from connector.qbwc.qwc import Qwc, qwc_to_xml

QWC = qwc_to_xml(
    Qwc(app_name="A", app_url="https://s.example.com/qbwc", app_support="https://s.example.com/",
        user_name="u", owner_id="{9A8A4DFA-9D97-4AAF-A36D-5923707DF5B6}",
        file_id="{8C1E3D49-5F27-41D6-9B0B-4546E6D80995}")
)  # fmt: skip


@pytest.fixture
def pystray(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PYSTRAY_BACKEND", "dummy")
    for name in [n for n in sys.modules if n == "pystray" or n.startswith("pystray.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("pystray")


@pytest.fixture
def agent(tmp_path: Path) -> Agent:
    paths = AgentPaths(tmp_path / "c", tmp_path / "s", tmp_path / "l")
    paths.create()
    agent = Agent(paths, EncryptedFileStore(paths))
    for name in ("A", "B"):
        company = CompanyConfig(name, QWC, ProcessorKind.REPLAY, cassette="/none")
        agent.add_company(company, "pw")
    agent.ui_url = "http://127.0.0.1:1234/?token=t"
    return agent


def test_the_menu_items_act_on_the_agent(pystray: Any, agent: Agent) -> None:
    opened: list[str] = []
    menu = build_menu(pystray, TrayActions(agent, opened.append))
    icon = pystray.Icon("test", menu=menu)
    items = {item.text: item for item in menu.items if item is not pystray.Menu.SEPARATOR}
    assert list(items) == ["Open qbd-connector", "Sync now", "Pause all", "Resume all", "Quit"]
    assert items["Open qbd-connector"].default

    items["Open qbd-connector"](icon)
    assert opened == ["http://127.0.0.1:1234/?token=t"]
    items["Pause all"](icon)
    assert [c["state"] for c in agent.status()["companies"]] == ["paused", "paused"]
    items["Sync now"](icon)
    assert not any(c["queued"] for c in agent.status()["companies"])  # paused: skipped
    items["Resume all"](icon)
    items["Sync now"](icon)
    assert all(c["queued"] for c in agent.status()["companies"])
    assert not agent.stop_event.is_set()
    items["Quit"](icon)
    assert agent.stop_event.is_set()


@pytest.mark.parametrize(
    ("states", "colour"),
    [
        (["idle", "syncing"], "syncing"),
        (["error", "syncing"], "error"),
        (["paused", "paused"], "paused"),
        (["paused", "idle"], "idle"),
        ([], "idle"),
    ],
)
def test_the_icon_colour_follows_the_states(states: list[str], colour: str) -> None:
    assert tray_colour({"companies": [{"state": s} for s in states]}) == colour


def test_without_a_display_there_is_no_tray_and_one_log_line(
    agent: Agent, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    logging.getLogger("qbd_connector.agent").propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="qbd_connector.agent"):
            assert start_tray(agent, {}) is None
    finally:
        logging.getLogger("qbd_connector.agent").propagate = False
    lines = [r.getMessage() for r in caplog.records if "tray" in r.getMessage()]
    assert lines == ["no display: running without a tray icon (the UI is at the URL above)"]
    if sys.platform.startswith("linux"):
        assert has_display({"DISPLAY": ":0"}) and not has_display({})


def test_with_a_display_the_tray_is_built_from_the_backend(pystray: Any, agent: Agent) -> None:
    tray = start_tray(agent, {"DISPLAY": ":0"})
    assert tray is not None and tray.colour == "idle"
    agent.set_paused("A", True)
    agent.set_paused("B", True)
    tray.refresh()
    assert tray.colour == "paused" and tray.icon.title == "qbd-connector agent: paused"
