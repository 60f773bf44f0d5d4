"""One Web Connector update with the emulator's whole QuickBooks link, for every caller.

Owns: building the QuickBooks side of one update (the fake QuickBooks over a company, with the
QWC's FileID registered as QBWC does when the application is added, or a cassette replayed
instead; scenario faults on either link; the recording wrapper) and what the update leaves
behind (the summary, the recorded interactions, the replay report, the faults that fired).
``qbd-emulator webconnector``, the emulator server and the pytest plugin all run updates
through ``run_update``. Must not: print, read files, or know about HTTP beyond the QBWC client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from connector.processors.base import RequestProcessor
from connector.qbwc.client import ClientConfig, SessionResult, SessionSummary
from connector.qbwc.client.transport import SoapTransport
from connector.qbwc.qwc import Qwc

from .cassette import Interaction, RecordingProcessor, ReplayProcessor
from .company import CompanyFile
from .faults import Scenario
from .processor import Clock, FakeQuickBooks, Layout, system_clock
from .webconnector import add_application, run_webconnector

__all__ = ["OK_RESULTS", "UpdateResult", "run_update"]

OK_RESULTS = frozenset(
    {SessionResult.DONE, SessionResult.NO_WORK, SessionResult.NO_REQUEST, SessionResult.POSTPONED}
)
"""Session results of an update that ended normally."""


@dataclass
class UpdateResult:
    summary: SessionSummary
    recorded: list[Interaction] | None = None
    """With ``record``: every call on the QuickBooks link, in order."""
    mismatches: list[str] = field(default_factory=list)
    """With ``replay``: the calls that did not match the cassette (nearest recorded ones)."""
    unused: list[str] = field(default_factory=list)
    """With ``replay``: recorded calls the update never made."""
    faults: list[str] = field(default_factory=list)
    """With a scenario: each fault that fired, where."""
    replayed: bool = False
    """QuickBooks was a cassette."""

    @property
    def ok(self) -> bool:
        return self.summary.result in OK_RESULTS and not (self.mismatches or self.unused)

    def replay_report(self) -> dict[str, object]:
        return {"mismatches": self.mismatches, "unused": self.unused}


def run_update(
    qwc: Qwc,
    password: str,
    *,
    company: CompanyFile | None = None,
    replay: ReplayProcessor | None = None,
    seed: int = 1,
    scenario: Scenario | None = None,
    record: bool = False,
    quickbooks_running: bool = True,
    verify: bool | str = True,
    timeout: float = 60.0,
    config: ClientConfig | None = None,
    wrap_transport: Callable[[SoapTransport], SoapTransport] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Clock = system_clock,
    layout: Layout = "one-line",
) -> UpdateResult:
    """One update of ``qwc`` against its AppURL: QuickBooks is ``company`` (the FileID is
    registered first, ``AddApplicationError`` when the file is bound to another one) or the
    cassette ``replay``; exactly one of them is given. ``clock`` is QuickBooks' (the PC's);
    ``layout``: how the fake QuickBooks lays its answers out (``FakeQuickBooks.layout``)."""
    if (company is None) == (replay is None):
        raise ValueError("give a company or a replay cassette, not both or neither")
    processor: RequestProcessor
    if company is not None:
        add_application(qwc, FakeQuickBooks(company, clock=clock, seed=seed))
        processor = FakeQuickBooks(
            company, clock=clock, seed=seed, running=quickbooks_running, layout=layout
        )
    else:
        assert replay is not None
        replay.bind(qwc.owner_id, qwc.file_id)  # the recording, as this connection's file
        processor = replay
    if scenario is not None:
        processor = scenario.wrap_processor(processor)
    recorder = RecordingProcessor(processor) if record else None

    def wrap(transport: SoapTransport) -> SoapTransport:
        inner = scenario.wrap_transport(transport) if scenario is not None else transport
        return wrap_transport(inner) if wrap_transport is not None else inner

    summary = run_webconnector(
        qwc,
        password,
        recorder or processor,
        verify=verify,
        timeout=timeout,
        config=config,
        wrap_transport=wrap,
        sleep=sleep,
    )
    result = UpdateResult(summary, recorder.interactions if recorder else None)
    if replay is not None:
        result.replayed = True
        result.mismatches = list(replay.mismatches)
        result.unused = [f"#{replay.position + n}: {i.call}" for n, i in enumerate(replay.unused())]
    if scenario is not None:
        result.faults = scenario.fired()
    return result
