"""The Web Connector's side of the protocol: a QBWC client, call for call as Intuit's runs.

Our desktop agent and the emulator's fake Web Connector drive the service through it.
Inside: ``runner`` (``run_session``: the order of calls and what each answer means) uses
``summary`` (how a session ended, ``ClientConfig``), ``host_queries`` (the
Host/Company/Preferences queries before the first sendRequestXML) and the ``transport``
seam (``RemoteQbwcService``; SOAP over httpx) with its pure ``envelopes``.
Must not: import ``connector.qbwc.server`` (the client knows the service by its wire only).
"""

from __future__ import annotations

from connector.qbwc.client.runner import run_session
from connector.qbwc.client.summary import (
    ClientConfig,
    SessionResult,
    SessionSummary,
    next_run_in,
)

__all__ = ["ClientConfig", "SessionResult", "SessionSummary", "next_run_in", "run_session"]
