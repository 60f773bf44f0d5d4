"""The tray icon (pystray) where a desktop session exists.

Owns: the menu (open the UI, sync now, pause all, resume all, quit) and what each item does
to the agent (``TrayActions``), the icon's colour from the companies' states
(``tray_colour``: red on an error, blue while syncing, amber when all are paused, green
otherwise), and running the icon until the agent stops. Without a display (no ``DISPLAY`` /
``WAYLAND_DISPLAY`` on Linux), or when no pystray backend loads, the agent runs without it
and logs one line saying so. Must not: hold agent logic (it calls the ``Agent`` controls).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping
from typing import Any

from connector.agent.daemon import Agent
from connector.agent.logs import LOGGER

log = logging.getLogger(LOGGER)

COLOURS = {"error": "#c62828", "syncing": "#1565c0", "paused": "#f9a825", "idle": "#2e7d32"}


def has_display(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def tray_colour(status: Mapping[str, Any]) -> str:
    states = [c["state"] for c in status.get("companies", [])]
    if "error" in states:
        return "error"
    if "syncing" in states:
        return "syncing"
    if states and all(s == "paused" for s in states):
        return "paused"
    return "idle"


class TrayActions:
    """What the menu items do; ``open_url`` is the browser (injected in tests)."""

    def __init__(self, agent: Agent, open_url: Callable[[str], object] = webbrowser.open) -> None:
        self.agent, self.open_url = agent, open_url

    def open_ui(self) -> None:
        if self.agent.ui_url:
            self.open_url(self.agent.ui_url)

    def sync_now(self) -> None:
        for line in self.agent.sync_now(None):
            log.info("tray: %s", line)

    def pause_all(self) -> None:
        for name in self.agent.config.names():
            self.agent.set_paused(name, True)

    def resume_all(self) -> None:
        for name in self.agent.config.names():
            self.agent.set_paused(name, False)

    def quit(self) -> None:
        self.agent.request_stop()


def build_menu(pystray: Any, actions: TrayActions) -> Any:
    item = pystray.MenuItem
    return pystray.Menu(
        item("Open qbd-connector", lambda: actions.open_ui(), default=True),
        item("Sync now", lambda: actions.sync_now()),
        item("Pause all", lambda: actions.pause_all()),
        item("Resume all", lambda: actions.resume_all()),
        pystray.Menu.SEPARATOR,
        item("Quit", lambda: actions.quit()),
    )


def icon_image(colour: str) -> Any:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((6, 6, 58, 58), fill=COLOURS[colour], outline="white", width=4)
    return image


class Tray:
    def __init__(self, pystray: Any, agent: Agent) -> None:
        self.agent = agent
        self.colour = tray_colour(agent.status())
        self.icon = pystray.Icon(
            "qbd-connector",
            icon_image(self.colour),
            "qbd-connector agent",
            menu=build_menu(pystray, TrayActions(agent)),
        )

    def refresh(self) -> None:
        colour = tray_colour(self.agent.status())
        if colour != self.colour:
            self.colour = colour
            self.icon.icon = icon_image(colour)
            self.icon.title = f"qbd-connector agent: {colour}"

    def run_until(self, stop: threading.Event) -> None:
        def setup(icon: Any) -> None:
            icon.visible = True
            while not stop.wait(1.0):
                self.refresh()
            icon.stop()

        self.icon.run(setup=setup)


def start_tray(agent: Agent, environ: Mapping[str, str] | None = None) -> Tray | None:
    if not has_display(environ):
        log.info("no display: running without a tray icon (the UI is at the URL above)")
        return None
    try:
        import pystray
    except Exception as exc:  # no backend for this desktop (ImportError, Xlib errors)
        log.info("no tray icon: %s", exc)
        return None
    return Tray(pystray, agent)
