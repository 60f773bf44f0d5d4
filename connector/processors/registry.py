"""Which RequestProcessor a desktop agent's company uses, found by name.

Owns: ``ProcessorSpec`` (what a processor needs to open: the QWC, the company file, a seed
and size, a cassette), the ``ProcessorFactory`` seam, the ``Finishable`` hook (called after
each session: a fake company saves itself, a replay reports what did not match) and
``create_processor``: ``com`` is built in (``connector.processors.com``); every other name is
looked up in the ``qbd_connector.processors`` entry-point group, where the emulator registers
``emulator`` (a fake QuickBooks) and ``replay`` (a cassette). So ``connector`` reaches the
emulator without importing it (DESIGN.md). Must not: import ``qbd_emulator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from connector.processors.base import RequestProcessor

ENTRY_POINT_GROUP = "qbd_connector.processors"


class ProcessorUnavailable(Exception):
    """No processor of that name here (not installed, or not on this platform)."""


@dataclass(frozen=True)
class AuthPreferences:
    """QBXMLRP2's ``rp.AuthPreferences`` as the QWC gives them (PG p.37; ``None``: absent).
    Wire words, so this layer needs no QWC parser: ``umpRequired``/``umpOptional``,
    ``pdpNotNeeded``/``pdpOptional``/``pdpRequired``."""

    is_read_only: bool | None = None
    unattended_mode: str | None = None
    personal_data: str | None = None
    auth_flags: int | None = None


@dataclass(frozen=True)
class ProcessorSpec:
    kind: str
    qwc_xml: str = ""
    """The QWC file's text (the emulator registers its FileID, as QBWC does on adding it)."""
    preferences: AuthPreferences = AuthPreferences()
    company_file: str = ""
    seed: int | None = None
    size: str | None = None
    cassette: str | None = None


class ProcessorFactory(Protocol):
    def __call__(self, spec: ProcessorSpec) -> RequestProcessor: ...


@runtime_checkable
class Finishable(Protocol):
    def finish(self) -> str | None:
        """Called once the session ended; a problem to report (``None``: all well)."""
        ...


def available_processors() -> tuple[str, ...]:
    return ("com", *sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)))


def load_factory(kind: str) -> ProcessorFactory:
    if kind == "com":
        from connector.processors.com import create_com_processor

        return create_com_processor
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == kind]
    if not found:
        raise ProcessorUnavailable(
            f"no {kind!r} processor is installed (available: {', '.join(available_processors())})"
        )
    factory: ProcessorFactory = found[0].load()
    return factory


def create_processor(spec: ProcessorSpec) -> RequestProcessor:
    """A new processor for one session; raises ``ProcessorUnavailable`` or ``ProcessorError``."""
    return load_factory(spec.kind)(spec)
