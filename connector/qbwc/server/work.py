"""The seam between the Web Connector protocol and the sync engine.

The SOAP service (``connector.qbwc.server``) knows *how* to talk to a Web Connector; a
``WorkSource`` (``connector.sync``) knows *what* to ask QuickBooks. The service calls it
request by request. Every method is keyed by connection and ticket and must keep its state
in the store, never in process memory: two service instances may serve alternate calls of
one session, and a restart between calls loses nothing.
Must not: speak SOAP, hash passwords or look at HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from connector.qbwc.server.text_spool import Response


@dataclass(frozen=True)
class SessionContext:
    """What the protocol layer knows about the session when it asks for work."""

    connection_id: str
    company_id: str
    ticket: str
    """The session's key: the hash of the Web Connector's ticket (``SessionState.ticket_hash``),
    never the ticket itself, so what a WorkSource stores by it is no credential."""
    qbxml_version: str
    """Negotiated from HostQuery's SupportedQBXMLVersion and qbXMLMajorVers/MinorVers."""
    country: str
    now: datetime
    pushes_waiting: bool | None = None
    """Whether a push of the company waits for a session, where a wrapper already read it
    for this call (``connector.portal.work``: one read per call, issue 12); ``None``: not
    read, whoever needs it reads it."""


RESPONSE_TOO_LARGE = "TOO_LARGE"
"""``WorkSource.apply_error``'s hresult when the service could not take a receiveResponseXML
at all (its body is over the service's limit, issue 18 item 2): the message says how large.
Not an hresult QuickBooks has (those are ``0x`` and eight hex digits)."""


@dataclass(frozen=True)
class Progress:
    """Answer to one receiveResponseXML: ``percent`` 0-100, or an error that ends the session."""

    percent: int
    error: str | None = None
    """When set, receiveResponseXML returns a negative value and getLastError shows this."""


class WorkSource(Protocol):
    def has_work(self, connection_id: str, now: datetime) -> bool:
        """Whether a session would have anything to do (authenticate answers ``none`` if not)."""
        ...

    def begin(self, ctx: SessionContext, host_company_preferences: str) -> None:
        """A session started: plan its work. ``host_company_preferences`` is the first
        sendRequestXML's ``strHCPResponse`` (HostQueryRs, CompanyQueryRs, PreferencesQueryRs)."""
        ...

    def next_request(self, ctx: SessionContext) -> str | None:
        """The next qbXML request, or ``None`` when nothing is left for this session."""
        ...

    def apply_response(self, ctx: SessionContext, response: Response) -> Progress:
        """Store what QuickBooks answered to the last request; say how far the session is.
        ``response``: a ``str``, or a ``TextSpool`` when it is long (a large report): read
        it through ``text_spool`` (``xml_source``, ``whole``); the service closes it."""
        ...

    def apply_error(self, ctx: SessionContext, hresult: str, message: str) -> Progress:
        """The request processor threw (receiveResponseXML carried hresult and message)."""
        ...

    def end(self, ctx: SessionContext, reason: str) -> str:
        """The session closed (closeConnection or connectionError); returns a summary."""
        ...


@runtime_checkable
class Holds(Protocol):
    """What a ``WorkSource`` may also answer: why a connection must not sync now (the
    platform turned the integration off, the business paused or withdrew its consent), in
    plain words, or ``None``. authenticate then answers ``none`` and closeConnection shows
    the text (``connector.qbwc.server.authenticate``)."""

    def held(self, connection_id: str, now: datetime) -> str | None: ...
